"""Bookings when Slack refuses or stalls the invite upload, and when people leave a pair with a session booked:
one invite per version, never an old one after a newer one, no post brought back to life, nothing left naming
someone who asked to be deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import select

from bot.blocks import ids
from bot.domain.scheduling import BookingStatus
from bot.sandbox.local import LocalBot
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Pairing
from tests.handlers.test_bookings import GOOD, NOW, at, book, bookings, conversation, event, intro, paired, posts

__all__ = ["paired"]  # the fixture, re-exported for pytest


def sweeps(bot: LocalBot, *minutes: int, start: datetime = NOW) -> None:
    """The scheduler's sweep at these minutes after `start`, as the running bot would."""
    for offset in minutes:
        when = start + timedelta(minutes=offset)
        at(bot, when)
        run_due_jobs(bot.services, bot.app.client, now=when)
        bot.settle()


def calendar_files(bot: LocalBot, channel: str) -> list[tuple[str, int]]:
    """(METHOD, SEQUENCE) of every invite shared in a conversation, in order."""
    found = []
    for file in bot.fake.uploaded_files(channel):
        if file.content:
            calendar = Calendar.from_ical(file.content)
            found.append((str(calendar["method"]), int(event(calendar)["sequence"])))
    return found


def cancel_or_move(bot: LocalBot, post: dict[str, Any], then: str) -> None:
    """Priya cancels the booking, or moves it to 16:00 her time."""
    priya = bot.fake.user("U0PRIYA")
    if then == "cancel":
        priya.click(ids.A_BOOKING_CANCEL, where=post)
    else:
        priya.click(ids.A_BOOKING_MOVE, where=post)
        assert priya.submit({ids.B_SCHED_TIME: "16:00"}).closed
    bot.settle()


FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("files.getUploadURLExternal", {"error": "internal_error", "status": 500}),
    ("files.getUploadURLExternal", {"error": "ratelimited", "times": 6}),
    ("upload_url", {"error": "server error", "status": 500}),
    ("files.completeUploadExternal", {"error": "internal_error", "status": 500}),
    ("files.completeUploadExternal", {"error": "not_in_channel"}),
]


@pytest.mark.parametrize(("method", "fault"), FAULTS, ids=[f"{m}-{f['error']}" for m, f in FAULTS])
def test_whatever_slack_does_to_one_upload_the_pair_gets_one_invite_or_is_told(
    paired: LocalBot, method: str, fault: dict[str, Any]
) -> None:
    paired.fake.fail_next(method, **fault)
    assert book(paired, "U0TOM", GOOD).closed
    sweeps(paired, 2, 5, 15, 60, 180)
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, ids.A_BOOKING_CANCEL)
    files = calendar_files(paired, channel)
    assert files == [("PUBLISH", 0)] or (files == [] and "wouldn't take the calendar file" in str(post))


def test_two_passing_errors_do_not_cost_the_invite(paired: LocalBot) -> None:
    paired.fake.fail_next("files.getUploadURLExternal", error="internal_error", status=500, times=2)
    assert book(paired, "U0TOM", GOOD).closed
    sweeps(paired, 2, 5, 15, 60)
    assert calendar_files(paired, conversation(paired, "U0TOM")) == [("PUBLISH", 0)]


@pytest.mark.parametrize("then", ["cancel", "move"])
def test_an_invite_held_back_by_slack_never_lands_after_a_newer_one(paired: LocalBot, then: str) -> None:
    paired.fake.fail_next("files.getUploadURLExternal", error="internal_error", status=500)
    assert book(paired, "U0TOM", GOOD).closed
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, ids.A_BOOKING_CANCEL)
    cancel_or_move(paired, post, then)
    sweeps(paired, 2, 5, 15, 60)
    assert calendar_files(paired, channel) == ([("CANCEL", 1)] if then == "cancel" else [("PUBLISH", 1)])


@pytest.mark.parametrize("then", ["cancel", "move"])
def test_a_refused_old_invite_does_not_bring_a_booking_back(paired: LocalBot, then: str) -> None:
    paired.fake.fail_next("files.getUploadURLExternal", error="internal_error", status=500)
    assert book(paired, "U0TOM", GOOD).closed
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, ids.A_BOOKING_CANCEL)
    cancel_or_move(paired, post, then)
    paired.fake.fail_next("files.getUploadURLExternal", error="restricted_action")
    sweeps(paired, 5)
    assert len(posts(paired, channel, ids.A_BOOKING_CANCEL)) == (0 if then == "cancel" else 1)


def test_deleting_my_data_with_a_session_booked_still_withdraws_it_for_my_partner(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    channel = conversation(paired, "U0TOM")
    tom = paired.fake.user("U0TOM")
    prompt = tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_DELETE, where=prompt.ephemerals[-1])
    paired.settle()
    assert posts(paired, channel, ids.A_BOOKING_CANCEL) == [], "the post no longer offers Move/Cancel"
    priya = paired.fake.user("U0PRIYA")
    assert calendar_files(paired, priya.dm_channel) == [("CANCEL", 1)]


@pytest.mark.parametrize("choice", [ids.A_LEAVE_DELETE, ids.A_LEAVE_KEEP])
def test_a_group_booking_goes_on_for_those_left_and_names_only_them(paired: LocalBot, choice: str) -> None:
    leo = paired.fake.user("U0LEO")
    leo.click(ids.A_SCHEDULE, where=intro(paired, "U0LEO"))
    assert leo.submit(GOOD).closed
    paired.settle()
    (booking,) = bookings(paired)
    with session_scope(paired.services.engine) as session:
        filed_under = session.get_one(Pairing, booking.pairing_id).mentee_id
    staying = "U0RAJESH" if filed_under == "U0MARGARET" else "U0MARGARET"
    gone = paired.fake.user(filed_under)
    prompt = gone.slash("/mentoring", "leave")
    gone.click(choice, where=prompt.ephemerals[-1])
    paired.settle()
    (after,) = bookings(paired)
    assert (after.status, after.mentee_ids) == (BookingStatus.BOOKED, [staying])
    with session_scope(paired.services.engine) as session:
        queued = [
            m
            for m in session.exec(select(OutboxMessage))
            if m.key.startswith(("booking-reminder:", "happened:")) and m.status == OutboxStatus.PENDING
        ]
    assert queued, "the rest of the group keeps its reminders and its 'did it happen?'"
    name = {"U0MARGARET": "Margaret", "U0RAJESH": "Rajesh"}[filed_under]
    assert all(name not in m.text + str(m.blocks) and filed_under not in str(m.blocks) for m in queued)
    sweeps(paired, *range(0, 6 * 24 * 60, 60), start=datetime(2027, 3, 12, 9, 0, tzinfo=UTC))
    asked = [c for c in paired.fake.calls_to("chat.postMessage") if "happen?" in str(c.args)]
    assert asked and all(filed_under not in str(c.args) for c in asked)
