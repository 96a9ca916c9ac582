"""Booking a session through Slack: the modal, the post in the pair's conversation with its calendar invite,
moving, cancelling, "did it happen?", and every bad input answered without changing anything."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import select

from bot.blocks import ids
from bot.domain.scheduling import BookingStatus
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import Booking, MentoringSession, OutboxMessage, OutboxStatus, Pairing
from tests.support import approved_round

# Wednesday 3 March 2027, 10:00 UTC; Tom is in Berlin (UTC+1 in March), Priya in Kolkata (UTC+5:30).
NOW = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
MONDAY = "2027-03-15"


@pytest.fixture
def paired(bot: LocalBot) -> LocalBot:
    object.__setattr__(bot.services, "clock", lambda: NOW)
    approved_round(bot)
    return bot


def at(bot: LocalBot, when: datetime) -> None:
    object.__setattr__(bot.services, "clock", lambda: when)


def conversation(bot: LocalBot, user_id: str) -> str:
    calls = bot.fake.calls_to("conversations.open")
    channels = [c.response["channel"]["id"] for c in calls if c.response.get("ok") and "," in c.args["users"]]
    return next(c for c in channels if user_id in str(bot.fake.messages(c)))


def intro(bot: LocalBot, user_id: str) -> dict[str, Any]:
    return bot.fake.messages(conversation(bot, user_id))[0]


def posts(bot: LocalBot, channel: str, needle: str) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages(channel) if needle in str(m)]


def invites(bot: LocalBot, channel: str) -> list[Calendar]:
    return [Calendar.from_ical(f.content) for f in bot.fake.uploaded_files(channel) if f.content]


def event(calendar: Calendar) -> Any:
    return next(iter(calendar.walk("VEVENT")))


def bookings(bot: LocalBot) -> list[Booking]:
    with session_scope(bot.services.engine) as session:
        return list(session.exec(select(Booking)))


def book(bot: LocalBot, user_id: str, values: dict[str, Any], where: Any = None) -> Any:
    person = bot.fake.user(user_id)
    person.click(ids.A_SCHEDULE, where=where or intro(bot, user_id))
    assert person.modal is not None, "the booking form did not open"
    result = person.submit(values)
    bot.settle()
    return result


GOOD = {ids.B_SCHED_DATE: MONDAY, ids.B_SCHED_TIME: "10:00", ids.B_SCHED_PLACE: "https://meet.example.com/abc"}


def test_booking_posts_in_the_pair_conversation_with_each_local_time_and_an_invite(paired: LocalBot) -> None:
    result = book(paired, "U0TOM", GOOD)
    assert result.closed, result.errors
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, "booked for")
    text = str(post)
    assert "Priya Nair: Monday 15 March at 14:30 Kolkata time" in text
    assert "Tom Becker: Monday 15 March at 10:00 Berlin time" in text
    assert ids.A_BOOKING_MOVE in text and ids.A_BOOKING_CANCEL in text
    assert "calendar.google.com" in text and "outlook.office.com" in text
    (calendar,) = invites(paired, channel)
    vevent = event(calendar)
    assert str(calendar["method"]) == "PUBLISH"
    assert vevent.decoded("dtstart") == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == timedelta(minutes=45)
    assert int(vevent["sequence"]) == 0
    assert str(vevent["url"]) == "https://meet.example.com/abc"
    (stored,) = bookings(paired)
    assert stored.status is BookingStatus.BOOKED and stored.mentee_ids == ["U0TOM"]


def test_moving_reissues_the_invite_with_the_same_uid_and_a_new_sequence(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    channel = conversation(paired, "U0TOM")
    (first,) = posts(paired, channel, "booked for")
    priya = paired.fake.user("U0PRIYA")
    priya.click(ids.A_BOOKING_MOVE, where=first)
    assert priya.modal is not None
    assert priya.submit({ids.B_SCHED_TIME: "16:00"}).closed  # 16:00 in Kolkata: 10:30 UTC
    paired.settle()
    calendars = invites(paired, channel)
    assert len(calendars) == 2
    assert len({str(event(c)["uid"]) for c in calendars}) == 1
    assert [int(event(c)["sequence"]) for c in calendars] == [0, 1]
    assert event(calendars[1]).decoded("dtstart") == datetime(2027, 3, 15, 10, 30, tzinfo=UTC)
    assert posts(paired, channel, "booked for") == [], "the old post no longer offers to move or cancel"
    assert len(posts(paired, channel, "moved to")) == 2  # the old post points to the new one
    assert len(bookings(paired)) == 1


def test_booking_again_while_one_is_pending_moves_it_never_two_invites(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    tom = paired.fake.user("U0TOM")
    answer = tom.slash("/mentoring", "schedule 16 March 11:00")
    paired.settle()
    assert "Moved" in answer.ephemeral_text
    assert len(bookings(paired)) == 1
    calendars = invites(paired, conversation(paired, "U0TOM"))
    assert [int(event(c)["sequence"]) for c in calendars] == [0, 1]
    # The same command again changes nothing and sends nothing.
    again = tom.slash("/mentoring", "schedule 16 March 11:00")
    paired.settle()
    assert "Nothing changed" in again.ephemeral_text
    assert len(invites(paired, conversation(paired, "U0TOM"))) == 2


def test_cancelling_withdraws_the_invite_and_the_reminders(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, "booked for")
    priya = paired.fake.user("U0PRIYA")
    answer = priya.click(ids.A_BOOKING_CANCEL, where=post)
    paired.settle()
    assert "Cancelled" in answer.ephemeral_text
    assert posts(paired, channel, "cancelled the session")
    calendars = invites(paired, channel)
    assert str(calendars[-1]["method"]) == "CANCEL" and str(event(calendars[-1])["status"]) == "CANCELLED"
    assert int(event(calendars[-1])["sequence"]) == 1
    with session_scope(paired.services.engine) as session:
        rows = list(session.exec(select(OutboxMessage)))
    reminders = [m for m in rows if m.key.startswith(("booking-reminder:", "happened:"))]
    assert reminders and all(m.status == OutboxStatus.CANCELLED for m in reminders)
    # A second click (or the other partner at the same moment) changes nothing.
    again = paired.fake.send_interaction(answer.payload)
    paired.settle()
    assert again.status == 200
    assert len(invites(paired, channel)) == 2


@pytest.mark.parametrize(
    ("values", "block", "says"),
    [
        ({ids.B_SCHED_DATE: "2027-03-01"}, ids.B_SCHED_DATE, "already passed"),
        ({ids.B_SCHED_DATE: "2027-12-01"}, ids.B_SCHED_DATE, "6 months"),
        ({ids.B_SCHED_PLACE: "javascript:alert(1)"}, ids.B_SCHED_PLACE, "https://"),
        ({ids.B_SCHED_PLACE: "ftp://files.example.com/x"}, ids.B_SCHED_PLACE, "https://"),
    ],
)
def test_a_booking_that_cannot_stand_keeps_the_form_open_with_the_reason(
    paired: LocalBot, values: dict[str, str], block: str, says: str
) -> None:
    result = book(paired, "U0TOM", {**GOOD, **values})
    assert not result.closed
    assert says in result.errors[block]
    assert bookings(paired) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tomorrow 25:00", "Give a date and a time"),
        ("someday 10:00", "couldn't read the date"),
        ("2027-03-01 10:00", "already passed"),
        ("", None),  # no date: the form opens
    ],
)
def test_the_schedule_command_answers_bad_input_kindly(paired: LocalBot, text: str, says: str | None) -> None:
    tom = paired.fake.user("U0TOM")
    answer = tom.slash("/mentoring", f"schedule {text}".strip())
    assert answer.status == 200
    if says is None:
        assert tom.modal is not None and tom.modal["callback_id"] == ids.SCHEDULE_VIEW
    else:
        assert says in answer.ephemeral_text
    assert bookings(paired) == []


def test_someone_outside_the_pair_can_neither_book_nor_cancel_it(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, "booked for")
    tom = paired.fake.user("U0TOM")
    cancel = tom.click(ids.A_BOOKING_CANCEL, where=post)
    paired.settle()
    forged = {**cancel.payload, "user": {**cancel.payload["user"], "id": "U0EMMA"}}
    # The booking was cancelled by Tom above; re-book, then forge Emma's cancel and Emma's schedule click.
    book(paired, "U0TOM", {**GOOD, ids.B_SCHED_TIME: "12:00"})
    (live,) = [b for b in bookings(paired) if b.status is BookingStatus.BOOKED]
    forged["actions"] = [{**forged["actions"][0], "value": str(live.id)}]
    assert paired.fake.send_interaction(forged).status == 200
    paired.settle()
    assert [b.status for b in bookings(paired) if b.id == live.id] == [BookingStatus.BOOKED]


def test_a_refused_upload_leaves_the_booking_standing_and_says_so(paired: LocalBot) -> None:
    paired.fake.fail_next("files.completeUploadExternal", error="restricted_action")
    result = book(paired, "U0TOM", GOOD)
    assert result.closed
    channel = conversation(paired, "U0TOM")
    (post,) = posts(paired, channel, "booked for")
    assert "wouldn't take the calendar file" in str(post)
    assert [b.status for b in bookings(paired)] == [BookingStatus.BOOKED]


def test_after_the_session_the_pair_is_asked_and_yes_logs_it(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    later = datetime(2027, 3, 15, 10, 30, tzinfo=UTC)  # Monday, after 09:00-09:45 UTC, in both working days
    at(paired, later)
    run_due_jobs(paired.services, paired.app.client, now=later)
    paired.settle()
    channel = conversation(paired, "U0TOM")
    (question,) = posts(paired, channel, "happen?")
    tom = paired.fake.user("U0TOM")
    answer = tom.click(ids.A_BOOKING_HELD, where=question)
    paired.settle()
    assert "Logged" in answer.ephemeral_text
    assert posts(paired, channel, "confirmed the session")
    with session_scope(paired.services.engine) as session:
        held = list(session.exec(select(MentoringSession)))
    assert [str(s.held_on) for s in held] == ["2027-03-15"]
    assert [b.status for b in bookings(paired)] == [BookingStatus.HELD]
    # Tom's "yes" was the pair's first session: Priya, the mentor, is thanked at the next tick.
    run_due_jobs(paired.services, paired.app.client, now=later)
    paired.settle()
    thanks = [t for t in paired.fake.user("U0PRIYA").dm_texts if "first session with Tom Becker" in t]
    assert len(thanks) == 1


def test_two_sessions_called_off_in_a_row_get_a_kind_specific_nudge(paired: LocalBot) -> None:
    channel = conversation(paired, "U0TOM")
    priya = paired.fake.user("U0PRIYA")
    for time_of_day in ("10:00", "11:00"):
        book(paired, "U0TOM", {**GOOD, ids.B_SCHED_TIME: time_of_day})
        (post,) = posts(paired, channel, "booked for")
        answer = priya.click(ids.A_BOOKING_CANCEL, where=post)
        paired.settle()
    assert "two in a row" in answer.ephemeral_text
    assert len(posts(paired, channel, "last two sessions were cancelled")) == 1


def test_no_gone_quiet_nudge_while_a_session_is_booked(paired: LocalBot) -> None:
    # Booked five weeks out: the biweekly pair would be cooling (and lapsed) long before it.
    book(paired, "U0TOM", {**GOOD, ids.B_SCHED_DATE: "2027-04-07"})
    for days in (15, 22, 30):
        when = NOW + timedelta(days=days)
        at(paired, when)
        run_due_jobs(paired.services, paired.app.client, now=when)
    paired.settle()
    channel = conversation(paired, "U0TOM")
    assert posts(paired, channel, "since your last") == []
    tom = paired.fake.user("U0TOM")
    assert not any("gone quiet" in t for t in tom.dm_texts)


def test_my_data_includes_my_bookings(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    tom = paired.fake.user("U0TOM")
    tom.slash("/mentoring", "mydata")
    paired.settle()
    copy = "\n".join(tom.dm_texts + [str(m) for m in tom.dms])
    assert "Session booked for" in copy and "still to come" in copy
    assert "https://meet.example.com/abc" in copy


# --- regressions found in review -------------------------------------------------------------------------------


def test_booking_after_a_session_ended_is_a_new_booking_not_a_move(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)  # Monday 15 March, 09:00-09:45 UTC
    at(paired, datetime(2027, 3, 15, 9, 50, tzinfo=UTC))
    answer = paired.fake.user("U0TOM").slash("/mentoring", "schedule 2027-03-29 10:00")
    paired.settle()
    assert "Booked" in answer.ephemeral_text
    assert [b.status for b in bookings(paired)] == [BookingStatus.BOOKED, BookingStatus.BOOKED]


def test_logging_a_booked_session_by_hand_settles_it_and_nobody_is_asked_again(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    at(paired, datetime(2027, 3, 15, 9, 50, tzinfo=UTC))
    paired.fake.user("U0TOM").click(ids.A_LOG_SESSION, where=intro(paired, "U0TOM"))
    paired.settle()
    later = datetime(2027, 3, 15, 11, 0, tzinfo=UTC)
    at(paired, later)
    run_due_jobs(paired.services, paired.app.client, now=later)
    paired.settle()
    assert [b.status for b in bookings(paired)] == [BookingStatus.HELD]
    assert posts(paired, conversation(paired, "U0TOM"), "happen?") == []


def group_booking(bot: LocalBot) -> tuple[dict[str, Any], Booking]:
    """Leo books for both his mentees (Margaret and Rajesh); returns the "did it happen?" post and the booking."""
    leo = bot.fake.user("U0LEO")
    leo.click(ids.A_SCHEDULE, where=intro(bot, "U0LEO"))
    assert leo.submit(GOOD).closed
    bot.settle()
    (booking,) = bookings(bot)
    assert sorted(booking.mentee_ids) == ["U0MARGARET", "U0RAJESH"]
    later = booking.starts_at + timedelta(hours=30)
    at(bot, later)
    run_due_jobs(bot.services, bot.app.client, now=later)
    bot.settle()
    (question,) = posts(bot, conversation(bot, "U0LEO"), "happen?")
    return question, booking


def logged(bot: LocalBot) -> list[str]:
    with session_scope(bot.services.engine) as session:
        held = session.exec(select(MentoringSession, Pairing).join(Pairing)).all()
    return sorted(pairing.mentee_id for _, pairing in held)


def test_in_a_group_a_mentee_answers_for_themselves_and_the_mentor_says_who_came(paired: LocalBot) -> None:
    question, _ = group_booking(paired)
    paired.fake.user("U0RAJESH").click(ids.A_BOOKING_MISSED, where=question)
    paired.fake.user("U0MARGARET").click(ids.A_BOOKING_HELD, where=question)
    paired.settle()
    assert logged(paired) == ["U0MARGARET"], "a 'yes' counts for the one who said it, a 'no' for nobody else"
    assert [b.status for b in bookings(paired)] == [BookingStatus.BOOKED], "still open for the mentor"
    leo = paired.fake.user("U0LEO")
    leo.click(ids.A_BOOKING_HELD, where=question)
    assert leo.modal is not None and leo.modal["callback_id"] == ids.ATTENDANCE_VIEW
    assert leo.submit({ids.B_ATTENDED: ["U0MARGARET"]}).closed is False  # updated to "Logged", not closed
    paired.settle()
    assert logged(paired) == ["U0MARGARET"], "Rajesh was absent: no session for him"
    assert [b.status for b in bookings(paired)] == [BookingStatus.HELD]


def test_a_groupmate_cannot_move_another_mentees_booking_by_editing_the_form(paired: LocalBot) -> None:
    book(paired, "U0MARGARET", {**GOOD, ids.B_SCHED_PLACE: "Room A"})
    (hers,) = bookings(paired)
    rajesh = paired.fake.user("U0RAJESH")
    rajesh.click(ids.A_SCHEDULE, where=intro(paired, "U0RAJESH"))
    assert rajesh.modal is not None
    view = rajesh.modal
    forged_meta = json.dumps({**json.loads(view["private_metadata"]), "booking": hers.id})
    rajesh.fill({**GOOD, ids.B_SCHED_DATE: "2027-03-20", ids.B_SCHED_PLACE: ""})
    view["private_metadata"] = forged_meta  # what a tampered client would send
    assert rajesh.submit().closed
    paired.settle()
    after = {b.id: b for b in bookings(paired)}
    assert (after[hers.id].booked_by, after[hers.id].place) == ("U0MARGARET", "Room A")
    assert len(after) == 2, "Rajesh got a booking of his own instead"


def test_when_a_pair_ends_its_booking_is_called_off_and_the_partner_gets_the_cancellation(paired: LocalBot) -> None:
    book(paired, "U0TOM", GOOD)
    channel = conversation(paired, "U0TOM")
    tom = paired.fake.user("U0TOM")
    prompt = tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_KEEP, where=prompt.ephemerals[-1])
    paired.settle()
    assert [b.status for b in bookings(paired)] == [BookingStatus.CANCELLED]
    assert posts(paired, channel, "booked for") == [], "no Move/Cancel left on an ended pair's booking"
    assert posts(paired, channel, "this pair has ended")
    priya = paired.fake.user("U0PRIYA")
    files = paired.fake.uploaded_files(priya.dm_channel)
    assert [str(Calendar.from_ical(f.content)["method"]) for f in files if f.content] == ["CANCEL"]
    assert paired.fake.uploaded_files(tom.dm_channel) == [], "someone who left is not written to"


def test_a_session_logged_after_two_cancellations_ends_the_streak(paired: LocalBot) -> None:
    channel = conversation(paired, "U0TOM")
    priya = paired.fake.user("U0PRIYA")
    for time_of_day in ("10:00", "11:00"):
        book(paired, "U0TOM", {**GOOD, ids.B_SCHED_TIME: time_of_day})
        (post,) = posts(paired, channel, "booked for")
        priya.click(ids.A_BOOKING_CANCEL, where=post)
        paired.settle()
    before = paired.fake.user(LEAD).slash("/mentoring", "report")
    assert "*Cancellations:* 1 pair has had 2 or more sessions cancelled in a row" in before.ephemeral_text
    at(paired, NOW + timedelta(hours=1))
    paired.fake.user("U0TOM").slash("/mentoring", "log today")
    report = paired.fake.user(LEAD).slash("/mentoring", "report")
    assert "cancelled in a row" not in report.ephemeral_text


def test_moving_from_the_keyboard_keeps_the_place_and_length(paired: LocalBot) -> None:
    book(paired, "U0TOM", {**GOOD, ids.B_SCHED_LENGTH: "60"})
    paired.fake.user("U0TOM").slash("/mentoring", "schedule 16 March 11:00")
    paired.settle()
    (moved,) = bookings(paired)
    assert (moved.place, moved.minutes, moved.sequence) == ("https://meet.example.com/abc", 60, 1)


def test_after_a_groupmate_leaves_the_groups_posts_no_longer_reach_them(paired: LocalBot) -> None:
    leo = paired.fake.user("U0LEO")
    leo.click(ids.A_SCHEDULE, where=intro(paired, "U0LEO"))
    assert leo.submit(GOOD).closed
    paired.settle()
    rajesh = paired.fake.user("U0RAJESH")
    prompt = rajesh.slash("/mentoring", "leave")
    rajesh.click(ids.A_LEAVE_DELETE, where=prompt.ephemerals[-1])
    paired.settle()
    (booking,) = bookings(paired)
    assert booking.mentee_ids == ["U0MARGARET"]
    friday = datetime(2027, 3, 12, 19, 0, tzinfo=UTC)  # the working day before, in both their working hours
    at(paired, friday)
    run_due_jobs(paired.services, paired.app.client, now=friday)
    paired.settle()
    members = {
        c.response["channel"]["id"]: set(str(c.args["users"]).split(","))
        for c in paired.fake.calls_to("conversations.open")
        if c.response.get("ok")
    }
    reminders = [
        channel
        for channel, people in members.items()
        if any("Coming up" in str(m) for m in paired.fake.messages(channel))
    ]
    assert reminders and all("U0RAJESH" not in members[c] for c in reminders)


def test_in_a_group_the_booking_says_whom_it_is_for(paired: LocalBot) -> None:
    book(paired, "U0MARGARET", GOOD)
    (post,) = posts(paired, conversation(paired, "U0LEO"), "booked for")
    assert "For <@U0LEO> and <@U0MARGARET>." in str(post)
    assert "U0RAJESH" not in str(post)
