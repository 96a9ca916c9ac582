"""A pair's momentum: on track, cooling or lapsed, judged on a running clock that pauses stop.

A cadence period is a fixed number of days of *elapsed* time (see `Cadence.days`). The clock runs from the
later of the pair's start and its last session, minus every paused interval (either person's pause;
overlapping pauses count once). One period of running clock makes the pair `cooling`, two make it `lapsed`.
A pause freezes the state; it does not reset the clock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from bot.domain.people import Cadence
from bot.domain.timezones import aware_utc, local_instant, zone

# Elapsed days per cadence period. Monthly is a flat 30 days: a calendar month would make "cooling" arrive
# after 28 to 31 days depending on the month, and would not compose with paused intervals.
CADENCE_DAYS: Mapping[Cadence, int] = MappingProxyType({c: c.days for c in Cadence})

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# A new pair that has neither met nor booked is nudged (with the first-session agenda) after this long.
FIRST_SESSION_WAIT = timedelta(days=10)
# How long after a booked session's start it still holds the pair on track: time for the session itself and
# for someone to answer "did it happen?" (asked once it is over, in a working window both share, which for a
# Friday-evening session can be Monday). An answer settles the booking sooner.
BOOKING_HOLD = timedelta(days=5)


def cadence_period(cadence: Cadence | str) -> timedelta:
    """The length of one cadence period as elapsed time.

    Args:
        cadence: A `Cadence` or its string value ("weekly", "biweekly", "monthly").

    Returns:
        7, 14 or 30 days.

    Raises:
        ValueError: If `cadence` is not a known cadence.
    """
    return timedelta(days=Cadence(cadence).days)


class MomentumState(enum.StrEnum):
    """How a pair is doing; members are declared from healthiest to most stalled (see `rank`)."""

    ON_TRACK = "on_track"
    COOLING = "cooling"
    LAPSED = "lapsed"
    CLOSED = "closed"

    @property
    def rank(self) -> int:
        """0 for on_track up to 3 for closed; without new sessions the rank never goes down."""
        return list(MomentumState).index(self)


@dataclass(frozen=True)
class PairFacts:
    """What is known about one pair; every datetime must be timezone-aware (they are stored in UTC).

    Attributes:
        started_at: When the pair was formed; the clock runs from here until the first session.
        cadence: The agreed cadence.
        sessions: When sessions were held, ideally already passed through `dedupe_sessions` so the
            episode key stays stable when the second partner logs the same session. Order is irrelevant;
            sessions after `now` are ignored.
        paused: Pauses of either person as (start, end) with `end` exclusive; `end=None` means paused
            until further notice. Overlaps are fine.
        closed_at: When the pair ended, if it has or is scheduled to.
        booked: The start of a session the pair has booked and not yet said happened or not. A booking is
            momentum: until `BOOKING_HOLD` after it, the pair is on track whatever the clock says.
    """

    started_at: datetime
    cadence: Cadence
    sessions: Sequence[datetime] = ()
    paused: Sequence[tuple[datetime, datetime | None]] = ()
    closed_at: datetime | None = None
    booked: datetime | None = None

    def __post_init__(self) -> None:
        # Normalise to UTC so that `instant + timedelta` is elapsed time, never wall-clock arithmetic in
        # a zone with DST; and to tuples so the frozen object really cannot change.
        object.__setattr__(self, "started_at", aware_utc(self.started_at, "started_at"))
        object.__setattr__(self, "cadence", Cadence(self.cadence))
        object.__setattr__(self, "sessions", tuple(aware_utc(s, "sessions") for s in self.sessions))
        pauses: list[tuple[datetime, datetime | None]] = []
        for start, end in self.paused:
            start_utc = aware_utc(start, "paused")
            end_utc = None if end is None else aware_utc(end, "paused")
            if end_utc is not None and end_utc < start_utc:
                raise ValueError(f"pause ends before it starts: {start_utc.isoformat()} > {end_utc.isoformat()}")
            pauses.append((start_utc, end_utc))
        object.__setattr__(self, "paused", tuple(pauses))
        if self.closed_at is not None:
            object.__setattr__(self, "closed_at", aware_utc(self.closed_at, "closed_at"))
        if self.booked is not None:
            object.__setattr__(self, "booked", aware_utc(self.booked, "booked"))


@dataclass(frozen=True)
class Momentum:
    """A pair's momentum as of one moment (the `now` given to `compute_momentum`).

    Attributes:
        state: on_track, cooling, lapsed or closed.
        last_session_at: The latest session at or before `now`, or None if they have not met yet.
        quiet_since: Where the clock started: the later of the start of the pair and its last session.
        quiet_for: Running clock since `quiet_since`, paused time excluded (stopped at closure).
        days_quiet: `quiet_for` in whole days; this is what the state is judged on.
        days_since_last_session: Calendar days (pauses included) since the last session, or None.
        cooling_at: When the pair turns (or turned) cooling in this quiet stretch, given the pauses known
            now; None if an open-ended pause stops the clock before then.
        lapsed_at: The same for lapsed.
        next_change_at: When the state will next change if nothing else happens (cooling, lapsed, or a
            scheduled closure); None if it never will (lapsed, closed, or stopped by an open pause).
        paused: Whether either person is paused at `now`.
        paused_until: When the current pause ends; None if not paused or paused until further notice.
        booking_hold: Until when a booked session holds the pair on track (no nudges before it), or None.
    """

    state: MomentumState
    last_session_at: datetime | None
    quiet_since: datetime
    quiet_for: timedelta
    days_quiet: int
    days_since_last_session: int | None
    cooling_at: datetime | None
    lapsed_at: datetime | None
    next_change_at: datetime | None
    paused: bool
    paused_until: datetime | None
    booking_hold: datetime | None = None

    @property
    def episode_key(self) -> datetime:
        """Identity of the current quiet stretch (a lapse episode): a new session starts a new one."""
        return self.quiet_since


def compute_momentum(facts: PairFacts, now: datetime) -> Momentum:
    """Work out a pair's momentum state as of `now`.

    Args:
        facts: The pair's start, cadence, sessions, pauses and closure.
        now: The moment to evaluate at (timezone-aware).

    Returns:
        The state and the facts behind it, including when it will next change.

    Raises:
        ValueError: If `now` is naive.
    """
    now = aware_utc(now, "now")
    period = cadence_period(facts.cadence)
    last_session = max((s for s in facts.sessions if s <= now), default=None)
    quiet_since = facts.started_at if last_session is None else max(last_session, facts.started_at)
    pauses = _merge_pauses(facts.paused)

    # A pair that hasn't started gets its first nudge sooner than a monthly cadence would allow: the first
    # session is the one most often never booked.
    first_wait = period if last_session is not None else min(period, FIRST_SESSION_WAIT)
    cooling_at = _when_clock_reaches(quiet_since, first_wait, pauses)
    lapsed_at = _when_clock_reaches(quiet_since, 2 * period, pauses)
    closed = facts.closed_at is not None and facts.closed_at <= now
    booking_hold = facts.booked + BOOKING_HOLD if facts.booked is not None else None
    if closed or (booking_hold is not None and booking_hold <= now):
        booking_hold = None
    clock_stop = facts.closed_at if facts.closed_at is not None and closed else now
    quiet_for = _running_clock(quiet_since, clock_stop, pauses)
    current_pause = next((p for p in pauses if p[0] <= now and (p[1] is None or now < p[1])), None)

    if closed:
        state = MomentumState.CLOSED
        next_change_at = None
    else:
        if lapsed_at is not None and lapsed_at <= now:
            state = MomentumState.LAPSED
        elif cooling_at is not None and cooling_at <= now:
            state = MomentumState.COOLING
        else:
            state = MomentumState.ON_TRACK
        upcoming = [t for t in (cooling_at, lapsed_at, facts.closed_at) if t is not None and t > now]
        if booking_hold is not None:
            # Booked: on track until the booking has had its time to be confirmed, then the clock decides.
            state = MomentumState.ON_TRACK
            masked = [t for t in upcoming if t <= booking_hold]
            upcoming = [t for t in upcoming if t > booking_hold] + ([booking_hold] if masked else [])
        next_change_at = min(upcoming, default=None)

    return Momentum(
        state=state,
        last_session_at=last_session,
        quiet_since=quiet_since,
        quiet_for=quiet_for,
        days_quiet=quiet_for // _ONE_DAY,
        days_since_last_session=None if last_session is None else (now - last_session) // _ONE_DAY,
        cooling_at=cooling_at,
        lapsed_at=lapsed_at,
        next_change_at=next_change_at,
        paused=current_pause is not None,
        paused_until=None if current_pause is None else current_pause[1],
        booking_hold=booking_hold,
    )


_Pause = tuple[datetime, datetime | None]


def _merge_pauses(pauses: Iterable[_Pause]) -> list[_Pause]:
    """Sort and merge overlapping or touching pauses, so time paused by both people counts once."""
    merged: list[_Pause] = []
    for start, end in sorted(pauses, key=lambda p: p[0]):
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break  # an open-ended pause swallows everything after it
            if start <= last_end:
                merged[-1] = (last_start, None if end is None else max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def _when_clock_reaches(origin: datetime, target: timedelta, pauses: Sequence[_Pause]) -> datetime | None:
    """The instant the running clock started at `origin` shows `target`, skipping paused time."""
    cursor, remaining = origin, target
    for start, end in pauses:
        if end is not None and end <= cursor:
            continue
        if start > cursor:
            if remaining <= start - cursor:
                return cursor + remaining
            remaining -= start - cursor
        if end is None:
            return None
        cursor = end
    return cursor + remaining


def _running_clock(origin: datetime, until: datetime, pauses: Sequence[_Pause]) -> timedelta:
    """Elapsed time from `origin` to `until`, paused time excluded; zero if `until` is not later."""
    if until <= origin:
        return _ZERO
    paused = _ZERO
    for start, end in pauses:
        overlap_start, overlap_end = max(start, origin), until if end is None else min(end, until)
        if overlap_end > overlap_start:
            paused += overlap_end - overlap_start
    return until - origin - paused


# --------------------------------------------------------------------------------------------------------
# Session dedupe
# --------------------------------------------------------------------------------------------------------


def dedupe_sessions(logs: Iterable[date | datetime], tz: str | None) -> tuple[datetime, ...]:
    """Collapse session logs so that one meeting logged by both partners counts once.

    Rule: logs on the same calendar date in the pair's reference time zone are one session. People report
    "we met on Tuesday" rather than an exact minute, and each partner's clock differs, so a window of N
    hours would split or merge sessions arbitrarily; the cadences are a week or longer, so a pair that
    really meets twice in one day loses nothing that matters.

    Args:
        logs: When each logged session was held: aware datetimes, or plain dates for logs that only say
            which day (read as noon of that date in `tz`, the middle of the working day).
        tz: The pair's reference IANA time zone (e.g. the mentee's); None, empty or unknown means UTC.

    Returns:
        One UTC instant per session date, oldest first. For each date this is the earliest timed log of
        that date, or noon when every log of that date is date-only, so the value stays stable when the
        second partner logs the same session later.

    Raises:
        ValueError: If a datetime is naive.
    """
    where = zone(tz)
    timed: dict[date, datetime] = {}
    date_only: set[date] = set()
    for log in logs:
        if isinstance(log, datetime):  # before the date check: datetime is a subclass of date
            instant = aware_utc(log, "logs")
            day = instant.astimezone(where).date()
            timed[day] = min(instant, timed.get(day, instant))
        else:
            date_only.add(log)
    sessions = dict(timed)
    for day in date_only - timed.keys():
        sessions[day] = local_instant(day, time(12), where)
    return tuple(sorted(sessions.values()))


class Standing(enum.StrEnum):
    """How a pair reads in reports and on Home: momentum, but a pair that never met is "not started" (never "on
    track"), and a pair with someone paused is "paused"."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    COOLING = "cooling"
    LAPSED = "lapsed"
    PAUSED = "paused"


def standing(state: MomentumState | str, *, has_met: bool, paused: bool) -> Standing:
    if paused:
        return Standing.PAUSED
    if not has_met:
        return Standing.NOT_STARTED
    value = MomentumState(state)
    return Standing(value.value) if value is not MomentumState.CLOSED else Standing.LAPSED
