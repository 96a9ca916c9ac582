"""Program cycles (cohorts): a named stretch of time with a start and an end, and what pairs answer inside one.

The rules of a cycle's life (when it is current, its midpoint, its close-out, who rolls over) live here, free of
Slack and of the database, so they can be tested with an explicit clock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

__all__ = [
    "ANSWER_DAYS",
    "LENGTHS",
    "MAX_MONTHS",
    "MIN_MONTHS",
    "ConfidenceStage",
    "CycleLine",
    "CycleStatus",
    "EndedEarly",
    "Overview",
    "PairOutcome",
    "Problem",
    "Refusal",
    "Span",
    "SurveyKind",
    "check_extension",
    "check_new",
    "closeout_day",
    "current",
    "days_left",
    "end_of",
    "midpoint",
    "planned_after",
    "rolls_over",
    "settles_on",
    "takes_new_pairs",
]


class CycleStatus(enum.StrEnum):
    OPEN = "open"  # planned or running: its dates say which
    CLOSED = "closed"  # its close-out is done: pairs rolled over or closed


class SurveyKind(enum.StrEnum):
    PULSE = "pulse"  # at the midpoint: how is it going, keep going or need help
    CLOSEOUT = "closeout"  # near the end: value, would recommend, confidence again, what changed, continue or close


class ConfidenceStage(enum.StrEnum):
    SIGNUP = "signup"  # the baseline, given in the sign-up modal
    MIDPOINT = "midpoint"
    CLOSEOUT = "closeout"


class PairOutcome(enum.StrEnum):
    CONTINUED = "continued"  # both chose to continue: the pair rolled over into the next cycle
    CLOSED = "closed"  # closed with a thank-you at the cycle's end


# --- the rules of a cycle's life ---

# The lengths a lead picks from, in months; anything outside MIN_MONTHS..MAX_MONTHS is refused as absurd.
LENGTHS = (3, 4, 6, 9, 12)
MIN_MONTHS, MAX_MONTHS = 1, 24
NAME_MAX = 80
# A cycle may be recorded as having started a little while ago (a cohort already under way), not years ago; and
# it may be planned a year or so ahead, not further.
MAX_DAYS_BACK = 90
MAX_DAYS_AHEAD = 400
# Close-out surveys go out this long before the last day (less for short cycles: a quarter of the cycle at most).
CLOSEOUT_LEAD = timedelta(days=14)
# People have at least this long to answer a close-out before the cycle settles (an early end included).
ANSWER_DAYS = timedelta(days=5)


@dataclass(frozen=True)
class Span:
    """A cycle as the rules see it: its first and last day, inclusive, in the program's time zone."""

    id: int
    name: str
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return starts_on <= self.ends_on and self.starts_on <= ends_on


def end_of(starts_on: date, months: int) -> date:
    """The last day of a cycle of `months` months: the day before the same date `months` later (1 March, 6
    months: 31 August). relativedelta clamps month ends (31 August + 6 months is 28 or 29 February)."""
    return starts_on + relativedelta(months=months) - timedelta(days=1)


class Problem(enum.StrEnum):
    """Why a cycle's dates or name can't be used (`bot.blocks.cycles` words each for the lead)."""

    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"
    NAME_MARKUP = "name_markup"  # < or >: Slack would read a mention, a broadcast or a link in it
    BAD_LENGTH = "bad_length"  # outside MIN_MONTHS..MAX_MONTHS
    ALREADY_OVER = "already_over"  # its last day has passed
    TOO_FAR_BACK = "too_far_back"
    TOO_FAR_AHEAD = "too_far_ahead"
    OVERLAPS = "overlaps"  # another open cycle: `Refusal.other`
    DATE_PASSED = "date_passed"  # a new end before today
    NOT_LATER = "not_later"  # an extension that does not extend
    TOO_LONG = "too_long"  # longer than MAX_MONTHS in all


@dataclass(frozen=True)
class Refusal:
    problem: Problem
    other: Span | None = None  # the cycle it would overlap


def check_name(name: str) -> Refusal | None:
    """Why a cycle's name can't be used, or None."""
    cleaned = " ".join(name.split())
    if not cleaned:
        return Refusal(Problem.NAME_EMPTY)
    if len(cleaned) > NAME_MAX:
        return Refusal(Problem.NAME_TOO_LONG)
    if "<" in cleaned or ">" in cleaned:
        # The name goes into every survey and the public shout-out: "<!channel>" there would ping everyone.
        return Refusal(Problem.NAME_MARKUP)
    return None


