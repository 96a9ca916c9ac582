"""Momentum rules: is a pair still meeting, what to do when it goes quiet, and when a DM may be sent.

Pure functions over frozen dataclasses: no Slack, no database, no clock reads. Everything that depends on
time takes `now` (an aware datetime) as an argument, so the scheduler, the CLI and the tests can ask
"what is due as of this moment?". All returned instants are in UTC.

Rules decided here where the product issue left a choice open:

- A cadence period is a fixed number of days of *elapsed* time: weekly 7, biweekly 14, monthly 30. A
  calendar month would make "cooling" arrive after 28 to 31 days depending on the month, and would not
  compose with paused intervals, which are subtracted as durations.
- The clock runs from the later of the pair's start and its last session, minus every paused interval
  (either person's pause; overlapping pauses count once). One period of running clock makes the pair
  `cooling`, two make it `lapsed`. A pause freezes the state; it does not reset the clock.
- Sessions logged for the same pair on the same calendar date in the pair's reference time zone are one
  session (see `dedupe_sessions`).
- Escalation episodes are keyed by the instant their quiet stretch began (`Momentum.episode_key`).
- A person is a ghost after three consecutive prompts left unanswered for longer than a grace period.
- DMs go out Monday to Friday, 09:00 to 17:00 in the recipient's zone; reminders at the start of the
  window on the working day before the session; check-ins in the first window an hour after it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.people import Cadence

__all__ = [
    "CADENCE_DAYS",
    "CHECKIN_DELAY",
    "DEFAULT_ANSWER_GRACE",
    "DEFAULT_ESCALATION_RULES",
    "DEFAULT_SEND_WINDOW",
    "GHOST_THRESHOLD",
    "Cadence",
    "Episode",
    "EscalationDecision",
    "EscalationRules",
    "EscalationStep",
    "Momentum",
    "MomentumState",
    "PairFacts",
    "Prompt",
    "SendWindow",
    "cadence_period",
    "checkin_due_at",
    "compute_momentum",
    "dedupe_sessions",
    "is_ghost",
    "is_within_window",
    "next_escalation",
    "next_send_window",
    "reminder_due_at",
]

# Elapsed days per cadence period. Monthly is a flat 30 days (see the module docstring for why).
CADENCE_DAYS: Mapping[Cadence, int] = MappingProxyType({Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 30})

GHOST_THRESHOLD = 3
# Long enough that a prompt sent on a Friday morning still has two working days to be answered.
DEFAULT_ANSWER_GRACE = timedelta(days=4)
# Sessions usually run 30-60 minutes; asking "how did it go?" earlier would land mid-conversation.
CHECKIN_DELAY = timedelta(hours=1)

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_THREE_DAYS = timedelta(days=3)
_FOUR_DAYS = timedelta(days=4)
_WEEKDAYS = frozenset(range(5))  # Monday=0 .. Friday=4, as date.weekday() numbers them
# How far ahead to look for a window: a full week plus slack for zones that once skipped a calendar day.
_WINDOW_SEARCH_DAYS = 15


def cadence_period(cadence: Cadence | str) -> timedelta:
    """The length of one cadence period as elapsed time.

    Args:
        cadence: A `Cadence` or its string value ("weekly", "biweekly", "monthly").

    Returns:
        7, 14 or 30 days.

    Raises:
        ValueError: If `cadence` is not a known cadence.
    """
    return timedelta(days=CADENCE_DAYS[Cadence(cadence)])


# --------------------------------------------------------------------------------------------------------
# Momentum state
# --------------------------------------------------------------------------------------------------------


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
    """

    started_at: datetime
    cadence: Cadence
    sessions: Sequence[datetime] = ()
    paused: Sequence[tuple[datetime, datetime | None]] = ()
    closed_at: datetime | None = None

    def __post_init__(self) -> None:
        # Normalise to UTC so that `instant + timedelta` is elapsed time, never wall-clock arithmetic in
        # a zone with DST; and to tuples so the frozen object really cannot change.
        object.__setattr__(self, "started_at", _utc(self.started_at, "started_at"))
        object.__setattr__(self, "cadence", Cadence(self.cadence))
        object.__setattr__(self, "sessions", tuple(_utc(s, "sessions") for s in self.sessions))
        pauses: list[tuple[datetime, datetime | None]] = []
        for start, end in self.paused:
            start_utc = _utc(start, "paused")
            end_utc = None if end is None else _utc(end, "paused")
            if end_utc is not None and end_utc < start_utc:
                raise ValueError(f"pause ends before it starts: {start_utc.isoformat()} > {end_utc.isoformat()}")
            pauses.append((start_utc, end_utc))
        object.__setattr__(self, "paused", tuple(pauses))
        if self.closed_at is not None:
            object.__setattr__(self, "closed_at", _utc(self.closed_at, "closed_at"))


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
    now = _utc(now, "now")
    period = cadence_period(facts.cadence)
    last_session = max((s for s in facts.sessions if s <= now), default=None)
    quiet_since = facts.started_at if last_session is None else max(last_session, facts.started_at)
    pauses = _merge_pauses(facts.paused)

    cooling_at = _when_clock_reaches(quiet_since, period, pauses)
    lapsed_at = _when_clock_reaches(quiet_since, 2 * period, pauses)
    closed = facts.closed_at is not None and facts.closed_at <= now
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
    zone = _zone(tz)
    timed: dict[date, datetime] = {}
    date_only: set[date] = set()
    for log in logs:
        if isinstance(log, datetime):  # before the date check: datetime is a subclass of date
            instant = _utc(log, "logs")
            day = instant.astimezone(zone).date()
            timed[day] = min(instant, timed.get(day, instant))
        else:
            date_only.add(log)
    sessions = dict(timed)
    for day in date_only - timed.keys():
        sessions[day] = _local_instant(day, time(12), zone)
    return tuple(sorted(sessions.values()))


