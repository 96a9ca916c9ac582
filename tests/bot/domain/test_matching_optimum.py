"""The whole-pool optimum, proven: brute force on small random pools, for both solver paths.

Small pools go to HiGHS over every pair ("exhaustive"); large ones to the assignment-and-certificate path.
``SolverTuning(exhaustive_pairs=0)`` forces the large-pool path on small pools, and starving it of starting
pairs (one per person) makes it run several rounds of column generation, role switching and reduced-cost
fixing, so every step is checked against brute force.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.matching import (
    Candidate,
    Constraint,
    MatchRules,
    Proposal,
    SolverTuning,
    department_history,
    pair_score,
    propose,
    propose_with_stats,
    violations,
)
from bot.domain.matching._vector import PoolArrays
from tests.support import MATCH_NOW as NOW
from tests.support import candidate as person

TOPICS = ("genai", "data", "strategy")
PERSPECTIVE = ("strategy", "leadership")  # what seniors share back: a smaller bonus, never a reason to pair
PAIR_CONSTRAINTS = [c for c in Constraint if c not in (Constraint.NOT_A_MENTOR, Constraint.NO_CAPACITY)]
LARGE_POOL_PATH = SolverTuning(exhaustive_pairs=0, initial_per_mentee=1, initial_per_mentor=1, added_per_mentee=1)
NO_ROLE_SEARCH = SolverTuning(
    exhaustive_pairs=0, initial_per_mentee=1, initial_per_mentor=1, added_per_mentee=1, role_rounds=0
)
TUNINGS = {"exhaustive": SolverTuning(), "assignment": LARGE_POOL_PATH, "fixing": NO_ROLE_SEARCH}

Drawn = tuple[list[Candidate], set[tuple[str, str]]]


@st.composite
def pools(draw: st.DrawFn, max_size: int = 7) -> Drawn:
    """Small pools rich in "both" people, capacities 0-3, managers, sponsors, do-not-match and past pairs."""
    n = draw(st.integers(min_value=2, max_value=max_size))
    ids = [f"p{k}" for k in range(n)]
    pool = []
    for pid in ids:
        role = draw(st.sampled_from(["mentor", "mentee", "both", "both"]))
        others = [x for x in ids if x != pid]
        pool.append(
            person(
                pid,
                can_mentor=role in ("mentor", "both"),
                can_mentee=role in ("mentee", "both"),
                teaches=tuple(draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=3, unique=True))),
                learns=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))),
                level=draw(st.integers(min_value=0, max_value=5)),
                department=draw(st.sampled_from(["A", "B", "C"])),
                manager_id=draw(st.none() | st.sampled_from(others)),
                sponsor_id=draw(st.none() | st.sampled_from(others)),
                do_not_match=frozenset(draw(st.lists(st.sampled_from(others), max_size=1))),
                capacity=draw(st.integers(min_value=0, max_value=3)),
                cadence=draw(st.sampled_from(["weekly", "biweekly", "monthly"])),
                utc_offset_minutes=draw(st.sampled_from([-480, 0, 60, 330, 540])),
                waiting_since=NOW - timedelta(days=draw(st.integers(min_value=0, max_value=200))),
                gives_back=tuple(draw(st.lists(st.sampled_from(PERSPECTIVE), max_size=2, unique=True))),
                wants_back=tuple(draw(st.lists(st.sampled_from(PERSPECTIVE), max_size=2, unique=True))),
            )
        )
    past = {tuple(draw(st.permutations(ids))[:2]) for _ in range(draw(st.integers(min_value=0, max_value=2)))}
    return pool, {(a, b) for a, b in past}


@st.composite
def hard_pools(draw: st.DrawFn, max_size: int = 8) -> Drawn:
    """Pools shaped like hard real ones: junior mentors, senior mentees, and 20-40% of each side "both".

    "Both" people are mid-level and both teach and learn, so they compete for both sides: the rounds whose
    roles need the LP relaxation and branching, where the solver is slowest and easiest to get wrong.
    """
    n = draw(st.integers(min_value=3, max_value=max_size))
    share = draw(st.sampled_from([0.2, 0.3, 0.4]))
    pool = []
    for k in range(n):
        junior = k < (n + 1) // 2
        both = draw(st.floats(min_value=0, max_value=1, exclude_max=True)) < share
        pool.append(
            person(
                f"h{k}",
                can_mentor=junior or both,
                can_mentee=not junior or both,
                teaches=tuple(draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True))),
                learns=tuple(draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True))),
                level=2 if both and junior else 3 if both else draw(st.integers(0, 2) if junior else st.integers(2, 5)),
                department=draw(st.sampled_from(["A", "B", "C"])),
                capacity=draw(st.sampled_from([1, 1, 2, 3])) if junior else int(both),
                cadence=draw(st.sampled_from(["weekly", "biweekly", "monthly"])),
                utc_offset_minutes=draw(st.sampled_from([-480, 0, 60, 330, 540])),
                waiting_since=NOW - timedelta(days=draw(st.integers(min_value=0, max_value=200))),
                # Juniors may want perspective back, seniors may offer it: the reciprocal bonus.
                gives_back=() if junior else tuple(draw(st.lists(st.sampled_from(PERSPECTIVE), max_size=2))),
                wants_back=tuple(draw(st.lists(st.sampled_from(PERSPECTIVE), max_size=1))) if junior else (),
            )
        )
    return pool, set()


def brute_force(pool: Sequence[Candidate], past: set[tuple[str, str]], rules: MatchRules) -> float:
    """The best total score over every valid assignment, by exhaustive search on the scalar rules."""
    people = sorted(pool, key=lambda c: c.id)
    history = department_history(people, past)
    weight: dict[tuple[int, int], float] = {}
    for i, mentor in enumerate(people):
        for j, mentee in enumerate(people):
            scored = pair_score(mentor, mentee, now=NOW, rules=rules, past_pairs=past, history=history)
            if scored is not None:
                weight[i, j] = scored.score
    best = 0.0
    load = [0] * len(people)
    mentee_of = [False] * len(people)

    # Mentees are decided in id order, so a later person may already be a mentor (load > 0) and an earlier
    # one may already be a mentee (mentee_of): both directions of "never both roles" are enforced.
    def search(j: int, total: float) -> None:
        nonlocal best
        if j == len(people):
            best = max(best, total)
            return
        search(j + 1, total)  # j takes no mentor
        if load[j] > 0:
            return
        for i in range(len(people)):
            w = weight.get((i, j))
            if w is None or mentee_of[i] or load[i] >= people[i].capacity:
                continue
            load[i] += 1
            mentee_of[j] = True
            search(j + 1, total + w)
            load[i] -= 1
            mentee_of[j] = False

    search(0, 0.0)
    return best


def check_feasible(
    proposal: Proposal, pool: Sequence[Candidate], past: set[tuple[str, str]], rules: MatchRules
) -> None:
    by_id = {c.id: c for c in pool}
    mentors = [m.mentor_id for m in proposal.matches]
    mentees = [mentee for m in proposal.matches for mentee in m.mentee_ids]
    assert len(mentors) == len(set(mentors))
    assert len(mentees) == len(set(mentees)), "a mentee with two mentors"
    assert not set(mentors) & set(mentees), "someone in both roles"
    total = 0.0
    for match in proposal.matches:
        assert 1 <= len(match.mentee_ids) <= by_id[match.mentor_id].capacity
        assert [p.mentee_id for p in match.pairs] == list(match.mentee_ids)
        for pair in match.pairs:
            assert violations(by_id[pair.mentor_id], by_id[pair.mentee_id], past_pairs=past, rules=rules) == []
            assert 0 <= pair.score <= 100 + 1e-9 and pair.reasons  # a perfect score may round to 100.00000000000001
            total += pair.score
    assert proposal.total_score == pytest.approx(total)
    left_out = {u.id for u in proposal.unmatched}
    assert left_out == set(by_id) - set(mentors) - set(mentees)
    assert all(u.reason and u.role == by_id[u.id].role for u in proposal.unmatched)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.booleans(), st.sampled_from(sorted(TUNINGS)))
def test_the_proposal_is_the_brute_force_optimum_and_breaks_no_rule(drawn: Drawn, reciprocal: bool, path: str) -> None:
    pool, past = drawn
    rules = MatchRules(allow_equal_levels=reciprocal)
    proposal, stats = propose_with_stats(pool, now=NOW, past_pairs=past, rules=rules, tuning=TUNINGS[path])
    check_feasible(proposal, pool, past, rules)
    assert proposal.total_score == pytest.approx(brute_force(pool, past, rules), abs=1e-6)
    if stats.finished_by != "no-pairs":
        assert stats.method == ("exhaustive" if path == "exhaustive" else "assignment")
        assert stats.upper >= stats.lower - 1e-6


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hard_pools(), st.sampled_from(sorted(TUNINGS)))
def test_pools_with_many_both_people_get_the_brute_force_optimum(drawn: Drawn, path: str) -> None:
    pool, past = drawn
    proposal, _ = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=TUNINGS[path])
    check_feasible(proposal, pool, past, MatchRules())
    assert proposal.total_score == pytest.approx(brute_force(pool, past, MatchRules()), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(pools())
def test_the_result_does_not_depend_on_the_order_of_the_pool(drawn: Drawn) -> None:
    pool, past = drawn
    for tuning in (SolverTuning(), LARGE_POOL_PATH):
        forward = propose(pool, now=NOW, past_pairs=past, tuning=tuning)
        assert forward == propose(list(reversed(pool)), now=NOW, past_pairs=list(reversed(sorted(past))), tuning=tuning)


@pytest.mark.parametrize("path", sorted(TUNINGS))
def test_three_both_people_in_a_cycle_are_solved_exactly(path: str) -> None:
    """The LP relaxation is half-integral here (an odd cycle); the integer answer must still be found."""
    trio = [
        person(
            f"b{k}",
            can_mentor=True,
            can_mentee=True,
            teaches=("genai",),
            learns=("genai",),
            level=k,
            department=f"D{k}",
        )
        for k in range(3)
    ]
    proposal, stats = propose_with_stats(trio, now=NOW, tuning=TUNINGS[path])
    check_feasible(proposal, trio, set(), MatchRules())
    assert proposal.total_score == pytest.approx(brute_force(trio, set(), MatchRules()))
    assert sum(len(m.mentee_ids) for m in proposal.matches) == 1
    assert stats.milp_solves >= 1  # the LP alone cannot settle it


# -- the vectorised engine agrees with the scalar rules, pair by pair ------------------------------------


@settings(max_examples=60, deadline=None)
@given(pools(max_size=8), st.booleans(), st.booleans())
def test_vectorised_constraints_and_scores_agree_with_the_scalar_rules(
    drawn: Drawn, reciprocal: bool, tables: bool
) -> None:
    pool, past = drawn
    rules = MatchRules(allow_equal_levels=reciprocal)
    people = sorted(pool, key=lambda c: c.id)
    arrays = PoolArrays(people, past_pairs=past, rules=rules, now=NOW, table_limit=10**6 if tables else -1)
    assert (arrays.static_table is not None) == tables
    everyone = np.arange(len(people))
    masks = arrays.masks(everyone, everyone)
    history = department_history(people, past)
    for i, mentor in enumerate(people):
        for j, mentee in enumerate(people):
            found = violations(mentor, mentee, past_pairs=past, rules=rules)
            assert [c for c in Constraint if masks[c][i, j]] == found
    if not len(arrays.mentors) or not len(arrays.mentees):
        return
    valid, score = arrays.valid_scores(arrays.mentors, arrays.columns(arrays.mentees))
    for a, i in enumerate(arrays.mentors.tolist()):
        for b, j in enumerate(arrays.mentees.tolist()):
            scored = pair_score(people[i], people[j], now=NOW, rules=rules, past_pairs=past, history=history)
            pair_ok = not any(masks[c][i, j] for c in PAIR_CONSTRAINTS)
            assert bool(valid[a, b]) == pair_ok == (scored is not None)
            if scored is not None:
                assert score[a, b] == pytest.approx(scored.score, abs=1e-9)
                assert arrays.pair_scores(np.array([i]), np.array([j]))[0] == score[a, b]


# -- bigger pools: the large-pool path against HiGHS over every pair -------------------------------------


def random_pool(
    seed: int, n: int, both_share: float, *, back: bool = False
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """A pool of juniors and seniors; with ``back``, people also offer and want perspective (the reciprocal bonus)."""
    rng = np.random.default_rng(seed)
    # A separate stream for the reciprocal topics keeps each seed's pool otherwise as it always was.
    extra = np.random.default_rng(seed + 1000)
    topics = ["genai", "data", "python", "social", "cloud"]
    pool = []
    for k in range(n):
        junior = k < n // 2
        both = rng.random() < both_share
        pool.append(
            person(
                f"u{k:03d}",
                can_mentor=junior or both,
                can_mentee=not junior or both,
                teaches=tuple(rng.choice(topics, size=int(rng.integers(1, 4)), replace=False)),
                learns=tuple(rng.choice(topics, size=int(rng.integers(1, 3)), replace=False)),
                level=int(rng.integers(0, 3) if junior else rng.integers(2, 6)),
                department=str(rng.choice(list("ABCDEF"))),
                capacity=int(rng.choice([1, 1, 1, 2, 3])),
                cadence=str(rng.choice(["weekly", "biweekly", "monthly"])),
                utc_offset_minutes=int(rng.choice([-300, 0, 60, 330, 540])),
                waiting_since=NOW - timedelta(days=float(rng.uniform(0, 150))),
                gives_back=tuple(extra.choice(PERSPECTIVE, size=int(extra.integers(0, 3)), replace=False))
                if back
                else (),
                wants_back=tuple(extra.choice(PERSPECTIVE, size=int(extra.integers(0, 2)), replace=False))
                if back
                else (),
            )
        )
    past = [(f"u{int(a):03d}", f"u{int(b):03d}") for a, b in rng.integers(0, n, size=(n // 5, 2)) if a != b]
    return pool, past


@pytest.mark.parametrize(
    ("seed", "both_share"), [(1, 0.0), (2, 0.15), (5, 0.2), (6, 0.3), (3, 0.4), (8, 0.4), (4, 0.8)]
)
def test_the_large_pool_path_matches_highs_over_every_pair_on_bigger_pools(seed: int, both_share: float) -> None:
    for back in (False, True):
        check_large_pool_path(*random_pool(seed, 120, both_share, back=back))


def check_large_pool_path(pool: list[Candidate], past: list[tuple[str, str]]) -> None:
    exact, exact_stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=10**9))
    assert exact_stats.method == "exhaustive"
    for tuning in (SolverTuning(exhaustive_pairs=0), LARGE_POOL_PATH, NO_ROLE_SEARCH):
        found, stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=tuning)
        assert stats.method == "assignment"
        check_feasible(found, pool, set(past), MatchRules())
        assert found.total_score == pytest.approx(exact.total_score, rel=1e-9)


@pytest.mark.parametrize(("seed", "both_share"), [(3, 0.4), (8, 0.4)])
def test_roles_the_first_certificate_cannot_settle_go_through_the_lp_relaxation(seed: int, both_share: float) -> None:
    pool, past = random_pool(seed, 120, both_share)
    exact = propose(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=10**9))
    found, stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=0))
    assert stats.lp_solves >= 1 and stats.role_rounds >= 1
    assert stats.upper >= exact.total_score - 1e-6  # the LP's completed duals bound every assignment
    assert found.total_score == pytest.approx(exact.total_score, rel=1e-9)


def test_a_pool_without_both_people_is_certified_by_its_duals_alone() -> None:
    pool, past = random_pool(5, 200, 0.0)
    proposal, stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=0))
    assert stats.method == "assignment" and stats.finished_by == "certificate"
    assert stats.roles_to_settle == 0 and stats.lp_solves == stats.milp_solves == 0
    assert stats.upper == pytest.approx(stats.lower, abs=1e-6)
    assert proposal.total_score == pytest.approx(stats.lower)


def test_scores_of_zero_still_give_a_valid_answer() -> None:
    """With every weight but fairness at zero and nobody waiting, all pairs score 0."""
    from bot.domain.matching import ScoreWeights

    rules = MatchRules(
        weights=ScoreWeights(topics=0, hours=0, seniority=0, cadence=0, fairness=1, reach=0, reciprocal=0)
    )
    pool, past = random_pool(6, 60, 0.3)
    pool = [c.__class__(**{**c.__dict__, "waiting_since": NOW}) for c in pool]
    for tuning in TUNINGS.values():
        proposal = propose(pool, now=NOW, past_pairs=past, rules=rules, tuning=tuning)
        check_feasible(proposal, pool, set(past), rules)
        assert proposal.total_score == 0


# -- a time limit: the best found so far, never an invalid pair, an honest bound --------------------------


@pytest.mark.parametrize("seed", [3, 4, 8])
def test_out_of_time_the_solver_returns_valid_pairs_and_a_bound_that_holds(seed: int) -> None:
    pool, past = random_pool(seed, 120, 0.8)
    exact = propose(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=10**9))
    # No time at all: the fixed-role assignment of the first round, with the dual bound of that round.
    rushed, stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=NO_ROLE_SEARCH, time_limit=1e-9)
    check_feasible(rushed, pool, set(past), MatchRules())
    assert stats.finished_by == "time-limit"
    assert rushed.total_score == pytest.approx(stats.lower)
    assert rushed.gap == pytest.approx(stats.upper - stats.lower) and rushed.gap > 0
    # The bound is honest: the optimum lies between what was returned and what the gap allows.
    assert rushed.total_score <= exact.total_score + 1e-6
    assert exact.total_score <= rushed.total_score + rushed.gap + 1e-6


def test_a_generous_time_limit_changes_nothing() -> None:
    pool, past = random_pool(4, 120, 0.8)
    exact = propose(pool, now=NOW, past_pairs=past, tuning=NO_ROLE_SEARCH)
    timed, stats = propose_with_stats(pool, now=NOW, past_pairs=past, tuning=NO_ROLE_SEARCH, time_limit=600)
    assert stats.finished_by != "time-limit" and timed.gap == 0
    assert timed == exact


# -- a gap tolerance: large pools stop once proven close enough, small ones stay exact ----------------------


@pytest.mark.parametrize("seed", [3, 8])
def test_a_gap_tolerance_stops_a_large_pool_early_with_an_honest_bound(seed: int) -> None:
    pool, past = random_pool(seed, 120, 0.4)
    exact = propose(pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=10**9))
    found, stats = propose_with_stats(
        pool, now=NOW, past_pairs=past, tuning=SolverTuning(exhaustive_pairs=0), gap_tolerance=0.05
    )
    check_feasible(found, pool, set(past), MatchRules())
    assert stats.finished_by == "within-gap" and not stats.proven
    assert found.gap == pytest.approx(stats.upper - stats.lower) and 0 < found.gap <= 0.05 * stats.upper
    assert found.total_score <= exact.total_score + 1e-6 <= found.total_score + found.gap + 2e-6


def test_a_small_pool_is_solved_exactly_whatever_the_gap_tolerance() -> None:
    pool, past = random_pool(3, 120, 0.4)
    exact, exact_stats = propose_with_stats(pool, now=NOW, past_pairs=past)
    loose, stats = propose_with_stats(pool, now=NOW, past_pairs=past, gap_tolerance=0.5)
    assert exact_stats.method == stats.method == "exhaustive" and stats.proven
    assert loose == exact and loose.gap == 0
