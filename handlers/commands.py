"""`/mentoring` and its subcommands, one table. Every answer is ephemeral: only the person who typed it sees it.

The table below is the only list of subcommands: the dispatcher reads it, `/mentoring help` is built from it,
and a test checks that the README's command tables list the same ones.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.blocks import leads as lead_copy
from bot.blocks import privacy as privacy_copy
from bot.blocks.cycles import overview_message as cycle_overview
from bot.blocks.matching import pairs_list
from bot.blocks.messages import (
    delete_prompt_blocks,
    help_blocks,
    leave_prompt_blocks,
    not_joined_blocks,
    status_blocks,
)
from bot.domain.people import PAUSE_DEFAULT_WEEKS, PAUSE_MAX_WEEKS, Status, current_status, parse_pause_weeks
from bot.usecases import bookings, cycles, leads, membership, pairs, privacy, reports, rounds, sessions
from bot.usecases.errors import NotJoined, UseCaseError
from bot.usecases.home import refresh_home
from bot.usecases.services import Services
from handlers.bookings import open_schedule_form, schedule_reply
from handlers.common import deliver_now
from handlers.cycles import open_cycle_form
from handlers.membership import open_view, signup_view
from handlers.rounds import show
from storage.participants import read_profile

log = logging.getLogger(__name__)

# With should_escape, Slack turns "@priya" into <@U0PRIYA|priya> in the command text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Call:
    """One `/mentoring` invocation, as a subcommand handler sees it."""

    user_id: str
    rest: str  # the text after the subcommand
    command: dict[str, Any]
    ack: Ack
    respond: Respond
    client: WebClient
    services: Services


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str  # as help shows it: "pause [weeks]"
    help: str
    run: Callable[[Call], None]
    lead_only: bool = False
    aliases: tuple[str, ...] = ()
    listed: bool = True


def _join(call: Call) -> None:
    modal = signup_view(call.services, call.user_id)
    call.ack()
    if not open_view(call.client, call.command["trigger_id"], modal):
        call.respond(text=replies.TRY_AGAIN, response_type="ephemeral")


def _status(call: Call) -> None:
    # Read-only and answered in the ack, so the one indexed lookup, without an ORM session (see `read_profile`).
    profile = read_profile(engine=call.services.engine, user_id=call.user_id)
    status = current_status(profile, call.services.clock())
    if profile is None:
        call.ack(text=replies.NOT_JOINED, blocks=not_joined_blocks())
        return
    paused_until = profile.paused_until if status is Status.PAUSED else None
    blocks = status_blocks(status=status, profile=profile, catalogue=call.services.catalogue, paused_until=paused_until)
    call.ack(text="Your reverse mentoring status", blocks=blocks)


def _pause(call: Call) -> None:
    weeks = parse_pause_weeks(call.rest)
    if weeks is None:
        call.ack(text=f"Tell me how many weeks, from 1 to {PAUSE_MAX_WEEKS}: for example `/mentoring pause 3`.")
        return
    paused = membership.pause(call.services, user_id=call.user_id, weeks=weeks)
    call.ack(text=replies.paused(paused.until, paused.tz))
    refresh_home(call.services, call.client, call.user_id)


def _resume(call: Call) -> None:
    resumed = membership.resume(call.services, user_id=call.user_id)
    call.ack(text=replies.resumed() if resumed.was_paused else replies.resumed_already())
    refresh_home(call.services, call.client, call.user_id)


def _leave(call: Call) -> None:
    snap = membership.snapshot(call.services, call.user_id)
    keep_days = call.services.settings.turnabout_retention_days
    if snap.status is Status.NOT_JOINED:
        call.ack(text=replies.nothing_to_leave())
        return
    if snap.status is Status.LEFT:
        # Left, keeping their history: they can still have it deleted now.
        call.ack(text="Delete your data now?", blocks=delete_prompt_blocks(keep_days=keep_days))
        return
    call.ack(text="Leave the reverse mentoring program?", blocks=leave_prompt_blocks(keep_days=keep_days))


def _mydata(call: Call) -> None:
    queued = privacy.send_my_data(call.services, user_id=call.user_id, occasion=call.command["trigger_id"])
    call.ack(text=privacy_copy.no_data() if queued is None else privacy_copy.my_data_sent())
    deliver_now(call.services, call.client, queued or [])


def _log(call: Call) -> None:
    logged = sessions.log_from_command(call.services, user_id=call.user_id, text=call.rest)
    call.ack(
        text=replies.session_logged(
            count=logged.count, first_time=logged.first_time, held_on=logged.held_on, today=logged.today
        )
    )


def _schedule(call: Call) -> None:
    if not call.rest.strip():
        form = bookings.command_form(call.services, user_id=call.user_id)
        call.ack()
        open_schedule_form(call.client, call.command["trigger_id"], form)
        return
    booked = bookings.book_from_command(call.services, user_id=call.user_id, text=call.rest)
    call.ack(text=schedule_reply(booked))
    deliver_now(call.services, call.client, booked.keys)


def _help(call: Call) -> None:
    typed = (call.command.get("text") or "").strip()
    is_lead = call.services.settings.is_lead(call.user_id)
    unknown = typed if typed and typed.split()[0].lower() != "help" else None
    call.ack(text="How to use /mentoring", blocks=help_blocks(lines=help_lines(is_lead=is_lead), unknown=unknown))


def _match(call: Call) -> None:
    # An empty ack: every line comes through the response_url, in order, from this one thread. A line in the ack
    # raced the first progress line (Slack shows the ack when its answer arrives, which can be after), and
    # "Working out…" then stood under "Done".
    call.ack()

    def progress(text: str) -> None:
        # Each step replaces the one before: one line that moves, not a stack of messages.
        try:
            call.respond(text=text, response_type="ephemeral", replace_original=True)
        except Exception:  # progress is a courtesy; the proposal itself still arrives by DM
            log.warning("could not show matching progress", exc_info=True)

    proposed = rounds.propose_round(call.services, lead_id=call.user_id, progress=progress)
    show(call.services, call.client, *proposed.replaced, proposed.view)


def _cycle(call: Call) -> None:
    view = cycles.overview(call.services)
    if not view.any:
        call.ack()
        if not open_cycle_form(call.services, call.client, call.command["trigger_id"]):
            call.respond(text=replies.TRY_AGAIN, response_type="ephemeral")
        return
    text, blocks = cycle_overview(view)
    call.ack(text=text, blocks=blocks)


def _pairs(call: Call) -> None:
    listing = reports.active_pairs(call.services)
    text, blocks = pairs_list(pairings=listing.pairings, people=listing.people)
    call.ack(text=text, blocks=blocks)


def _unpair(call: Call) -> None:
    people = MENTION.findall(call.rest)
    if len(people) != 2 or people[0] == people[1]:
        call.ack(text=replies.unpair_usage())
        return
    try:
        ended = pairs.unpair(call.services, a=people[0], b=people[1], lead_id=call.user_id)
    except UseCaseError:
        call.ack(text=replies.not_a_pair(people[0], people[1]))
        return
    call.ack(text=replies.pair_ended_by_mention(people[0], people[1]))
    deliver_now(call.services, call.client, ended.keys)


def _report(call: Call) -> None:
    text, blocks = reports.program_report(call.services)
    call.ack(text=text, blocks=blocks)
    # The charts follow once drawn and uploaded (or reused: they are redrawn only when the numbers change).
    charts = reports.report_charts(call.services, call.client)
    if charts is not None:
        call.respond(text=charts[0], blocks=charts[1], response_type="ephemeral", replace_original=False)


def _export(call: Call) -> None:
    call.ack(text=lead_copy.export_started())
    exported = leads.export(call.services, call.client, lead_id=call.user_id)
    text = (
        lead_copy.export_failed(exported.error)
        if exported.error
        else lead_copy.export_sent(exported.pairs, exported.sessions)
    )
    call.respond(text=text, response_type="ephemeral", replace_original=False)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("join", "join", "sign up (or change your answers)", _join, aliases=("signup",)),
    Subcommand("edit", "edit", "change your answers", _join),
    Subcommand("status", "status", "see where you stand", _status),
    Subcommand(
        "pause",
        "pause [weeks]",
        f"take a break, {PAUSE_DEFAULT_WEEKS} weeks unless you say (up to {PAUSE_MAX_WEEKS})",
        _pause,
    ),
    Subcommand("resume", "resume", "come back from a pause", _resume),
    Subcommand("log", "log [date] [note]", "log a session with your match (today unless you give a date)", _log),
    Subcommand(
        "schedule",
        "schedule [date time [place]]",
        "book your next session with a calendar invite (the form opens if you give no date)",
        _schedule,
        aliases=("book",),
    ),
    Subcommand("leave", "leave", "leave the program, optionally deleting your data", _leave),
    Subcommand("mydata", "mydata", "get a copy of everything Turnabout stores about you, by DM", _mydata),
    Subcommand("help", "help", "show this list", _help),
    Subcommand(
        "match",
        "match",
        "propose the best pairs for everyone waiting; you review before anything is sent",
        _match,
        lead_only=True,
    ),
    Subcommand(
        "cycle",
        "cycle",
        "start a program cycle (a cohort with a start and an end), or see, extend, end or plan one",
        _cycle,
        lead_only=True,
    ),
    Subcommand("pairs", "pairs", "see active pairs, and end one", _pairs, lead_only=True),
    Subcommand(
        "unpair", "unpair @a @b", "end a pair; both are told kindly and never matched again", _unpair, lead_only=True
    ),
    Subcommand(
        "report",
        "report",
        "how the program is doing: pairs by momentum, satisfaction, meeting frequency, with charts",
        _report,
        lead_only=True,
    ),
    Subcommand(
        "export",
        "export",
        "get two CSV files in your DM: every active pair, and every session (figures only)",
        _export,
        lead_only=True,
    ),
)
_BY_NAME = {name: sub for sub in SUBCOMMANDS for name in (sub.name, *sub.aliases)}


def help_lines(*, is_lead: bool) -> list[tuple[str, str, bool]]:
    """(usage, help, for leads) for every listed subcommand this person may use."""
    return [(s.usage, s.help, s.lead_only) for s in SUBCOMMANDS if s.listed and (is_lead or not s.lead_only)]


def register(app: App) -> None:
    app.command(ids.COMMAND)(on_mentoring)


def on_mentoring(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, services: Services) -> None:
    user_id = command["user_id"]
    name, _, rest = (command.get("text") or "").strip().partition(" ")
    sub = _BY_NAME.get(name.lower(), _BY_NAME["help"])
    if sub.lead_only and not services.settings.is_lead(user_id):
        ack(text=replies.NOT_A_LEAD)
        return
    call = Call(user_id, rest, command, ack, respond, client, services)
    try:
        sub.run(call)
    except NotJoined:
        _answer(call, text=replies.NOT_JOINED, blocks=not_joined_blocks())
    except UseCaseError as error:
        _answer(call, text=replies.error_text(error))


def _answer(call: Call, *, text: str, blocks: Any = None) -> None:
    """Answer in the command's own reply, or privately afterwards when the subcommand acknowledged early."""
    if call.ack.response is None:
        call.ack(text=text, blocks=blocks)
    else:
        call.respond(text=text, blocks=blocks, response_type="ephemeral")
