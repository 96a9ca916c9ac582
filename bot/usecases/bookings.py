"""Booking a pair's next session: book, move, cancel, and "did it happen?", each with its calendar invite.

A booking lives in the pair's conversation: the confirmation is posted there with Move and Cancel buttons, the
invite file is attached under it, and a move or a cancellation edits that post in place, so the conversation
never shows two live bookings. Everything goes out through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from bot.blocks import scheduling as views
from bot.blocks.scheduling import Attendee
from bot.domain.content import starters_for
from bot.domain.invites import Invite, ics
from bot.domain.momentum import common_window
from bot.domain.outbox import MessageKind, keys
from bot.domain.scheduling import (
    DEFAULT_LENGTH,
    BookingStatus,
    Slot,
    clean_place,
    day_before_reminder,
    parse_request,
    shortly_before_reminder,
    slot_errors,
)
from bot.domain.timezones import local_instant, to_local
from bot.usecases.errors import (
    BookingRefused,
    BookingSettled,
    NoActiveMatch,
    NobodyAttended,
    PairEnded,
    SeveralPairs,
)
from bot.usecases.groups import conversation_of, group_for
from bot.usecases.services import Services
from bot.usecases.sessions import record_in
from storage.bookings import add_booking, cancellations_in_a_row, move_booking, pending_for, settle_booking
from storage.db import session_scope
from storage.models import Booking, Pairing, Participant
from storage.momentum import answer_prompts, check_soon
from storage.outbox import (
    Attachment,
    Draft,
    cancel_pending,
    cancel_pending_prefixed,
    enqueue,
    replace,
    revise,
    rewrite_unsent,
)
from storage.pairings import active_pairings, group_of
from storage.participants import participants_by_id

# Invites name the workspace's app, so a calendar shows where the entry came from.
UID_DOMAIN = "turnabout.app"


@dataclass(frozen=True)
class ScheduleForm:
    """What the booking modal needs: the pair, whom it may be for, and the booking it would move."""

    anchor: int
    tz: str
    mentees: list[Attendee]
    current: Slot | None
    booking_id: int | None
    suggested_day: date | None = None
    selected: list[str] = field(default_factory=list)  # whom it is for, ticked to begin with (groups)


@dataclass(frozen=True)
class Booked:
    booking_id: int
    moved: bool
    start: datetime
    tz: str
    keys: list[str]


def _zone(folks: dict[str, Participant], user_id: str) -> str:
    person = folks.get(user_id)
    return person.tz if person else "UTC"


def schedule_form(
    services: Services,
    *,
    user_id: str,
    anchor_id: int,
    booking_id: int | None = None,
    suggested_day: date | None = None,
) -> ScheduleForm:
    """The form to book (or move) a session for the clicker's pair; a pending booking is moved, never doubled."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    with session_scope(services.engine) as session:
        folks = participants_by_id(session=session, user_ids=[group[0].mentor_id, *(p.mentee_id for p in group)])
        mine = _mine(group, user_id)
        pending = pending_for(
            session=session, group=group, mentee_ids=[p.mentee_id for p in mine], now=services.clock()
        )
        booking = _booking_in(session, group, booking_id) if booking_id is not None else None
        current = booking or (pending[0] if pending else None)
    mentees = [
        Attendee(p.mentee_id, folks[p.mentee_id].name, folks[p.mentee_id].tz) for p in group if p.mentee_id in folks
    ]
    return ScheduleForm(
        anchor=anchor_id,
        tz=_zone(folks, user_id),
        mentees=mentees if user_id == group[0].mentor_id else [],
        selected=list(current.mentee_ids) if current else [m.user_id for m in mentees],
        current=Slot(current.starts_at, current.minutes, current.place) if current else None,
        booking_id=current.id if current else None,
        suggested_day=suggested_day,
    )


def move_form(services: Services, *, user_id: str, booking_id: int) -> ScheduleForm:
    """The form to move a booking, from its Move button; `BookingSettled` once it was cancelled or answered."""
    booking, _ = _group_of_booking(services, booking_id, user_id)
    if booking.status is not BookingStatus.BOOKED:
        raise BookingSettled
    return schedule_form(services, user_id=user_id, anchor_id=booking.pairing_id, booking_id=booking_id)


