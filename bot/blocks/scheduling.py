"""Booking a session: the modal, the confirmation in the pair's conversation (with calendar links and buttons to
move or cancel), the reminders, "did it happen?", and what a cancellation looks like.

Messages in a pair's conversation are read by both partners, who may live in different time zones: the moment
is written with Slack's date token, which every reader sees in their own zone, and each person's local time is
spelled out underneath.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.domain.inputs import whole_number
from bot.domain.invites import Invite, google_link, outlook_link
from bot.domain.scheduling import (
    DEFAULT_LENGTH,
    LENGTHS,
    PLACE_MAX,
    Slot,
    is_link,
    local_phrase,
    parse_clock,
    zone_label,
)
from bot.domain.timezones import to_local

Rendered = tuple[str, list[dict[str, Any]]]


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


@dataclass(frozen=True)
class Attendee:
    """Someone a booking is for, with the zone their local time is shown in."""

    user_id: str
    name: str
    tz: str


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def when_token(start: datetime, tz: str) -> str:
    """The moment as Slack renders it for each reader ("Monday, March 15th at 10:00 AM" in their zone), with a
    fallback in `tz` for clients that can't."""
    return (
        f"<!date^{int(start.timestamp())}^{{date_long_pretty}} at {{time}}|{local_phrase(start, tz)} {zone_label(tz)}>"
    )


def local_times(start: datetime, people: Sequence[Attendee]) -> str:
    """ "Priya: Monday 15 March at 10:00 London time · Tom: ... at 11:00 Berlin time"; one line for everyone
    when they share a zone."""
    zones = {p.tz for p in people}
    if len(zones) == 1:
        tz = next(iter(zones))
        return f"{local_phrase(start, tz)}, {zone_label(tz)}"
    return " · ".join(f"{p.name}: {local_phrase(start, p.tz)} {zone_label(p.tz)}" for p in people)


def schedule_modal(
    *,
    anchor: int,
    tz: str,
    mentees: Sequence[Attendee] = (),
    selected: Sequence[str] = (),
    current: Slot | None = None,
    booking_id: int | None = None,
    suggested_day: date | None = None,
) -> View:
    """The booking form. `mentees`: in a group, whom the session is for (all ticked to begin with);
    `current`: the booking being moved, whose values start filled in."""
    start = to_local(current.start, tz) if current else None
    initial_day = start.date() if start else suggested_day
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.B_SCHED_DATE,
            label="Date",
            element=DatePickerElement(
                action_id=ids.A_VALUE, initial_date=initial_day.isoformat() if initial_day else None
            ),
        ),
        InputBlock(
            block_id=ids.B_SCHED_TIME,
            label="Time",
            hint=f"In your time zone ({zone_label(tz)}); your partner sees it in theirs.",
            element=TimePickerElement(
                action_id=ids.A_VALUE, initial_time=f"{start:%H:%M}" if start else "10:00", timezone=tz
            ),
        ),
        InputBlock(
            block_id=ids.B_SCHED_LENGTH,
            label="Length",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                options=[Option(value=str(m), text=f"{m} minutes") for m in LENGTHS],
                initial_option=Option(
                    value=str(current.minutes if current else DEFAULT_LENGTH),
                    text=f"{current.minutes if current else DEFAULT_LENGTH} minutes",
                ),
            ),
        ),
        InputBlock(
            block_id=ids.B_SCHED_PLACE,
            label="Place or video link",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.A_VALUE,
                initial_value=current.place if current and current.place else None,
                max_length=PLACE_MAX,
                placeholder="A room, or https://…",
            ),
        ),
    ]
    if len(mentees) > 1:
        options = [Option(value=m.user_id, text=m.name) for m in mentees]
        blocks.append(
            InputBlock(
                block_id=ids.B_SCHED_WHO,
                label="Who is it for?",
                element=CheckboxesElement(
                    action_id=ids.A_VALUE,
                    options=options,
                    initial_options=[o for o in options if o.value in selected] or options,
                ),
            )
        )
    return View(
        type="modal",
        callback_id=ids.SCHEDULE_VIEW,
        private_metadata=json.dumps({"anchor": anchor, "booking": booking_id}),
        title="Move our session" if booking_id else "Schedule a session",
        submit="Move it" if booking_id else "Book it",
        close="Cancel",
        blocks=blocks,
    )


