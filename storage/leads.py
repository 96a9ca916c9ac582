"""What program leads read: the pairs, paged worst first, and the aggregates behind the measures, charts and
exports. Every query here is a grouped aggregate or a page: none loads the whole program's pairs or sessions
into memory (the exports stream).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.domain.cycles import ConfidenceStage
from bot.domain.measures import ATTENTION_ORDER, PairRow, PairSpan
from bot.domain.momentum import MomentumState
from bot.domain.momentum.state import FIRST_SESSION_WAIT, Standing
from bot.domain.outbox import MessageKind
from bot.domain.people import Cadence, Status
from bot.domain.scheduling import BookingStatus, cancelled_in_a_row
from bot.domain.timezones import aware_utc
from storage.models import (
    Booking,
    CheckIn,
    Confidence,
    Cycle,
    MentoringSession,
    Pairing,
    PairingStatus,
    Participant,
    Prompt,
)


class PairFilter(enum.StrEnum):
    """Which pairs a lead's list shows."""

    ATTENTION = "attention"  # lapsed, cooling, or not started past the first-session wait
    NOT_STARTED = "not_started"
    ALL = "all"


def _paused(now: datetime) -> ColumnElement[bool]:
    """Either person is paused as of `now` (a pause whose end has passed counts as over, as `current_status`).

    Two uncorrelated IN lists rather than a correlated EXISTS: the ordering repeats this expression, and a
    correlated subquery per pair per repetition made PostgreSQL's plan costly enough to JIT-compile (seconds)."""
    paused = select(col(Participant.slack_user_id)).where(
        col(Participant.status) == Status.PAUSED,
        or_(col(Participant.paused_until).is_(None), col(Participant.paused_until) > now),
    )
    return or_(col(Pairing.mentor_id).in_(paused), col(Pairing.mentee_id).in_(paused))


def standing_expr(now: datetime) -> ColumnElement[str]:
    """`bot.usecases.reports.pair_standing` in SQL, so the database can count, filter and order by it."""
    return case(
        (_paused(now), literal(Standing.PAUSED.value)),
        (col(Pairing.last_session_at).is_(None), literal(Standing.NOT_STARTED.value)),
        (
            col(Pairing.momentum).in_([MomentumState.LAPSED, MomentumState.CLOSED]),
            literal(Standing.LAPSED.value),
        ),
        (col(Pairing.momentum) == MomentumState.COOLING, literal(Standing.COOLING.value)),
        else_=literal(Standing.ON_TRACK.value),
    )


def _rank(standing: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((standing == s.value, i) for i, s in enumerate(ATTENTION_ORDER)), else_=len(ATTENTION_ORDER))


def _filtered(query: Any, pair_filter: PairFilter, standing: ColumnElement[str], now: datetime) -> Any:
    if pair_filter is PairFilter.NOT_STARTED:
        return query.where(standing == Standing.NOT_STARTED.value)
    if pair_filter is PairFilter.ATTENTION:
        overdue = and_(
            standing == Standing.NOT_STARTED.value,
            func.coalesce(col(Pairing.approved_at), col(Pairing.created_at)) <= now - FIRST_SESSION_WAIT,
        )
        return query.where(or_(standing.in_([Standing.LAPSED.value, Standing.COOLING.value]), overdue))
    return query


def standing_counts(*, session: Session, now: datetime) -> dict[Standing, int]:
    """Active pairs per standing, in one grouped query."""
    standing = standing_expr(now).label("standing")
    query = (
        select(standing, func.count())
        .select_from(Pairing)
        .where(col(Pairing.status) == PairingStatus.ACTIVE)
        .group_by(standing)
    )
    return {Standing(s): n for s, n in session.execute(query)}


def people_waiting(*, session: Session, now: datetime) -> int:
    """Matchable people (active, or with their pause over) who are in no active pair."""
    # NOT IN over one uncorrelated list (both columns are NOT NULL, so no NULL trap): a correlated NOT EXISTS
    # with an OR made SQLite scan every active pair for every person.
    paired = union(
        select(col(Pairing.mentor_id)).where(col(Pairing.status) == PairingStatus.ACTIVE),
        select(col(Pairing.mentee_id)).where(col(Pairing.status) == PairingStatus.ACTIVE),
    )
    matchable = or_(
        col(Participant.status) == Status.ACTIVE,
        and_(col(Participant.status) == Status.PAUSED, col(Participant.paused_until) <= now),
    )
    query = (
        select(func.count()).select_from(Participant).where(matchable, col(Participant.slack_user_id).not_in(paired))
    )
    return int(session.execute(query).scalar_one())


