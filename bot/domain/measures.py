"""The program's measures as leads show them to their executives: satisfaction, meeting frequency and skills
learned, plus the history behind the charts. Pure arithmetic over what storage aggregates; no I/O.

Survey figures are only ever given over `MIN_ANSWERS` or more answers, so nobody's answer can be singled out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.momentum.state import Standing

MIN_ANSWERS = 3
DAYS_PER_MONTH = 365.25 / 12
# The order pairs are listed in for a lead, worst first: what needs a lead soonest comes first.
ATTENTION_ORDER: tuple[Standing, ...] = (
    Standing.LAPSED,
    Standing.COOLING,
    Standing.NOT_STARTED,
    Standing.PAUSED,
    Standing.ON_TRACK,
)


@dataclass(frozen=True)
class PairSpan:
    """One pair's life as the measures need it (dates are UTC days)."""

    pairing_id: int
    started: date
    ended: date | None
    cadence_days: int

    def active_on(self, day: date) -> bool:
        return self.started <= day and (self.ended is None or day < self.ended)

    def days_in(self, start: date, end: date) -> int:
        """Days of [start, end) the pair existed."""
        first = max(start, self.started)
        last = min(end, self.ended) if self.ended else end
        return max(0, (last - first).days)


@dataclass(frozen=True)
class Satisfaction:
    """How valuable people found their sessions (check-in "value", 1-5)."""

    answers: int
    distribution: Mapping[int, int] = field(default_factory=dict)  # value -> how many answered it

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def mean(self) -> float | None:
        if not self.shown:
            return None
        return sum(v * n for v, n in self.distribution.items()) / self.answers


def satisfaction(distribution: Mapping[int, int]) -> Satisfaction:
    """From a count per value; values outside 1-5 (none are stored, but the column allows them) are ignored."""
    kept = {v: n for v, n in distribution.items() if 1 <= v <= 5 and n > 0}
    return Satisfaction(answers=sum(kept.values()), distribution=kept)


@dataclass(frozen=True)
class Recommendation:
    """ "Would you recommend the program?" (0-10) from close-out surveys, as a Net Promoter Score: the share of
    promoters (9-10) minus the share of detractors (0-6), from -100 to +100, and the mean."""

    answers: int
    promoters: int = 0
    detractors: int = 0
    total: int = 0  # the sum of the scores

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def nps(self) -> int | None:
        if not self.shown:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)

    @property
    def mean(self) -> float | None:
        return self.total / self.answers if self.shown else None


def recommendation(distribution: Mapping[int, int]) -> Recommendation:
    """From a count per score; scores outside 0-10 are ignored."""
    kept = {v: n for v, n in distribution.items() if 0 <= v <= 10 and n > 0}
    return Recommendation(
        answers=sum(kept.values()),
        promoters=sum(n for v, n in kept.items() if v >= 9),
        detractors=sum(n for v, n in kept.items() if v <= 6),
        total=sum(v * n for v, n in kept.items()),
    )


@dataclass(frozen=True)
class Frequency:
    """How often pairs meet over a window: sessions per pair per month, and the share meeting at their cadence."""

    window_days: int
    sessions: int
    pair_months: float
    judged: int  # pairs that existed for at least one full cadence period of the window
    at_cadence: int

    @property
    def per_pair_month(self) -> float | None:
        return self.sessions / self.pair_months if self.pair_months > 0 else None

    @property
    def share_at_cadence(self) -> float | None:
        return self.at_cadence / self.judged if self.judged else None


def meeting_frequency(
    pairs: Sequence[PairSpan], sessions_in_window: Mapping[int, int], *, start: date, end: date
) -> Frequency:
    """Sessions per pair-month over [start, end), and which pairs kept their cadence there.

    A pair keeps its cadence when it held at least one session per full cadence period it existed in the window
    (a biweekly pair there for 90 days needs 6). Pairs there for less than one period are not judged yet.
    """
    days = 0
    judged = kept = 0
    for pair in pairs:
        alive = pair.days_in(start, end)
        days += alive
        periods = alive // pair.cadence_days
        if periods >= 1:
            judged += 1
            if sessions_in_window.get(pair.pairing_id, 0) >= periods:
                kept += 1
    return Frequency(
        window_days=(end - start).days,
        sessions=sum(sessions_in_window.get(p.pairing_id, 0) for p in pairs),
        pair_months=days / DAYS_PER_MONTH,
        judged=judged,
        at_cadence=kept,
    )


def week_starts(today: date, weeks: int) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, the current (partial) week last."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def expected_per_week(pairs: Iterable[PairSpan], week: date) -> float:
    """Sessions the pairs' cadences call for in the week starting `week` (pro rata for pairs there part of it)."""
    end = week + timedelta(days=7)
    return sum(p.days_in(week, end) / p.cadence_days for p in pairs)