# --------------------------------------------------------------------------------------------------------
# Escalation ladder
# --------------------------------------------------------------------------------------------------------


class EscalationStep(enum.StrEnum):
    """What to do about a quiet pair, in ladder order, plus the thank-you that ends an episode."""

    NUDGE_PAIR = "nudge_pair"  # a friendly note to the pair's group DM
    NUDGE_EACH = "nudge_each"  # a DM to each person
    SPONSOR = "sponsor"  # a DM to the mentee's sponsor: the pair has stalled; status only, never survey content
    LEADS = "leads"  # a post in the program leads' channel
    THANKS = "thanks"  # the pair met again after being nudged: thank them


_LADDER = (EscalationStep.NUDGE_PAIR, EscalationStep.NUDGE_EACH, EscalationStep.SPONSOR, EscalationStep.LEADS)
# Nudges start once the pair is cooling; only a lapsed pair is worth a sponsor's or the leads' time.
_NEEDS = {
    EscalationStep.NUDGE_PAIR: MomentumState.COOLING,
    EscalationStep.NUDGE_EACH: MomentumState.COOLING,
    EscalationStep.SPONSOR: MomentumState.LAPSED,
    EscalationStep.LEADS: MomentumState.LAPSED,
}


@dataclass(frozen=True)
class EscalationRules:
    """Minimum spacing between ladder steps; each gap is measured from the previous step taken.

    Attributes:
        nudge_each_after: From the pair nudge to the individual nudges.
        sponsor_after: From the individual nudges to the sponsor DM.
        leads_after: From the previous step (the sponsor DM, or the individual nudges when the mentee has
            no sponsor) to the leads' post.
    """

    nudge_each_after: timedelta = _THREE_DAYS
    sponsor_after: timedelta = _THREE_DAYS
    leads_after: timedelta = _FOUR_DAYS

    def __post_init__(self) -> None:
        for name in ("nudge_each_after", "sponsor_after", "leads_after"):
            if getattr(self, name) < _ZERO:
                raise ValueError(f"{name} must not be negative")

    def gap_before(self, step: EscalationStep) -> timedelta:
        """How long after the previous step `step` may be taken (zero for the first step)."""
        return {
            EscalationStep.NUDGE_EACH: self.nudge_each_after,
            EscalationStep.SPONSOR: self.sponsor_after,
            EscalationStep.LEADS: self.leads_after,
        }.get(step, _ZERO)


DEFAULT_ESCALATION_RULES = EscalationRules()


