"""`/mentoring` and its subcommands. Every answer is ephemeral: only the person who typed it sees it."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.messages import help_blocks, leave_prompt_blocks, not_joined_blocks, status_blocks
from bot.domain.people import PAUSE_MAX_WEEKS, Status, parse_pause_weeks
from bot.usecases import membership as program
from bot.usecases import rounds
from bot.usecases.membership import program_report
from bot.usecases.services import Services
from handlers.matching import pairs_list_for
from handlers.modals import TRY_AGAIN, open_signup
from handlers.replies import NOT_A_LEAD

LEAD_SUBCOMMANDS = ("match", "pairs", "unpair", "report")
# With should_escape, Slack turns "@priya" into <@U0PRIYA|priya> in the command text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def register(app: App, services: Services) -> None:
    @app.command(ids.COMMAND)
    def on_mentoring(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id = command["user_id"]
        sub, _, rest = (command.get("text") or "").strip().partition(" ")
        sub = sub.lower()

        if sub in ("join", "edit", "signup"):
            ack()
            if not open_signup(services, client, user_id=user_id, trigger_id=command["trigger_id"]):
                respond(text=TRY_AGAIN, response_type="ephemeral")
            return

        if sub == "status":
            snap = program.snapshot(services, user_id)
            if snap.profile is None:
                ack(text="You haven't joined yet.", blocks=not_joined_blocks())
                return
            blocks = status_blocks(
                status=snap.status, profile=snap.profile, catalogue=services.catalogue, paused_until=snap.paused_until
            )
            ack(text="Your reverse mentoring status", blocks=blocks)
            return

        if sub == "pause":
            weeks = parse_pause_weeks(rest)
            if weeks is None:
                ack(text=f"Tell me how many weeks, from 1 to {PAUSE_MAX_WEEKS}: for example `/mentoring pause 3`.")
                return
            answer = program.pause(services, user_id=user_id, weeks=weeks)
            _answer_or_not_joined(ack, answer)
            if answer:
                program.refresh_home(services, client, user_id)
            return

        if sub == "resume":
            answer = program.resume(services, user_id=user_id)
            _answer_or_not_joined(ack, answer)
            if answer:
                program.refresh_home(services, client, user_id)
            return

        if sub == "leave":
            snap = program.snapshot(services, user_id)
            if snap.status in (Status.NOT_JOINED, Status.LEFT):
                ack(text="You're not in the program, so there's nothing to leave.")
                return
            ack(text="Leave the reverse mentoring program?", blocks=leave_prompt_blocks())
            return

        if sub == "log":
            ack(text=rounds.log_from_command(services, user_id=user_id, text=rest))
            return

        if sub in LEAD_SUBCOMMANDS:
            if not services.settings.is_lead(user_id):
                ack(text=NOT_A_LEAD)
                return
            lead_command(sub, rest, ack=ack, user_id=user_id, client=client)
            return

        is_lead = services.settings.is_lead(user_id)
        unknown = None if sub in ("", "help") else (command.get("text") or "").strip()
        ack(text="How to use /mentoring", blocks=help_blocks(is_lead=is_lead, unknown=unknown))

    def lead_command(sub: str, rest: str, *, ack: Ack, user_id: str, client: WebClient) -> None:
        if sub == "match":
            ack(
                text=":hourglass_flowing_sand: Working out the best pairs for everyone waiting. "
                "I'll send you the proposal to review; nothing goes out until you approve."
            )
            proposed = rounds.propose_round(services, lead_id=user_id)
            for old in proposed.replaced:
                rounds.show_preview(services, client, old)
            rounds.show_preview(services, client, proposed.view)
        elif sub == "pairs":
            text, blocks = pairs_list_for(services)
            ack(text=text, blocks=blocks)
        elif sub == "report":
            text, blocks = program_report(services)
            ack(text=text, blocks=blocks)
        elif sub == "unpair":
            people = MENTION.findall(rest)
            if len(people) != 2 or people[0] == people[1]:
                ack(text="Name the two people of the pair: `/mentoring unpair @someone @someone-else`.")
                return
            ack()
            ended = rounds.unpair(services, client, a=people[0], b=people[1], lead_id=user_id)
            if ended is None:
                respond_text = f"<@{people[0]}> and <@{people[1]}> aren't an active pair, so nothing changed."
            else:
                respond_text = f"Ended the pair of <@{people[0]}> and <@{people[1]}>. Both have been told kindly."
            client.chat_postEphemeral(channel=user_id, user=user_id, text=respond_text)


def _answer_or_not_joined(ack: Ack, answer: str | None) -> None:
    if answer is None:
        ack(text="You haven't joined yet.", blocks=not_joined_blocks())
    else:
        ack(text=answer)
