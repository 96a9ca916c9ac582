"""Booking a session: reading a date, a time and a place from people, the rules a booking must meet, and how a
booked moment reads for each partner in their own time zone.

Pure rules with an explicit clock; storage and Slack are elsewhere.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from bot.domain.momentum.timing import DEFAULT_SEND_WINDOW, SendWindow, next_send_window
from bot.domain.timezones import aware_utc, local_instant, to_local, zone

LENGTHS = (15, 30, 45, 60, 90)  # minutes, as the modal offers them
DEFAULT_LENGTH = 45
PLACE_MAX = 200
# The "shortly before" reminder: this long before the start, if that is still inside someone's working day.
SHORTLY_BEFORE = timedelta(hours=1)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAY_MONTH = re.compile(r"^(\d{1,2})\s*([a-z]{3,9})\.?$")
_MONTH_DAY = re.compile(r"^([a-z]{3,9})\.?\s*(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")
# Something that names a URL scheme ("ftp://", "javascript:alert(1)", "slack://"), but not a label followed by
# a space ("Zoom: see the invite"): only http(s) links are taken.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]", re.IGNORECASE)


class BookingStatus(enum.StrEnum):
    """Where a booked session stands; only BOOKED is still to come."""

    BOOKED = "booked"
    HELD = "held"  # someone said it happened: it is a logged session now
    CANCELLED = "cancelled"  # called off beforehand
    MISSED = "missed"  # the time passed and someone said it didn't happen

    @property
    def called_off(self) -> bool:
        """Counts toward "cancelled in a row"."""
        return self in (BookingStatus.CANCELLED, BookingStatus.MISSED)


def cancelled_in_a_row(statuses_newest_first: list[BookingStatus]) -> int:
    """How many of the latest settled bookings were called off, back to the last one that happened."""
    count = 0
    for status in statuses_newest_first:
        if status is BookingStatus.BOOKED:
            continue
        if not status.called_off:
            break
        count += 1
    return count


def parse_day(text: str, *, today: date) -> date | None:
    """A day as people type it: 2027-03-15, today, tomorrow, a weekday ("monday": the next one, never today),
    "15 March", "March 15", "15 mar" (the next such date). None when it can't be read."""
    word = " ".join(text.strip().lower().split())
    if not word:
        return None
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in _WEEKDAYS:
        ahead = (_WEEKDAYS.index(word) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if word.isascii() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            return None
    found = _DAY_MONTH.match(word) or _MONTH_DAY.match(word)
    if found is None:
        return None
    day_text, month_text = found.groups() if found.re is _DAY_MONTH else reversed(found.groups())
    month = _month(month_text)
    if month is None or not day_text.isascii():
        return None
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, int(day_text))
        except ValueError:
            continue  # 29 February in a year without it: try the next
        if candidate >= today:
            return candidate
    return None


def _month(text: str) -> int | None:
    for number, name in enumerate(_MONTHS, start=1):
        if len(text) >= 3 and name.startswith(text):
            return number
    return None


def parse_clock(text: str) -> time | None:
    """A time of day: 10:00, 9.30, 14h15, 10am, 3:30pm. None outside 00:00-23:59 or unreadable."""
    word = text.strip().lower().replace(" ", "")
    found = _CLOCK.match(word) if word.isascii() else None
    if found is None:
        return None
    hours, minutes, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half is not None:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half == "pm" else 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def clean_place(text: str | None) -> tuple[str, str | None]:
    """(place, error): a room, an address or an http(s) link; any other URL scheme is refused."""
    place = " ".join((text or "").split())
    if len(place) > PLACE_MAX:
        return place, f"Keep the place under {PLACE_MAX} characters."
    if _SCHEME.match(place):
        parts = urlsplit(place)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return place, "Links must start with https:// (or http://)."
        if any(ch in place for ch in " <>|"):
            return place, "That link has characters a link can't hold (spaces, <, > or |). Paste it as it is."
    return place, None


def is_link(place: str) -> bool:
    return place.lower().startswith(("https://", "http://"))


