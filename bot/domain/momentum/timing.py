"""Respectful timing: messages go out Monday to Friday, 09:00 to 17:00 in each recipient's own zone.

Reminders go at the start of the window on the working day before a session; check-ins in the first window
an hour after it. All returned instants are in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.timezones import aware_utc, local_instant, zone

# Sessions usually run 30-60 minutes; asking "how did it go?" earlier would land mid-conversation.
CHECKIN_DELAY = timedelta(hours=1)

_ONE_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(5))  # Monday=0 .. Friday=4, as date.weekday() numbers them
# How far ahead to look for a window: a full week plus slack for zones that once skipped a calendar day.
_WINDOW_SEARCH_DAYS = 15


@dataclass(frozen=True)
class SendWindow:
    """When DMs may be sent, in the recipient's local time.

    Attributes:
        start: Local time the window opens (inclusive).
        end: Local time it closes (exclusive): 16:59:59 is inside, 17:00 is not.
        workdays: Days it is open, as `date.weekday()` numbers them (Monday is 0).
    """

    start: time = time(9)
    end: time = time(17)
    workdays: frozenset[int] = _WEEKDAYS

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("the window must open before it closes")
        if not self.workdays or not self.workdays <= frozenset(range(7)):
            raise ValueError("workdays must be a non-empty set of numbers 0 (Monday) to 6 (Sunday)")

    def contains(self, local: datetime) -> bool:
        """Whether a local wall-clock time is inside the window."""
        return local.weekday() in self.workdays and self.start <= local.time() < self.end


DEFAULT_SEND_WINDOW = SendWindow()


def is_within_window(now: datetime, tz: str | None, *, window: SendWindow = DEFAULT_SEND_WINDOW) -> bool:
    """Whether a DM may be sent at `now` to someone in time zone `tz`.

    Args:
        now: The moment to check (timezone-aware).
        tz: The recipient's IANA time zone; None, empty or unknown means UTC.
        window: The allowed days and hours.

    Returns:
        True on a workday from `window.start` (inclusive) to `window.end` (exclusive), local time.

    Raises:
        ValueError: If `now` is naive.
    """
    return window.contains(aware_utc(now, "now").astimezone(zone(tz)))


def next_send_window(now: datetime, tz: str | None, *, window: SendWindow = DEFAULT_SEND_WINDOW) -> datetime:
    """The earliest moment at or after `now` when a DM may go to someone in time zone `tz`.

    Args:
        now: The moment a DM becomes due (timezone-aware).
        tz: The recipient's IANA time zone; None, empty or unknown means UTC.
        window: The allowed days and hours.

    Returns:
        `now` (in UTC) if it is inside the window, else the opening of the next window in UTC. Local
        openings are resolved per date, so DST shifts the UTC instant, never the local 09:00.

    Raises:
        ValueError: If `now` is naive.
    """
    now = aware_utc(now, "now")
    where = zone(tz)
    local = now.astimezone(where)
    if window.contains(local):
        return now
    for offset in range(_WINDOW_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in window.workdays:
            continue
        opening = local_instant(day, window.start, where)
        # The round trip check matters only in zones that skipped a day or jumped over the opening time.
        if opening > now and window.contains(opening.astimezone(where)):
            return opening
    raise RuntimeError(f"no send window within {_WINDOW_SEARCH_DAYS} days of {now.isoformat()} in {where}")


def reminder_due_at(
    session_at: date | datetime, tz: str | None, *, window: SendWindow = DEFAULT_SEND_WINDOW
) -> datetime:
    """When to remind someone in `tz` of a scheduled session: the opening of the window on the last
    workday before the session's local date (Friday 09:00 for a Monday session, never a weekend).

    If the result has already passed when the session is scheduled (a session set for tomorrow, late in
    the day), the reminder is overdue: send it at `next_send_window(now, tz)` if that is still before the
    session, else skip it.

    Args:
        session_at: When the session is set: an aware datetime, or a date when no time was agreed (read
            as that date for everyone).
        tz: The recipient's IANA time zone; None, empty or unknown means UTC.
        window: The allowed days and hours.

    Returns:
        The UTC instant the reminder is due.

    Raises:
        ValueError: If `session_at` is a naive datetime.
    """
    where = zone(tz)
    if isinstance(session_at, datetime):
        session_day = aware_utc(session_at, "session_at").astimezone(where).date()
    else:
        session_day = session_at
    day = session_day - _ONE_DAY
    while day.weekday() not in window.workdays:
        day -= _ONE_DAY
    return next_send_window(local_instant(day, time(0), where), tz, window=window)


def checkin_due_at(
    session_at: datetime,
    tz: str | None,
    *,
    logged_at: datetime | None = None,
    delay: timedelta = CHECKIN_DELAY,
    window: SendWindow = DEFAULT_SEND_WINDOW,
) -> datetime:
    """When to send someone in `tz` the "how did it go?" check-in for a session.

    Rule: the first send-window moment at least `delay` after the session was held, and not before it
    was logged (a session logged a day late gets its check-in in the next window after logging).

    Args:
        session_at: When the session was held (aware).
        tz: The recipient's IANA time zone; None, empty or unknown means UTC.
        logged_at: When the session was logged, if known.
        delay: How long after the session to wait.
        window: The allowed days and hours.

    Returns:
        The UTC instant the check-in is due.

    Raises:
        ValueError: If a datetime is naive.
    """
    earliest = aware_utc(session_at, "session_at") + delay
    if logged_at is not None:
        earliest = max(earliest, aware_utc(logged_at, "logged_at"))
    return next_send_window(earliest, tz, window=window)


def common_window(now: datetime, zones: Sequence[str]) -> datetime:
    """The first moment at or after `now` inside everyone's working hours; when their days never overlap
    (Los Angeles and Kolkata), the last person's window, so the message at least lands in someone's day."""
    moment = now
    for _ in range(20):
        starts = [next_send_window(moment, tz) for tz in zones]
        latest = max(starts)
        if latest == moment:
            return moment
        moment = latest
    return next_send_window(now, zones[-1])
