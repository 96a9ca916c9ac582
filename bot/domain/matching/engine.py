"""Run a match round: the whole-pool optimum, each pair explained, everyone left out accounted for."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from bot.domain.matching._vector import PoolArrays
from bot.domain.matching.explain import Explainer
from bot.domain.matching.model import DEFAULT_RULES, Candidate, MatchRules, PairScore, Proposal, ProposedMatch
from bot.domain.matching.scoring import department_history, pair_score
from bot.domain.matching.solver import Solver, SolverTuning, SolveStats

DEFAULT_TUNING = SolverTuning()


def propose(
    pool: Sequence[Candidate],
    *,
    now: datetime,
    past_pairs: Collection[tuple[str, str]] = (),
    rules: MatchRules = DEFAULT_RULES,
    topic_labels: Mapping[str, str] | None = None,
    tuning: SolverTuning = DEFAULT_TUNING,
    time_limit: float | None = None,
    gap_tolerance: float = 0.0,
) -> Proposal:
    """Propose the best pairs for the whole pool at once, each explained.

    The proposal maximises the total pair score over every assignment that respects the hard constraints
    (see :func:`~bot.domain.matching.scoring.violations`), the mentors' capacities, one mentor per mentee, and one
    role per "both" person. It is the true optimum, not a greedy approximation (method in
    :mod:`bot.domain.matching.solver`). The result does not depend on the order of ``pool``: people are taken in id
    order and the solver is deterministic, so ties always resolve the same way.

    Args:
        pool: Everyone in the round; ids must be unique.
        now: The moment of the round, for waiting times (naive or aware like ``waiting_since``).
        past_pairs: Earlier pairs as (id, id) in either order; never proposed again.
        rules: Constraints' settings and score weights.
        topic_labels: Display label per topic id, for explanations.
        tuning: Speed/memory knobs of the solver; they do not change the optimum.
        time_limit: Seconds the solver may take; when they run out it returns the best assignment found, and
            the proposal's ``gap`` says how far below the optimum it can be. None: no limit.
        gap_tolerance: On large pools, stop once the assignment is proven within this share of the optimum
            (0.005: at most 0.5% below it) and say so in ``gap``. Small pools are always solved exactly.

    Returns:
        Matches grouped by mentor, everyone unmatched with a reason, and the total score.

    Raises:
        ValueError: On duplicate ids.
    """
    proposal, _ = propose_with_stats(
        pool,
        now=now,
        past_pairs=past_pairs,
        rules=rules,
        topic_labels=topic_labels,
        tuning=tuning,
        time_limit=time_limit,
        gap_tolerance=gap_tolerance,
    )
    return proposal


def propose_with_stats(
    pool: Sequence[Candidate],
    *,
    now: datetime,
    past_pairs: Collection[tuple[str, str]] = (),
    rules: MatchRules = DEFAULT_RULES,
    topic_labels: Mapping[str, str] | None = None,
    tuning: SolverTuning = DEFAULT_TUNING,
    time_limit: float | None = None,
    gap_tolerance: float = 0.0,
) -> tuple[Proposal, SolveStats]:
    """:func:`propose`, plus what the solver did and how it proved the optimum (see :class:`SolveStats`)."""
    people = sorted(pool, key=lambda c: c.id)
    duplicates = sorted({a.id for a, b in itertools.pairwise(people) if a.id == b.id})
    if duplicates:
        raise ValueError(f"duplicate ids in pool: {', '.join(duplicates)}")
    past = {(a, b) for a, b in past_pairs}
    labels = topic_labels or {}

    arrays = PoolArrays(people, past_pairs=past, rules=rules, now=now)
    solver = Solver(arrays, tuning, time_limit=time_limit, gap=gap_tolerance)
    chosen = solver.solve()

    history = department_history(people, past)
    by_mentor: defaultdict[str, list[PairScore]] = defaultdict(list)
    for mentor, mentee in chosen:
        scored = pair_score(
            people[mentor],
            people[mentee],
            now=now,
            rules=rules,
            past_pairs=past,
            topic_labels=labels,
            history=history,
        )
        if scored is None:  # pragma: no cover - the solver only sees valid pairs
            raise AssertionError(f"solver proposed an invalid pair {people[mentor].id} -> {people[mentee].id}")
        by_mentor[scored.mentor_id].append(scored)

    matches = tuple(
        ProposedMatch(
            mentor_id=mentor_id,
            mentee_ids=tuple(p.mentee_id for p in sorted(pairs, key=lambda p: p.mentee_id)),
            pairs=tuple(sorted(pairs, key=lambda p: p.mentee_id)),
        )
        for mentor_id, pairs in sorted(by_mentor.items())
    )
    proposal = Proposal(
        matches=matches,
        unmatched=Explainer(arrays, chosen, labels).unmatched(),
        total_score=sum(p.score for m in matches for p in m.pairs),
        gap=max(0.0, solver.stats.upper - solver.stats.lower) if not solver.stats.proven else 0.0,
    )
    return proposal, solver.stats