@dataclass(frozen=True)
class Episode:
    """The steps already taken in one lapse episode, as the caller stored them.

    Attributes:
        key: The episode's identity: `Momentum.episode_key` (or `EscalationDecision.episode_key`) at the
            time its first step was taken.
        taken: When each step was taken (or queued for sending, if that is how the caller records it).
    """

    key: datetime
    taken: Mapping[EscalationStep, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", _utc(self.key, "key"))
        taken = {EscalationStep(step): _utc(at, "taken") for step, at in self.taken.items()}
        object.__setattr__(self, "taken", MappingProxyType(taken))


@dataclass(frozen=True)
class EscalationDecision:
    """What `next_escalation` says to do now.

    Attributes:
        episode_key: Record `steps` under this episode key (for THANKS it is the episode being closed).
        steps: Steps due now, in order; empty when nothing is due.
        next_check_at: When to evaluate again if nothing changes; None when nothing will become due
            without new facts (a session, a pause ending early, a new snooze, closure). Sending still goes
            through `next_send_window` for each DM recipient.
    """

    episode_key: datetime
    steps: tuple[EscalationStep, ...]
    next_check_at: datetime | None


def next_escalation(
    momentum: Momentum,
    episode: Episode | None,
    *,
    now: datetime,
    has_sponsor: bool,
    snoozed_until: datetime | None = None,
    rules: EscalationRules = DEFAULT_ESCALATION_RULES,
) -> EscalationDecision:
    """Decide which escalation steps are due now for a pair.

    The ladder is NUDGE_PAIR, NUDGE_EACH, SPONSOR (skipped without a sponsor), LEADS: each at most once
    per episode, in that order, spaced by `rules`, nudges from cooling on and the sponsor and leads only
    once lapsed. A step is never taken after a later one (a sponsor added after the leads were told is
    not DM'd). Nothing is sent while either person is paused or while a lead's snooze runs. When a session
    ends an episode in which any ladder step was taken, THANKS is due once, even during a snooze.

    Args:
        momentum: `compute_momentum(facts, now)` for the same `now`.
        episode: The stored episode the caller last recorded steps for, or None.
        now: The moment to evaluate at (timezone-aware).
        has_sponsor: Whether the mentee has a sponsor.
        snoozed_until: A lead's snooze: no ladder steps before this instant.
        rules: Step spacing.

    Returns:
        The steps due now, the episode to record them under, and when to check again.

    Raises:
        ValueError: If `now` or `snoozed_until` is naive.
    """
    now = _utc(now, "now")
    snoozed_until = None if snoozed_until is None else _utc(snoozed_until, "snoozed_until")

    if momentum.state is MomentumState.CLOSED:
        return EscalationDecision(momentum.episode_key, (), None)

    # A later session moved the episode key on: that episode is over. Comparing instants, not equality,
    # keeps the episode when a partner's log only moved the same day's session earlier.
    ended = episode is not None and momentum.last_session_at is not None and momentum.last_session_at > episode.key
    if episode is not None and not ended:
        key, taken = episode.key, episode.taken
    else:
        key, taken = momentum.episode_key, MappingProxyType({})

    current = _ladder(momentum, taken, now=now, has_sponsor=has_sponsor, snoozed_until=snoozed_until, rules=rules)
    if ended and episode is not None and _owes_thanks(episode):
        # Thank first; anything already due in the new episode is picked up right after it is recorded.
        follow_up = now if current.steps else current.next_check_at
        return EscalationDecision(episode.key, (EscalationStep.THANKS,), follow_up)
    return EscalationDecision(key, current.steps, current.next_check_at)


def _owes_thanks(episode: Episode) -> bool:
    return EscalationStep.THANKS not in episode.taken and any(s in episode.taken for s in _LADDER)


@dataclass(frozen=True)
class _LadderResult:
    steps: tuple[EscalationStep, ...]
    next_check_at: datetime | None


def _ladder(
    momentum: Momentum,
    taken: Mapping[EscalationStep, datetime],
    *,
    now: datetime,
    has_sponsor: bool,
    snoozed_until: datetime | None,
    rules: EscalationRules,
) -> _LadderResult:
    done = [i for i, step in enumerate(_LADDER) if step in taken]
    remaining = [
        step for step in _LADDER[(max(done) + 1 if done else 0) :] if step is not EscalationStep.SPONSOR or has_sponsor
    ]
    previous = max((taken[s] for s in _LADDER if s in taken), default=None)

    due: list[EscalationStep] = []
    next_check_at: datetime | None = None
    for step in remaining:
        state_at = momentum.cooling_at if _NEEDS[step] is MomentumState.COOLING else momentum.lapsed_at
        if state_at is None:
            break  # an open-ended pause stops the clock first: nothing will come due on its own
        ready_at = state_at if previous is None else max(state_at, previous + rules.gap_before(step))
        if ready_at > now:
            next_check_at = ready_at
            break
        due.append(step)
        previous = now  # spacing for the following step counts from now, when this one goes out

    # Holds: a pause (possibly open-ended) or a snooze delays what is due, and what comes due before it ends.
    holds: list[datetime | None] = []
    if momentum.paused:
        holds.append(momentum.paused_until)
    if snoozed_until is not None and now < snoozed_until:
        holds.append(snoozed_until)
    if not holds:
        return _LadderResult(tuple(due), next_check_at)
    if None in holds or (not due and next_check_at is None):
        # Paused until further notice, or nothing left to do: only new facts can change the answer.
        return _LadderResult((), None)
    hold_until = max(h for h in holds if h is not None)
    if due:
        return _LadderResult((), hold_until)
    assert next_check_at is not None  # for mypy: the branch above returned when it was None
    return _LadderResult((), max(hold_until, next_check_at))


# --------------------------------------------------------------------------------------------------------
# Ghosts
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """One nudge or check-in sent to a person.

    Attributes:
        sent_at: When it was sent.
        answered_at: When the person answered (any reply or button press), or None.
    """

    sent_at: datetime
    answered_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sent_at", _utc(self.sent_at, "sent_at"))
        if self.answered_at is not None:
            object.__setattr__(self, "answered_at", _utc(self.answered_at, "answered_at"))


def is_ghost(
    prompts: Iterable[Prompt],
    *,
    now: datetime,
    threshold: int = GHOST_THRESHOLD,
    grace: timedelta = DEFAULT_ANSWER_GRACE,
) -> bool:
    """Whether a person has left their latest `threshold` prompts unanswered, so should be auto-paused.

    A prompt counts as ignored once `grace` has passed since it was sent without an answer; a prompt
    still inside its grace period neither counts nor breaks the run. Answering late (even after the next
    prompt) still counts as answering, and any answer resets the run: only the most recent run matters.

    Args:
        prompts: The person's nudges and check-ins, in any order.
        now: The moment to evaluate at (timezone-aware); answers after it are not yet known.
        threshold: How many consecutive ignored prompts make a ghost.
        grace: How long a person has to answer a prompt.

    Returns:
        True if the last `threshold` settled prompts were all ignored.

    Raises:
        ValueError: If `threshold` is below 1, or `now` is naive.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    now = _utc(now, "now")
    run = 0
    for prompt in sorted(prompts, key=lambda p: p.sent_at):
        if prompt.sent_at > now:
            continue  # not sent yet as of `now`
        if prompt.answered_at is not None and prompt.answered_at <= now:
            run = 0
        elif now - prompt.sent_at >= grace:
            run += 1
    return run >= threshold


# --------------------------------------------------------------------------------------------------------
# Respectful timing
# --------------------------------------------------------------------------------------------------------


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
    return window.contains(_utc(now, "now").astimezone(_zone(tz)))


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
    now = _utc(now, "now")
    zone = _zone(tz)
    local = now.astimezone(zone)
    if window.contains(local):
        return now
    for offset in range(_WINDOW_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in window.workdays:
            continue
        opening = _local_instant(day, window.start, zone)
        # The round trip check matters only in zones that skipped a day or jumped over the opening time.
        if opening > now and window.contains(opening.astimezone(zone)):
            return opening
    raise RuntimeError(f"no send window within {_WINDOW_SEARCH_DAYS} days of {now.isoformat()} in {zone}")


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
    zone = _zone(tz)
    if isinstance(session_at, datetime):
        session_day = _utc(session_at, "session_at").astimezone(zone).date()
    else:
        session_day = session_at
    day = session_day - _ONE_DAY
    while day.weekday() not in window.workdays:
        day -= _ONE_DAY
    return next_send_window(_local_instant(day, time(0), zone), tz, window=window)


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
    earliest = _utc(session_at, "session_at") + delay
    if logged_at is not None:
        earliest = max(earliest, _utc(logged_at, "logged_at"))
    return next_send_window(earliest, tz, window=window)


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _utc(value: datetime, name: str) -> datetime:
    """Reject naive datetimes (their meaning depends on the server's zone) and convert to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)


def _zone(tz: str | None) -> ZoneInfo:
    """The recipient's zone; a missing or unknown zone falls back to UTC rather than failing a send."""
    if tz is None or not tz.strip():
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError/OSError: malformed keys such as "../etc" or a directory name.
        return ZoneInfo("UTC")


def _local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone`.

    fold=0 reads an ambiguous time (clocks going back) as its first occurrence, and a skipped time (clocks
    going forward) with the old offset, i.e. as the matching moment just after the jump.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


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
