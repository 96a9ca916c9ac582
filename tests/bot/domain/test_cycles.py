"""The rules of a cycle's life, with explicit dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.cycles import (
    ANSWER_DAYS,
    Problem,
    Span,
    check_extension,
    check_new,
    closeout_day,
    current,
    days_left,
    end_of,
    midpoint,
    planned_after,
    rolls_over,
    settles_on,
    takes_new_pairs,
)

TODAY = date(2027, 3, 1)
SPRING = Span(1, "Spring 2027", date(2027, 3, 1), date(2027, 8, 31))
AUTUMN = Span(2, "Autumn 2027", date(2027, 10, 1), date(2028, 3, 31))


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2027, 3, 1), 6, date(2027, 8, 31)),
        (date(2027, 1, 15), 3, date(2027, 4, 14)),
        (date(2027, 8, 31), 6, date(2028, 2, 28)),  # relativedelta clamps 31 Feb to the 29th; the day before
        (date(2027, 12, 1), 12, date(2028, 11, 30)),
    ],
)
def test_a_cycle_ends_the_day_before_the_same_date_months_later(start: date, months: int, last: date) -> None:
    assert end_of(start, months) == last


def test_a_good_cycle_passes() -> None:
    assert check_new(name="Spring 2027", starts_on=TODAY, months=6, others=[AUTUMN], today=TODAY) == {}


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", Problem.NAME_EMPTY),
        ("   ", Problem.NAME_EMPTY),
        ("x" * 81, Problem.NAME_TOO_LONG),
        ("<!channel> Spring", Problem.NAME_MARKUP),
        ("a > b", Problem.NAME_MARKUP),
    ],
)
def test_names_must_be_there_and_short(name: str, problem: Problem) -> None:
    errors = check_new(name=name, starts_on=TODAY, months=6, others=[], today=TODAY)
    assert errors["name"].problem is problem


@pytest.mark.parametrize("months", [0, -3, 25, 120])
def test_absurd_lengths_are_refused(months: int) -> None:
    assert (
        check_new(name="X", starts_on=TODAY, months=months, others=[], today=TODAY)["length"].problem
        is Problem.BAD_LENGTH
    )


def test_a_cycle_already_over_is_refused_but_one_under_way_is_fine() -> None:
    over = check_new(name="X", starts_on=TODAY - timedelta(days=100), months=3, others=[], today=TODAY)
    assert over["start"].problem is Problem.ALREADY_OVER
    under_way = check_new(name="X", starts_on=TODAY - timedelta(days=30), months=3, others=[], today=TODAY)
    assert under_way == {}


def test_too_far_back_or_ahead() -> None:
    back = check_new(name="X", starts_on=TODAY - timedelta(days=91), months=12, others=[], today=TODAY)
    assert back["start"].problem is Problem.TOO_FAR_BACK
    ahead = check_new(name="X", starts_on=TODAY + timedelta(days=401), months=3, others=[], today=TODAY)
    assert ahead["start"].problem is Problem.TOO_FAR_AHEAD


def test_overlapping_another_open_cycle_is_refused_and_names_it() -> None:
    errors = check_new(name="Summer", starts_on=date(2027, 8, 31), months=3, others=[SPRING], today=TODAY)
    assert errors["start"].problem is Problem.OVERLAPS and errors["start"].other == SPRING
    # The day after the last day is free.
    assert check_new(name="Summer", starts_on=date(2027, 9, 1), months=1, others=[SPRING, AUTUMN], today=TODAY) == {}
    # A cycle around another one overlaps it too.
    around = check_new(name="Long", starts_on=date(2027, 2, 1), months=12, others=[SPRING], today=TODAY)
    assert around["start"].other == SPRING


def test_which_cycle_is_current() -> None:
    cycles = [SPRING, AUTUMN]
    assert current(cycles, date(2027, 2, 28)) is None
    assert current(cycles, date(2027, 3, 1)) == SPRING
    assert current(cycles, date(2027, 8, 31)) == SPRING
    assert current(cycles, date(2027, 9, 15)) is None
    assert current(cycles, date(2027, 10, 1)) == AUTUMN
    assert planned_after(cycles, date(2027, 8, 31)) == AUTUMN
    assert planned_after(cycles, date(2027, 10, 1)) is None


def test_midpoint_and_closeout_of_a_six_month_cycle() -> None:
    assert midpoint(SPRING) == date(2027, 5, 31)
    assert closeout_day(SPRING) == date(2027, 8, 17)  # two weeks before the last day
    assert settles_on(SPRING, dates_changed_on=date(2027, 2, 1)) == date(2027, 9, 1)


def test_short_cycles_get_a_proportional_closeout_never_before_the_midpoint() -> None:
    four_weeks = Span(3, "Sprint", date(2027, 3, 1), date(2027, 3, 28))
    assert closeout_day(four_weeks) == date(2027, 3, 21)  # a quarter of 28 days before the end
    two_days = Span(4, "Tiny", date(2027, 3, 1), date(2027, 3, 2))
    assert closeout_day(two_days) == date(2027, 3, 2)  # on its last day: a quarter of two days is none
    # Everyone still gets ANSWER_DAYS to answer before it settles.
    assert settles_on(four_weeks, dates_changed_on=date(2027, 1, 1)) == date(2027, 3, 29)
    assert settles_on(two_days, dates_changed_on=date(2027, 1, 1)) == date(2027, 3, 2) + ANSWER_DAYS


def test_ending_early_gives_people_time_to_answer() -> None:
    ended_today = Span(1, "Spring 2027", SPRING.starts_on, date(2027, 4, 10))
    assert settles_on(ended_today, dates_changed_on=date(2027, 4, 10)) == date(2027, 4, 15)
    # An extension long before the close-out changes nothing about the time to answer.
    extended = Span(1, "Spring 2027", SPRING.starts_on, date(2027, 9, 30))
    assert settles_on(extended, dates_changed_on=date(2027, 4, 10)) == date(2027, 10, 1)


def test_days_left() -> None:
    assert days_left(SPRING, date(2027, 8, 31)) == 1
    assert days_left(SPRING, date(2027, 8, 1)) == 31
    assert days_left(SPRING, date(2027, 9, 5)) == 0


def test_extending() -> None:
    cycles = [SPRING, AUTUMN]
    assert check_extension(cycle=SPRING, ends_on=date(2027, 9, 30), others=cycles, today=TODAY) is None
    passed = check_extension(cycle=SPRING, ends_on=date(2027, 2, 1), others=cycles, today=TODAY)
    assert passed is not None and passed.problem is Problem.DATE_PASSED
    sooner = check_extension(cycle=SPRING, ends_on=date(2027, 8, 1), others=cycles, today=TODAY)
    assert sooner is not None and sooner.problem is Problem.NOT_LATER
    into_next = check_extension(cycle=SPRING, ends_on=date(2027, 10, 1), others=cycles, today=TODAY)
    assert into_next is not None and into_next.problem is Problem.OVERLAPS and into_next.other == AUTUMN
    too_long = check_extension(cycle=AUTUMN, ends_on=date(2029, 10, 1), others=cycles, today=TODAY)
    assert too_long is not None and too_long.problem is Problem.TOO_LONG


@pytest.mark.parametrize(
    ("mentor", "mentee", "rolls"),
    [(True, True, True), (True, False, False), (False, True, False), (True, None, False), (None, None, False)],
)
def test_a_pair_rolls_over_only_when_both_chose_to_continue(
    mentor: bool | None, mentee: bool | None, rolls: bool
) -> None:
    assert rolls_over(mentor, mentee) is rolls


def test_pairs_join_a_cycle_only_until_its_closeout_goes_out() -> None:
    # Spring's close-out goes out on 17 August: a pair matched then would be asked at once whether to go on.
    assert takes_new_pairs(SPRING, date(2027, 3, 1)) and takes_new_pairs(SPRING, date(2027, 8, 16))
    assert not takes_new_pairs(SPRING, date(2027, 8, 17)) and not takes_new_pairs(SPRING, date(2027, 8, 31))
    assert not takes_new_pairs(SPRING, date(2027, 2, 28)) and not takes_new_pairs(SPRING, date(2027, 9, 1))
    ended_early = Span(1, "Spring 2027", date(2027, 3, 1), date(2027, 5, 3))  # its last day is the day it ended
    assert not takes_new_pairs(ended_early, date(2027, 5, 3))
