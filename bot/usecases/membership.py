"""What people do in the program (join, pause, resume, leave), shared by slash commands, buttons and jobs.

Each use case changes the store, then tells Slack. Callers pass the Slack client; nothing here acks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks import momentum as momentum_views
from bot.blocks.home import PairLine, home_view
from bot.blocks.messages import paused_text, resumed_text, welcome_dm
from bot.domain.people import SignupForm, Status, current_status, pause_until
from bot.usecases.delivery import deliver
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Participant
from storage.momentum import answer_prompts, check_soon, checkin_totals, momentum_counts, people, sessions_since
from storage.outbox import Draft, enqueue
from storage.pairings import active_pairings, end_pairing, forget_person, session_count
from storage.participants import (
    SlackIdentity,
    claim_key,
    expired_pauses,
    get_participant,
    leave_program,
    pause_participant,
    refresh_identity,
    resume_participant,
    upsert_participant,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """A participant as of a moment, detached from any session."""

    status: Status
    profile: Participant | None

    @property
    def paused_until(self) -> datetime | None:
        return self.profile.paused_until if self.profile and self.status is Status.PAUSED else None


def snapshot(services: Services, user_id: str) -> Snapshot:
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
    if participant is None:
        return Snapshot(Status.NOT_JOINED, None)
    status = current_status(participant, now)
    return Snapshot(status, participant)


def fetch_identity(client: WebClient, *, user_id: str, team_id: str) -> SlackIdentity:
    """Name, title and time zone from `users.info`; we never ask people for what Slack already knows."""
    return identity_from(client.users_info(user=user_id)["user"], team_id=team_id)


def identity_from(user: dict[str, Any], *, team_id: str) -> SlackIdentity:
    """A Slack user object (`users.info`, or a `user_change` event) as what Turnabout keeps of it."""
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name", "")
    return SlackIdentity(
        user_id=str(user["id"]),
        team_id=user.get("team_id") or team_id,
        name=name,
        title=profile.get("title") or "",
        tz=user.get("tz") or "UTC",
    )


def user_changed(services: Services, client: WebClient, user: dict[str, Any]) -> str:
    """Keep up with Slack's `user_change`: a deactivated account leaves the program (partner and leads are told,
    as when someone leaves), and a new name, title or time zone is taken on, so messages keep to the person's
    working day after a move. Returns what happened: "left", "updated" or "nothing"."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return "nothing"
    if user.get("deleted"):
        return "left" if leave(services, client, user_id=user_id, delete_data=False, deactivated=True) else "nothing"
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None:
            return "nothing"
        identity = identity_from(user, team_id=participant.team_id)
        changed = refresh_identity(session=session, participant=participant, identity=identity, now=now)
    return "updated" if changed else "nothing"


def publish_home(services: Services, client: WebClient, user_id: str) -> None:
    snap = snapshot(services, user_id)
    summary = program_report(services)[1] if services.settings.is_lead(user_id) else []
    view = home_view(
        status=snap.status,
        profile=snap.profile,
        catalogue=services.catalogue,
        paused_until=snap.paused_until,
        pairs=my_pairs(services, user_id),
        lead_summary=summary,
    )
    client.views_publish(user_id=user_id, view=view)


def my_pairs(services: Services, user_id: str) -> list[PairLine]:
    with session_scope(services.engine) as session:
        mine = active_pairings(session=session, user_id=user_id)
        others = [p.mentee_id if p.mentor_id == user_id else p.mentor_id for p in mine]
        names = {k: v.name for k, v in people(session=session, user_ids=others).items()}
        return [
            PairLine(
                other_name=names.get(other, "your match"),
                other_role="your mentee" if pairing.mentor_id == user_id else "your mentor",
                momentum=pairing.momentum,
                sessions=session_count(session=session, pairing_id=pairing.id or 0),
                last_session=pairing.last_session_at.date() if pairing.last_session_at else None,
                next_session=pairing.next_session_on,
            )
            for pairing, other in zip(mine, others, strict=True)
        ]


def refresh_home(services: Services, client: WebClient, user_id: str) -> None:
    """Keep the Home tab in step after a change; a failure here must not undo the change itself."""
    try:
        publish_home(services, client, user_id)
    except SlackApiError:
        log.exception("could not refresh the Home tab of %s", user_id)


def complete_signup(
    services: Services, client: WebClient, *, user_id: str, team_id: str, form: SignupForm, submission_key: str
) -> Participant:
    """Store a valid sign-up and confirm it by DM, once per submission however often Slack delivers it."""
    identity = fetch_identity(client, user_id=user_id, team_id=team_id)
    now = services.clock()
    with session_scope(services.engine) as session:
        existing = get_participant(session=session, user_id=user_id)
        first_time = existing is None or existing.status == Status.LEFT
        participant, _ = upsert_participant(session=session, form=form, identity=identity, now=now)
        should_confirm = claim_key(session=session, key=f"signup:{submission_key}", now=now)
    if should_confirm:
        text, blocks = welcome_dm(profile=participant, catalogue=services.catalogue, first_time=first_time)
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    refresh_home(services, client, user_id)
    return participant


