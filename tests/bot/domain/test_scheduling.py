"""Booking rules and invites, with an explicit clock; the .ics is read back by the icalendar library."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from bot.domain.invites import Invite, google_link, ics, outlook_link
from bot.domain.scheduling import (
    Slot,
    clean_place,
    day_before_reminder,
    local_phrase,
    parse_clock,
    parse_day,
    parse_request,
    shortly_before_reminder,
    six_months_after,
    slot_errors,
)

# Wednesday 3 March 2027, 10:00 UTC.
NOW = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-15", date(2027, 3, 15)),
        ("today", TODAY),
        ("Tomorrow", date(2027, 3, 4)),
        ("monday", date(2027, 3, 8)),
        ("wednesday", date(2027, 3, 10)),  # a weekday never means today
        ("15 March", date(2027, 3, 15)),
        ("March 15", date(2027, 3, 15)),
        ("15 mar", date(2027, 3, 15)),
        ("1 March", date(2028, 3, 1)),  # already past this year: the next one
        ("29 feb", date(2028, 2, 29)),
        ("2027-02-30", None),
        ("15 smarch", None),
        ("soon", None),
        ("", None),
        ("\uff11\uff15 March", None),  # full-width digits are not ASCII digits
    ],
)
def test_days_are_read_as_people_type_them(text: str, expected: date | None) -> None:
    assert parse_day(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", time(10)),
        ("9.30", time(9, 30)),
        ("14h15", time(14, 15)),
        ("10am", time(10)),
        ("3:30pm", time(15, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
        ("24:00", None),
        ("10:60", None),
        ("13pm", None),
        ("noon-ish", None),
        ("²:00", None),
    ],
)
def test_times_between_midnight_and_23_59_only(text: str, expected: time | None) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Room 4.12", True),
        ("https://zoom.us/j/123", True),
        ("http://meet.example.com/abc", True),
        ("Zoom: see the invite", True),
        ("javascript:alert(1)", False),
        ("ftp://files.example.com", False),
        ("slack://channel?id=C1", False),
        ("https://", False),
        ("x" * 201, False),
    ],
)
def test_a_place_is_text_or_an_http_link(text: str, ok: bool) -> None:
    assert (clean_place(text)[1] is None) is ok


def test_a_booking_must_be_in_the_future_and_within_six_months() -> None:
    ok = slot_errors(date(2027, 3, 15), time(10), minutes=45, tz="Europe/London", now=NOW)
    assert ok == {}
    assert "passed" in slot_errors(TODAY, time(9), minutes=45, tz="UTC", now=NOW)["date"]
    assert "6 months" in slot_errors(date(2027, 10, 1), time(9), minutes=45, tz="UTC", now=NOW)["date"]
    both = slot_errors(None, None, minutes=7, tz="UTC", now=NOW)
    assert set(both) == {"date", "time", "length"}
    # 10:30 in Tokyo on the 3rd is 01:30 UTC: already past, though it reads later than 10:00.
    assert "date" in slot_errors(TODAY, time(10, 30), minutes=30, tz="Asia/Tokyo", now=NOW)


def test_each_partner_reads_the_moment_in_their_own_time_zone() -> None:
    start = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    assert local_phrase(start, "Europe/London") == "Monday 15 March at 10:00"
    assert local_phrase(start, "America/New_York") == "Monday 15 March at 06:00"
    assert local_phrase(start, "Asia/Kolkata") == "Monday 15 March at 15:30"
    assert local_phrase(start, "Pacific/Auckland") == "Monday 15 March at 23:00"


def test_the_day_before_reminder_is_the_previous_working_day() -> None:
    monday_10 = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    due = day_before_reminder(monday_10, "Europe/London")
    assert due == datetime(2027, 3, 12, 9, 0, tzinfo=UTC)  # Friday 09:00 London (GMT)
    # Friday 09:00 in New York (EST, the clocks change on the 14th) is 14:00 UTC.
    assert day_before_reminder(monday_10, "America/New_York") == datetime(2027, 3, 12, 14, 0, tzinfo=UTC)


def test_the_shortly_before_reminder_stays_in_working_hours_and_before_the_start() -> None:
    at_14 = datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    assert shortly_before_reminder(at_14, "UTC") == at_14 - timedelta(hours=1)
    at_9_30 = datetime(2027, 3, 15, 9, 30, tzinfo=UTC)
    assert shortly_before_reminder(at_9_30, "UTC") == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    at_8 = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
    assert shortly_before_reminder(at_8, "UTC") is None
    saturday = datetime(2027, 3, 13, 11, 0, tzinfo=UTC)
    assert shortly_before_reminder(saturday, "UTC") is None


def _invite(sequence: int = 0, place: str = "https://meet.example.com/x") -> Invite:
    slot = Slot(start=datetime(2027, 3, 15, 10, 0, tzinfo=UTC), minutes=45, place=place)
    return Invite(
        uid="booking-7@turnabout", sequence=sequence, slot=slot, title="Priya & Tom", description="Agenda: AI tools"
    )


def test_the_invite_parses_back_with_one_uid_and_a_sequence_that_moves_bump() -> None:
    first = Calendar.from_ical(ics(_invite(), now=NOW))
    moved = Calendar.from_ical(ics(_invite(sequence=1), now=NOW))
    cancelled = Calendar.from_ical(ics(_invite(sequence=2), now=NOW, cancelled=True))
    events = [next(iter(c.walk("VEVENT"))) for c in (first, moved, cancelled)]
    assert {str(e["uid"]) for e in events} == {"booking-7@turnabout"}
    assert [e.decoded("sequence") for e in events] == [0, 1, 2]
    assert [str(c["method"]) for c in (first, moved, cancelled)] == ["PUBLISH", "PUBLISH", "CANCEL"]
    assert str(events[2]["status"]) == "CANCELLED"
    event = events[0]
    assert event.decoded("dtstart") == datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["location"]) == str(event["url"]) == "https://meet.example.com/x"
    assert "url" not in next(iter(Calendar.from_ical(ics(_invite(place="Room 4"), now=NOW)).walk("VEVENT")))


def test_calendar_links_carry_the_same_moment() -> None:
    google = parse_qs(urlsplit(google_link(_invite())).query)
    assert google["dates"] == ["20270315T100000Z/20270315T104500Z"]
    assert google["text"] == ["Priya & Tom"]
    outlook = parse_qs(urlsplit(outlook_link(_invite())).query)
    assert outlook["startdt"] == ["2027-03-15T10:00:00+00:00"]
    assert outlook["enddt"] == ["2027-03-15T10:45:00+00:00"]


@pytest.mark.parametrize(
    ("text", "day", "at", "place"),
    [
        ("15 March 3 pm", date(2027, 3, 15), time(15), ""),
        ("monday 10 am https://meet.example.com/x", date(2027, 3, 8), time(10), "https://meet.example.com/x"),
        ("March 15 10:00", date(2027, 3, 15), time(10), ""),
        ("2027-03-15 3:30pm Room 4", date(2027, 3, 15), time(15, 30), "Room 4"),
        ("tomorrow 9.15", date(2027, 3, 4), time(9, 15), ""),
    ],
)
def test_the_schedule_command_reads_date_time_and_place(text: str, day: date, at: time, place: str) -> None:
    request = parse_request(text, today=TODAY)
    assert (request.day, request.at, request.place, request.errors) == (day, at, place, {})


@pytest.mark.parametrize(
    ("text", "field"),
    [("tomorrow", "time"), ("someday 10:00", "date"), ("tomorrow 25:00", "time"), ("", "time")],
)
def test_the_schedule_command_says_what_is_missing(text: str, field: str) -> None:
    assert field in parse_request(text, today=TODAY).errors


def test_a_time_the_clocks_skip_is_refused_not_moved_silently() -> None:
    spring_forward = date(2027, 3, 28)  # Europe/Berlin: 02:00 -> 03:00
    errors = slot_errors(spring_forward, time(2, 30), minutes=45, tz="Europe/Berlin", now=NOW)
    assert "clocks change" in errors["time"]
    assert slot_errors(spring_forward, time(3, 30), minutes=45, tz="Europe/Berlin", now=NOW) == {}


@pytest.mark.parametrize(
    ("today", "last"),
    [
        (date(2027, 3, 1), date(2027, 9, 1)),
        (date(2027, 7, 1), date(2028, 1, 1)),
        (date(2027, 8, 31), date(2028, 2, 29)),
    ],
)
def test_six_months_ahead_means_the_same_day_six_calendar_months_on(today: date, last: date) -> None:
    assert six_months_after(today) == last
    now = datetime.combine(today, time(8), tzinfo=UTC)
    assert slot_errors(last, time(10), minutes=45, tz="UTC", now=now) == {}
    assert "6 months" in slot_errors(last + timedelta(days=1), time(10), minutes=45, tz="UTC", now=now)["date"]


def test_a_typed_place_is_shown_as_typed_and_a_link_cannot_be_disguised() -> None:
    from bot.blocks.scheduling import _place_line

    assert clean_place("https://zoom.us/j/1|https://evil.example")[1] is not None
    assert clean_place("<https://evil.example|https://zoom.us/j/123>")[1] is None  # text, not a link...
    shown = _place_line("<https://evil.example|https://zoom.us/j/123> <!channel>")
    assert "<" not in shown and "&lt;!channel&gt;" in shown  # ...shown as typed, pinging nobody