def _calendar_buttons(invite: Invite, booking_id: int) -> ActionsBlock:
    return ActionsBlock(
        block_id=f"booking:{booking_id}",
        elements=[
            ButtonElement(text="Add to Google Calendar", action_id=ids.A_BOOKING_GOOGLE, url=google_link(invite)),
            ButtonElement(text="Add to Outlook", action_id=ids.A_BOOKING_OUTLOOK, url=outlook_link(invite)),
            ButtonElement(text="Move", action_id=ids.A_BOOKING_MOVE, value=str(booking_id)),
            _cancel_button(booking_id),
        ],
    )


def _cancel_button(booking_id: int) -> ButtonElement:
    return ButtonElement(
        text="Cancel",
        action_id=ids.A_BOOKING_CANCEL,
        value=str(booking_id),
        style="danger",
        confirm=ConfirmObject(
            title="Cancel this session?",
            text="Your partner will see it's cancelled; you can book another right away.",
            confirm="Cancel the session",
            deny="Keep it",
        ),
    )


def _place_line(place: str) -> str:
    if not place:
        return ""
    if is_link(place):
        return f"\n:round_pushpin: <{place}|Join the call>"
    # Typed text is shown as typed: no mentions (<!channel>), no disguised links.
    escaped = place.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"\n:round_pushpin: {escaped}"


def booking_confirmation(
    *,
    booking_id: int,
    invite: Invite,
    booked_by: str,
    attendees: Sequence[Attendee],
    moved: bool = False,
    invite_failed: bool = False,
    in_group: bool = False,
) -> Rendered:
    """The post in the pair's conversation when a session is booked or moved. `in_group`: the conversation is a
    mentor's group, where not everyone is necessarily in this session."""
    slot = invite.slot
    scheduler = next((a for a in attendees if a.user_id == booked_by), attendees[0])
    verb = "moved to" if moved else "booked for"
    headline = f":spiral_calendar_pad: <@{booked_by}> {verb} {when_token(slot.start, scheduler.tz)}"
    text = f"Next reverse mentoring session {verb} {local_phrase(slot.start, scheduler.tz)} ({slot.minutes} minutes)"
    body = f"{headline} ({slot.minutes} minutes).{_place_line(slot.place)}"
    notes = [local_times(slot.start, attendees)]
    if in_group:
        # A mentor's group shares the conversation: say whom the session is for.
        notes.append("For " + " and ".join(f"<@{a.user_id}>" for a in attendees) + ".")
    if invite_failed:
        notes.append(":warning: Slack wouldn't take the calendar file, so use the buttons to add it to yours.")
    else:
        notes.append("The calendar file below adds it to any calendar; the buttons open Google or Outlook.")
    blocks: list[Block] = [
        section(body),
        ContextBlock(elements=[MarkdownTextObject(text=note) for note in notes]),
        _calendar_buttons(invite, booking_id),
    ]
    return text, _dicts(blocks)


def booking_moved_away(*, start: datetime, tz: str) -> Rendered:
    """What the previous post of a moved booking becomes: a pointer, without buttons to act on it."""
    text = f"This session moved to {local_phrase(start, tz)}"
    return text, [section(f":arrow_down: This session moved to {when_token(start, tz)}: see the post below.").to_dict()]


def invite_comment(*, moved: bool, cancelled: bool) -> str:
    if cancelled:
        return "Open this to take the session out of your calendar."
    if moved:
        return "The updated calendar invite: open it and your calendar moves the session."
    return "The calendar invite: open it to add the session to your calendar."


