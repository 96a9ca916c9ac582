"""The measures' arithmetic: meeting frequency, momentum history, month-on-month change, spreadsheet safety."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot.domain import measures
from bot.domain.measures import PairSpan
from bot.domain.momentum.state import Standing

BIWEEKLY = PairSpan(pairing_id=1, started=date(2026, 9, 1), ended=None, cadence_days=14)


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Ana = Tom", "Ana = Tom"),
        ("Zoë", "Zoë"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_escaped(cell: str, shown: str) -> None:
    assert measures.spreadsheet_safe(cell) == shown


def test_a_pair_keeps_its_cadence_with_one_session_per_full_period_in_the_window() -> None:
    start, end = date(2026, 9, 1), date(2026, 11, 30)  # 90 days: six two-week periods
    late = PairSpan(pairing_id=2, started=date(2026, 11, 20), ended=None, cadence_days=14)  # 10 days: not judged
    ended = PairSpan(pairing_id=3, started=date(2026, 8, 1), ended=date(2026, 9, 29), cadence_days=7)  # 28 days
    result = measures.meeting_frequency([BIWEEKLY, late, ended], {1: 6, 2: 1, 3: 3}, start=start, end=end)
    assert (result.judged, result.at_cadence) == (2, 1), "the ended weekly pair met 3 times in 4 weeks"
    assert result.sessions == 10
    assert result.pair_months == pytest.approx((90 + 10 + 28) / measures.DAYS_PER_MONTH)
    assert result.share_at_cadence == 0.5


def test_nobody_judged_and_no_pairs_give_no_figures_rather_than_zeroes() -> None:
    empty = measures.meeting_frequency([], {}, start=date(2026, 1, 1), end=date(2026, 4, 1))
    assert (empty.per_pair_month, empty.share_at_cadence) == (None, None)


def test_standing_on_a_day_follows_the_last_session_and_the_cadence() -> None:
    assert measures.standing_on(date(2026, 9, 10), BIWEEKLY, None) is Standing.NOT_STARTED
    assert measures.standing_on(date(2026, 9, 14), BIWEEKLY, date(2026, 9, 1)) is Standing.ON_TRACK
    assert measures.standing_on(date(2026, 9, 15), BIWEEKLY, date(2026, 9, 1)) is Standing.COOLING
    assert measures.standing_on(date(2026, 9, 29), BIWEEKLY, date(2026, 9, 1)) is Standing.LAPSED


def test_the_momentum_mix_over_weeks_replays_each_pairs_sessions() -> None:
    days = [date(2026, 9, 7), date(2026, 9, 21), date(2026, 10, 5)]
    newcomer = PairSpan(pairing_id=2, started=date(2026, 9, 20), ended=None, cadence_days=14)
    mixes = measures.mix_over_time(
        [BIWEEKLY, newcomer], days=days, last_before={}, held={1: [date(2026, 9, 2), date(2026, 9, 30)]}
    )
    assert mixes == [
        Counter({Standing.ON_TRACK: 1}),
        Counter({Standing.COOLING: 1, Standing.NOT_STARTED: 1}),
        Counter({Standing.ON_TRACK: 1, Standing.NOT_STARTED: 1}),
    ]


def test_month_change_counts_new_lapsed_and_recovered_pairs() -> None:
    then = {1: Standing.ON_TRACK, 2: Standing.LAPSED, 3: Standing.COOLING, 4: Standing.LAPSED}
    now = {1: Standing.LAPSED, 2: Standing.ON_TRACK, 3: Standing.ON_TRACK, 4: Standing.LAPSED, 5: Standing.ON_TRACK}
    assert measures.month_change(then, now) == measures.MonthChange(new_pairs=1, lapsed=1, recovered=2)


def test_satisfaction_is_only_given_over_three_answers() -> None:
    assert measures.satisfaction({5: 1, 4: 1}).mean is None
    three = measures.satisfaction({5: 1, 4: 1, 3: 1, 9: 4})
    assert (three.answers, three.mean) == (3, 4.0)


def test_pages_clamp_and_calendar_helpers() -> None:
    assert [measures.clamp_page(p, 45, 20) for p in (-1, 0, 1, 3, 4, 10**6)] == [1, 1, 1, 3, 3, 3]
    assert measures.clamp_page(5, 0, 20) == 1, "an empty list still has its one page"
    assert measures.first_workday(2026, 8) == date(2026, 8, 3)  # 1 August 2026 is a Saturday
    assert measures.previous_month(date(2027, 1, 15)) == date(2026, 12, 1)
    assert measures.month_starts(date(2027, 2, 10), 3) == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert measures.week_starts(date(2026, 12, 3), 2) == [date(2026, 11, 23), date(2026, 11, 30)]
    assert measures.expected_per_week([BIWEEKLY], date(2026, 9, 7)) == pytest.approx(0.5)
