"""Queries on match rounds, pairings and logged sessions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from bot.domain.outbox import MessageKind
from bot.domain.people import Cadence, Status
from bot.domain.recognition import MentorRecord
from storage.db import insert_once
from storage.models import (
    MatchRound,
    MentoringSession,
    Pairing,
    PairingCycle,
    PairingStatus,
    Participant,
    RoundStatus,
    RoundUnmatched,
)
from storage.outbox import cancel_pending

# Pairs that happened (or are happening) are never proposed again.
HISTORIC = (PairingStatus.ACTIVE, PairingStatus.ENDED)


@dataclass(frozen=True)
class NewPair:
    mentor_id: str
    mentee_id: str
    score: float
    shared_topics: Sequence[str]
    reasons: Sequence[str]
    cadence: Cadence = Cadence.BIWEEKLY


@dataclass(frozen=True)
class NewUnmatched:
    user_id: str
    role: str
    reason: str


def matchable_participants(*, session: Session, now: datetime) -> list[Participant]:
    """Everyone who can be matched now: active, or paused with the pause already over."""
    query = select(Participant).where(
        or_(
            col(Participant.status) == Status.ACTIVE,
            (col(Participant.status) == Status.PAUSED) & (col(Participant.paused_until) <= now),
        )
    )
    return list(session.exec(query.order_by(col(Participant.slack_user_id))))


def active_pairings(*, session: Session, user_id: str | None = None) -> list[Pairing]:
    query = select(Pairing).where(col(Pairing.status) == PairingStatus.ACTIVE)
    if user_id is not None:
        query = query.where(or_(col(Pairing.mentor_id) == user_id, col(Pairing.mentee_id) == user_id))
    return list(session.exec(query.order_by(col(Pairing.id))))


def historic_pairs(*, session: Session) -> set[tuple[str, str]]:
    rows = session.exec(select(Pairing.mentor_id, Pairing.mentee_id).where(col(Pairing.status).in_(HISTORIC)))
    return {(mentor, mentee) for mentor, mentee in rows}


def open_draft(*, session: Session) -> MatchRound | None:
    query = select(MatchRound).where(col(MatchRound.status) == RoundStatus.DRAFT).order_by(col(MatchRound.id).desc())
    return session.exec(query).first()


def discard_drafts(*, session: Session, by: str, now: datetime) -> list[MatchRound]:
    """Discard every open draft (a new round replaces them); returns what was discarded."""
    drafts = list(session.exec(select(MatchRound).where(col(MatchRound.status) == RoundStatus.DRAFT)))
    for draft in drafts:
        draft.status, draft.decided_at, draft.decided_by = RoundStatus.DISCARDED, now, by
        session.add(draft)
    return drafts


def create_round(
    *,
    session: Session,
    lead_id: str,
    pairs: Iterable[NewPair],
    unmatched: Iterable[NewUnmatched],
    total_score: float,
    now: datetime,
    score_gap: float | None = None,
) -> MatchRound:
    match_round = MatchRound(lead_id=lead_id, total_score=total_score, score_gap=score_gap, created_at=now)
    session.add(match_round)
    session.flush()
    assert match_round.id is not None
    for pair in pairs:
        session.add(
            Pairing(
                round_id=match_round.id,
                mentor_id=pair.mentor_id,
                mentee_id=pair.mentee_id,
                score=pair.score,
                shared_topics=list(pair.shared_topics),
                reasons=list(pair.reasons),
                cadence=pair.cadence,
                created_at=now,
            )
        )
    for person in unmatched:
        session.add(
            RoundUnmatched(round_id=match_round.id, user_id=person.user_id, role=person.role, reason=person.reason)
        )
    session.flush()
    return match_round


def round_pairings(*, session: Session, round_id: int, statuses: Sequence[str] | None = None) -> list[Pairing]:
    query = select(Pairing).where(col(Pairing.round_id) == round_id)
    if statuses is not None:
        query = query.where(col(Pairing.status).in_(list(statuses)))
    return list(session.exec(query.order_by(col(Pairing.mentor_id), col(Pairing.id))))


def round_unmatched(*, session: Session, round_id: int) -> list[RoundUnmatched]:
    query = select(RoundUnmatched).where(col(RoundUnmatched.round_id) == round_id)
    return list(session.exec(query.order_by(col(RoundUnmatched.user_id))))


def decide_round(*, session: Session, round_id: int, status: RoundStatus, by: str, now: datetime) -> bool:
    """Move a draft to approved or discarded; False when it was not a draft any more (double click, retry).

    A conditional UPDATE, so of two concurrent approvals exactly one wins, on SQLite and PostgreSQL alike.
    """
    result = session.exec(
        update(MatchRound)
        .where(col(MatchRound.id) == round_id, col(MatchRound.status) == RoundStatus.DRAFT)
        .values(status=status, decided_at=now, decided_by=by)
    )
    return bool(result.rowcount == 1)


def activate_round(*, session: Session, round_id: int, now: datetime) -> list[Pairing]:
    pairings = round_pairings(session=session, round_id=round_id, statuses=[PairingStatus.PROPOSED])
    for pairing in pairings:
        pairing.status, pairing.approved_at = PairingStatus.ACTIVE, now
        pairing.next_check_at = now  # the momentum sweep takes it from here
        session.add(pairing)
    session.flush()
    return pairings


def drop_pairing(*, session: Session, pairing_id: int, only_in_draft: bool = True) -> Pairing | None:
    """Remove a proposed pair from its round; None when it is not a proposed pair (of an open draft, unless
    `only_in_draft` is off: approval withdraws pairs that are no longer possible as it activates the rest)."""
    pairing = session.get(Pairing, pairing_id)
    if pairing is None or pairing.status != PairingStatus.PROPOSED:
        return None
    match_round = session.get(MatchRound, pairing.round_id)
    if match_round is None or (only_in_draft and match_round.status != RoundStatus.DRAFT):
        return None
    pairing.status = PairingStatus.DROPPED
    session.add(pairing)
    return pairing


def find_active_pairing(*, session: Session, a: str, b: str) -> Pairing | None:
    query = select(Pairing).where(
        col(Pairing.status) == PairingStatus.ACTIVE,
        or_(
            (col(Pairing.mentor_id) == a) & (col(Pairing.mentee_id) == b),
            (col(Pairing.mentor_id) == b) & (col(Pairing.mentee_id) == a),
        ),
    )
    return session.exec(query).first()


def end_pairing(*, session: Session, pairing: Pairing, by: str, now: datetime) -> bool:
    """End an active pairing; False when it had already ended."""
    if pairing.status != PairingStatus.ACTIVE:
        return False
    pairing.status, pairing.ended_at, pairing.ended_by = PairingStatus.ENDED, now, by
    session.add(pairing)
    if pairing.id is not None:
        # A survey still waiting to go out asks about a pair that no longer exists (and may be to someone who
        # just left): it is not sent.
        for kind in (MessageKind.PULSE, MessageKind.CLOSEOUT):
            cancel_pending(session=session, kind=kind, pairing_id=pairing.id)
    return True


def group_of(*, session: Session, pairing: Pairing) -> list[Pairing]:
    """The active pairings introduced together with `pairing` (same round, same mentor)."""
    query = select(Pairing).where(
        col(Pairing.round_id) == pairing.round_id,
        col(Pairing.mentor_id) == pairing.mentor_id,
        col(Pairing.status) == PairingStatus.ACTIVE,
    )
    return list(session.exec(query.order_by(col(Pairing.id))))


def was_ever_mentor(*, session: Session, user_id: str, before_round: int) -> bool:
    query = (
        select(func.count())
        .select_from(Pairing)
        .where(
            col(Pairing.mentor_id) == user_id, col(Pairing.status).in_(HISTORIC), col(Pairing.round_id) < before_round
        )
    )
    return session.exec(query).one() > 0


def mentor_record(*, session: Session, user_id: str) -> MentorRecord:
    """What someone has done as a mentor, in one query: their pairs now and before, the sessions those pairs
    held, and the cycles those pairs came through (a `pairing_cycle` settled with an outcome)."""
    theirs = (col(Pairing.mentor_id) == user_id, col(Pairing.status).in_(HISTORIC))

    def pairs(status: PairingStatus) -> Any:
        return (
            select(func.count())
            .select_from(Pairing)
            .where(col(Pairing.mentor_id) == user_id, col(Pairing.status) == status)
            .scalar_subquery()
        )

    sessions = (
        select(func.count())
        .select_from(MentoringSession)
        .join(Pairing, col(Pairing.id) == col(MentoringSession.pairing_id))
        .where(*theirs)
        .scalar_subquery()
    )
    cycles = (
        select(func.count())
        .select_from(PairingCycle)
        .join(Pairing, col(Pairing.id) == col(PairingCycle.pairing_id))
        .where(*theirs, col(PairingCycle.outcome).is_not(None))
        .scalar_subquery()
    )
    now, before, held, completed = session.exec(
        select(pairs(PairingStatus.ACTIVE), pairs(PairingStatus.ENDED), sessions, cycles)
    ).one()
    return MentorRecord(current_pairs=now, past_pairs=before, sessions=held, cycles_completed=completed)


def was_ever_mentee(*, session: Session, user_id: str, before_round: int) -> bool:
    query = (
        select(func.count())
        .select_from(Pairing)
        .where(
            col(Pairing.mentee_id) == user_id, col(Pairing.status).in_(HISTORIC), col(Pairing.round_id) < before_round
        )
    )
    return session.exec(query).one() > 0


def log_session(*, session: Session, pairing_id: int, held_on: date, by: str, note: str, now: datetime) -> bool:
    """Record a session; False when the pair already has it.

    It is the same session when the day is already logged, or when the partner logged the day before or after:
    partners on either side of midnight (Berlin and Kolkata, say) see different dates for one meeting.
    """
    # A no-op write locks the pair (its row on PostgreSQL, the database on SQLite) so two partners clicking at
    # once are serialised and the second sees the first's row; the unique index alone can't catch adjacent days.
    session.exec(update(Pairing).where(col(Pairing.id) == pairing_id).values(momentum=Pairing.momentum))
    partner_logged = select(MentoringSession.id).where(
        col(MentoringSession.pairing_id) == pairing_id,
        col(MentoringSession.held_on).between(held_on - timedelta(days=1), held_on + timedelta(days=1)),
        col(MentoringSession.logged_by) != by,
    )
    if session.exec(partner_logged.limit(1)).first() is not None:
        return False
    held = MentoringSession(pairing_id=pairing_id, held_on=held_on, logged_by=by, note=note[:500], logged_at=now)
    return insert_once(session, held)


def session_count(*, session: Session, pairing_id: int) -> int:
    query = select(func.count()).select_from(MentoringSession).where(col(MentoringSession.pairing_id) == pairing_id)
    return session.exec(query).one()


def record_intro_channel(*, session: Session, pairing_id: int, channel: str) -> None:
    """Remember the group DM an introduction went to, on every pairing of that group."""
    anchor = session.get(Pairing, pairing_id)
    if anchor is None:
        return
    for pairing in session.exec(
        select(Pairing).where(col(Pairing.round_id) == anchor.round_id, col(Pairing.mentor_id) == anchor.mentor_id)
    ):
        pairing.intro_channel = channel
        session.add(pairing)


def session_counts(*, session: Session, pairing_ids: Sequence[int]) -> dict[int, int]:
    """Sessions logged per pairing, in one grouped query."""
    if not pairing_ids:
        return {}
    query = (
        select(MentoringSession.pairing_id, func.count())
        .where(col(MentoringSession.pairing_id).in_(list(pairing_ids)))
        .group_by(col(MentoringSession.pairing_id))
    )
    return {pairing_id: count for pairing_id, count in session.exec(query)}
