"""What people do in the program (join, pause, resume, leave), shared by slash commands, buttons and jobs.

Each use case is one transaction: it changes the store, writes what must be said to the outbox, and returns
what happened with the keys of those messages (the caller delivers them). It raises `errors.NotJoined` for
someone who is not in the program. Nothing here talks to Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.blocks import replies
from bot.blocks.cycles import pair_cycle_phrase
from bot.blocks.goals import PairGoals, confidence_lines, confidence_unrated
from bot.blocks.home import PairLine
from bot.blocks.messages import (
    left_text,
    partner_away_text,
    partner_back_text,
    paused_text,
    resumed_text,
    welcome_dm,
)
from bot.domain.cycles import Span, days_left
from bot.domain.momentum import next_send_window
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import SignupForm, Status, current_status, kept_topics, pause_until
from bot.domain.recognition import MentorRecord
from bot.domain.timezones import local_date
from bot.usecases import reports
from bot.usecases.bookings import call_off_for_ended_pair
from bot.usecases.errors import NotJoined
from bot.usecases.services import Services
from storage.bookings import pending_by_pairing
from storage.cycles import open_cycles
from storage.cycles import span as cycle_span
from storage.db import session_scope
from storage.goals import goals_of, latest_progress, signup_confidence
from storage.models import Pairing, Participant
from storage.momentum import answer_prompts, check_soon
from storage.outbox import Draft, enqueue, retarget
from storage.pairings import active_pairings, end_pairing, group_of, mentor_record, session_count
from storage.participants import (
    SlackIdentity,
    expired_pauses,
    get_participant,
    leave_program,
    participants_by_id,
    pause_participant,
    refresh_identity,
    resume_participant,
    upsert_participant,
)
from storage.privacy import forget_person

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


def user_changed(services: Services, user: dict[str, Any]) -> tuple[str, list[str]]:
    """Keep up with Slack's `user_change`: a deactivated account leaves the program (partner and leads are told,
    as when someone leaves), and a new name, title or time zone is taken on, so messages keep to the person's
    working day after a move. Returns what happened ("left", "updated" or "nothing") and the messages queued."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return "nothing", []
    if user.get("deleted"):
        try:
            return "left", leave(services, user_id=user_id, delete_data=False, deactivated=True).keys
        except NotJoined:
            return "nothing", []
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None:
            return "nothing", []
        identity = identity_from(user, team_id=participant.team_id)
        changed = refresh_identity(session=session, participant=participant, identity=identity, now=now)
    return ("updated" if changed else "nothing"), []


@dataclass(frozen=True)
class HomeData:
    """What someone's Home tab shows."""

    snapshot: Snapshot
    pairs: list[PairLine]
    record: MentorRecord = field(default_factory=MentorRecord)  # their own record as a mentor
    confidence: list[str] = field(default_factory=list)  # their own sign-up confidence, a line per topic
    rate_confidence: bool = False  # some topic they want to learn is not rated yet


def home_data(services: Services, user_id: str) -> HomeData:
    shot = snapshot(services, user_id)
    topics = list(shot.profile.learn_topics) if shot.profile else []
    with session_scope(services.engine) as session:
        record = mentor_record(session=session, user_id=user_id)
        rated = signup_confidence(session=session, user_id=user_id) if topics else {}
    return HomeData(
        shot,
        my_pairs(services, user_id),
        record,
        confidence=confidence_lines(services.catalogue, rated, topics),
        rate_confidence=confidence_unrated(topics, rated),
    )


