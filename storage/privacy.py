"""Deleting someone's data, finding whose data is due for deletion, and reading back everything stored about
someone. Every lookup matches their exact Slack id.

Where a Slack user id is stored (each is handled by `forget_person`):
- participant: slack_user_id (their row), manager_id, sponsor_id, do_not_match (others' answers naming them)
- match_round: lead_id, decided_by
- pairing: mentor_id, mentee_id, ended_by
- round_unmatched: user_id
- mentoring_session: logged_by
- outbox: key (and, while unsent, text, blocks and attachment); outbox_recipient.user_id; outbox_subject.user_id
- prompt: user_id, outbox_key
- checkin: user_id
- pause_interval: user_id
- booking: booked_by, settled_by, mentee_ids
- survey_answer: user_id; confidence: user_id
- goal: owner_id (their own goals go; a partner's goals for the same pair stay)
- program_cycle: created_by
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, delete, func, or_
from sqlmodel import Session, col, select

from bot.domain.people import Status
from bot.domain.privacy import ALIAS_PREFIX
from storage.goals import goals_owned
from storage.models import (
    Booking,
    CheckIn,
    Confidence,
    Cycle,
    Goal,
    MatchRound,
    MentoringSession,
    OutboxMessage,
    OutboxRecipient,
    OutboxStatus,
    Pairing,
    PairingCycle,
    Participant,
    PauseInterval,
    Prompt,
    RoundUnmatched,
    SurveyAnswer,
)
from storage.outbox import forget_person_messages
from storage.participants import get_participant, participants_by_id
from storage.surveys import answers_by, confidence_history, cycle_names


def new_alias() -> str:
    """A stand-in for a deleted person's id (see `bot.domain.privacy.ALIAS_PREFIX`): random, so nobody holding
    the id can find them in what others keep."""
    return ALIAS_PREFIX + secrets.token_hex(8)


def forget_person(*, session: Session, user_id: str) -> None:
    """Delete everything stored about someone, leaving their exact id nowhere.

    Their profile, check-in answers, prompts, pauses and waitlist entries go, and so do messages to them.
    Their partners keep their own history (the pair, its sessions, their own check-ins), with the person in it
    replaced by a random alias, the matcher's reasons (which name both) and the person's own session notes
    cleared. Others' answers that name them (manager, sponsor, do-not-match) lose them: a reference to someone
    the program no longer knows protects no one.
    """
    alias = new_alias()
    theirs = list(
        session.exec(select(Pairing).where(or_(col(Pairing.mentor_id) == user_id, col(Pairing.mentee_id) == user_id)))
    )
    pairing_ids = [p.id for p in theirs if p.id is not None]
    for pairing in theirs:
        if pairing.mentor_id == user_id:
            pairing.mentor_id = alias
        if pairing.mentee_id == user_id:
            pairing.mentee_id = alias
        pairing.reasons = []
        session.add(pairing)
    for pairing in session.exec(select(Pairing).where(col(Pairing.ended_by) == user_id)):
        pairing.ended_by = alias  # a lead who ended someone else's pair
        session.add(pairing)
    for held in session.exec(select(MentoringSession).where(col(MentoringSession.logged_by) == user_id)):
        held.logged_by, held.note = alias, ""
        session.add(held)
    for match_round in session.exec(
        select(MatchRound).where(or_(col(MatchRound.lead_id) == user_id, col(MatchRound.decided_by) == user_id))
    ):
        if match_round.lead_id == user_id:
            match_round.lead_id = alias
        if match_round.decided_by == user_id:
            match_round.decided_by = alias
        session.add(match_round)
    for cycle in session.exec(select(Cycle).where(col(Cycle.created_by) == user_id)):
        cycle.created_by = alias  # a lead who started a cycle
        session.add(cycle)
    _forget_in_bookings(session, user_id, alias, pairing_ids)
    _forget_in_others_answers(session, user_id)

    unsent = forget_person_messages(session=session, user_id=user_id, alias=alias, pairing_ids=pairing_ids)
    for start in range(0, len(unsent), 500):
        # Partners' prompts for messages that will now never be sent: unanswered, they would count as ignored.
        session.execute(delete(Prompt).where(col(Prompt.outbox_key).in_(unsent[start : start + 500])))
    for model, column in (
        (Prompt, Prompt.user_id),
        (CheckIn, CheckIn.user_id),
        (PauseInterval, PauseInterval.user_id),
        (RoundUnmatched, RoundUnmatched.user_id),
        (SurveyAnswer, SurveyAnswer.user_id),
        (Confidence, Confidence.user_id),
        (Goal, Goal.owner_id),  # their own goals; a partner's goals for the same pair stay
        (Participant, Participant.slack_user_id),
    ):
        session.execute(delete(model).where(col(column) == user_id))
    session.flush()


def _forget_in_bookings(session: Session, user_id: str, alias: str, pairing_ids: list[int]) -> None:
    """Booked sessions stay in the partners' history like the pairs they belong to, with the person's id (who
    booked or settled it, whom it was for) replaced by their alias. A booking in a mentor's group can hang off
    another mentee's pairing, so `mentee_ids` is searched too (narrowed by text, decided by list membership)."""
    query = select(Booking).where(
        or_(
            col(Booking.booked_by) == user_id,
            col(Booking.settled_by) == user_id,
            col(Booking.pairing_id).in_(pairing_ids),
            cast(Booking.mentee_ids, String).contains(user_id),
        )
    )
    for booking in session.exec(query):
        if booking.booked_by == user_id:
            booking.booked_by = alias
        if booking.settled_by == user_id:
            booking.settled_by = alias
        booking.mentee_ids = [alias if u == user_id else u for u in booking.mentee_ids]
        session.add(booking)


