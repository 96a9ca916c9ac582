"""Sessions: logging one (a button or `/mentoring log`), setting the next date, and what each queues.

A logged session ends any lapse (the sweep thanks the pair) and queues a private check-in for each person,
timed for their working day; setting the next date queues each person's reminder for the workday before and
cancels reminders for a date that moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.blocks import matching as views
from bot.blocks import momentum as momentum_views
from bot.domain.content import starters_for
from bot.domain.momentum import checkin_due_at, next_send_window, reminder_due_at
from bot.domain.outbox import MessageKind, keys
from bot.domain.timezones import local_date
from bot.usecases.errors import BadDate, NoActiveMatch, SeveralPairs
from bot.usecases.pairs import group_for
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Pairing
from storage.momentum import add_prompt, answer_prompts
from storage.outbox import Draft, cancel_pending, enqueue
from storage.pairings import active_pairings, log_session, session_count, set_next_session
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


def log_session_today(services: Services, *, user_id: str, anchor_id: int) -> Logged:
    """Log today's session for the clicker's pair(s) in a group; both partners logging it counts once."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
    now = services.clock()
    return record_session(services, user_id=user_id, pairings=mine, held_on=local_today(services, user_id, now))


def record_session(
    services: Services, *, user_id: str, pairings: list[Pairing], held_on: date, note: str = ""
) -> Logged:
    """Store a session for these pairings; the first log of a day ends any lapse episode (the sweep thanks the
    pair) and queues a private check-in for each person."""
    now = services.clock()
    with session_scope(services.engine) as session:
        answer_prompts(session=session, user_id=user_id, now=now)
        first_time = False
        for pairing in pairings:
            assert pairing.id is not None
            if not log_session(session=session, pairing_id=pairing.id, held_on=held_on, by=user_id, note=note, now=now):
                continue
            first_time = True
            stored = session.get_one(Pairing, pairing.id)
            held_at = min(now, datetime.combine(held_on, time(12), tzinfo=UTC))
            if stored.last_session_at is None or held_at > stored.last_session_at:
                stored.last_session_at = held_at
            stored.next_check_at = now
            session.add(stored)
            count = session_count(session=session, pairing_id=pairing.id)
            _queue_checkins(services, session, stored, count=count, now=now)
        count = session_count(session=session, pairing_id=pairings[0].id or 0)
    return Logged(count, first_time)


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


@dataclass(frozen=True)
class NextSet:
    when: date
    keys: list[str]  # the post in the pair's conversation


def set_next(services: Services, *, user_id: str, anchor_id: int, chosen: str | None, channel: str) -> NextSet:
    """Set the group's next session date, post it in their conversation (`channel`) and queue each person's
    reminder for the workday before. `BadDate` for an unreadable or past date."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    try:
        when = date.fromisoformat(chosen or "")
    except ValueError:
        raise BadDate("unreadable") from None
    now = services.clock()
    if when < local_today(services, user_id, now):
        raise BadDate("past")
    previous = group[0].next_session_on
    key = keys.next_session(anchor_id, when, previous)
    with session_scope(services.engine) as session:
        answer_prompts(session=session, user_id=user_id, now=now)
        set_next_session(session=session, pairing_ids=[p.id or 0 for p in group], when=when)
        for pairing in group:
            _queue_reminders(services, session, pairing, when=when, now=now)
        text = views.next_session_text(when=when, set_by=user_id)
        draft = Draft(
            key=key, kind=MessageKind.NEXT_SESSION, channel=channel, text=text, blocks=[], pairing_id=anchor_id
        )
        enqueue(session=session, draft=draft, now=now)
    return NextSet(when, [key])


def _queue_reminders(services: Services, session: Session, pairing: Pairing, *, when: date, now: datetime) -> None:
    assert pairing.id is not None
    folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    both = [keys.reminder(pairing.id, when, user_id) for user_id in (pairing.mentor_id, pairing.mentee_id)]
    # The date moved: reminders for the old one go.
    cancel_pending(session=session, kind=MessageKind.REMINDER, pairing_id=pairing.id, keep=both)
    mentee = folks.get(pairing.mentee_id)
    starter = starters_for(services.content, mentee.learn_topics if mentee else [], count=1, seed=both[0])
    for key, (user_id, other_id) in zip(
        both, ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)), strict=True
    ):
        person, other = folks.get(user_id), folks.get(other_id)
        if person is None or other is None:
            continue
        due = reminder_due_at(when, person.tz)
        if due < now:
            due = next_send_window(now, person.tz)
        if local_date(due, person.tz) >= when:
            continue  # too late for a day-before reminder
        text = momentum_views.reminder(other_name=other.name, when=when, starter=starter[0] if starter else "")
        draft = Draft(
            key=key,
            kind=MessageKind.REMINDER,
            users=[user_id],
            text=text,
            blocks=[],
            pairing_id=pairing.id,
            not_before=due,
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