def my_pairs(services: Services, user_id: str) -> list[PairLine]:
    now = services.clock()
    with session_scope(services.engine) as session:
        mine = active_pairings(session=session, user_id=user_id)
        others = [p.mentee_id if p.mentor_id == user_id else p.mentor_id for p in mine]
        folks = participants_by_id(session=session, user_ids=[*others, user_id])
        names = {k: v.name for k, v in folks.items()}
        tz = folks[user_id].tz if user_id in folks else "UTC"
        # Only sessions still to come: a booking whose time has passed is history (or a question), not "next".
        booked = {
            pid: b.starts_at
            for pid, b in pending_by_pairing(session=session, pairings=mine).items()
            if b.starts_at > now
        }
        ids = [p.id for p in mine if p.id is not None]
        goals = goals_of(session=session, pairing_ids=ids)
        progress = latest_progress(session=session, pairing_ids=ids)

        def pair_goals(pairing: Pairing, other: str) -> PairGoals:
            mentor = pairing.mentor_id == user_id
            theirs = goals.get(pairing.id or 0, {})
            return PairGoals(
                other_name=names.get(other, "your match"),
                mine=theirs.get(user_id, []),
                theirs=theirs.get(other, []),
                my_progress=progress.get((pairing.id or 0, user_id)),
                their_progress=progress.get((pairing.id or 0, other)),
                i_agreed=(pairing.mentor_agreed_at if mentor else pairing.mentee_agreed_at) is not None,
                they_agreed=(pairing.mentee_agreed_at if mentor else pairing.mentor_agreed_at) is not None,
            )

        today = local_date(now, services.settings.turnabout_program_tz)
        running = {c.id: c for c in map(cycle_span, open_cycles(session=session)) if c.starts_on <= today}
        return [
            PairLine(
                other_name=names.get(other, "your match"),
                other_role="your mentee" if pairing.mentor_id == user_id else "your mentor",
                momentum=reports.pair_standing(pairing, folks, now),
                sessions=session_count(session=session, pairing_id=pairing.id or 0),
                last_session=pairing.last_session_at.date() if pairing.last_session_at else None,
                next_session=booked.get(pairing.id or 0),
                anchor=pairing.id or 0,
                tz=tz,
                goals=pair_goals(pairing, other),
                cycle=_cycle_phrase(running.get(pairing.cycle_id or 0), today),
            )
            for pairing, other in zip(mine, others, strict=True)
        ]


def _cycle_phrase(cycle: Span | None, today: date) -> str | None:
    return pair_cycle_phrase(name=cycle.name, days_left=days_left(cycle, today)) if cycle else None


@dataclass(frozen=True)
class Joined:
    participant: Participant
    first_time: bool
    keys: list[str]  # the welcome DM, once per submission


def complete_signup(services: Services, *, identity: SlackIdentity, form: SignupForm, submission_id: str) -> Joined:
    """Store a valid sign-up and queue its confirmation DM, once per submission however often Slack delivers it."""
    now = services.clock()
    user_id = identity.user_id
    with session_scope(services.engine) as session:
        existing = get_participant(session=session, user_id=user_id)
        first_time = existing is None or existing.status == Status.LEFT
        form = kept_topics(form, perspective=services.catalogue.perspective_ids)
        participant, _ = upsert_participant(session=session, form=form, identity=identity, now=now)
        rated = signup_confidence(session=session, user_id=user_id)
        text, blocks = welcome_dm(
            profile=participant,
            catalogue=services.catalogue,
            first_time=first_time,
            ask_confidence=confidence_unrated(participant.learn_topics, rated),
        )
        key = keys.welcome(submission_id)
        draft = Draft(
            key=key, kind=MessageKind.WELCOME, users=[user_id], text=text, blocks=[b.to_dict() for b in blocks]
        )
        enqueue(session=session, draft=draft, now=now)
    return Joined(participant, first_time, [key])


@dataclass(frozen=True)
class Paused:
    until: datetime
    tz: str
    keys: list[str]  # the confirmation DM, when one was asked for


def pause(services: Services, *, user_id: str, weeks: int, confirm_in_dm: str | None = None) -> Paused:
    """Pause someone for `weeks`. `confirm_in_dm`: the occasion (a modal's view id) to confirm it by DM, for
    callers that can't reply in place."""
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or participant.status == Status.LEFT:
            raise NotJoined
        until = pause_until(now, weeks)
        pause_participant(session=session, participant=participant, until=until, now=now)
        _recheck_pairs(session, user_id, now)
        sent = _confirm(session, user_id, confirm_in_dm, paused_text(until, participant.tz), now)
        sent += tell_partners(session, participant, away=True, until=until, now=now)
        return Paused(until, participant.tz, sent)


