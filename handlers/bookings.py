"""Booking sessions: "Schedule our next session" (the modal), Move and Cancel on a booking, and the answer to
"did it happen?"."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.blocks.scheduling import (
    attendance_done,
    attendance_modal,
    read_attended,
    read_schedule,
    schedule_modal,
    zone_label,
)
from bot.domain.inputs import whole_number
from bot.domain.scheduling import local_phrase
from bot.usecases import bookings, sessions
from bot.usecases.errors import BookingRefused, UseCaseError
from bot.usecases.services import Services
from handlers.common import MAX_ID, StaleAction, action_id_value, answers_errors, deliver_now, say
from handlers.membership import open_view

# Where each refusal shows in the modal.
FIELD_BLOCKS = {
    "date": ids.B_SCHED_DATE,
    "time": ids.B_SCHED_TIME,
    "length": ids.B_SCHED_LENGTH,
    "place": ids.B_SCHED_PLACE,
    "who": ids.B_SCHED_WHO,
}


def register(app: App) -> None:
    app.action(ids.A_SCHEDULE)(on_schedule)
    app.action(ids.A_SET_NEXT_SESSION)(on_old_date_picker)
    app.action(ids.A_BOOKING_MOVE)(on_move)
    app.action(ids.A_BOOKING_CANCEL)(on_cancel)
    app.action(ids.A_BOOKING_HELD)(on_happened)
    app.action(ids.A_BOOKING_MISSED)(on_happened)
    # Link buttons open the calendar in the browser; Slack still tells the app, which has nothing to do.
    app.action(ids.A_BOOKING_GOOGLE)(on_link)
    app.action(ids.A_BOOKING_OUTLOOK)(on_link)
    app.view(ids.SCHEDULE_VIEW)(on_schedule_submitted)
    app.view(ids.ATTENDANCE_VIEW)(on_attendance_submitted)


def open_schedule_form(client: WebClient, trigger_id: str, form: bookings.ScheduleForm) -> None:
    modal = schedule_modal(
        anchor=form.anchor,
        tz=form.tz,
        mentees=form.mentees,
        selected=form.selected,
        current=form.current,
        booking_id=form.booking_id,
        suggested_day=form.suggested_day,
    )
    open_view(client, trigger_id, modal)


@answers_errors
def on_schedule(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    form = bookings.schedule_form(services, user_id=body["user"]["id"], anchor_id=action_id_value(action))
    ack()
    open_schedule_form(client, body["trigger_id"], form)


@answers_errors
def on_old_date_picker(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    """Messages sent before booking existed carry a date picker: open the booking form on that date."""
    anchor = whole_number(str(action.get("block_id", "")).removeprefix("pair:"), low=1, high=MAX_ID)
    if anchor is None:
        raise StaleAction
    try:
        day = date.fromisoformat(str(action.get("selected_date")))
    except ValueError:
        day = None
    form = bookings.schedule_form(services, user_id=body["user"]["id"], anchor_id=anchor, suggested_day=day)
    ack()
    open_schedule_form(client, body["trigger_id"], form)


@answers_errors
def on_move(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    booking_id = action_id_value(action)
    form = bookings.move_form(services, user_id=body["user"]["id"], booking_id=booking_id)
    ack()
    open_schedule_form(client, body["trigger_id"], form)


@answers_errors
def on_cancel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    settled = bookings.cancel(services, user_id=body["user"]["id"], booking_id=action_id_value(action))
    ack()
    deliver_now(services, client, settled.keys)
    say(respond, replies.booking_cancelled(in_a_row=settled.cancelled_in_a_row))


@answers_errors
def on_happened(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    held = action["action_id"] == ids.A_BOOKING_HELD
    booking_id, user_id = action_id_value(action), body["user"]["id"]
    group = bookings.who_could_attend(services, user_id=user_id, booking_id=booking_id) if held else []
    if group:
        ack()
        open_view(client, body["trigger_id"], attendance_modal(anchor=0, mentees=group, booking_id=booking_id))
        return
    settled = bookings.answer_happened(services, user_id=user_id, booking_id=booking_id, held=held)
    ack()
    deliver_now(services, client, settled.keys)
    say(respond, replies.happened(held=held))


def on_link(ack: Ack) -> None:
    ack()


def on_schedule_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    values = view["state"]["values"]
    anchor, booking_id = _metadata(view)
    if anchor is None:
        ack(response_action="errors", errors={ids.B_SCHED_DATE: replies.STALE_BUTTON})
        return
    form = read_schedule(values)
    try:
        booked = bookings.book(
            services,
            user_id=body["user"]["id"],
            anchor_id=anchor,
            day=form.day,
            at=form.at,
            minutes=form.minutes,
            place=form.place,
            mentee_ids=form.mentee_ids,
            booking_id=booking_id,
        )
    except BookingRefused as refused:
        errors = {FIELD_BLOCKS[k]: v for k, v in refused.errors.items() if FIELD_BLOCKS[k] in values}
        ack(response_action="errors", errors=errors or {ids.B_SCHED_DATE: " ".join(refused.errors.values())})
        return
    except UseCaseError as error:
        ack(response_action="errors", errors={ids.B_SCHED_DATE: replies.error_text(error)})
        return
    ack()
    deliver_now(services, client, booked.keys)


def schedule_reply(booked: bookings.Booked) -> str:
    """The private answer to `/mentoring schedule`."""
    return replies.booked(
        phrase=local_phrase(booked.start, booked.tz),
        zone=zone_label(booked.tz),
        moved=booked.moved,
        changed=bool(booked.keys),
    )


def on_attendance_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Who came to a group session: from "We met" (`anchor`) or from "did it happen?" (`booking`)."""
    user_id = body["user"]["id"]
    anchor, booking_id = _metadata(view)
    attended = read_attended(view["state"]["values"])
    try:
        if booking_id is not None:
            settled = bookings.answer_happened(
                services, user_id=user_id, booking_id=booking_id, held=True, attended=attended
            )
            queued, text = settled.keys, replies.happened(held=True)
        elif anchor is not None:
            logged = sessions.log_session_today(services, user_id=user_id, anchor_id=anchor, attended=attended)
            queued = []
            text = replies.session_logged(
                count=logged.count, first_time=logged.first_time, held_on=logged.held_on, today=logged.today
            )
        else:
            raise StaleAction
    except UseCaseError as error:
        message = replies.STALE_BUTTON if isinstance(error, StaleAction) else replies.error_text(error)
        ack(response_action="errors", errors={ids.B_ATTENDED: message})
        return
    ack(response_action="update", view=attendance_done(text))
    deliver_now(services, client, queued)


def _metadata(view: dict[str, Any]) -> tuple[int | None, int | None]:
    """The (anchor, booking) ids our modals carry; None for anything we could not have written."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None, None
    if not isinstance(meta, dict):
        return None, None

    def read(key: str) -> int | None:
        raw = meta.get(key)
        return whole_number(str(raw), low=1, high=MAX_ID) if raw is not None else None

    return read("anchor"), read("booking")