def pairs_cancelling_in_a_row(*, session: Session, at_least: int) -> int:
    """How many active pairs had their latest `at_least` (or more) bookings called off (a session logged since ends
    a streak), for the whole program in column reads, with no IN list of every pair."""
    active = session.execute(
        select(col(Pairing.id), col(Pairing.round_id), col(Pairing.mentor_id), col(Pairing.mentee_id)).where(
            col(Pairing.status) == PairingStatus.ACTIVE
        )
    ).all()
    logged = {
        int(pid): aware_utc(at, "logged_at")
        for pid, at in session.execute(
            select(col(MentoringSession.pairing_id), func.max(col(MentoringSession.logged_at))).group_by(
                col(MentoringSession.pairing_id)
            )
        )
        if at is not None
    }
    met = {(round_id, mentor, mentee): logged.get(int(pid)) for pid, round_id, mentor, mentee in active}
    mentors = select(col(Pairing.mentor_id)).where(col(Pairing.status) == PairingStatus.ACTIVE)
    rows = session.execute(
        select(
            col(Booking.mentee_ids),
            col(Booking.status),
            col(Booking.updated_at),
            col(Pairing.round_id),
            col(Pairing.mentor_id),
        )
        .join(Pairing, col(Pairing.id) == col(Booking.pairing_id))
        .where(col(Pairing.mentor_id).in_(mentors))
        .order_by(col(Booking.updated_at).desc())
    )
    history: dict[tuple[int, str, str], list[BookingStatus]] = {}
    for mentee_ids, status, updated_at, round_id, mentor_id in rows:
        for mentee_id in mentee_ids:
            key = (round_id, mentor_id, mentee_id)
            last = met.get(key)
            if last is None or aware_utc(updated_at, "updated_at") > last:  # a session logged since ends it
                history.setdefault(key, []).append(BookingStatus(status))
    return sum(1 for key in met if cancelled_in_a_row(history.get(key, [])) >= at_least)


def members(*, session: Session) -> int:
    """Everyone in the program, active or paused (not those who left)."""
    query = select(func.count()).select_from(Participant).where(col(Participant.status) != Status.LEFT)
    return int(session.execute(query).scalar_one())


def sessions_between(*, session: Session, start: date, end: date) -> int:
    """Sessions held on days in [start, end)."""
    query = (
        select(func.count())
        .select_from(MentoringSession)
        .where(col(MentoringSession.held_on) >= start, col(MentoringSession.held_on) < end)
    )
    return int(session.execute(query).scalar_one())


def count_pairs(*, session: Session, now: datetime, pair_filter: PairFilter) -> int:
    standing = standing_expr(now)
    query = select(func.count()).select_from(Pairing).where(col(Pairing.status) == PairingStatus.ACTIVE)
    return int(session.execute(_filtered(query, pair_filter, standing, now)).scalar_one())