def book_from_command(services: Services, *, user_id: str, text: str) -> Booked:
    """`/mentoring schedule <date> <time> [place]`, for someone with one pair (or group)."""
    now = services.clock()
    anchor, tz = _only_pair(services, user_id)
    request = parse_request(text, today=to_local(now, tz).date())
    if request.errors:
        raise BookingRefused(request.errors)
    return book(
        services,
        user_id=user_id,
        anchor_id=anchor,
        day=request.day,
        at=request.at,
        minutes=None,
        place=request.place or None,
    )


def command_form(services: Services, *, user_id: str) -> ScheduleForm:
    """`/mentoring schedule` with nothing after it: the form for the person's one pair."""
    anchor, _ = _only_pair(services, user_id)
    return schedule_form(services, user_id=user_id, anchor_id=anchor)


def _only_pair(services: Services, user_id: str) -> tuple[int, str]:
    """The pairing a command acts on, and the person's zone; a command can't say which of several pairs."""
    with session_scope(services.engine) as session:
        mine = active_pairings(session=session, user_id=user_id)
        person = participants_by_id(session=session, user_ids=[user_id]).get(user_id)
    if not mine:
        raise NoActiveMatch
    if len({(p.round_id, p.mentor_id) for p in mine}) > 1:
        raise SeveralPairs
    return mine[0].id or 0, person.tz if person else "UTC"


@dataclass(frozen=True)
class Where:
    """A booking's messages all go to the pair's conversation (or, before it is known, to its people)."""

    channel: str | None
    users: list[str]
    pairing_id: int

    def draft(
        self,
        *,
        key: str,
        kind: MessageKind,
        text: str,
        blocks: list[dict[str, Any]],
        not_before: datetime | None = None,
        file: Attachment | None = None,
    ) -> Draft:
        return Draft(
            key=key,
            kind=kind,
            text=text,
            blocks=blocks,
            channel=self.channel,
            users=self.users,
            pairing_id=self.pairing_id,
            not_before=not_before,
            file=file,
        )


def _may_move(booking: Booking, user_id: str, group: list[Pairing]) -> bool:
    """The mentor, or someone the booking is for: a mentee can't move a groupmate's session."""
    return user_id == group[0].mentor_id or user_id in booking.mentee_ids


def _mine(group: list[Pairing], user_id: str) -> list[Pairing]:
    """The pairings of a group this person is part of: all of them for the mentor, their own for a mentee."""
    return [p for p in group if user_id in (p.mentor_id, p.mentee_id)]


