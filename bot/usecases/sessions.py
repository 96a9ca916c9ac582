"""Sessions: logging one (a button or `/mentoring log`), setting the next date, and what each queues.

A logged session ends any lapse (the sweep thanks the pair) and queues a private check-in for each person,
timed for their working day, and at the pair's 1st, 5th and 10th session a thank-you for the mentor; setting the
next date queues each person's reminder for the workday before and cancels reminders for a date that moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.blocks import momentum as momentum_views
from bot.blocks import recognition as recognition_views
from bot.blocks import scheduling as booking_views
from bot.domain.momentum import checkin_due_at
from bot.domain.outbox import MessageKind, keys
from bot.domain.recognition import milestone
from bot.domain.rounds import PairingStatus
from bot.domain.timezones import local_date
from bot.usecases.errors import BadDate, NoActiveMatch, NobodyAttended, SeveralPairs
from bot.usecases.groups import group_for
from bot.usecases.services import Services
from storage.bookings import held_by_log
from storage.db import session_scope
from storage.models import Booking, OutboxStatus, Pairing
from storage.momentum import add_prompt, answer_prompts
from storage.outbox import Draft, cancel_pending, enqueue, message_by_key, revise
from storage.pairings import active_pairings, group_of, log_session, session_count
from storage.participants import participants_by_id

LOG_WINDOW = timedelta(days=90)


def local_today(services: Services, user_id: str, now: datetime) -> date:
    """Today's date where this person is (a session logged at 23:00 in Tokyo happened on that day there)."""
    with session_scope(services.engine) as session:
        person = participants_by_id(session=session, user_ids=[user_id]).get(user_id)
    return local_date(now, person.tz if person else None)


@dataclass(frozen=True)
class Logged:
    count: int  # sessions the pair has logged, this one included
    first_time: bool  # False: that day was logged already (by the partner, or a double click)
    held_on: date
    today: date  # where the person who logged it is


def who_could_attend(services: Services, *, user_id: str, anchor_id: int) -> list[tuple[str, str]]:
    """(user id, name) of the mentees a group session may have had, when the clicker must say who came: a mentor
    with several mentees. Empty for a one-to-one pair or a mentee (they log their own pair)."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    if user_id != group[0].mentor_id or len(group) < 2:
        return []
    with session_scope(services.engine) as session:
        folks = participants_by_id(session=session, user_ids=[p.mentee_id for p in group])
    return [(p.mentee_id, folks[p.mentee_id].name) for p in group if p.mentee_id in folks]


def log_session_today(services: Services, *, user_id: str, anchor_id: int, attended: list[str] | None = None) -> Logged:
    """Log today's session for the clicker's pair(s) in a group; both partners logging it counts once.
    `attended`: in a group, the mentees who were there (sessions, check-ins and momentum are per mentee)."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
    if attended is not None:
        mine = [p for p in mine if p.mentee_id in attended]
        if not mine:
            raise NobodyAttended
    now = services.clock()
    return record_session(services, user_id=user_id, pairings=mine, held_on=local_today(services, user_id, now))


def record_session(
    services: Services, *, user_id: str, pairings: list[Pairing], held_on: date, note: str = ""
) -> Logged:
    """Store a session for these pairings; the first log of a day ends any lapse episode (the sweep thanks the
    pair) and queues a private check-in for each person."""
    now = services.clock()
    with session_scope(services.engine) as session:
        first_time = record_in(
            services, session, user_id=user_id, pairings=pairings, held_on=held_on, now=now, note=note
        )
        count = session_count(session=session, pairing_id=pairings[0].id or 0)
    return Logged(count, first_time, held_on, local_today(services, user_id, now))


def record_in(
    services: Services,
    session: Session,
    *,
    user_id: str,
    pairings: list[Pairing],
    held_on: date,
    now: datetime,
    note: str = "",
    held_at: datetime | None = None,
) -> bool:
    """`record_session` inside the caller's transaction; `held_at` when the time is known (a booked session).
    False when every pairing had that day logged already."""
    # Everyone who was there has acted on the pair, whoever clicked: a partner's log answers their prompts too.
    for person in {user_id, *(p.mentor_id for p in pairings), *(p.mentee_id for p in pairings)}:
        answer_prompts(session=session, user_id=person, now=now)
    first_time = False
    for pairing in pairings:
        assert pairing.id is not None
        if not log_session(session=session, pairing_id=pairing.id, held_on=held_on, by=user_id, note=note, now=now):
            continue
        first_time = True
        stored = session.get_one(Pairing, pairing.id)
        when = min(now, held_at or datetime.combine(held_on, time(12), tzinfo=UTC))
        if stored.last_session_at is None or when > stored.last_session_at:
            stored.last_session_at = when
        stored.next_check_at = now
        session.add(stored)
        count = session_count(session=session, pairing_id=pairing.id)
        _queue_checkins(services, session, stored, count=count, now=now)
        _queue_milestone(services, session, stored, count=count, now=now)
    if held_at is None and pairings:
        # Logged by hand: a booking for that day is settled, and "did it happen?" is not asked (or, if it was
        # already asked, says it's logged).
        group = group_of(session=session, pairing=pairings[0])
        mentees = [p.mentee_id for p in pairings]
        for booking in held_by_log(
            session=session, group=group, mentee_ids=mentees, held_on=held_on, by=user_id, now=now
        ):
            _question_answered(session, booking, user_id, now)
    return first_time