def booking_cancelled(*, booking_id: int, cancelled_by: str, start: datetime, tz: str, anchor: int) -> Rendered:
    text = f"The session on {local_phrase(start, tz)} is cancelled"
    blocks: list[Block] = [
        section(f":heavy_multiplication_x: <@{cancelled_by}> cancelled the session on {when_token(start, tz)}."),
        ActionsBlock(
            block_id=f"booking:{booking_id}",
            elements=[schedule_button(anchor, text="Book another time")],
        ),
    ]
    return text, _dicts(blocks)


def schedule_button(anchor: int, *, text: str = "Schedule our next session") -> ButtonElement:
    return ButtonElement(text=text, action_id=ids.A_SCHEDULE, value=str(anchor), style="primary")


def reminder_day_before(
    *, booking_id: int, start: datetime, minutes: int, place: str, attendees: Sequence[Attendee], starter: str
) -> Rendered:
    """The working day before: the weekday and each person's local time, never "tomorrow" (it may be Friday)."""
    first = attendees[0]
    text = f"Coming up: your reverse mentoring session on {local_phrase(start, first.tz)}"
    lines = [
        f":spiral_calendar_pad: Coming up: your reverse mentoring session on {when_token(start, first.tz)} "
        f"({minutes} minutes).{_place_line(place)}"
    ]
    if starter:
        lines.append(f"A conversation starter, if you'd like one: _{starter}_")
    blocks: list[Block] = [
        section("\n".join(lines)),
        ContextBlock(elements=[MarkdownTextObject(text=local_times(start, attendees))]),
        ActionsBlock(
            block_id=f"booking:{booking_id}",
            elements=[
                ButtonElement(text="Move", action_id=ids.A_BOOKING_MOVE, value=str(booking_id)),
                _cancel_button(booking_id),
            ],
        ),
    ]
    return text, _dicts(blocks)


def reminder_soon(*, booking_id: int, start: datetime, place: str, attendees: Sequence[Attendee]) -> Rendered:
    first = attendees[0]
    text = f"Your reverse mentoring session starts at {to_local(start, first.tz):%H:%M}"
    body = f":alarm_clock: Your session starts {when_token(start, first.tz)}.{_place_line(place)}"
    blocks: list[Block] = [
        section(body),
        ContextBlock(elements=[MarkdownTextObject(text=local_times(start, attendees))]),
    ]
    return text, _dicts(blocks)


def _mentions(people: Sequence[Attendee]) -> str:
    return " ".join(f"<@{p.user_id}>" for p in people)


def did_it_happen(*, booking_id: int, start: datetime, tz: str, attendees: Sequence[Attendee]) -> Rendered:
    """After the booked time: one question in the pair's conversation; the first answer counts for both."""
    text = f"Did your session on {local_phrase(start, tz)} happen?"
    blocks: list[Block] = [
        section(f":wave: {_mentions(attendees)}, did your session on {when_token(start, tz)} happen?"),
        ActionsBlock(
            block_id=f"booking:{booking_id}",
            elements=[
                ButtonElement(text="Yes, we met", action_id=ids.A_BOOKING_HELD, value=str(booking_id), style="primary"),
                ButtonElement(text="No, it didn't happen", action_id=ids.A_BOOKING_MISSED, value=str(booking_id)),
            ],
        ),
    ]
    return text, _dicts(blocks)


def happened_answer(*, answered_by: str, held: bool, start: datetime, tz: str, anchor: int) -> Rendered:
    """What "did it happen?" becomes once answered (edited in place, so nobody answers twice)."""
    if held:
        text = f"Session on {local_phrase(start, tz)}: logged"
        body = f":white_check_mark: <@{answered_by}> confirmed the session on {when_token(start, tz)}. It's logged."
        return text, [section(body).to_dict()]
    text = f"Session on {local_phrase(start, tz)}: didn't happen"
    body = (
        f":calendar: <@{answered_by}> said the session on {when_token(start, tz)} didn't happen. "
        "No problem: pick a new time while it's on your mind."
    )
    blocks: list[Block] = [section(body), ActionsBlock(elements=[schedule_button(anchor, text="Book a new time")])]
    return text, _dicts(blocks)