def pair_page(*, session: Session, now: datetime, pair_filter: PairFilter, offset: int, limit: int) -> list[PairRow]:
    """One page of active pairs, worst first (by standing, then longest without a session), with the figures
    each row shows gathered in a few grouped queries over the page's pairs only."""
    standing = standing_expr(now).label("standing")
    query = select(Pairing, standing).where(col(Pairing.status) == PairingStatus.ACTIVE)
    query = _filtered(query, pair_filter, standing, now)
    idle_since = func.coalesce(col(Pairing.last_session_at), col(Pairing.approved_at), col(Pairing.created_at))
    query = query.order_by(_rank(standing), idle_since, col(Pairing.id)).offset(offset).limit(limit)
    found = [(pairing, Standing(value)) for pairing, value in session.execute(query)]
    ids = [p.id for p, _ in found if p.id is not None]
    if not ids:
        return []
    sessions = dict(
        session.execute(
            select(col(MentoringSession.pairing_id), func.count())
            .where(col(MentoringSession.pairing_id).in_(ids))
            .group_by(col(MentoringSession.pairing_id))
        ).all()
    )
    called_off = _called_off(session, mentors=sorted({p.mentor_id for p, _ in found}))
    asked: dict[int, tuple[int, int]] = {
        pid: (int(n), int(answered or 0))
        for pid, n, answered in session.execute(
            select(
                col(Prompt.pairing_id),
                func.count(),
                func.sum(case((col(Prompt.answered_at).is_not(None), 1), else_=0)),
            )
            .where(col(Prompt.pairing_id).in_(ids), col(Prompt.kind) == MessageKind.CHECKIN)
            .group_by(col(Prompt.pairing_id))
        )
        if pid is not None
    }
    upcoming = upcoming_bookings(session=session, pairings=[p for p, _ in found], now=now)
    return [
        PairRow(
            pairing_id=pairing.id or 0,
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            started=pairing.approved_at or pairing.created_at,
            last_session=pairing.last_session_at,
            standing=state,
            sessions=int(sessions.get(pairing.id or 0, 0)),
            next_session=upcoming.get(pairing.id or 0),
            cancellations=called_off.get((pairing.round_id, pairing.mentor_id, pairing.mentee_id), 0),
            checkins_asked=asked.get(pairing.id or 0, (0, 0))[0],
            checkins_answered=asked.get(pairing.id or 0, (0, 0))[1],
        )
        for pairing, state in found
    ]


def _called_off(session: Session, *, mentors: Sequence[str] | None = None) -> dict[tuple[int, str, str], int]:
    """Bookings cancelled or that didn't happen, per (round, mentor, mentee): a group's booking hangs off one
    pairing of the group and names the mentees it was for, so it is counted for each of them."""
    query = (
        select(col(Booking.mentee_ids), col(Pairing.round_id), col(Pairing.mentor_id))
        .join(Pairing, col(Pairing.id) == col(Booking.pairing_id))
        .where(col(Booking.status).in_([BookingStatus.CANCELLED, BookingStatus.MISSED]))
    )
    if mentors is not None:
        query = query.where(col(Pairing.mentor_id).in_(list(mentors)))
    counts: dict[tuple[int, str, str], int] = {}
    for mentee_ids, round_id, mentor_id in session.execute(query):
        for mentee_id in mentee_ids:
            key = (round_id, mentor_id, mentee_id)
            counts[key] = counts.get(key, 0) + 1
    return counts


def upcoming_bookings(*, session: Session, pairings: Sequence[Pairing], now: datetime) -> dict[int, datetime]:
    """Each pairing's next booked session still to come; a group's booking counts for the mentees it names."""
    mentors = sorted({p.mentor_id for p in pairings})
    if not mentors:
        return {}
    by_group = _future_bookings(session, now=now, mentors=mentors)
    found: dict[int, datetime] = {}
    for pairing in pairings:
        for starts_at, mentee_ids in by_group.get((pairing.round_id, pairing.mentor_id), []):
            if pairing.mentee_id in mentee_ids and pairing.id is not None:
                found.setdefault(pairing.id, starts_at)
    return found


def _future_bookings(
    session: Session, *, now: datetime, mentors: Sequence[str] | None = None
) -> dict[tuple[int, str], list[tuple[datetime, list[str]]]]:
    query = (
        select(col(Booking.starts_at), col(Booking.mentee_ids), col(Pairing.round_id), col(Pairing.mentor_id))
        .join(Pairing, col(Pairing.id) == col(Booking.pairing_id))
        .where(col(Booking.status) == BookingStatus.BOOKED, col(Booking.starts_at) > now)
        .order_by(col(Booking.starts_at))
    )
    if mentors is not None:
        query = query.where(col(Pairing.mentor_id).in_(list(mentors)))
    by_group: dict[tuple[int, str], list[tuple[datetime, list[str]]]] = {}
    for starts_at, mentee_ids, round_id, mentor_id in session.execute(query):
        by_group.setdefault((round_id, mentor_id), []).append((starts_at, list(mentee_ids)))
    return by_group