@dataclass(frozen=True)
class Resumed:
    was_paused: bool
    keys: list[str]


def resume(services: Services, *, user_id: str, confirm_in_dm: str | None = None) -> Resumed:
    """Resume someone now (saying so is harmless when they are active already)."""
    now = services.clock()
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or participant.status == Status.LEFT:
            raise NotJoined
        was_paused = current_status(participant, now) is not Status.ACTIVE
        sent: list[str] = []
        if participant.status == Status.PAUSED:
            resume_participant(session=session, participant=participant, now=now)
            _recheck_pairs(session, user_id, now)
            sent += tell_partners(session, participant, away=False, now=now)
        text = resumed_text(automatically=False) if was_paused else replies.resumed_already()
        sent += _confirm(session, user_id, confirm_in_dm, text, now)
        return Resumed(was_paused, sent)


def _confirm(session: Session, user_id: str, occasion: str | None, text: str, now: datetime) -> list[str]:
    if occasion is None:
        return []
    key = keys.confirmation(occasion)
    draft = Draft(key=key, kind=MessageKind.CONFIRMATION, users=[user_id], text=text, blocks=[])
    enqueue(session=session, draft=draft, now=now)
    return [key]


@dataclass(frozen=True)
class Left:
    keys: list[str]  # to partners, leads and (when asked for) the person


def leave(
    services: Services,
    *,
    user_id: str,
    delete_data: bool,
    deactivated: bool = False,
    confirm_in_dm: str | None = None,
) -> Left:
    """Take someone out of the program; `NotJoined` when there was nothing to leave.

    Their active pairs end, and each partner and the leads are told kindly. With `delete_data`, everything
    stored about them goes too (the partner's notice is queued first, and names only the partner's match).
    `deactivated`: their Slack account was deactivated, which the leads are told (the partner only hears that
    they left).
    """
    now = services.clock()
    queued: list[str] = []
    with session_scope(services.engine) as session:
        participant = get_participant(session=session, user_id=user_id)
        if participant is None or (participant.status == Status.LEFT and not delete_data):
            raise NotJoined
        name = participant.name or "Your match"
        for pairing in active_pairings(session=session, user_id=user_id):
            assert pairing.id is not None
            group = group_of(session=session, pairing=pairing)
            end_pairing(session=session, pairing=pairing, by=user_id, now=now)
            queued += call_off_for_ended_pair(services, session, pairing, group, gone=user_id, now=now)
            others = [p for p in group if p.id != pairing.id]
            if others and pairing.mentee_id == user_id and pairing.intro_channel:
                # The group's conversation includes them: from now on the others talk in a new one, and what was
                # queued for the old one goes there instead.
                retarget(
                    session=session,
                    channel=pairing.intro_channel,
                    users=[pairing.mentor_id, *(p.mentee_id for p in others)],
                    pairing_ids=[p.id for p in group if p.id is not None],
                )
                for sibling in others:
                    sibling.intro_channel = None
                    session.add(sibling)
            partner = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
            key = keys.partner_left(pairing.id, partner)
            draft = Draft(
                key=key, kind=MessageKind.PARTNER_LEFT, users=[partner], text=partner_left_text(name=name), blocks=[]
            )
            if enqueue(session=session, draft=draft, now=now):
                queued.append(key)
            why = "'s Slack account was deactivated" if deactivated else " left the program"
            notice = (
                f"{name}{why}, so their pair with <@{partner}> has ended. "
                f"<@{partner}> has been told and goes back into the next matching round."
            )
            for draft in lead_drafts(services, key=keys.left_lead(pairing.id), text=notice):
                if enqueue(session=session, draft=draft, now=now):
                    queued.append(draft.key)
        if delete_data:
            forget_person(session=session, user_id=user_id)
        else:
            leave_program(session=session, participant=participant, now=now)
        # Queued after the deletion: its key names no one, and its recipient row goes once it is sent.
        text = left_text(deleted=delete_data, keep_days=services.settings.turnabout_retention_days)
        queued += _confirm(session, user_id, confirm_in_dm, text, now)
    return Left(queued)


