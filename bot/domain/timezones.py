"""Time zones, the one way: every reading of someone's zone goes through here, with the same fallback.

People's zones come from Slack profiles. A missing, empty, unknown or malformed zone falls back to UTC rather
than failing a send or a page: a message at the wrong hour is better than no message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["aware_utc", "local_date", "local_instant", "to_local", "utc_offset_minutes", "zone"]

_UTC = ZoneInfo("UTC")


def zone(tz: str | None) -> ZoneInfo:
    """The zone named `tz` (an IANA name such as "Europe/Berlin"), or UTC when it can't be used."""
    if tz is None or not tz.strip():
        return _UTC
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError/OSError: malformed keys such as "../etc" or a directory name.
        return _UTC


def aware_utc(value: datetime, name: str = "datetime") -> datetime:
    """`value` in UTC; naive datetimes are refused, because their meaning depends on the server's zone.

    Raises:
        ValueError: naming `name` when `value` is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)


def to_local(when: datetime, tz: str | None) -> datetime:
    """An aware instant as wall-clock time in `tz`."""
    return when.astimezone(zone(tz))


def local_date(now: datetime, tz: str | None) -> date:
    """The calendar date at `now` where the person is (a session logged at 23:00 in Tokyo happened that day)."""
    return to_local(now, tz).date()


def local_instant(day: date, at: time, tz: ZoneInfo | str | None) -> datetime:
    """The UTC instant of wall time `at` on `day` in a zone.

    fold=0 reads an ambiguous time (clocks going back) as its first occurrence, and a skipped time (clocks
    going forward) with the old offset, i.e. as the matching moment just after the jump.
    """
    where = tz if isinstance(tz, ZoneInfo) else zone(tz)
    return datetime.combine(day, at, tzinfo=where).astimezone(UTC)


def utc_offset_minutes(tz: str | None, now: datetime) -> int:
    """The zone's offset from UTC at `now`, in minutes (330 for Kolkata, -300 for New York in winter)."""
    offset = to_local(now, tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0