def chart_sources(*, session: Session) -> str:
    """A fingerprint of everything the charts are drawn from (sessions, check-ins, pairs and their cadences), in one
    query of aggregates: while it and the day stay the same, the charts can't have changed."""

    def scalar(query: Any) -> Any:
        return query.scalar_subquery()

    row = session.execute(
        select(
            scalar(select(func.count()).select_from(MentoringSession)),
            scalar(select(func.max(col(MentoringSession.logged_at)))),
            scalar(select(func.max(col(MentoringSession.id)))),
            scalar(select(func.count()).select_from(CheckIn)),
            scalar(select(func.max(col(CheckIn.id)))),
            scalar(select(func.count()).select_from(Pairing).where(col(Pairing.status) == PairingStatus.ACTIVE)),
            scalar(select(func.max(col(Pairing.approved_at)))),
            scalar(select(func.max(col(Pairing.ended_at)))),
            scalar(select(func.count()).select_from(Pairing).where(col(Pairing.cadence) == Cadence.WEEKLY)),
            scalar(select(func.count()).select_from(Pairing).where(col(Pairing.cadence) == Cadence.MONTHLY)),
        )
    ).one()
    return "|".join(str(v) for v in row)


def satisfaction_counts(
    *, session: Session, before: datetime, since: datetime | None = None, min_per_month: int = 1
) -> dict[int, int]:
    """How many check-ins answered before `before` (and from `since`) gave each value (1-5), counting only the
    calendar months (UTC) that have `min_per_month` answers or more: a figure that moves a month at a time, by at
    least that many answers, can't be taken apart into one person's answer."""
    month = (
        func.to_char(col(CheckIn.answered_at), "YYYY-MM")
        if session.get_bind().dialect.name == "postgresql"
        else func.strftime("%Y-%m", col(CheckIn.answered_at))
    ).label("month")
    query = (
        select(month, col(CheckIn.value), func.count())
        .where(col(CheckIn.value).is_not(None), col(CheckIn.answered_at) < before)
        .group_by(month, col(CheckIn.value))
    )
    if since is not None:
        query = query.where(col(CheckIn.answered_at) >= since)
    by_month: dict[str, dict[int, int]] = {}
    for key, value, n in session.execute(query):
        if value is not None:
            by_month.setdefault(str(key), {})[int(value)] = int(n)
    counts: dict[int, int] = {}
    for values in by_month.values():
        if sum(values.values()) >= min_per_month:
            for value, n in values.items():
                counts[value] = counts.get(value, 0) + n
    return counts


def satisfaction_by_bucket(*, session: Session, starts: Sequence[datetime], before: datetime) -> list[tuple[int, int]]:
    """(answers, sum of values) per bucket [starts[i], starts[i+1]), the last open-ended, in one grouped query."""
    if not starts:
        return []
    bucket = case(
        *((col(CheckIn.answered_at) >= start, i) for i, start in reversed(list(enumerate(starts)))),
        else_=-1,
    ).label("bucket")
    query = (
        select(bucket, func.count(), func.sum(col(CheckIn.value)))
        .where(
            col(CheckIn.value).is_not(None), col(CheckIn.answered_at) >= starts[0], col(CheckIn.answered_at) < before
        )
        .group_by(bucket)
    )
    found = {int(b): (int(n), int(total or 0)) for b, n, total in session.execute(query)}
    return [found.get(i, (0, 0)) for i in range(len(starts))]


def spans_between(*, session: Session, start: datetime, end: datetime) -> list[PairSpan]:
    """Every pair that was active at some point in [start, end): approved before the end, not ended before the
    start. Only four columns per pair."""
    started = func.coalesce(col(Pairing.approved_at), col(Pairing.created_at))
    query = select(col(Pairing.id), started, col(Pairing.ended_at), col(Pairing.cadence)).where(
        col(Pairing.status).in_([PairingStatus.ACTIVE, PairingStatus.ENDED]),
        started < end,
        or_(col(Pairing.ended_at).is_(None), col(Pairing.ended_at) > start),
    )
    return [
        PairSpan(
            pairing_id=int(pid),
            started=begun.date(),
            ended=ended.date() if ended else None,
            cadence_days=Cadence.parse(cadence).days,
        )
        for pid, begun, ended, cadence in session.execute(query)
    ]


def sessions_per_pair(*, session: Session, start: date, end: date) -> dict[int, int]:
    query = (
        select(col(MentoringSession.pairing_id), func.count())
        .where(col(MentoringSession.held_on) >= start, col(MentoringSession.held_on) < end)
        .group_by(col(MentoringSession.pairing_id))
    )
    return {int(pid): int(n) for pid, n in session.execute(query)}