def check_new(*, name: str, starts_on: date, months: int, others: Sequence[Span], today: date) -> dict[str, Refusal]:
    """What is wrong with a new cycle, by field ("name", "start", "length"); empty when it can be created.
    `others` are the open cycles (running or planned): cycles never overlap."""
    errors: dict[str, Refusal] = {}
    why = check_name(name)
    if why:
        errors["name"] = why
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        errors["length"] = Refusal(Problem.BAD_LENGTH)
        return errors
    ends_on = end_of(starts_on, months)
    clash = next((o for o in others if o.overlaps(starts_on, ends_on)), None)
    if ends_on < today:
        errors["start"] = Refusal(Problem.ALREADY_OVER)
    elif starts_on < today - timedelta(days=MAX_DAYS_BACK):
        errors["start"] = Refusal(Problem.TOO_FAR_BACK)
    elif starts_on > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["start"] = Refusal(Problem.TOO_FAR_AHEAD)
    elif clash is not None:
        errors["start"] = Refusal(Problem.OVERLAPS, clash)
    return errors


def check_extension(*, cycle: Span, ends_on: date, others: Sequence[Span], today: date) -> Refusal | None:
    """Why a cycle can't be extended to end on `ends_on`, or None."""
    if ends_on < today:
        return Refusal(Problem.DATE_PASSED)
    if ends_on <= cycle.ends_on:
        return Refusal(Problem.NOT_LATER)
    if ends_on > end_of(cycle.starts_on, MAX_MONTHS):
        return Refusal(Problem.TOO_LONG)
    clash = next((o for o in others if o.id != cycle.id and o.overlaps(cycle.starts_on, ends_on)), None)
    if clash is not None:
        return Refusal(Problem.OVERLAPS, clash)
    return None


def current(cycles: Iterable[Span], today: date) -> Span | None:
    """The cycle running on `today`, if any (open cycles never overlap, so there is at most one)."""
    return next((c for c in cycles if c.covers(today)), None)


def planned_after(cycles: Iterable[Span], day: date) -> Span | None:
    """The first cycle starting after `day`: where pairs that continue roll over to."""
    later = sorted((c for c in cycles if c.starts_on > day), key=lambda c: c.starts_on)
    return later[0] if later else None


def midpoint(cycle: Span) -> date:
    """The day the midpoint pulse goes out."""
    return cycle.starts_on + (cycle.ends_on - cycle.starts_on) // 2


def closeout_day(cycle: Span) -> date:
    """The day close-out surveys go out: two weeks before the last day, a quarter of the cycle before it for
    short cycles, and never before the midpoint."""
    length = cycle.ends_on - cycle.starts_on + timedelta(days=1)
    lead = min(CLOSEOUT_LEAD, timedelta(days=length.days // 4))
    return max(midpoint(cycle), cycle.ends_on - lead)


def takes_new_pairs(cycle: Span, today: date) -> bool:
    """Whether a pair starting today (a new match, or an evergreen pair) joins the cycle: only until its close-out
    goes out. A pair matched later would be asked at once whether to go on together, and closed at the cycle's end
    unless both said yes; it stays evergreen instead and joins the next cycle when that starts."""
    return cycle.covers(today) and today < closeout_day(cycle)


def settles_on(cycle: Span, *, dates_changed_on: date) -> date:
    """The day the cycle settles (pairs roll over or close): the day after its last, and at least `ANSWER_DAYS`
    after its close-out went out. When a lead ends a cycle early (its last day becomes today), or moves its end
    close, the close-out goes out on the day of the change, so that is when people's time to answer starts."""
    closeout_from = max(closeout_day(cycle), min(dates_changed_on, cycle.ends_on))
    return max(cycle.ends_on + timedelta(days=1), closeout_from + ANSWER_DAYS)


def days_left(cycle: Span, today: date) -> int:
    """Days left including today (0 once the last day has passed)."""
    return max(0, (cycle.ends_on - today).days + 1)


def rolls_over(mentor_continues: bool | None, mentee_continues: bool | None) -> bool:
    """A pair rolls over into the next cycle only when both partners chose to continue; no answer is no."""
    return mentor_continues is True and mentee_continues is True


# --- what the lead sees (plain data the use cases fill in and the builders word) ---


@dataclass(frozen=True)
class CycleLine:
    """A cycle as the lead's overview shows it."""

    span: Span
    pairs: int
    days_left: int
    running: bool  # started (else planned)
    ending: bool  # its last day is today or past: close-outs are out, it settles soon


@dataclass(frozen=True)
class Overview:
    today: date
    current: CycleLine | None  # the cycle running today
    planned: list[CycleLine]  # not started yet, earliest first
    settling: list[CycleLine] = field(default_factory=list)  # past their last day, people still answering

    @property
    def any(self) -> bool:
        return self.current is not None or bool(self.planned) or bool(self.settling)

    @property
    def lines(self) -> list[CycleLine]:
        return [*self.settling, *([self.current] if self.current else []), *self.planned]


@dataclass(frozen=True)
class EndedEarly:
    cycle: Span
    called_off: bool  # a planned cycle, called off before it started
    settled: bool  # pairs rolled over or closed already (the lead skipped the survey)
    keys: list[str] = field(default_factory=list)