def cancelled_twice(*, mentor_id: str, mentee_id: str, anchor: int) -> Rendered:
    """Two cancellations in a row: kind, specific, and one easy way forward."""
    text = f"<@{mentor_id}> and <@{mentee_id}>, your last two sessions were cancelled."
    body = (
        f":seedling: {text} That happens when calendars are full. Would a shorter session, or a different "
        "day of the week, be easier to keep? Even 20 minutes keeps the thread going."
    )
    blocks: list[Block] = [section(body), ActionsBlock(elements=[schedule_button(anchor)])]
    return text, _dicts(blocks)


def booked_line(start: datetime, tz: str) -> str:
    """For Home and status: the next booked session, in the reader's zone."""
    return f"next session {local_phrase(start, tz)}"


def clock_value(at: time) -> str:
    return f"{at:%H:%M}"


@dataclass(frozen=True)
class ScheduleAnswers:
    """What the booking modal's fields hold; None where a field is empty or unreadable."""

    day: date | None
    at: time | None
    minutes: int
    place: str
    mentee_ids: list[str] | None  # None: the modal had no "who" field (not a group)


def read_schedule(values: dict[str, Any]) -> ScheduleAnswers:
    """Read the booking modal's state; the use case checks the rules (a forged value is simply refused there)."""

    def entry(block: str) -> dict[str, Any]:
        found = (values.get(block) or {}).get(ids.A_VALUE)
        return found if isinstance(found, dict) else {}

    try:
        day = date.fromisoformat(str(entry(ids.B_SCHED_DATE).get("selected_date")))
    except ValueError:
        day = None
    at = parse_clock(str(entry(ids.B_SCHED_TIME).get("selected_time") or ""))
    length = whole_number(str((entry(ids.B_SCHED_LENGTH).get("selected_option") or {}).get("value")), low=1, high=600)
    place = str(entry(ids.B_SCHED_PLACE).get("value") or "")
    who = entry(ids.B_SCHED_WHO)
    mentees = [str(o.get("value")) for o in who.get("selected_options") or [] if isinstance(o, dict)] if who else None
    return ScheduleAnswers(day=day, at=at, minutes=length or 0, place=place, mentee_ids=mentees)


def attendance_modal(*, anchor: int, mentees: Sequence[tuple[str, str]], booking_id: int | None = None) -> View:
    """A mentor with a group says who came; sessions, check-ins and momentum are each mentee's own."""
    options = [Option(value=user_id, text=name) for user_id, name in mentees]
    return View(
        type="modal",
        callback_id=ids.ATTENDANCE_VIEW,
        private_metadata=json.dumps({"anchor": anchor, "booking": booking_id}),
        title="Log the session",
        submit="Log it",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.B_ATTENDED,
                label="Who was there?",
                hint="Only those ticked get the session counted and a check-in.",
                element=CheckboxesElement(action_id=ids.A_VALUE, options=options, initial_options=options),
            )
        ],
    )


def read_attended(values: dict[str, Any]) -> list[str]:
    entry = (values.get(ids.B_ATTENDED) or {}).get(ids.A_VALUE) or {}
    return [str(o.get("value")) for o in entry.get("selected_options") or [] if isinstance(o, dict)]


def attendance_done(text: str) -> View:
    """What the attendance modal becomes once logged: the same words a button's reply would use."""
    return View(type="modal", title="Logged", close="Done", blocks=[section(text)])


def booking_pair_ended(*, start: datetime, tz: str) -> Rendered:
    text = f"The session on {local_phrase(start, tz)} is cancelled: this pair has ended"
    return text, [
        section(
            f":heavy_multiplication_x: The session on {when_token(start, tz)} is cancelled: this pair has ended."
        ).to_dict()
    ]