@dataclass(frozen=True)
class Slot:
    """A booked moment: an aware start (UTC), a length and where."""

    start: datetime
    minutes: int
    place: str = ""

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def slot_errors(day: date | None, at: time | None, *, minutes: int, tz: str, now: datetime) -> dict[str, str]:
    """Why a booking can't stand, keyed by field ("date", "time", "length"); empty when it can.

    `day` and `at` are wall time in `tz`, the time zone of the person booking.
    """
    errors: dict[str, str] = {}
    if day is None:
        errors["date"] = "I couldn't read that date. Try 2027-03-15, tomorrow, or a weekday."
    if at is None:
        errors["time"] = "Give a time between 00:00 and 23:59, like 10:00 or 3:30pm."
    if minutes not in LENGTHS:
        errors["length"] = "Choose a length from the list."
    if day is None or at is None:
        return errors
    start = local_instant(day, at, tz)
    if to_local(start, tz).time().replace(tzinfo=None) != at:
        errors["time"] = "That time doesn't exist on that day: the clocks change. Pick another time."
    elif start <= aware_utc(now, "now"):
        errors["date"] = "That moment has already passed. Pick a time in the future."
    elif day > six_months_after(to_local(now, tz).date()):
        errors["date"] = "That's more than 6 months away. Book something sooner; you can always move it."
    return errors


def six_months_after(today: date) -> date:
    """The same day six calendar months on (the last day of that month when it is shorter: 31 Aug -> 28 Feb)."""
    month = today.month + 6
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def local_phrase(start: datetime, tz: str | None) -> str:
    """ "Monday 15 March at 10:00" in someone's own time zone (the year when it isn't this one's)."""
    local = to_local(aware_utc(start, "start"), tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def zone_label(tz: str | None) -> str:
    """A short name for the zone in messages: "Europe/London" reads as "London time"."""
    name = str(zone(tz))
    return "UTC" if name == "UTC" else name.rsplit("/", 1)[-1].replace("_", " ") + " time"


def day_before_reminder(start: datetime, tz: str | None, *, window: SendWindow = DEFAULT_SEND_WINDOW) -> datetime:
    """The opening of the working day before the session's local date (Friday for a Monday session)."""
    where = zone(tz)
    day = to_local(aware_utc(start, "start"), tz).date() - timedelta(days=1)
    while day.weekday() not in window.workdays:
        day -= timedelta(days=1)
    return next_send_window(local_instant(day, time(0), where), tz, window=window)


def shortly_before_reminder(
    start: datetime, tz: str | None, *, window: SendWindow = DEFAULT_SEND_WINDOW
) -> datetime | None:
    """An hour before the session if that falls in the person's working hours, else the opening of that
    working day if it is still before the session; None when neither is (an early-morning session)."""
    start = aware_utc(start, "start")
    wanted = start - SHORTLY_BEFORE
    due = next_send_window(wanted, tz, window=window)
    return due if due < start and to_local(due, tz).date() == to_local(start, tz).date() else None


@dataclass(frozen=True)
class Request:
    """`/mentoring schedule <date> <time> [place]`, read."""

    day: date | None
    at: time | None
    place: str
    errors: dict[str, str]


USAGE = "Try `/mentoring schedule tomorrow 10:00`, or `/mentoring schedule 2027-03-15 3:30pm https://zoom.us/j/…`."


def parse_request(text: str, *, today: date) -> Request:
    """The words before the time of day are the date ("15 March", "March 15", "monday"), the rest is the place.
    A time may be split from its "am"/"pm" ("3 pm"). The first split where both the date and the time read wins,
    so "March 15 10:00" is the 15th at 10:00, not March at 15:00."""
    words = text.split()
    for index in range(1, len(words)):
        day = parse_day(" ".join(words[:index]), today=today)
        if day is None:
            continue
        rest = words[index:]
        spoken = rest[1].lower() in ("am", "pm", "a.m.", "p.m.") if len(rest) > 1 else False
        at = parse_clock(rest[0] + (rest[1].replace(".", "") if spoken else ""))
        if at is not None:
            return Request(day, at, " ".join(rest[2 if spoken else 1 :]), {})
    if words and parse_day(" ".join(words), today=today) is not None:
        return Request(None, None, "", {"time": f"Add a time after the date. {USAGE}"})
    if any(parse_clock(word) for word in words):
        return Request(None, None, "", {"date": f"I couldn't read the date. {USAGE}"})
    return Request(None, None, "", {"time": f"Give a date and a time. {USAGE}"})