def standing_on(day: date, pair: PairSpan, last_session: date | None) -> Standing:
    """Where a pair stood at the end of `day`, from its sessions alone: on track within one cadence period of its
    last session (or of its start, before the first), cooling within two, lapsed after. Pauses are not part of
    this history (they are in the current figures); a pair that never met is "not started"."""
    if last_session is None:
        return Standing.NOT_STARTED
    idle = (day - max(last_session, pair.started)).days
    if idle < pair.cadence_days:
        return Standing.ON_TRACK
    if idle < 2 * pair.cadence_days:
        return Standing.COOLING
    return Standing.LAPSED


def mix_over_time(
    pairs: Sequence[PairSpan],
    *,
    days: Sequence[date],
    last_before: Mapping[int, date],
    held: Mapping[int, Sequence[date]],
) -> list[Counter[Standing]]:
    """The momentum mix at the end of each of `days` (ascending).

    Args:
        last_before: each pair's last session before `days[0]`, if any.
        held: each pair's sessions from `days[0]` on, ascending.
    """
    mixes: list[Counter[Standing]] = [Counter() for _ in days]
    for pair in pairs:
        last = last_before.get(pair.pairing_id)
        dates = held.get(pair.pairing_id, ())
        cursor = 0
        for index, day in enumerate(days):
            while cursor < len(dates) and dates[cursor] <= day:
                last = dates[cursor]
                cursor += 1
            if pair.active_on(day):
                mixes[index][standing_on(day, pair, last)] += 1
    return mixes


@dataclass(frozen=True)
class MonthChange:
    """What changed for active pairs between two moments (the monthly digest)."""

    new_pairs: int
    lapsed: int  # not lapsed then, lapsed now
    recovered: int  # cooling or lapsed then, on track now


def month_change(then: Mapping[int, Standing], now: Mapping[int, Standing]) -> MonthChange:
    """`then`/`now`: each pair's standing at the two moments (pairs absent from `then` are new)."""
    stalled = (Standing.COOLING, Standing.LAPSED)
    return MonthChange(
        new_pairs=sum(1 for p in now if p not in then),
        lapsed=sum(1 for p, s in now.items() if s is Standing.LAPSED and then.get(p, Standing.LAPSED) is not s),
        recovered=sum(1 for p, s in now.items() if s is Standing.ON_TRACK and then.get(p) in stalled),
    )


def month_starts(today: date, months: int) -> list[date]:
    """The first days of the last `months` months, oldest first, the current month last."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def first_workday(year: int, month: int) -> date:
    day = date(year, month, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); tab and carriage
# return are included because some spreadsheets strip them and then see the next character.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading apostrophe where it would otherwise run a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def pages(total: int, per_page: int) -> int:
    """How many pages `total` rows make (at least one, so an empty list still has a page to show)."""
    return max(1, math.ceil(total / per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """A page number in range: below the first is the first, past the last is the last."""
    return min(max(page, 1), pages(total, per_page))


@dataclass(frozen=True)
class PairRow:
    """One pair as the leads' list shows it: figures only, never the content of a check-in or a note."""

    pairing_id: int
    mentor_id: str
    mentee_id: str
    standing: Standing
    started: datetime
    last_session: datetime | None
    next_session: datetime | None
    sessions: int
    cancellations: int
    checkins_asked: int
    checkins_answered: int


@dataclass(frozen=True)
class PairPage:
    """A page of the leads' pair list; `pair_filter` is the `storage.leads.PairFilter` value it shows."""

    pair_filter: str
    page: int
    pages: int
    total: int
    rows: list[PairRow]
    names: dict[str, str]
    per_page: int = 20


@dataclass(frozen=True)
class Overview:
    """The program at a glance."""

    counts: Mapping[Standing, int]
    waiting: int
    sessions_this_month: int
    sessions_last_month: int
    sessions_last_month_to_date: int
    members: int = 0  # everyone in the program (active or paused)

    @property
    def active(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Measures:
    satisfaction: Satisfaction
    frequency: Frequency
    recommendation: Recommendation = field(default_factory=lambda: Recommendation(answers=0))


@dataclass(frozen=True)
class ChartRef:
    """An uploaded chart an image block can show by `file_id` (None where its upload failed)."""

    name: str
    title: str
    alt_text: str
    file_id: str | None


@dataclass(frozen=True)
class Charts:
    shown: Sequence[ChartRef] = ()
    refused: str | None = None  # Slack's error when an upload failed: the figures still stand, the lead is told
    empty: bool = False  # nothing to draw yet (no pairs): no empty chart

    @property
    def attached(self) -> list[ChartRef]:
        return [c for c in self.shown if c.file_id]