def sessions_per_day(*, session: Session, start: date, end: date) -> dict[date, int]:
    query = (
        select(col(MentoringSession.held_on), func.count())
        .where(col(MentoringSession.held_on) >= start, col(MentoringSession.held_on) < end)
        .group_by(col(MentoringSession.held_on))
    )
    return {day: int(n) for day, n in session.execute(query)}


def last_session_before(*, session: Session, before: date) -> dict[int, date]:
    query = (
        select(col(MentoringSession.pairing_id), func.max(col(MentoringSession.held_on)))
        .where(col(MentoringSession.held_on) < before)
        .group_by(col(MentoringSession.pairing_id))
    )
    return {int(pid): day for pid, day in session.execute(query)}


def session_days_from(*, session: Session, start: date) -> dict[int, list[date]]:
    """Each pair's session days from `start` on, ascending (the charts' window: weeks, not history)."""
    query = (
        select(col(MentoringSession.pairing_id), col(MentoringSession.held_on))
        .where(col(MentoringSession.held_on) >= start)
        .order_by(col(MentoringSession.pairing_id), col(MentoringSession.held_on))
    )
    found: dict[int, list[date]] = {}
    for pid, day in session.execute(query):
        found.setdefault(int(pid), []).append(day)
    return found


ENDED = "ended"

# --- exports: streamed rows, so 5,000 pairs or 100,000 sessions never sit in memory at once ---

EXPORT_BATCH = 1000


@dataclass(frozen=True)
class ExportPair:
    pairing_id: int
    round_id: int
    mentor_id: str
    mentee_id: str
    mentor_name: str
    mentee_name: str
    mentor_department: str
    mentee_department: str
    state: str  # a `Standing` value, or "ended"
    started: datetime | None
    sessions: int
    last_session: date | None
    next_session: datetime | None
    cancellations: int
    checkins_answered: int
    ended: datetime | None
    cycle: str = ""  # the program cycle it is (or last was) in; empty in an evergreen program


def export_pairs(*, session: Session, now: datetime) -> Iterator[ExportPair]:
    """Every pair that was ever approved (active ones with their state, ended ones as "ended"), oldest first, with
    its figures: grouped subqueries joined once, read in batches, so the sessions file's pairs are all here."""
    mentor = aliased(Participant)
    mentee = aliased(Participant)
    held = (
        select(
            col(MentoringSession.pairing_id).label("pid"),
            func.count().label("n"),
            func.max(col(MentoringSession.held_on)).label("last"),
        )
        .group_by(col(MentoringSession.pairing_id))
        .subquery()
    )
    answered = (
        select(col(CheckIn.pairing_id).label("pid"), func.count().label("n"))
        .group_by(col(CheckIn.pairing_id))
        .subquery()
    )
    standing = case((col(Pairing.status) == PairingStatus.ENDED, literal(ENDED)), else_=standing_expr(now))
    query = (
        select(
            col(Pairing.id),
            col(Pairing.round_id),
            col(Pairing.mentor_id),
            col(Pairing.mentee_id),
            func.coalesce(mentor.name, ""),
            func.coalesce(mentee.name, ""),
            func.coalesce(mentor.department, ""),
            func.coalesce(mentee.department, ""),
            standing,
            func.coalesce(col(Pairing.approved_at), col(Pairing.created_at)),
            func.coalesce(held.c.n, 0),
            held.c.last,
            func.coalesce(answered.c.n, 0),
            col(Pairing.ended_at),
            func.coalesce(col(Cycle.name), ""),
        )
        .select_from(Pairing)
        .outerjoin(Cycle, col(Cycle.id) == col(Pairing.cycle_id))
        .outerjoin(mentor, col(mentor.slack_user_id) == col(Pairing.mentor_id))
        .outerjoin(mentee, col(mentee.slack_user_id) == col(Pairing.mentee_id))
        .outerjoin(held, held.c.pid == col(Pairing.id))
        .outerjoin(answered, answered.c.pid == col(Pairing.id))
        .where(col(Pairing.status).in_([PairingStatus.ACTIVE, PairingStatus.ENDED]))
        .order_by(col(Pairing.id))
    )
    # Bookings still to come are few (at most one per pair), and called-off ones a handful per pair: read them
    # first, then stream the pairs.
    upcoming = _future_bookings(session, now=now)
    called_off = _called_off(session)
    for row in session.execute(query.execution_options(yield_per=EXPORT_BATCH)):
        pid, round_id, mentor_id, mentee_id = row[0], row[1], row[2], row[3]
        next_session = next(
            (start for start, mentees in upcoming.get((round_id, mentor_id), []) if mentee_id in mentees), None
        )
        yield ExportPair(
            pairing_id=int(pid),
            round_id=int(round_id),
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            mentor_name=row[4],
            mentee_name=row[5],
            mentor_department=row[6],
            mentee_department=row[7],
            state=str(row[8]),
            started=row[9],
            sessions=int(row[10]),
            last_session=row[11],
            next_session=next_session if row[8] != ENDED else None,
            cancellations=called_off.get((round_id, mentor_id, mentee_id), 0),
            checkins_answered=int(row[12]),
            ended=row[13],
            cycle=row[14],
        )