def _booking_in(session: Session, group: list[Pairing], booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None or booking.pairing_id not in {p.id for p in group}:
        raise PairEnded  # a button from another pair's booking, or a forged one
    return booking


def _group_of_booking(services: Services, booking_id: int, user_id: str) -> tuple[Booking, list[Pairing]]:
    with session_scope(services.engine) as session:
        booking = session.get(Booking, booking_id)
        anchor = session.get(Pairing, booking.pairing_id) if booking else None
        group = group_of(session=session, pairing=anchor) if anchor else []
    if booking is None or not group:
        raise PairEnded
    members = {group[0].mentor_id, *booking.mentee_ids}
    if user_id not in members:
        raise PairEnded
    return booking, group


def book(
    services: Services,
    *,
    user_id: str,
    anchor_id: int,
    day: date | None,
    at: time | None,
    minutes: int | None,
    place: str | None,
    mentee_ids: list[str] | None = None,
    booking_id: int | None = None,
) -> Booked:
    """Book the pair's next session, or move the one already booked (one booking, a new invite version).

    Raises `BookingRefused` with a reason per field, `PairEnded` for someone outside the pair.
    """
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    now = services.clock()
    keep_place = place is None  # the command said no place: a move keeps the one it had
    place, place_error = clean_place(place)
    with session_scope(services.engine) as session:
        folks = participants_by_id(session=session, user_ids=[group[0].mentor_id, *(p.mentee_id for p in group)])
        tz = _zone(folks, user_id)
        errors = slot_errors(day, at, minutes=minutes or DEFAULT_LENGTH, tz=tz, now=now)
        if place_error:
            errors["place"] = place_error
        allowed = [p.mentee_id for p in _mine(group, user_id)]
        chosen = [m for m in allowed if m in mentee_ids] if mentee_ids is not None else None
        # Locked: the same booking submitted twice at once (a double click, a replay) must find the first one.
        pending = pending_for(session=session, group=group, mentee_ids=chosen or allowed, now=now, lock=True)
        existing = _booking_in(session, group, booking_id) if booking_id is not None else None
        if existing is not None and (
            existing.status is not BookingStatus.BOOKED
            or existing not in pending
            or not _may_move(existing, user_id, group)
        ):
            existing = None  # cancelled or over meanwhile, or not theirs to move: book afresh
        if existing is None:
            existing = pending[0] if pending else None
        # Unless the form said whom it is for, a move keeps its people and a new booking is for all of mine.
        for_whom = chosen if chosen is not None else (list(existing.mentee_ids) if existing else allowed)
        if not for_whom:
            errors["who"] = "Choose who the session is for."
        if errors:
            raise BookingRefused(errors)
        assert day is not None and at is not None
        if keep_place and existing is not None:
            place = existing.place
        if minutes is None:  # the command gives no length: a move keeps its own
            minutes = existing.minutes if existing is not None else DEFAULT_LENGTH
        slot = Slot(start=local_instant(day, at, tz), minutes=minutes, place=place)
        if (
            existing is not None
            and (existing.starts_at, existing.minutes, existing.place) == (slot.start, slot.minutes, slot.place)
            and sorted(existing.mentee_ids) == sorted(for_whom)
        ):
            # The same booking submitted again (a double click, or "move" to where it already is).
            return Booked(existing.id or 0, False, slot.start, tz, [])
        moved = existing is not None
        if existing is not None:
            previous_key = keys.booking(existing.id or 0, existing.sequence)
            booking = move_booking(session=session, booking=existing, slot=slot, tz=tz, by=user_id, now=now)
            booking.mentee_ids = for_whom
        else:
            anchor = next(p for p in group if p.mentee_id == for_whom[0])
            booking = add_booking(
                session=session,
                pairing_id=anchor.id or 0,
                mentee_ids=for_whom,
                slot=slot,
                tz=tz,
                by=user_id,
                now=now,
            )
            previous_key = None
        answer_prompts(session=session, user_id=user_id, now=now)
        check_soon(session=session, pairing_ids=[p.id for p in group if p.id is not None], now=now)
        queued = _queue_booking(services, session, booking, group, folks, now=now, previous_key=previous_key)
        return Booked(booking.id or 0, moved, slot.start, tz, queued)


def _attendees(booking: Booking, group: list[Pairing], folks: dict[str, Participant]) -> list[Attendee]:
    ids = [group[0].mentor_id, *booking.mentee_ids]
    return [Attendee(u, folks[u].name, folks[u].tz) for u in ids if u in folks]


def _where(booking: Booking, group: list[Pairing]) -> tuple[str | None, list[str]]:
    """The conversation of the pairings this booking is for."""
    return conversation_of([p for p in group if p.mentee_id in booking.mentee_ids] or group)


def _invite(booking: Booking, attendees: list[Attendee], services: Services) -> Invite:
    names = " & ".join(a.name for a in attendees)
    starter = "Reverse mentoring: bring one real piece of work to look at together, and one question each."
    return Invite(
        uid=f"booking-{booking.id}@{UID_DOMAIN}",
        sequence=booking.sequence,
        slot=Slot(booking.starts_at, booking.minutes, booking.place),
        title=f"Reverse mentoring: {names}",
        description=starter,
    )


def _queue_booking(
    services: Services,
    session: Session,
    booking: Booking,
    group: list[Pairing],
    folks: dict[str, Participant],
    *,
    now: datetime,
    previous_key: str | None,
) -> list[str]:
    assert booking.id is not None
    attendees = _attendees(booking, group, folks)
    invite = _invite(booking, attendees, services)
    channel, users = _where(booking, group)
    moved = previous_key is not None
    # The post, and what it says instead should Slack refuse the invite file for good.
    (text, blocks), (failed_text, failed_blocks) = (
        views.booking_confirmation(
            booking_id=booking.id,
            invite=invite,
            booked_by=booking.booked_by,
            attendees=attendees,
            moved=moved,
            invite_failed=failed,
            in_group=len(group) > 1,
        )
        for failed in (False, True)
    )
    confirmation = keys.booking(booking.id, booking.sequence)
    invite_key = keys.invite(booking.id, booking.sequence)
    cancel_pending_prefixed(session=session, prefix=keys.invites_of(booking.id))
    where = Where(channel, users, booking.pairing_id)
    queued = [confirmation, invite_key]
    if previous_key is not None:
        # The old post loses its buttons and points to the new one: one live booking in the conversation.
        old_text, old_blocks = views.booking_moved_away(start=booking.starts_at, tz=booking.tz)
        replace(
            session=session,
            draft=where.draft(key=previous_key, kind=MessageKind.BOOKING, text=old_text, blocks=old_blocks),
            now=now,
        )
        queued.insert(0, previous_key)
    enqueue(
        session=session,
        draft=where.draft(key=confirmation, kind=MessageKind.BOOKING, text=text, blocks=blocks),
        now=now,
    )
    attachment = Attachment(
        name="reverse-mentoring.ics",
        title=invite.title,
        body=ics(invite, now=now).decode(),
        thread_key=confirmation,
        on_refusal_text=failed_text,
        on_refusal_blocks=failed_blocks,
    )
    enqueue(
        session=session,
        draft=where.draft(
            key=invite_key,
            kind=MessageKind.INVITE,
            text=views.invite_comment(moved=moved, cancelled=False),
            blocks=[],
            file=attachment,
        ),
        now=now,
    )
    _queue_reminders(services, session, booking, attendees, where, now=now)
    return queued


def _queue_reminders(
    services: Services,
    session: Session,
    booking: Booking,
    attendees: list[Attendee],
    where: Where,
    *,
    now: datetime,
) -> None:
    """The working day before, shortly before, and "did it happen?" once it is over; earlier versions go."""
    assert booking.id is not None
    # A post in a pair's conversation goes out in working hours shared by the pair it hangs off (that is what
    # delivery waits for), so each reminder is timed that way here, and dropped if that is not before the start.
    anchor = session.get(Pairing, booking.pairing_id)
    pair = {anchor.mentor_id, anchor.mentee_id} if anchor is not None else set()
    zones = [a.tz for a in attendees if a.user_id in pair] or [a.tz for a in attendees]
    day_before = common_window(max(max(day_before_reminder(booking.starts_at, tz) for tz in zones), now), zones)
    soon_options = [shortly_before_reminder(booking.starts_at, tz) for tz in zones]
    soon_wanted = max((s for s in soon_options if s is not None), default=None)
    soon = common_window(max(soon_wanted, now), zones) if soon_wanted is not None else None
    if soon is not None and soon >= booking.starts_at:
        soon = None
    end = Slot(booking.starts_at, booking.minutes).end
    texts = _reminder_texts(services, session, booking, attendees)
    wanted: list[Draft] = []
    if day_before < booking.starts_at and all(
        to_local(day_before, tz).date() < to_local(booking.starts_at, tz).date() for tz in zones
    ):
        key = keys.booking_reminder(booking.id, booking.sequence, "day-before")
        text, blocks = texts[key]
        wanted.append(where.draft(key=key, kind=MessageKind.REMINDER, text=text, blocks=blocks, not_before=day_before))
    if soon is not None and soon > now:
        key = keys.booking_reminder(booking.id, booking.sequence, "soon")
        text, blocks = texts[key]
        wanted.append(where.draft(key=key, kind=MessageKind.REMINDER, text=text, blocks=blocks, not_before=soon))
    key = keys.happened(booking.id, booking.sequence)
    text, blocks = texts[key]
    wanted.append(
        where.draft(key=key, kind=MessageKind.HAPPENED, text=text, blocks=blocks, not_before=common_window(end, zones))
    )
    _drop_booking_messages(session, booking, keep=[d.key for d in wanted], invites=False)
    for draft in wanted:
        enqueue(session=session, draft=draft, now=now)


def _topics_of(session: Session, user_id: str) -> list[str]:
    person = participants_by_id(session=session, user_ids=[user_id]).get(user_id)
    return list(person.learn_topics) if person else []


def _drop_booking_messages(session: Session, booking: Booking, keep: list[str], *, invites: bool = True) -> None:
    """Reminders, "did it happen?" and (unless `invites` is False) calendar files of earlier versions of this
    booking (or all of them) go unsent: a file held back by a Slack error must not land after a newer one."""
    for kind in (MessageKind.REMINDER, MessageKind.HAPPENED):
        cancel_pending(session=session, kind=kind, pairing_id=booking.pairing_id, keep=keep)
    if invites and booking.id is not None:
        cancel_pending_prefixed(session=session, prefix=keys.invites_of(booking.id), keep=keep)


@dataclass(frozen=True)
class Settled:
    keys: list[str]
    cancelled_in_a_row: int


def cancel(services: Services, *, user_id: str, booking_id: int) -> Settled:
    """Call off a booked session: the post says so (with a button to book again), the calendar entry is
    cancelled, reminders go. A second click finds it settled and changes nothing."""
    booking, group = _group_of_booking(services, booking_id, user_id)
    now = services.clock()
    with session_scope(services.engine) as session:
        booking = session.get_one(Booking, booking_id)
        version = booking.sequence
        if not settle_booking(session=session, booking=booking, status=BookingStatus.CANCELLED, by=user_id, now=now):
            raise BookingSettled
        folks = participants_by_id(session=session, user_ids=[group[0].mentor_id, *booking.mentee_ids])
        attendees = _attendees(booking, group, folks)
        channel, users = _where(booking, group)
        where = Where(channel, users, booking.pairing_id)
        _drop_booking_messages(session, booking, keep=[])
        confirmation = keys.booking(booking_id, version)
        text, blocks = views.booking_cancelled(
            booking_id=booking_id,
            cancelled_by=user_id,
            start=booking.starts_at,
            tz=_zone(folks, user_id),
            anchor=booking.pairing_id,
        )
        replace(
            session=session,
            draft=where.draft(key=confirmation, kind=MessageKind.BOOKING, text=text, blocks=blocks),
            now=now,
        )
        invite = _invite(booking, attendees, services)
        cancel_key = keys.invite(booking_id, booking.sequence)
        enqueue(
            session=session,
            draft=where.draft(
                key=cancel_key,
                kind=MessageKind.INVITE,
                text=views.invite_comment(moved=False, cancelled=True),
                blocks=[],
                file=Attachment(
                    name="reverse-mentoring-cancelled.ics",
                    title=f"Cancelled: {invite.title}",
                    body=ics(invite, now=now, cancelled=True).decode(),
                    thread_key=confirmation,
                ),
            ),
            now=now,
        )
        queued = [confirmation, cancel_key]
        answer_prompts(session=session, user_id=user_id, now=now)
        queued += _after_call_off(session, booking, group, now=now)
        in_a_row = max(cancellations_in_a_row(session=session, group=group, mentee_id=m) for m in booking.mentee_ids)
        return Settled(queued, in_a_row)


def _after_call_off(session: Session, booking: Booking, group: list[Pairing], *, now: datetime) -> list[str]:
    """A second cancellation in a row gets a kind, specific note in the pair's conversation (once)."""
    check_soon(session=session, pairing_ids=[p.id for p in group if p.id is not None], now=now)
    queued = []
    for mentee_id in booking.mentee_ids:
        if cancellations_in_a_row(session=session, group=group, mentee_id=mentee_id) < 2:
            continue
        pairing = next((p for p in group if p.mentee_id == mentee_id), None)
        if pairing is None or pairing.id is None:
            continue
        text, blocks = views.cancelled_twice(mentor_id=pairing.mentor_id, mentee_id=mentee_id, anchor=pairing.id)
        key = keys.cancelled_twice(pairing.id, booking.id or 0)
        channel, users = conversation_of([pairing])
        draft = Draft(
            key=key,
            kind=MessageKind.NUDGE,
            text=text,
            blocks=blocks,
            channel=channel,
            users=users,
            pairing_id=pairing.id,
        )
        if enqueue(session=session, draft=draft, now=now):
            queued.append(key)
    return queued


def who_could_attend(services: Services, *, user_id: str, booking_id: int) -> list[tuple[str, str]]:
    """(user id, name) of the mentees a group booking was for, when its mentor must say who came; else empty."""
    booking, group = _group_of_booking(services, booking_id, user_id)
    if user_id != group[0].mentor_id or len(booking.mentee_ids) < 2:
        return []
    with session_scope(services.engine) as session:
        folks = participants_by_id(session=session, user_ids=booking.mentee_ids)
    return [(m, folks[m].name) for m in booking.mentee_ids if m in folks]


def answer_happened(
    services: Services, *, user_id: str, booking_id: int, held: bool, attended: list[str] | None = None
) -> Settled:
    """The answer to "did it happen?": yes logs the session (check-ins follow), no counts as called off and
    offers a new time. The first answer counts; the question is edited in place so nobody answers twice."""
    booking, group = _group_of_booking(services, booking_id, user_id)
    now = services.clock()
    with session_scope(services.engine) as session:
        booking = session.get_one(Booking, booking_id)
        status = BookingStatus.HELD if held else BookingStatus.MISSED
        if booking.starts_at > now:
            raise BookingRefused({"date": "That session hasn't started yet."})
        if booking.status is BookingStatus.BOOKED and user_id != group[0].mentor_id and len(booking.mentee_ids) > 1:
            # One mentee of a group answers for themselves only; the mentor says who came, for everyone.
            if held:
                _log_booked(services, session, booking, [p for p in group if p.mentee_id == user_id], user_id, now)
            else:
                answer_prompts(session=session, user_id=user_id, now=now)
            return Settled([], 0)
        version = booking.sequence
        if not settle_booking(session=session, booking=booking, status=status, by=user_id, now=now):
            raise BookingSettled
        folks = participants_by_id(session=session, user_ids=[group[0].mentor_id, *booking.mentee_ids])
        channel, users = _where(booking, group)
        where = Where(channel, users, booking.pairing_id)
        question = keys.happened(booking_id, version)
        text, blocks = views.happened_answer(
            answered_by=user_id, held=held, start=booking.starts_at, tz=_zone(folks, user_id), anchor=booking.pairing_id
        )
        replace(
            session=session,
            draft=where.draft(key=question, kind=MessageKind.HAPPENED, text=text, blocks=blocks),
            now=now,
        )
        queued = [question]
        if held:
            came = booking.mentee_ids if attended is None else [m for m in booking.mentee_ids if m in attended]
            if not came:
                raise NobodyAttended
            _log_booked(services, session, booking, [p for p in group if p.mentee_id in came], user_id, now)
            check_soon(session=session, pairing_ids=[p.id for p in group if p.id is not None], now=now)
            return Settled(queued, 0)
        answer_prompts(session=session, user_id=user_id, now=now)
        queued += _after_call_off(session, booking, group, now=now)
        in_a_row = max(cancellations_in_a_row(session=session, group=group, mentee_id=m) for m in booking.mentee_ids)
        return Settled(queued, in_a_row)


def _log_booked(
    services: Services, session: Session, booking: Booking, pairings: list[Pairing], user_id: str, now: datetime
) -> None:
    """A booked session that happened, logged for these pairings at the time it was booked for."""
    held_on = to_local(booking.starts_at, booking.tz).date()
    record_in(
        services, session, user_id=user_id, pairings=pairings, held_on=held_on, held_at=booking.starts_at, now=now
    )


def _reminder_texts(
    services: Services, session: Session, booking: Booking, attendees: list[Attendee]
) -> dict[str, views.Rendered]:
    """What a booking's reminders and "did it happen?" say, by outbox key, for these attendees."""
    assert booking.id is not None
    topics = _topics_of(session, booking.mentee_ids[0]) if booking.mentee_ids else []
    starter = starters_for(services.content, topics, count=1, seed=f"booking-{booking.id}")
    return {
        keys.booking_reminder(booking.id, booking.sequence, "day-before"): views.reminder_day_before(
            booking_id=booking.id,
            start=booking.starts_at,
            minutes=booking.minutes,
            place=booking.place,
            attendees=attendees,
            starter=starter[0] if starter else "",
        ),
        keys.booking_reminder(booking.id, booking.sequence, "soon"): views.reminder_soon(
            booking_id=booking.id, start=booking.starts_at, place=booking.place, attendees=attendees
        ),
        keys.happened(booking.id, booking.sequence): views.did_it_happen(
            booking_id=booking.id, start=booking.starts_at, tz=booking.tz, attendees=attendees
        ),
    }


def _rewrite_queued(services: Services, session: Session, booking: Booking, group: list[Pairing]) -> None:
    """A group booking that lost someone: what it has queued (reminders, "did it happen?") is rewritten for who is
    left, naming only them, and filed under the pair it now hangs off; when each goes out stays as it was."""
    folks = participants_by_id(session=session, user_ids=[group[0].mentor_id, *booking.mentee_ids])
    texts = _reminder_texts(services, session, booking, _attendees(booking, group, folks))
    for key, (text, blocks) in texts.items():
        rewrite_unsent(session=session, key=key, text=text, blocks=blocks, pairing_id=booking.pairing_id)


def call_off_for_ended_pair(
    services: Services, session: Session, pairing: Pairing, group: list[Pairing], *, gone: str | None, now: datetime
) -> list[str]:
    """A pair ends (a lead, a rematch, someone leaving): its booked sessions are called off. The post loses its
    buttons, and whoever is still in the program gets the calendar cancellation, privately: someone who left is
    not written to again. A group booking just loses this mentee. `group`: the group as it was before ending."""
    queued: list[str] = []
    for booking in pending_for(session=session, group=group, mentee_ids=[pairing.mentee_id]):
        assert booking.id is not None
        if booking.mentee_ids != [pairing.mentee_id]:
            booking.mentee_ids = [m for m in booking.mentee_ids if m != pairing.mentee_id]
            remaining = [p for p in group if p.id != pairing.id]
            if booking.pairing_id == pairing.id:
                # It was filed under the pair that ended: it moves to one that goes on, with what it queued.
                booking.pairing_id = next(p.id for p in remaining if p.mentee_id in booking.mentee_ids) or 0
            session.add(booking)
            session.flush()
            _rewrite_queued(services, session, booking, remaining)
            continue
        version = booking.sequence
        if not settle_booking(
            session=session, booking=booking, status=BookingStatus.CANCELLED, by=gone or "pair-ended", now=now
        ):
            continue
        _drop_booking_messages(session, booking, keep=[])
        text, blocks = views.booking_pair_ended(start=booking.starts_at, tz=booking.tz)
        post = keys.booking(booking.id, version)
        if revise(session=session, key=post, text=text, blocks=blocks, now=now):
            queued.append(post)
            # The edit is no longer the pair's (it has ended): deleting someone's data must not take it with it.
            rewrite_unsent(session=session, key=post, pairing_id=None)
        staying = [u for u in (pairing.mentor_id, pairing.mentee_id) if u != gone]
        folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
        invite = _invite(booking, [Attendee(u, folks[u].name, folks[u].tz) for u in staying if u in folks], services)
        for user_id in staying:
            key = keys.invite_withdrawn(booking.id, user_id)
            draft = Draft(
                key=key,
                kind=MessageKind.INVITE,
                text=views.invite_comment(moved=False, cancelled=True),
                blocks=[],
                users=[user_id],
                file=Attachment(
                    name="reverse-mentoring-cancelled.ics",
                    title=f"Cancelled: {invite.title}",
                    body=ics(invite, now=now, cancelled=True).decode(),
                ),
            )
            if enqueue(session=session, draft=draft, now=now):
                queued.append(key)
    return queued
