"""Queries on booked sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.scheduling import BookingStatus, Slot, cancelled_in_a_row
from bot.domain.timezones import aware_utc
from storage.models import Booking, MentoringSession, Pairing


def pending_for(
    *,
    session: Session,
    group: Sequence[Pairing],
    mentee_ids: Sequence[str] | None = None,
    now: datetime | None = None,
    lock: bool = False,
) -> list[Booking]:
    """Bookings still to come for a group (any of its pairings), optionally only those for these mentees. With
    `now`, only those not over yet: a session that has happened is history (or a question), never "moved".
    `lock` takes row locks, so two bookings made at the same moment can't both see "nothing pending"."""
    ids = [p.id for p in group if p.id is not None]
    if not ids:
        return []
    if lock:
        session.exec(select(Pairing.id).where(col(Pairing.id).in_(ids)).with_for_update()).all()
    query = select(Booking).where(col(Booking.pairing_id).in_(ids), col(Booking.status) == BookingStatus.BOOKED)
    found = list(session.exec(query.order_by(col(Booking.starts_at))))
    if now is not None:
        found = [b for b in found if b.starts_at + timedelta(minutes=b.minutes) > now]
    if mentee_ids is None:
        return found
    wanted = set(mentee_ids)
    return [b for b in found if wanted & set(b.mentee_ids)]


def pending_by_pairing(*, session: Session, pairings: Sequence[Pairing]) -> dict[int, Booking]:
    """For each pairing, the earliest booking still to come that includes its mentee (one query for a batch).

    A booking hangs off the pairing it was made from; in a mentor's group (one round, one mentor) it covers
    the mentees it names.
    """
    mentors = {p.mentor_id for p in pairings}
    if not mentors:
        return {}
    rows = session.exec(
        select(Booking, Pairing)
        .join(Pairing, col(Pairing.id) == col(Booking.pairing_id))
        .where(col(Booking.status) == BookingStatus.BOOKED, col(Pairing.mentor_id).in_(mentors))
        .order_by(col(Booking.starts_at))
    )
    found: dict[int, Booking] = {}
    by_group: dict[tuple[int, str], list[Booking]] = {}
    for booking, anchor in rows:
        by_group.setdefault((anchor.round_id, anchor.mentor_id), []).append(booking)
    for pairing in pairings:
        for booking in by_group.get((pairing.round_id, pairing.mentor_id), []):
            if pairing.mentee_id in booking.mentee_ids and pairing.id is not None:
                found.setdefault(pairing.id, booking)
    return found


def add_booking(
    *,
    session: Session,
    pairing_id: int,
    mentee_ids: Sequence[str],
    slot: Slot,
    tz: str,
    by: str,
    now: datetime,
) -> Booking:
    booking = Booking(
        pairing_id=pairing_id,
        mentee_ids=list(mentee_ids),
        starts_at=slot.start,
        minutes=slot.minutes,
        place=slot.place,
        tz=tz,
        booked_by=by,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    return booking


def move_booking(*, session: Session, booking: Booking, slot: Slot, tz: str, by: str, now: datetime) -> Booking:
    booking.starts_at, booking.minutes, booking.place = slot.start, slot.minutes, slot.place
    booking.tz, booking.booked_by = tz, by
    booking.sequence += 1
    booking.updated_at = now
    session.add(booking)
    return booking


def settle_booking(*, session: Session, booking: Booking, status: BookingStatus, by: str, now: datetime) -> bool:
    """Mark a booking held, cancelled or missed; False (nothing changed) when it was settled already."""
    session.refresh(booking, with_for_update=True)
    if booking.status is not BookingStatus.BOOKED:
        return False
    booking.status, booking.settled_by, booking.updated_at = status, by, now
    if status is not BookingStatus.HELD:
        booking.sequence += 1  # the cancellation is a new version of the calendar entry
    session.add(booking)
    return True


def cancellations_in_a_row(*, session: Session, group: Sequence[Pairing], mentee_id: str) -> int:
    """How many of this mentee's latest bookings in the group were called off, back to the last that happened."""
    ids = [p.id for p in group if p.id is not None]
    # A session logged since ends the streak, booked or not (when it was logged: the order of events).
    own = [p.id for p in group if p.mentee_id == mentee_id and p.id is not None]
    met = max(_last_logged(session, own).values(), default=None)
    rows = session.exec(
        select(Booking).where(col(Booking.pairing_id).in_(ids)).order_by(col(Booking.updated_at).desc()).limit(20)
    )
    return cancelled_in_a_row(
        [b.status for b in rows if mentee_id in b.mentee_ids and (met is None or b.updated_at > met)]
    )


def held_by_log(
    *, session: Session, group: Sequence[Pairing], mentee_ids: Sequence[str], held_on: date, by: str, now: datetime
) -> list[Booking]:
    """A session logged by hand that was booked: the booking is settled as held (so nobody is asked "did it
    happen?" about a session they already logged). Matches a booking that has started, within a day of `held_on`
    (the logger's local date may differ from the booker's)."""
    settled = []
    for booking in pending_for(session=session, group=group, mentee_ids=mentee_ids):
        near = booking.starts_at <= now + timedelta(hours=1) and abs((booking.starts_at.date() - held_on).days) <= 1
        if near and settle_booking(session=session, booking=booking, status=BookingStatus.HELD, by=by, now=now):
            settled.append(booking)
    return settled


def _last_logged(session: Session, pairing_ids: Sequence[int]) -> dict[int, datetime]:
    """When each pairing's latest session was logged."""
    if not pairing_ids:
        return {}
    rows = session.exec(
        select(MentoringSession.pairing_id, func.max(MentoringSession.logged_at))
        .where(col(MentoringSession.pairing_id).in_(list(pairing_ids)))
        .group_by(col(MentoringSession.pairing_id))
    )
    return {pairing_id: aware_utc(at, "logged_at") for pairing_id, at in rows if at is not None}