def _question_answered(session: Session, booking: Booking, user_id: str, now: datetime) -> None:
    assert booking.id is not None
    cancel_pending(session=session, kind=MessageKind.REMINDER, pairing_id=booking.pairing_id)
    text, blocks = booking_views.happened_answer(
        answered_by=user_id, held=True, start=booking.starts_at, tz=booking.tz, anchor=booking.pairing_id
    )
    key = keys.happened(booking.id, booking.sequence)
    row = message_by_key(session=session, key=key)
    if row is not None and row.status == OutboxStatus.PENDING and row.ts is None:
        cancel_pending(session=session, kind=MessageKind.HAPPENED, pairing_id=booking.pairing_id)
    elif row is not None:
        revise(session=session, key=key, text=text, blocks=blocks, now=now)


def _queue_checkins(services: Services, session: Session, pairing: Pairing, *, count: int, now: datetime) -> None:
    assert pairing.id is not None
    folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
        person, other = folks.get(user_id), folks.get(other_id)
        if person is None or other is None:
            continue
        key = keys.checkin(pairing.id, count, user_id)
        due = checkin_due_at(now, person.tz, logged_at=now)
        prompt = add_prompt(
            session=session,
            user_id=user_id,
            pairing_id=pairing.id,
            kind=MessageKind.CHECKIN,
            key=key,
            at=due,
            session_number=count,
        )
        if prompt is None or prompt.id is None:
            continue
        text, blocks = momentum_views.checkin_prompt(other_name=other.name, prompt_id=prompt.id)
        draft = Draft(
            key=key,
            kind=MessageKind.CHECKIN,
            users=[user_id],
            text=text,
            blocks=blocks,
            pairing_id=pairing.id,
            not_before=due,
        )
        enqueue(session=session, draft=draft, now=now)


def _queue_milestone(services: Services, session: Session, pairing: Pairing, *, count: int, now: datetime) -> None:
    """The mentor's thank-you when this session is the pair's 1st, 5th or 10th; once per pair and milestone (the
    key), and never for a pair that has ended."""
    reached = milestone(count)
    if reached is None or pairing.status != PairingStatus.ACTIVE or pairing.id is None:
        return
    folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    mentor, mentee = folks.get(pairing.mentor_id), folks.get(pairing.mentee_id)
    if mentor is None or mentee is None:
        return
    text, blocks = recognition_views.milestone_message(
        mentor_name=mentor.name,
        mentee_name=mentee.name,
        sessions=reached,
        topics=services.catalogue.labels(list(pairing.shared_topics)),
    )
    draft = Draft(
        key=keys.milestone(pairing.id, reached),
        kind=MessageKind.MILESTONE,
        users=[pairing.mentor_id],
        text=text,
        blocks=blocks,
        pairing_id=pairing.id,
    )
    enqueue(session=session, draft=draft, now=now)


def parse_log(text: str, *, today: date) -> tuple[date, str]:
    """`[date] [note]` from `/mentoring log`: (date, note). Dates: today, yesterday, YYYY-MM-DD; anything else
    starts the note. `BadDate` for a date in the future or too long ago."""
    first, _, rest = text.strip().partition(" ")
    word = first.lower()
    if word in ("", "today"):
        held, note = today, rest
    elif word == "yesterday":
        held, note = today - timedelta(days=1), rest
    else:
        try:
            held, note = date.fromisoformat(first), rest
        except ValueError:
            held, note = today, text.strip()
    if held > today:
        raise BadDate("future")
    if held < today - LOG_WINDOW:
        raise BadDate("too_old")
    return held, note.strip()[:500]


def log_from_command(services: Services, *, user_id: str, text: str) -> Logged:
    """`/mentoring log [date] [note]`: log a session for the person's current match."""
    now = services.clock()
    held, note = parse_log(text, today=local_today(services, user_id, now))
    with session_scope(services.engine) as session:
        mine = active_pairings(session=session, user_id=user_id)
    if not mine:
        raise NoActiveMatch
    if len({(p.round_id, p.mentor_id) for p in mine}) > 1:
        raise SeveralPairs
    return record_session(services, user_id=user_id, pairings=mine, held_on=held, note=note)