def _forget_in_others_answers(session: Session, user_id: str) -> None:
    for person in session.exec(
        select(Participant).where(or_(col(Participant.manager_id) == user_id, col(Participant.sponsor_id) == user_id))
    ):
        if person.manager_id == user_id:
            person.manager_id = None
        if person.sponsor_id == user_id:
            person.sponsor_id = None
        session.add(person)
    # A JSON list can't be matched by element on both databases: the text match only narrows the rows down,
    # and an exact list membership decides.
    narrowed = select(Participant).where(cast(Participant.do_not_match, String).contains(user_id))
    for person in session.exec(narrowed):
        if user_id in person.do_not_match:
            person.do_not_match = [u for u in person.do_not_match if u != user_id]
            session.add(person)


def due_for_deletion(*, session: Session, before: datetime, limit: int) -> list[Participant]:
    """People who left before `before`, oldest first, locked so that two purges never take the same person."""
    query = (
        select(Participant)
        .where(col(Participant.status) == Status.LEFT, col(Participant.left_at) < before)
        .order_by(col(Participant.left_at), col(Participant.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


@dataclass
class Records:
    """Everything stored about one person, as rows (detached once the session ends)."""

    participant: Participant | None
    pairings: list[Pairing] = field(default_factory=list)
    people: dict[str, Participant] = field(default_factory=dict)  # their partners who are still in the program
    sessions: list[MentoringSession] = field(default_factory=list)
    bookings: list[tuple[Booking, str]] = field(default_factory=list)  # booked for their pairs, with the mentor
    checkins: list[CheckIn] = field(default_factory=list)
    pauses: list[PauseInterval] = field(default_factory=list)
    waitlisted: list[RoundUnmatched] = field(default_factory=list)
    pending: list[OutboxMessage] = field(default_factory=list)  # messages to them, not yet sent
    sent: dict[str, int] = field(default_factory=dict)  # messages sent to them, by kind
    prompts: tuple[int, int] = (0, 0)  # (check-ins and nudges sent to them, how many they answered)
    surveys: list[SurveyAnswer] = field(default_factory=list)  # their own answers to cycles' surveys
    confidence: list[Confidence] = field(default_factory=list)
    cycle_names: dict[int, str] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)  # their own goals, for their pairs
    # The program cycles each of their pairs took part in, by pairing id: (cycle name, how the pair came out of it).
    cycles: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.participant
            or self.pairings
            or self.checkins
            or self.pending
            or self.sent
            or self.waitlisted
            or self.surveys
            or self.goals
            or self.confidence
        )


def records_of(*, session: Session, user_id: str) -> Records:
    """Everything stored about `user_id`, for their own copy. Others' answers that name them (a do-not-match
    list, a sponsor) are the others' data and are not included."""
    records = Records(participant=get_participant(session=session, user_id=user_id))
    records.pairings = list(
        session.exec(
            select(Pairing)
            .where(or_(col(Pairing.mentor_id) == user_id, col(Pairing.mentee_id) == user_id))
            .order_by(col(Pairing.created_at), col(Pairing.id))
        )
    )
    partners = {p.mentee_id if p.mentor_id == user_id else p.mentor_id for p in records.pairings}
    records.people = participants_by_id(session=session, user_ids=partners)
    pairing_ids = [p.id for p in records.pairings if p.id is not None]
    if pairing_ids:
        records.sessions = list(
            session.exec(
                select(MentoringSession)
                .where(col(MentoringSession.pairing_id).in_(pairing_ids))
                .order_by(col(MentoringSession.held_on), col(MentoringSession.id))
            )
        )
        # Bookings hang off one pairing of a mentor's group; theirs are those made from their pairings or for them.
        rows = session.exec(
            select(Booking, Pairing.mentor_id)
            .join(Pairing, col(Pairing.id) == col(Booking.pairing_id))
            .where(col(Pairing.mentor_id).in_({p.mentor_id for p in records.pairings}))
            .order_by(col(Booking.starts_at))
        )
        records.bookings = [
            (b, mentor_id)
            for b, mentor_id in rows
            if b.pairing_id in pairing_ids or user_id in b.mentee_ids or b.booked_by == user_id
        ]
        for part, cycle_name in session.exec(
            select(PairingCycle, Cycle.name)
            .join(Cycle, col(Cycle.id) == col(PairingCycle.cycle_id))
            .where(col(PairingCycle.pairing_id).in_(pairing_ids))
            .order_by(col(Cycle.starts_on))
        ):
            outcome = str(part.outcome) if part.outcome is not None else None
            records.cycles.setdefault(part.pairing_id, []).append((cycle_name, outcome))
    records.checkins = list(
        session.exec(select(CheckIn).where(col(CheckIn.user_id) == user_id).order_by(col(CheckIn.answered_at)))
    )
    records.pauses = list(
        session.exec(
            select(PauseInterval).where(col(PauseInterval.user_id) == user_id).order_by(col(PauseInterval.started_at))
        )
    )
    records.waitlisted = list(
        session.exec(
            select(RoundUnmatched).where(col(RoundUnmatched.user_id) == user_id).order_by(col(RoundUnmatched.round_id))
        )
    )
    to_them = select(OutboxRecipient.message_id).where(col(OutboxRecipient.user_id) == user_id)
    records.pending = list(
        session.exec(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(to_them),
                col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
            .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        )
    )
    records.sent = {
        str(kind): count
        for kind, count in session.exec(
            select(OutboxMessage.kind, func.count())
            .where(col(OutboxMessage.id).in_(to_them), col(OutboxMessage.status) == OutboxStatus.SENT)
            .group_by(col(OutboxMessage.kind))
        )
    }
    asked = session.exec(select(func.count()).select_from(Prompt).where(col(Prompt.user_id) == user_id)).one()
    answered = session.exec(
        select(func.count())
        .select_from(Prompt)
        .where(col(Prompt.user_id) == user_id, col(Prompt.answered_at).is_not(None))
    ).one()
    records.prompts = (asked, answered)
    records.surveys = answers_by(session=session, user_id=user_id)
    records.confidence = confidence_history(session=session, user_id=user_id)
    records.cycle_names = cycle_names(
        session=session, cycle_ids=[a.cycle_id for a in records.surveys] + [c.cycle_id for c in records.confidence]
    )
    records.goals = goals_owned(session=session, user_id=user_id)
    return records