def tell_partners(
    session: Session,
    participant: Participant,
    *,
    away: bool,
    now: datetime,
    until: datetime | None = None,
    skip: Callable[[str], bool] | None = None,
) -> list[str]:
    """Tell each active partner, kindly and without reasons, that this person paused (`away`) or is back.
    `skip`: partners not to tell (for a pause for silence: a partner who is just as silent)."""
    user_id = participant.slack_user_id
    queued: list[str] = []
    pairings = active_pairings(session=session, user_id=user_id)
    partners = {p.id: (p.mentee_id if p.mentor_id == user_id else p.mentor_id) for p in pairings}
    folks = participants_by_id(session=session, user_ids=list(partners.values()))
    for pairing_id, partner_id in partners.items():
        partner = folks.get(partner_id)
        if partner is None or pairing_id is None or (skip is not None and skip(partner_id)):
            continue
        name = participant.name or "Your match"
        text = partner_away_text(name=name, until=until, tz=partner.tz) if away else partner_back_text(name=name)
        key = keys.partner_note(pairing_id, partner_id, "away" if away else "back", now)
        draft = Draft(
            key=key,
            kind=MessageKind.PARTNER_NOTE,
            users=[partner_id],
            text=text,
            blocks=[],
            pairing_id=pairing_id,
            not_before=next_send_window(now, partner.tz),
        )
        if enqueue(session=session, draft=draft, now=now):
            queued.append(key)
    return queued


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
    about: Sequence[str] = (),
) -> list[Draft]:
    """A notice for the leads: one post in their channel when configured, else one DM per lead. `about`: people
    the key names by id, outside `pairing_id`'s pair (see `Draft.about`)."""
    channel = services.settings.turnabout_leads_channel
    if channel:
        return [
            Draft(
                key=keys.to_lead(key, channel),
                kind=MessageKind.LEAD_ALERT,
                text=text,
                blocks=blocks or [],
                channel=channel,
                pairing_id=pairing_id,
                about=about,
            )
        ]
    return [
        Draft(
            key=keys.to_lead(key, lead),
            kind=MessageKind.LEAD_ALERT,
            text=text,
            blocks=blocks or [],
            users=[lead],
            pairing_id=pairing_id,
            about=about,
        )
        for lead in services.settings.turnabout_leads
    ]


def partner_left_text(*, name: str) -> str:
    return (
        f"{name} has left the reverse mentoring program, so your pairing has ended. Thank you for the time you "
        "gave each other. You stay in the program and will be considered in the next matching round."
    )


def resume_expired_pauses(services: Services, *, now: datetime) -> list[tuple[str, str]]:
    """Bring back everyone whose pause has ended, queueing a "welcome back" for each (once); returns (message
    key, user id) for each person resumed."""
    queued: list[tuple[str, str]] = []
    with session_scope(services.engine) as session:
        for participant in expired_pauses(session=session, now=now):
            assert participant.paused_until is not None
            user_id = participant.slack_user_id
            key = keys.resumed(user_id, participant.paused_until)
            resume_participant(session=session, participant=participant, now=now)
            _recheck_pairs(session, user_id, now)
            draft = Draft(
                key=key, kind=MessageKind.RESUMED, users=[user_id], text=resumed_text(automatically=True), blocks=[]
            )
            if enqueue(session=session, draft=draft, now=now):
                queued.append((key, user_id))
            queued += [(k, user_id) for k in tell_partners(session, participant, away=False, now=now)]
    return queued