@dataclass(frozen=True)
class ExportSession:
    pairing_id: int
    mentor_name: str
    mentee_name: str
    held_on: date
    logged_by_name: str


def export_sessions(*, session: Session) -> Iterator[ExportSession]:
    """Every session of every pair (active or ended), by pair then date; never the note."""
    mentor = aliased(Participant)
    mentee = aliased(Participant)
    logger = aliased(Participant)
    query = (
        select(
            col(MentoringSession.pairing_id),
            func.coalesce(mentor.name, ""),
            func.coalesce(mentee.name, ""),
            col(MentoringSession.held_on),
            func.coalesce(logger.name, ""),
        )
        .select_from(MentoringSession)
        .join(Pairing, col(Pairing.id) == col(MentoringSession.pairing_id))
        .outerjoin(mentor, col(mentor.slack_user_id) == col(Pairing.mentor_id))
        .outerjoin(mentee, col(mentee.slack_user_id) == col(Pairing.mentee_id))
        .outerjoin(logger, col(logger.slack_user_id) == col(MentoringSession.logged_by))
        .order_by(col(MentoringSession.pairing_id), col(MentoringSession.held_on))
    )
    for pid, mentor_name, mentee_name, held_on, logged_by in session.execute(
        query.execution_options(yield_per=EXPORT_BATCH)
    ):
        yield ExportSession(int(pid), mentor_name, mentee_name, held_on, logged_by)


def skills_counts(*, session: Session, now: datetime) -> dict[str, tuple[int, int]]:
    """Per topic, over mentees: (people with a sign-up baseline and a later answer, of whom how many now feel
    more confident). The later answer is each person's latest midpoint or close-out answer for the topic given by
    `now`. One aggregate query: nothing per person is loaded."""
    later = (
        select(
            col(Confidence.user_id),
            col(Confidence.topic),
            col(Confidence.value),
            func.row_number()
            .over(
                partition_by=(col(Confidence.user_id), col(Confidence.topic)),
                order_by=(col(Confidence.answered_at).desc(), col(Confidence.id).desc()),
            )
            .label("rank"),
        )
        .where(col(Confidence.stage) != ConfidenceStage.SIGNUP, col(Confidence.answered_at) <= now)
        .subquery()
    )
    base = (
        select(col(Confidence.user_id), col(Confidence.topic), col(Confidence.value))
        .where(
            col(Confidence.stage) == ConfidenceStage.SIGNUP,
            col(Confidence.cycle_id) == 0,
            col(Confidence.answered_at) <= now,
        )
        .subquery()
    )
    mentees = select(col(Pairing.mentee_id)).distinct().subquery()
    query = (
        select(
            base.c.topic,
            func.count(),
            func.sum(case((later.c.value > base.c.value, 1), else_=0)),
        )
        .select_from(base)
        .join(later, (later.c.user_id == base.c.user_id) & (later.c.topic == base.c.topic) & (later.c.rank == 1))
        .join(mentees, mentees.c.mentee_id == base.c.user_id)
        .group_by(base.c.topic)
    )
    return {str(topic): (int(measured), int(rose or 0)) for topic, measured, rose in session.execute(query)}