def pause(services: Services, *, user_id: str, weeks: int) -> str | None:
    """Pause someone for `weeks`; returns what to tell them, or None if they have not joined."""
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or participant.status == Status.LEFT:
            return None
        until = pause_until(now, weeks)
        pause_participant(session=session, participant=participant, until=until, now=now)
        _recheck_pairs(session, user_id, now)
        return paused_text(until, participant.tz)


def resume(services: Services, *, user_id: str) -> str | None:
    """Resume someone now; returns what to tell them, or None if they have not joined."""
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or participant.status == Status.LEFT:
            return None
        status = current_status(participant, now)
        if participant.status == Status.PAUSED:
            resume_participant(session=session, participant=participant, now=now)
            _recheck_pairs(session, user_id, now)
        if status is Status.ACTIVE:
            return "You're not paused: you're active in the program already."
        return resumed_text(automatically=False)


def leave(services: Services, client: WebClient, *, user_id: str, delete_data: bool, deactivated: bool = False) -> bool:
    """Take someone out of the program; False when there was nothing to leave.

    Their active pairs end, and each partner and the leads are told kindly. With `delete_data`, everything
    stored about them goes too (the partner's notice is queued first, and names only the partner's match).
    `deactivated`: their Slack account was deactivated, which the leads are told (the partner only hears that
    they left).
    """
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or (participant.status == Status.LEFT and not delete_data):
            return False
        name = participant.name or "Your match"
        for pairing in active_pairings(session=session, user_id=user_id):
            end_pairing(session=session, pairing=pairing, by=user_id, now=now)
            partner = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
            enqueue(
                session=session,
                draft=Draft(
                    key=f"partner-left:{pairing.id}:{partner}",
                    kind="partner_left",
                    recipients=[partner],
                    text=partner_left_text(name=name),
                    blocks=[],
                ),
                now=now,
            )
            why = "'s Slack account was deactivated" if deactivated else " left the program"
            notice = (
                f"{name}{why}, so their pair with <@{partner}> has ended. "
                f"<@{partner}> has been told and goes back into the next matching round."
            )
            for draft in lead_drafts(services, key=f"left-lead:{pairing.id}", text=notice):
                enqueue(session=session, draft=draft, now=now)
        if delete_data:
            forget_person(session=session, user_id=user_id)
        else:
            leave_program(session=session, participant=participant, now=now)
    deliver(services, client)
    return True


def _recheck_pairs(session: Session, user_id: str, now: datetime) -> None:
    """A pause stops a pair's clock and a return restarts it: look at their pairs again, and count this as
    an answer to anything they were asked."""
    answer_prompts(session=session, user_id=user_id, now=now)
    check_soon(
        session=session, pairing_ids=[p.id for p in active_pairings(session=session, user_id=user_id) if p.id], now=now
    )


def lead_drafts(
    services: Services,
    *,
    key: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    pairing_id: int | None = None,
) -> list[Draft]:
    """A notice for the leads: one post in their channel when configured, else one DM per lead."""
    channel = services.settings.turnabout_leads_channel
    destinations = [[channel]] if channel else [[lead] for lead in services.settings.turnabout_leads]
    return [Draft(f"{key}:{to[0]}", "lead_alert", to, text, blocks or [], pairing_id) for to in destinations]


def partner_left_text(*, name: str) -> str:
    return (
        f"{name} has left the reverse mentoring program, so your pairing has ended. Thank you for the time you "
        "gave each other. You stay in the program and will be considered in the next matching round."
    )


def resume_expired_pauses(services: Services, client: WebClient, *, now: datetime) -> int:
    """Bring back everyone whose pause has ended, telling each of them once; returns how many."""
    resumed: list[str] = []
    with session_scope(services.engine) as session:
        for participant in expired_pauses(session=session, now=now):
            assert participant.paused_until is not None
            key = f"resumed:{participant.slack_user_id}:{participant.paused_until.isoformat()}"
            resume_participant(session=session, participant=participant, now=now)
            _recheck_pairs(session, participant.slack_user_id, now)
            if claim_key(session=session, key=key, now=now):
                resumed.append(participant.slack_user_id)
    for user_id in resumed:
        try:
            client.chat_postMessage(channel=user_id, text=resumed_text(automatically=True))
        except SlackApiError:
            log.exception("could not tell %s their pause ended", user_id)
        refresh_home(services, client, user_id)
    return len(resumed)


def program_report(services: Services) -> tuple[str, list[dict[str, Any]]]:
    """How the program is doing, for leads: momentum of every active pair and check-in totals."""
    now = services.clock()
    with session_scope(services.engine) as session:
        counts = momentum_counts(session=session)
        totals = checkin_totals(session=session)
        recent = sessions_since(session=session, since=now - timedelta(days=30))
    return momentum_views.report(counts=counts, totals=totals, sessions_30d=recent)
