"""Tests for bot.domain.momentum: momentum state, session dedupe, escalation ladder, ghosts and send windows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.momentum import (
    BOOKING_HOLD,
    CADENCE_DAYS,
    DEFAULT_ESCALATION_RULES,
    FIRST_SESSION_WAIT,
    Cadence,
    Episode,
    EscalationDecision,
    EscalationRules,
    EscalationStep,
    Momentum,
    MomentumState,
    PairFacts,
    Prompt,
    SendWindow,
    Standing,
    cadence_period,
    checkin_due_at,
    compute_momentum,
    dedupe_sessions,
    is_ghost,
    is_within_window,
    next_escalation,
    next_send_window,
    reminder_due_at,
    standing,
)

Step = EscalationStep
State = MomentumState

T0 = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def weekly(
    *,
    sessions: tuple[datetime, ...] = (),
    paused: tuple[tuple[datetime, datetime | None], ...] = (),
    closed_at: datetime | None = None,
    cadence: Cadence = Cadence.WEEKLY,
) -> PairFacts:
    return PairFacts(started_at=T0, cadence=cadence, sessions=sessions, paused=paused, closed_at=closed_at)


# --------------------------------------------------------------------------------------------------------
# Cadence
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cadence", "days"), [(Cadence.WEEKLY, 7), (Cadence.BIWEEKLY, 14), (Cadence.MONTHLY, 30)])
def test_cadence_period_is_fixed_elapsed_days(cadence: Cadence, days: int) -> None:
    assert CADENCE_DAYS[cadence] == days
    assert cadence_period(cadence) == timedelta(days=days)
    assert cadence_period(cadence.value) == timedelta(days=days)


def test_every_cadence_has_a_period() -> None:
    assert set(CADENCE_DAYS) == set(Cadence)


def test_unknown_cadence_is_rejected() -> None:
    with pytest.raises(ValueError):
        cadence_period("daily")


# --------------------------------------------------------------------------------------------------------
# Momentum state
# --------------------------------------------------------------------------------------------------------


class TestMomentumWithoutSessions:
    def test_on_track_until_one_period_after_start(self) -> None:
        m = compute_momentum(weekly(), T0 + 7 * DAY - timedelta(microseconds=1))
        assert m.state is State.ON_TRACK
        assert m.last_session_at is None
        assert m.days_since_last_session is None
        assert m.quiet_since == T0
        assert m.days_quiet == 6
        assert m.next_change_at == T0 + 7 * DAY

    def test_cooling_exactly_one_period_after_start(self) -> None:
        m = compute_momentum(weekly(), T0 + 7 * DAY)
        assert m.state is State.COOLING
        assert m.cooling_at == T0 + 7 * DAY
        assert m.next_change_at == T0 + 14 * DAY

    def test_lapsed_two_periods_after_start(self) -> None:
        m = compute_momentum(weekly(), T0 + 14 * DAY)
        assert m.state is State.LAPSED
        assert m.lapsed_at == T0 + 14 * DAY
        assert m.next_change_at is None
        assert m.days_quiet == 14

    def test_before_the_pair_starts_the_clock_has_not_run(self) -> None:
        m = compute_momentum(weekly(), T0 - 3 * DAY)
        assert m.state is State.ON_TRACK
        assert m.quiet_for == timedelta(0)
        assert m.next_change_at == T0 + 7 * DAY

    @pytest.mark.parametrize(("cadence", "days"), [(Cadence.BIWEEKLY, 14), (Cadence.MONTHLY, 30)])
    def test_longer_cadences(self, cadence: Cadence, days: int) -> None:
        # Before a first session, cooling comes after 10 days whatever the cadence: the first is the one
        # most often never booked. Lapsed stays two cadences.
        facts = weekly(cadence=cadence)
        assert compute_momentum(facts, T0 + 9 * DAY).state is State.ON_TRACK
        assert compute_momentum(facts, T0 + 10 * DAY).state is State.COOLING
        assert compute_momentum(facts, T0 + (2 * days - 1) * DAY).state is State.COOLING
        assert compute_momentum(facts, T0 + 2 * days * DAY).state is State.LAPSED

    def test_cadence_given_as_string_is_accepted(self) -> None:
        facts = PairFacts(started_at=T0, cadence="monthly")  # type: ignore[arg-type]
        assert facts.cadence is Cadence.MONTHLY


class TestMomentumWithSessions:
    def test_clock_runs_from_the_last_session(self) -> None:
        last = T0 + 10 * DAY
        facts = weekly(sessions=(T0 + 2 * DAY, last, T0 + 5 * DAY))
        m = compute_momentum(facts, last + 8 * DAY)
        assert m.state is State.COOLING
        assert m.last_session_at == last
        assert m.quiet_since == last
        assert m.days_since_last_session == 8
        assert m.days_quiet == 8
        assert m.cooling_at == last + 7 * DAY
        assert m.next_change_at == last + 14 * DAY

    def test_a_session_brings_a_lapsed_pair_back_on_track(self) -> None:
        facts = weekly(sessions=(T0 + 20 * DAY,))
        assert compute_momentum(facts, T0 + 20 * DAY - HOUR).state is State.LAPSED
        assert compute_momentum(facts, T0 + 20 * DAY).state is State.ON_TRACK

    def test_sessions_after_now_are_ignored(self) -> None:
        facts = weekly(sessions=(T0 + 30 * DAY,))
        m = compute_momentum(facts, T0 + 8 * DAY)
        assert m.state is State.COOLING
        assert m.last_session_at is None

    def test_session_before_the_start_does_not_move_the_clock_back(self) -> None:
        facts = weekly(sessions=(T0 - 3 * DAY,))
        m = compute_momentum(facts, T0 + 6 * DAY)
        assert m.state is State.ON_TRACK
        assert m.quiet_since == T0
        assert m.last_session_at == T0 - 3 * DAY
        assert m.days_since_last_session == 9

    def test_non_utc_inputs_are_elapsed_time_across_dst(self) -> None:
        # London springs forward on 2024-03-31: 7 wall-clock days would be 6 days 23 hours of elapsed time.
        last = local(LONDON, 2024, 3, 28, 12)
        facts = PairFacts(started_at=last - 30 * DAY, cadence=Cadence.WEEKLY, sessions=(last,))
        m = compute_momentum(facts, local(LONDON, 2024, 4, 1, 12))
        assert m.cooling_at == last.astimezone(UTC) + timedelta(hours=7 * 24)
        assert m.cooling_at is not None and m.cooling_at.tzinfo is UTC

    def test_naive_datetimes_are_rejected(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            PairFacts(started_at=datetime(2024, 1, 1), cadence=Cadence.WEEKLY)
        with pytest.raises(ValueError, match="timezone-aware"):
            compute_momentum(weekly(), datetime(2024, 1, 9))


class TestMomentumPauses:
    def test_pause_spanning_the_threshold_pushes_it_back(self) -> None:
        facts = weekly(paused=((T0 + 5 * DAY, T0 + 10 * DAY),))
        during = compute_momentum(facts, T0 + 8 * DAY)
        assert during.state is State.ON_TRACK
        assert during.paused
        assert during.paused_until == T0 + 10 * DAY
        assert during.days_quiet == 5
        assert during.next_change_at == T0 + 12 * DAY
        assert compute_momentum(facts, T0 + 12 * DAY - HOUR).state is State.ON_TRACK
        after = compute_momentum(facts, T0 + 12 * DAY)
        assert after.state is State.COOLING
        assert not after.paused
        assert after.lapsed_at == T0 + 19 * DAY

    def test_pause_freezes_the_state_rather_than_resetting_it(self) -> None:
        facts = weekly(paused=((T0 + 9 * DAY, T0 + 30 * DAY),))
        m = compute_momentum(facts, T0 + 20 * DAY)
        assert m.state is State.COOLING
        assert m.days_quiet == 9
        assert m.next_change_at == T0 + 35 * DAY

    def test_open_ended_pause_stops_the_clock_for_good(self) -> None:
        facts = weekly(paused=((T0 + 3 * DAY, None),))
        m = compute_momentum(facts, T0 + 60 * DAY)
        assert m.state is State.ON_TRACK
        assert m.paused
        assert m.paused_until is None
        assert m.cooling_at is None
        assert m.next_change_at is None
        assert m.days_quiet == 3

    def test_overlapping_pauses_of_both_people_count_once(self) -> None:
        mentor = (T0 + 2 * DAY, T0 + 6 * DAY)
        mentee = (T0 + 4 * DAY, T0 + 8 * DAY)
        m = compute_momentum(weekly(paused=(mentee, mentor)), T0 + 10 * DAY)
        assert m.days_quiet == 4  # days 0-2 and 8-10 run; 2-8 paused by one or the other
        assert m.cooling_at == T0 + 13 * DAY

    def test_touching_pauses_merge(self) -> None:
        facts = weekly(paused=((T0 + DAY, T0 + 3 * DAY), (T0 + 3 * DAY, T0 + 5 * DAY)))
        assert compute_momentum(facts, T0 + 4 * DAY).paused_until == T0 + 5 * DAY

    def test_pause_before_the_last_session_does_not_count(self) -> None:
        facts = weekly(sessions=(T0 + 10 * DAY,), paused=((T0 + 2 * DAY, T0 + 5 * DAY),))
        assert compute_momentum(facts, T0 + 17 * DAY).state is State.COOLING

    def test_pause_straddling_the_last_session_counts_only_after_it(self) -> None:
        facts = weekly(sessions=(T0 + 10 * DAY,), paused=((T0 + 8 * DAY, T0 + 12 * DAY),))
        m = compute_momentum(facts, T0 + 15 * DAY)
        assert m.days_quiet == 3
        assert m.cooling_at == T0 + 19 * DAY

    def test_scheduled_future_pause_moves_next_change(self) -> None:
        facts = weekly(paused=((T0 + 6 * DAY, T0 + 9 * DAY),))
        m = compute_momentum(facts, T0 + 2 * DAY)
        assert not m.paused
        assert m.next_change_at == T0 + 10 * DAY

    def test_threshold_reached_exactly_when_a_pause_starts(self) -> None:
        facts = weekly(paused=((T0 + 7 * DAY, T0 + 9 * DAY),))
        m = compute_momentum(facts, T0 + 7 * DAY)
        assert m.state is State.COOLING
        assert m.paused

    def test_pause_ending_before_it_starts_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="ends before it starts"):
            weekly(paused=((T0 + 2 * DAY, T0 + DAY),))


class TestMomentumClosed:
    def test_closed_pair(self) -> None:
        facts = weekly(closed_at=T0 + 20 * DAY)
        m = compute_momentum(facts, T0 + 25 * DAY)
        assert m.state is State.CLOSED
        assert m.next_change_at is None
        assert m.days_quiet == 20  # the clock stopped when the pair ended

    def test_closing_in_the_future_is_the_next_change_when_it_comes_first(self) -> None:
        facts = weekly(closed_at=T0 + 3 * DAY)
        m = compute_momentum(facts, T0 + DAY)
        assert m.state is State.ON_TRACK
        assert m.next_change_at == T0 + 3 * DAY


times_in_first_year = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=365)).map(lambda d: T0 + d)
pauses = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=200),
        st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    ).map(lambda p: (T0 + p[0] * DAY, None if p[1] is None else T0 + (p[0] + p[1]) * DAY)),
    max_size=4,
)
closures = st.one_of(st.none(), times_in_first_year)


@FAST
@given(
    cadence=st.sampled_from(Cadence),
    paused=pauses,
    closed_at=closures,
    a=times_in_first_year,
    b=times_in_first_year,
)
def test_state_never_improves_over_time_without_sessions(
    cadence: Cadence,
    paused: list[tuple[datetime, datetime | None]],
    closed_at: datetime | None,
    a: datetime,
    b: datetime,
) -> None:
    facts = PairFacts(started_at=T0, cadence=cadence, paused=paused, closed_at=closed_at)
    early, late = sorted((a, b))
    assert compute_momentum(facts, early).state.rank <= compute_momentum(facts, late).state.rank


@FAST
@given(
    cadence=st.sampled_from(Cadence),
    sessions=st.lists(times_in_first_year, max_size=5),
    paused=pauses,
    closed_at=closures,
    now=times_in_first_year,
)
def test_next_change_at_is_exactly_when_the_state_changes(
    cadence: Cadence,
    sessions: list[datetime],
    paused: list[tuple[datetime, datetime | None]],
    closed_at: datetime | None,
    now: datetime,
) -> None:
    # Only sessions up to now: a future session would also change the state, which next_change_at
    # cannot know about.
    facts = PairFacts(
        started_at=T0,
        cadence=cadence,
        sessions=[s for s in sessions if s <= now],
        paused=paused,
        closed_at=closed_at,
    )
    m = compute_momentum(facts, now)
    if m.next_change_at is None:
        assert compute_momentum(facts, now + 400 * DAY).state is m.state
        return
    assert m.next_change_at > now
    just_before = m.next_change_at - timedelta(microseconds=1)
    assert compute_momentum(facts, just_before).state is m.state
    assert compute_momentum(facts, m.next_change_at).state is not m.state


@FAST
@given(cadence=st.sampled_from(Cadence), paused=pauses, now=times_in_first_year)
def test_state_matches_days_quiet(
    cadence: Cadence, paused: list[tuple[datetime, datetime | None]], now: datetime
) -> None:
    m = compute_momentum(PairFacts(started_at=T0, cadence=cadence, paused=paused), now)
    periods = m.quiet_for / cadence_period(cadence)
    first = min(cadence_period(cadence), FIRST_SESSION_WAIT)  # no session yet: the first wait is shorter
    expected = State.ON_TRACK if m.quiet_for < first else State.COOLING if periods < 2 else State.LAPSED
    assert m.state is expected


# --------------------------------------------------------------------------------------------------------
# Session dedupe
# --------------------------------------------------------------------------------------------------------


class TestDedupeSessions:
    def test_both_partners_logging_the_same_day_counts_once(self) -> None:
        mentor_log = local(LONDON, 2024, 6, 4, 15, 30)
        mentee_log = local(LONDON, 2024, 6, 4, 15, 0)
        assert dedupe_sessions([mentor_log, mentee_log], LONDON) == (mentee_log.astimezone(UTC),)

    def test_keeps_the_earliest_log_so_the_value_is_stable(self) -> None:
        first = local(LONDON, 2024, 6, 4, 10)
        later_duplicate = local(LONDON, 2024, 6, 4, 11)
        assert dedupe_sessions([first], LONDON) == dedupe_sessions([later_duplicate, first], LONDON)

    def test_different_days_are_different_sessions_sorted(self) -> None:
        logs = [utc(2024, 6, 12, 10), utc(2024, 6, 5, 10), utc(2024, 6, 5, 10)]
        assert dedupe_sessions(logs, "UTC") == (utc(2024, 6, 5, 10), utc(2024, 6, 12, 10))

    def test_the_date_is_taken_in_the_reference_zone(self) -> None:
        # 23:30 and 00:30 UTC straddle midnight in UTC, but both are 4 June in London (BST, UTC+1).
        logs = [utc(2024, 6, 3, 23, 30), utc(2024, 6, 4, 0, 30)]
        assert dedupe_sessions(logs, LONDON) == (utc(2024, 6, 3, 23, 30),)
        assert len(dedupe_sessions(logs, "UTC")) == 2

    def test_partners_in_far_apart_zones_logging_the_same_instant(self) -> None:
        held = local(LONDON, 2024, 6, 4, 23)  # 03:30 on 5 June in Kolkata
        logs = [held, held.astimezone(ZoneInfo(KOLKATA))]
        assert dedupe_sessions(logs, KOLKATA) == (held.astimezone(UTC),)

    def test_date_only_log_is_noon_in_the_reference_zone(self) -> None:
        assert dedupe_sessions([date(2024, 6, 4)], KOLKATA) == (utc(2024, 6, 4, 6, 30),)

    def test_timed_log_wins_over_date_only_log_of_the_same_day(self) -> None:
        timed = local(LONDON, 2024, 6, 4, 14)
        assert dedupe_sessions([date(2024, 6, 4), timed], LONDON) == (timed.astimezone(UTC),)

    @pytest.mark.parametrize("tz", [None, "", "Not/AZone"])
    def test_missing_or_unknown_zone_is_utc(self, tz: str | None) -> None:
        logs = [utc(2024, 6, 3, 23, 30), utc(2024, 6, 4, 0, 30)]
        assert len(dedupe_sessions(logs, tz)) == 2

    def test_empty(self) -> None:
        assert dedupe_sessions([], LONDON) == ()

    def test_naive_log_is_rejected(self) -> None:
        with pytest.raises(ValueError):
            dedupe_sessions([datetime(2024, 6, 4, 10)], LONDON)


@FAST
@given(
    logs=st.lists(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 12, 31), timezones=st.just(UTC)),
        max_size=12,
    ),
    tz=st.sampled_from(["UTC", LONDON, NEW_YORK, KOLKATA, "Pacific/Chatham"]),
)
def test_dedupe_is_idempotent_and_one_per_local_date(logs: list[datetime], tz: str) -> None:
    once = dedupe_sessions(logs, tz)
    assert dedupe_sessions(once, tz) == once
    assert list(once) == sorted(once)
    dates = [s.astimezone(ZoneInfo(tz)).date() for s in once]
    assert len(dates) == len(set(dates)) == len({log.astimezone(ZoneInfo(tz)).date() for log in logs})
    assert set(once) <= set(logs)


# --------------------------------------------------------------------------------------------------------
# Escalation ladder
# --------------------------------------------------------------------------------------------------------

COOLING_AT = T0 + 7 * DAY
LAPSED_AT = T0 + 14 * DAY


def decide(
    now: datetime,
    episode: Episode | None = None,
    *,
    facts: PairFacts | None = None,
    has_sponsor: bool = True,
    snoozed_until: datetime | None = None,
    rules: EscalationRules = DEFAULT_ESCALATION_RULES,
) -> EscalationDecision:
    momentum = compute_momentum(facts or weekly(), now)
    return next_escalation(
        momentum, episode, now=now, has_sponsor=has_sponsor, snoozed_until=snoozed_until, rules=rules
    )


def taken(*steps: tuple[Step, datetime], key: datetime = T0) -> Episode:
    return Episode(key=key, taken=dict(steps))


class TestEscalationLadder:
    def test_nothing_while_on_track_and_check_again_when_it_cools(self) -> None:
        d = decide(T0 + 3 * DAY)
        assert d.steps == ()
        assert d.next_check_at == COOLING_AT
        assert d.episode_key == T0

    def test_pair_nudge_as_soon_as_cooling(self) -> None:
        d = decide(COOLING_AT)
        assert d.steps == (Step.NUDGE_PAIR,)
        assert d.next_check_at == COOLING_AT + 3 * DAY

    def test_individual_nudges_wait_for_the_spacing(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT))
        d = decide(COOLING_AT + DAY, episode)
        assert d.steps == ()
        assert d.next_check_at == COOLING_AT + 3 * DAY
        assert decide(COOLING_AT + 3 * DAY, episode).steps == (Step.NUDGE_EACH,)

    def test_sponsor_waits_for_lapsed_even_when_spacing_has_passed(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, COOLING_AT + DAY))
        d = decide(COOLING_AT + 5 * DAY, episode)
        assert d.steps == ()
        assert d.next_check_at == LAPSED_AT

    def test_sponsor_when_lapsed_then_leads_after_spacing(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, COOLING_AT + 3 * DAY))
        d = decide(LAPSED_AT, episode)
        assert d.steps == (Step.SPONSOR,)
        assert d.next_check_at == LAPSED_AT + 4 * DAY
        episode = taken(*episode.taken.items(), (Step.SPONSOR, LAPSED_AT))
        assert decide(LAPSED_AT + 3 * DAY, episode).steps == ()
        d = decide(LAPSED_AT + 4 * DAY, episode)
        assert d.steps == (Step.LEADS,)
        assert d.next_check_at is None

    def test_no_sponsor_skips_straight_to_leads(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, COOLING_AT + 3 * DAY))
        d = decide(LAPSED_AT, episode, has_sponsor=False)
        assert d.steps == (Step.LEADS,)  # 14 - 10 = 4 days since the individual nudges
        assert Step.SPONSOR not in d.steps

    def test_no_sponsor_leads_spacing_counts_from_individual_nudges(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, LAPSED_AT - DAY))
        d = decide(LAPSED_AT, episode, has_sponsor=False)
        assert d.steps == ()
        assert d.next_check_at == LAPSED_AT + 3 * DAY

    def test_every_step_at_most_once(self) -> None:
        episode = taken(
            (Step.NUDGE_PAIR, COOLING_AT),
            (Step.NUDGE_EACH, COOLING_AT + 3 * DAY),
            (Step.SPONSOR, LAPSED_AT),
            (Step.LEADS, LAPSED_AT + 4 * DAY),
        )
        d = decide(LAPSED_AT + 60 * DAY, episode)
        assert d.steps == ()
        assert d.next_check_at is None

    def test_a_pair_found_already_lapsed_still_starts_gently(self) -> None:
        d = decide(LAPSED_AT + 2 * DAY)
        assert d.steps == (Step.NUDGE_PAIR,)
        assert d.next_check_at == LAPSED_AT + 5 * DAY

    def test_zero_spacing_can_make_several_steps_due_at_once(self) -> None:
        rules = EscalationRules(nudge_each_after=timedelta(0), sponsor_after=timedelta(0), leads_after=timedelta(0))
        assert decide(COOLING_AT, rules=rules).steps == (Step.NUDGE_PAIR, Step.NUDGE_EACH)
        assert decide(LAPSED_AT, rules=rules).steps == (
            Step.NUDGE_PAIR,
            Step.NUDGE_EACH,
            Step.SPONSOR,
            Step.LEADS,
        )

    def test_a_sponsor_added_after_the_leads_were_told_is_not_messaged(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.LEADS, LAPSED_AT))
        assert decide(LAPSED_AT + 10 * DAY, episode, has_sponsor=True).steps == ()

    def test_negative_spacing_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="sponsor_after"):
            EscalationRules(sponsor_after=-DAY)


class TestEscalationHolds:
    def test_snooze_suppresses_steps_until_it_ends(self) -> None:
        snooze_end = COOLING_AT + 14 * DAY
        d = decide(COOLING_AT, snoozed_until=snooze_end)
        assert d.steps == ()
        assert d.next_check_at == snooze_end
        assert decide(snooze_end, snoozed_until=snooze_end).steps == (Step.NUDGE_PAIR,)

    def test_snooze_on_an_on_track_pair_checks_at_the_later_of_both(self) -> None:
        d = decide(T0 + DAY, snoozed_until=T0 + 3 * DAY)
        assert d.next_check_at == COOLING_AT
        d = decide(T0 + DAY, snoozed_until=COOLING_AT + 5 * DAY)
        assert d.next_check_at == COOLING_AT + 5 * DAY

    def test_ladder_resumes_where_it_stopped_after_the_snooze(self) -> None:
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, COOLING_AT + 3 * DAY))
        snooze_end = COOLING_AT + 3 * DAY + 14 * DAY
        assert decide(LAPSED_AT, episode, snoozed_until=snooze_end).steps == ()
        assert decide(snooze_end, episode, snoozed_until=snooze_end).steps == (Step.SPONSOR,)

    def test_expired_snooze_does_nothing(self) -> None:
        assert decide(COOLING_AT, snoozed_until=T0).steps == (Step.NUDGE_PAIR,)

    def test_no_steps_while_paused_and_check_again_when_the_pause_ends(self) -> None:
        # Cooling at day 7, then the mentee pauses; the state stays cooling but nobody is nudged.
        facts = weekly(paused=((COOLING_AT + HOUR, COOLING_AT + 10 * DAY),))
        episode = taken((Step.NUDGE_PAIR, COOLING_AT))
        d = decide(COOLING_AT + 4 * DAY, episode, facts=facts)
        assert d.steps == ()
        assert d.next_check_at == COOLING_AT + 10 * DAY
        assert decide(COOLING_AT + 10 * DAY, episode, facts=facts).steps == (Step.NUDGE_EACH,)

    def test_open_ended_pause_means_no_next_check(self) -> None:
        facts = weekly(paused=((COOLING_AT + HOUR, None),))
        d = decide(COOLING_AT + 4 * DAY, taken((Step.NUDGE_PAIR, COOLING_AT)), facts=facts)
        assert d == EscalationDecision(T0, (), None)

    def test_closed_pair_gets_nothing(self) -> None:
        facts = weekly(closed_at=COOLING_AT + DAY)
        d = decide(LAPSED_AT, taken((Step.NUDGE_PAIR, COOLING_AT)), facts=facts)
        assert d.steps == ()
        assert d.next_check_at is None


class TestEscalationEpisodes:
    def test_a_session_ends_the_episode_with_thanks_once(self) -> None:
        session = COOLING_AT + 4 * DAY
        facts = weekly(sessions=(session,))
        episode = taken((Step.NUDGE_PAIR, COOLING_AT), (Step.NUDGE_EACH, COOLING_AT + 3 * DAY))
        d = decide(session + HOUR, episode, facts=facts)
        assert d.steps == (Step.THANKS,)
        assert d.episode_key == T0  # recorded under the episode that just ended
        assert d.next_check_at == session + 7 * DAY
        thanked = taken(*episode.taken.items(), (Step.THANKS, session + HOUR))
        d = decide(session + 2 * HOUR, thanked, facts=facts)
        assert d.steps == ()
        assert d.episode_key == session

    def test_no_thanks_when_nothing_was_escalated(self) -> None:
        session = T0 + 5 * DAY
        d = decide(session + HOUR, Episode(key=T0), facts=weekly(sessions=(session,)))
        assert d.steps == ()

    def test_thanks_is_not_held_back_by_a_snooze(self) -> None:
        session = LAPSED_AT + DAY
        episode = taken((Step.NUDGE_PAIR, COOLING_AT))
        d = decide(session, episode, facts=weekly(sessions=(session,)), snoozed_until=session + 10 * DAY)
        assert d.steps == (Step.THANKS,)

    def test_episode_restarts_after_a_session(self) -> None:
        session = COOLING_AT + 5 * DAY
        facts = weekly(sessions=(session,))
        old = taken(
            (Step.NUDGE_PAIR, COOLING_AT),
            (Step.NUDGE_EACH, COOLING_AT + 3 * DAY),
            (Step.THANKS, session + HOUR),
        )
        d = decide(session + 7 * DAY, old, facts=facts)
        assert d.steps == (Step.NUDGE_PAIR,)
        assert d.episode_key == session
        new = taken((Step.NUDGE_PAIR, session + 7 * DAY), key=d.episode_key)
        assert decide(session + 10 * DAY, new, facts=facts).steps == (Step.NUDGE_EACH,)

    def test_thanks_then_immediate_follow_up_when_a_backdated_session_is_already_cooling(self) -> None:
        session = T0 + 20 * DAY
        episode = taken((Step.NUDGE_PAIR, COOLING_AT))
        now = session + 8 * DAY
        d = decide(now, episode, facts=weekly(sessions=(session,)))
        assert d.steps == (Step.THANKS,)
        assert d.next_check_at == now

    def test_same_day_log_that_moves_the_session_earlier_keeps_the_episode(self) -> None:
        # The stored key came from a later log of the same day; the partner's earlier log replaced it.
        session = T0 + 20 * DAY
        episode = taken((Step.NUDGE_PAIR, session + 7 * DAY), key=session + 2 * HOUR)
        d = decide(session + 9 * DAY, episode, facts=weekly(sessions=(session,)))
        assert Step.THANKS not in d.steps
        assert Step.NUDGE_PAIR not in d.steps
        assert d.episode_key == session + 2 * HOUR

    def test_episode_key_is_the_start_of_the_quiet_stretch(self) -> None:
        session = T0 + 3 * DAY
        assert compute_momentum(weekly(sessions=(session,)), T0 + 12 * DAY).episode_key == session
        assert compute_momentum(weekly(), T0 + 12 * DAY).episode_key == T0


def run_scheduler(
    facts: PairFacts,
    *,
    until: datetime,
    has_sponsor: bool,
    rules: EscalationRules,
    extra_checks: list[datetime] | None = None,
) -> list[tuple[datetime, Step, datetime]]:
    """Evaluate the ladder the way the scheduler job would, recording every step as taken when due."""
    checks = sorted(extra_checks or [])
    episodes: dict[datetime, dict[Step, datetime]] = {}
    current: datetime | None = None
    log: list[tuple[datetime, Step, datetime]] = []
    now = T0
    for _ in range(200):
        momentum = compute_momentum(facts, now)
        episode = None if current is None else Episode(key=current, taken=episodes[current])
        d = next_escalation(momentum, episode, now=now, has_sponsor=has_sponsor, rules=rules)
        for step in d.steps:
            episodes.setdefault(d.episode_key, {})[step] = now
            log.append((now, step, d.episode_key))
        if d.steps:
            # After THANKS the stored episode is finished; the next step starts a new one.
            current = None if d.steps[-1] is Step.THANKS else d.episode_key
        candidates = [c for c in checks if c > now]
        if d.next_check_at is not None:
            assert d.next_check_at > now or d.steps, "asked to check again now without doing anything"
            candidates.append(max(d.next_check_at, now))
        candidates = [c for c in candidates if c <= until and (c > now or d.steps)]
        if not candidates:
            return log
        now = min(candidates)
    raise AssertionError("the scheduler did not settle")


@FAST
@given(
    cadence=st.sampled_from(Cadence),
    has_sponsor=st.booleans(),
    gaps=st.tuples(*[st.integers(min_value=0, max_value=6)] * 3),
    session_days=st.lists(st.integers(min_value=1, max_value=150), max_size=3),
    extra_checks=st.lists(times_in_first_year, max_size=6),
)
def test_simulated_ladder_respects_every_rule(
    cadence: Cadence,
    has_sponsor: bool,
    gaps: tuple[int, int, int],
    session_days: list[int],
    extra_checks: list[datetime],
) -> None:
    rules = EscalationRules(*(timedelta(days=g) for g in gaps))
    sessions = tuple(T0 + d * DAY for d in session_days)
    facts = PairFacts(started_at=T0, cadence=cadence, sessions=sessions)
    # Logging a session is a new fact, so the app evaluates the pair then too, not only at next_check_at.
    checks = [*extra_checks, *sessions]
    log = run_scheduler(facts, until=T0 + 365 * DAY, has_sponsor=has_sponsor, rules=rules, extra_checks=checks)

    by_episode: dict[datetime, list[tuple[datetime, Step]]] = {}
    for at, step, key in log:
        by_episode.setdefault(key, []).append((at, step))
    ladder = [Step.NUDGE_PAIR, Step.NUDGE_EACH, *([Step.SPONSOR] if has_sponsor else []), Step.LEADS]
    for key, steps in by_episode.items():
        names = [s for _, s in steps]
        assert len(names) == len(set(names)), "a step was taken twice in one episode"
        escalations = [s for s in names if s is not Step.THANKS]
        assert escalations == ladder[: len(escalations)], "steps out of order"
        if Step.THANKS in names:
            assert names[-1] is Step.THANKS
        for at, step in steps:
            state = compute_momentum(facts, at).state
            if step in (Step.NUDGE_PAIR, Step.NUDGE_EACH):
                assert state in (State.COOLING, State.LAPSED)
                assert key == compute_momentum(facts, at).episode_key
            elif step in (Step.SPONSOR, Step.LEADS):
                assert state is State.LAPSED
        times = {s: at for at, s in steps}
        for earlier, later in itertools.pairwise(escalations):
            assert times[later] - times[earlier] >= rules.gap_before(later)

    # After the last session the pair stays quiet for the rest of the year: the whole ladder runs.
    last = max([T0, *sessions])
    final = [s for _, s in by_episode.get(last, [])]
    if last + 2 * cadence_period(cadence) + sum((rules.gap_before(s) for s in ladder), timedelta(0)) < T0 + 365 * DAY:
        assert final == ladder


# --------------------------------------------------------------------------------------------------------
# Ghosts
# --------------------------------------------------------------------------------------------------------

NOW = utc(2024, 6, 30, 12)


def prompt(days_ago: float, answered_days_ago: float | None = None) -> Prompt:
    answered = None if answered_days_ago is None else NOW - timedelta(days=answered_days_ago)
    return Prompt(sent_at=NOW - timedelta(days=days_ago), answered_at=answered)


class TestGhosts:
    def test_three_unanswered_in_a_row_is_a_ghost(self) -> None:
        assert is_ghost([prompt(20), prompt(14), prompt(7)], now=NOW)

    def test_two_unanswered_is_not(self) -> None:
        assert not is_ghost([prompt(14), prompt(7)], now=NOW)

    def test_an_answer_breaks_the_run(self) -> None:
        history = [prompt(30), prompt(25), prompt(20, answered_days_ago=19), prompt(14), prompt(7)]
        assert not is_ghost(history, now=NOW)

    def test_only_the_latest_run_counts(self) -> None:
        history = [prompt(40), prompt(35), prompt(30), prompt(20, answered_days_ago=20)]
        assert not is_ghost(history, now=NOW)

    def test_a_prompt_still_inside_its_grace_period_does_not_count_yet(self) -> None:
        history = [prompt(20), prompt(14), prompt(1)]
        assert not is_ghost(history, now=NOW)
        assert is_ghost(history, now=NOW + 3 * DAY)

    def test_a_pending_prompt_does_not_hide_an_earlier_run(self) -> None:
        assert is_ghost([prompt(30), prompt(20), prompt(10), prompt(1)], now=NOW)

    def test_a_late_answer_still_counts(self) -> None:
        history = [prompt(30), prompt(20, answered_days_ago=5), prompt(14), prompt(7)]
        assert not is_ghost(history, now=NOW)

    def test_answers_after_now_are_not_known_yet(self) -> None:
        history = [prompt(30), prompt(20), prompt(10, answered_days_ago=-1)]
        assert is_ghost(history, now=NOW)

    def test_order_of_the_history_does_not_matter(self) -> None:
        history = [prompt(7), prompt(20, answered_days_ago=19), prompt(14), prompt(30)]
        assert not is_ghost(history, now=NOW)
        assert is_ghost([prompt(7), prompt(20), prompt(14)], now=NOW)

    def test_empty_history(self) -> None:
        assert not is_ghost([], now=NOW)

    def test_threshold_and_grace_are_configurable(self) -> None:
        assert is_ghost([prompt(1.5), prompt(1)], now=NOW, threshold=2, grace=DAY)
        with pytest.raises(ValueError):
            is_ghost([], now=NOW, threshold=0)


# --------------------------------------------------------------------------------------------------------
# Respectful timing
# --------------------------------------------------------------------------------------------------------


class TestSendWindow:
    def test_friday_1659_is_inside_and_returned_as_is(self) -> None:
        now = local(LONDON, 2024, 6, 7, 16, 59)
        assert is_within_window(now, LONDON)
        assert next_send_window(now, LONDON) == now

    def test_friday_1700_waits_for_monday_0900(self) -> None:
        now = local(LONDON, 2024, 6, 7, 17, 0)
        assert not is_within_window(now, LONDON)
        assert next_send_window(now, LONDON) == local(LONDON, 2024, 6, 10, 9)

    def test_last_microsecond_before_close_is_inside(self) -> None:
        now = datetime.combine(date(2024, 6, 7), time(16, 59, 59, 999999), tzinfo=ZoneInfo(LONDON))
        assert is_within_window(now, LONDON)

    def test_0900_is_inside_and_0859_is_not(self) -> None:
        assert is_within_window(local(LONDON, 2024, 6, 10, 9), LONDON)
        assert not is_within_window(local(LONDON, 2024, 6, 10, 8, 59), LONDON)

    def test_sunday_waits_for_monday(self) -> None:
        assert next_send_window(local(LONDON, 2024, 6, 9, 11), LONDON) == local(LONDON, 2024, 6, 10, 9)

    def test_saturday_inside_hours_is_still_outside(self) -> None:
        now = local(NEW_YORK, 2024, 6, 8, 11)
        assert not is_within_window(now, NEW_YORK)
        assert next_send_window(now, NEW_YORK) == local(NEW_YORK, 2024, 6, 10, 9)

    def test_early_morning_waits_for_the_same_day(self) -> None:
        assert next_send_window(local(LONDON, 2024, 6, 4, 6), LONDON) == local(LONDON, 2024, 6, 4, 9)

    def test_evening_waits_for_the_next_day(self) -> None:
        assert next_send_window(local(LONDON, 2024, 6, 4, 20), LONDON) == local(LONDON, 2024, 6, 5, 9)

    def test_result_is_utc(self) -> None:
        result = next_send_window(local(LONDON, 2024, 6, 9, 11), LONDON)
        assert result.tzinfo is UTC
        assert result == utc(2024, 6, 10, 8)

    def test_the_window_is_the_recipients_not_the_senders(self) -> None:
        now = utc(2024, 6, 4, 14)  # 15:00 in London, 10:00 in New York, 19:30 in Kolkata
        assert is_within_window(now, LONDON)
        assert is_within_window(now, NEW_YORK)
        assert not is_within_window(now, KOLKATA)


class TestSendWindowDst:
    def test_london_spring_forward_weekend(self) -> None:
        # Clocks go forward on Sunday 31 March 2024: Monday 09:00 is BST, 08:00 UTC.
        now = local(LONDON, 2024, 3, 29, 17)
        assert next_send_window(now, LONDON) == utc(2024, 4, 1, 8)

    def test_london_fall_back_weekend(self) -> None:
        # Clocks go back on Sunday 27 October 2024: Friday 17:00 is BST, Monday 09:00 is GMT.
        now = local(LONDON, 2024, 10, 25, 17)
        assert now.utcoffset() == HOUR
        assert next_send_window(now, LONDON) == utc(2024, 10, 28, 9)

    def test_new_york_spring_forward_weekend(self) -> None:
        # Clocks go forward on Sunday 10 March 2024: Friday is EST (UTC-5), Monday is EDT (UTC-4).
        now = local(NEW_YORK, 2024, 3, 8, 17, 30)
        assert next_send_window(now, NEW_YORK) == utc(2024, 3, 11, 13)

    def test_new_york_fall_back_weekend(self) -> None:
        now = local(NEW_YORK, 2024, 11, 1, 18)
        assert next_send_window(now, NEW_YORK) == utc(2024, 11, 4, 14)

    def test_weeks_when_only_new_york_has_changed(self) -> None:
        # Between 10 and 31 March 2024 New York is already on EDT while London is still on GMT.
        now = utc(2024, 3, 12, 12, 59)  # 08:59 in New York
        assert not is_within_window(now, NEW_YORK)
        assert next_send_window(now, NEW_YORK) == utc(2024, 3, 12, 13)
        assert is_within_window(now, LONDON)

    def test_the_hour_that_repeats_when_clocks_go_back(self) -> None:
        # 01:30 happens twice in London on 27 October 2024; both are outside, Monday 09:00 GMT is next.
        first = datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo(LONDON), fold=0)
        second = datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo(LONDON), fold=1)
        assert next_send_window(first, LONDON) == next_send_window(second, LONDON) == utc(2024, 10, 28, 9)


class TestSendWindowOddZones:
    def test_kolkata_half_hour_offset(self) -> None:
        # 09:00-17:00 IST is 03:30-11:30 UTC.
        assert not is_within_window(utc(2024, 6, 4, 3, 29), KOLKATA)
        assert is_within_window(utc(2024, 6, 4, 3, 30), KOLKATA)
        assert is_within_window(utc(2024, 6, 4, 11, 29), KOLKATA)
        assert not is_within_window(utc(2024, 6, 4, 11, 30), KOLKATA)
        assert next_send_window(utc(2024, 6, 4, 11, 30), KOLKATA) == utc(2024, 6, 5, 3, 30)

    def test_kolkata_friday_evening_is_monday_morning(self) -> None:
        assert next_send_window(utc(2024, 6, 7, 12), KOLKATA) == utc(2024, 6, 10, 3, 30)

    def test_date_line_zone(self) -> None:
        # Friday 20:00 UTC is already Saturday 09:00 in Kiritimati (UTC+14).
        assert not is_within_window(utc(2024, 6, 7, 20), "Pacific/Kiritimati")
        assert next_send_window(utc(2024, 6, 7, 20), "Pacific/Kiritimati") == utc(2024, 6, 9, 19)

    @pytest.mark.parametrize("tz", [None, "", "   ", "Mars/Olympus_Mons", "../../etc/passwd", "Europe"])
    def test_unknown_or_empty_zone_falls_back_to_utc(self, tz: str | None) -> None:
        assert is_within_window(utc(2024, 6, 7, 16, 59), tz)
        assert not is_within_window(utc(2024, 6, 7, 17), tz)
        assert next_send_window(utc(2024, 6, 7, 17), tz) == utc(2024, 6, 10, 9)

    def test_naive_now_is_rejected(self) -> None:
        with pytest.raises(ValueError):
            next_send_window(datetime(2024, 6, 7, 12), LONDON)

    def test_custom_window_for_a_sunday_to_thursday_week(self) -> None:
        window = SendWindow(start=time(8), end=time(16), workdays=frozenset({6, 0, 1, 2, 3}))
        friday_noon = local("Asia/Jerusalem", 2024, 6, 7, 12)
        assert not is_within_window(friday_noon, "Asia/Jerusalem", window=window)
        assert next_send_window(friday_noon, "Asia/Jerusalem", window=window) == local("Asia/Jerusalem", 2024, 6, 9, 8)

    def test_invalid_windows_are_rejected(self) -> None:
        with pytest.raises(ValueError):
            SendWindow(start=time(17), end=time(9))
        with pytest.raises(ValueError):
            SendWindow(workdays=frozenset())
        with pytest.raises(ValueError):
            SendWindow(workdays=frozenset({7}))


ALL_ZONES = sorted(available_timezones())


@settings(max_examples=400, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(ALL_ZONES),
)
def test_next_send_window_is_the_earliest_moment_inside(now: datetime, tz: str) -> None:
    result = next_send_window(now, tz)
    assert result >= now
    assert is_within_window(result, tz)
    assert next_send_window(result, tz) == result
    if result != now:
        # It is the opening of a window: a moment earlier (and anything before it, after now) is outside.
        assert not is_within_window(result - timedelta(seconds=1), tz)
        assert result.astimezone(ZoneInfo(tz)).time() >= time(9)


@FAST
@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from([LONDON, NEW_YORK, KOLKATA, "Australia/Lord_Howe", "America/St_Johns"]),
    minutes=st.integers(min_value=1, max_value=7 * 24 * 60),
)
def test_no_window_moment_is_skipped(now: datetime, tz: str, minutes: int) -> None:
    result = next_send_window(now, tz)
    probe = now + timedelta(minutes=minutes)
    if probe < result:
        assert not is_within_window(probe, tz)


# --------------------------------------------------------------------------------------------------------
# Reminders and check-ins
# --------------------------------------------------------------------------------------------------------


class TestReminders:
    def test_reminder_is_the_morning_of_the_day_before(self) -> None:
        session = local(LONDON, 2024, 6, 5, 14)  # Wednesday
        assert reminder_due_at(session, LONDON) == local(LONDON, 2024, 6, 4, 9)

    def test_monday_session_is_reminded_on_friday_not_sunday(self) -> None:
        session = local(LONDON, 2024, 6, 10, 14)
        assert reminder_due_at(session, LONDON) == local(LONDON, 2024, 6, 7, 9)

    def test_date_only_session(self) -> None:
        assert reminder_due_at(date(2024, 6, 5), NEW_YORK) == local(NEW_YORK, 2024, 6, 4, 9)

    def test_each_person_is_reminded_in_their_own_zone_and_date(self) -> None:
        session = local(LONDON, 2024, 6, 4, 23)  # Tuesday 23:00 London is Wednesday 03:30 in Kolkata
        assert reminder_due_at(session, LONDON) == local(LONDON, 2024, 6, 3, 9)
        assert reminder_due_at(session, KOLKATA) == local(KOLKATA, 2024, 6, 4, 9)

    def test_reminder_across_the_spring_forward_weekend(self) -> None:
        session = local(LONDON, 2024, 4, 1, 10)  # Monday, BST
        assert reminder_due_at(session, LONDON) == utc(2024, 3, 29, 9)  # Friday 09:00 GMT

    def test_unknown_zone_is_utc(self) -> None:
        assert reminder_due_at(utc(2024, 6, 5, 14), "Nowhere/Special") == utc(2024, 6, 4, 9)


class TestCheckins:
    def test_an_hour_after_the_session_when_that_is_inside_the_window(self) -> None:
        session = local(LONDON, 2024, 6, 4, 10)
        assert checkin_due_at(session, LONDON) == local(LONDON, 2024, 6, 4, 11)

    def test_late_friday_session_is_checked_in_on_monday(self) -> None:
        session = local(LONDON, 2024, 6, 7, 16, 30)
        assert checkin_due_at(session, LONDON) == local(LONDON, 2024, 6, 10, 9)

    def test_never_before_the_session_was_logged(self) -> None:
        session = local(LONDON, 2024, 6, 4, 10)
        logged = local(LONDON, 2024, 6, 6, 18)
        assert checkin_due_at(session, LONDON, logged_at=logged) == local(LONDON, 2024, 6, 7, 9)

    def test_in_the_recipients_zone(self) -> None:
        session = local(LONDON, 2024, 6, 4, 10)  # 14:30 in Kolkata; +1 h is 15:30, inside
        assert checkin_due_at(session, KOLKATA) == session + HOUR
        # For New York the same moment plus an hour is 06:00: wait for 09:00 there.
        assert checkin_due_at(session, NEW_YORK) == local(NEW_YORK, 2024, 6, 4, 9)


def test_momentum_is_a_frozen_value() -> None:
    m = compute_momentum(weekly(), T0)
    assert isinstance(m, Momentum)
    with pytest.raises(AttributeError):
        m.state = State.LAPSED  # type: ignore[misc]
    facts = weekly(sessions=(T0,))
    assert isinstance(facts.sessions, tuple)


# --------------------------------------------------------------------------------------------------------
# A booked session holds momentum
# --------------------------------------------------------------------------------------------------------


def test_a_booked_session_keeps_a_pair_on_track_until_it_has_had_time_to_happen() -> None:
    booked = T0 + 20 * DAY  # weekly cadence: cooling at day 7, lapsed at day 14
    facts = PairFacts(started_at=T0, cadence=Cadence.WEEKLY, booked=booked)
    during = compute_momentum(facts, T0 + 10 * DAY)
    assert during.state is State.ON_TRACK and during.booking_hold == booked + BOOKING_HOLD
    assert during.next_change_at == booked + BOOKING_HOLD, "look again when the hold ends"
    assert next_escalation(during, None, now=T0 + 10 * DAY, has_sponsor=True).steps == ()
    after = compute_momentum(facts, booked + BOOKING_HOLD)
    assert after.state is State.LAPSED and after.booking_hold is None, "unconfirmed, the clock decides again"
    steps = next_escalation(after, None, now=booked + BOOKING_HOLD, has_sponsor=False).steps
    assert steps[0] is Step.NUDGE_PAIR


def test_a_booking_inside_the_cadence_changes_nothing_about_when_the_clock_turns() -> None:
    facts = PairFacts(started_at=T0, cadence=Cadence.MONTHLY, sessions=(T0,), booked=T0 + 3 * DAY)
    now = T0 + DAY
    momentum = compute_momentum(facts, now)
    assert momentum.state is State.ON_TRACK
    assert momentum.next_change_at == T0 + 30 * DAY


def test_a_pair_that_never_met_is_not_started_and_nudged_after_ten_days_even_monthly() -> None:
    facts = PairFacts(started_at=T0, cadence=Cadence.MONTHLY)
    assert compute_momentum(facts, T0 + 10 * DAY - timedelta(seconds=1)).state is State.ON_TRACK
    cooling = compute_momentum(facts, T0 + 10 * DAY)
    assert cooling.state is State.COOLING
    assert next_escalation(cooling, None, now=T0 + 10 * DAY, has_sponsor=False).steps == (Step.NUDGE_PAIR,)
    assert standing(cooling.state, has_met=False, paused=False) is Standing.NOT_STARTED
    assert standing(State.ON_TRACK, has_met=False, paused=False) is Standing.NOT_STARTED, "never 'on track'"
    assert standing(State.LAPSED, has_met=True, paused=True) is Standing.PAUSED
    assert standing(State.COOLING, has_met=True, paused=False) is Standing.COOLING
