"""Hard constraints and the soft score for one (mentor, mentee) pair.

The component functions accept numpy arrays as well as plain numbers, so the whole-pool engine
(:mod:`bot.domain.matching._vector`) scores millions of pairs with exactly the same formulas used here for one pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.domain.matching.model import CADENCES, DEFAULT_RULES, Candidate, Constraint, MatchRules, PairScore
from bot.domain.matching.text import pair_reasons

COMPONENTS: tuple[str, ...] = ("topics", "hours", "seniority", "cadence", "fairness", "reach", "reciprocal")
"""Soft-score components, in the order of :meth:`ScoreWeights.as_tuple`."""

MINUTES_PER_DAY = 24 * 60

FloatArray = npt.NDArray[np.float64]


def violations(
    mentor: Candidate,
    mentee: Candidate,
    *,
    past_pairs: Collection[tuple[str, str]] = (),
    rules: MatchRules = DEFAULT_RULES,
) -> list[Constraint]:
    """Every hard constraint that rules out ``mentor`` mentoring ``mentee``.

    Args:
        mentor: The would-be mentor.
        mentee: The would-be mentee.
        past_pairs: Earlier pairs as (id, id), in either order.
        rules: Round settings (``allow_equal_levels``).

    Returns:
        The violated constraints in :class:`Constraint` order; empty when the pair may be proposed.
    """
    found: list[Constraint] = []
    if mentor.id == mentee.id:
        found.append(Constraint.SAME_PERSON)
    if not mentor.can_mentor:
        found.append(Constraint.NOT_A_MENTOR)
    if mentor.capacity < 1:
        found.append(Constraint.NO_CAPACITY)
    if not mentee.can_mentee:
        found.append(Constraint.NOT_A_MENTEE)
    # Reverse mentoring: the mentor is the more junior one.
    if mentor.level > mentee.level or (mentor.level == mentee.level and not rules.allow_equal_levels):
        found.append(Constraint.NOT_MORE_JUNIOR)
    if mentor.department == mentee.department:
        found.append(Constraint.SAME_DEPARTMENT)
    if mentee.manager_id == mentor.id or mentor.manager_id == mentee.id:
        found.append(Constraint.MANAGER)
    if mentee.sponsor_id == mentor.id:
        found.append(Constraint.SPONSOR)
    if (mentor.id, mentee.id) in past_pairs or (mentee.id, mentor.id) in past_pairs:
        found.append(Constraint.PAST_PAIR)
    if mentee.id in mentor.do_not_match or mentor.id in mentee.do_not_match:
        found.append(Constraint.DO_NOT_MATCH)
    if not set(mentor.teaches) & set(mentee.learns):
        found.append(Constraint.NO_SHARED_TOPIC)
    return found


def unique_in_order(items: Iterable[str]) -> tuple[str, ...]:
    """The items without later duplicates, keeping the first occurrence's position."""
    return tuple(dict.fromkeys(items))


def topic_priorities(learns: Iterable[str], rules: MatchRules) -> dict[str, float]:
    """Each wanted topic's share of the mentee's wishes: geometric by rank, summing to 1."""
    ranked = unique_in_order(learns)
    raw = [rules.topic_rank_decay**rank for rank in range(len(ranked))]
    total = sum(raw)
    return {topic: weight / total for topic, weight in zip(ranked, raw, strict=True)}


def reciprocal_fit(wants_back: Iterable[str], gives_back: Collection[str], rules: MatchRules) -> float:
    """Share of what the mentor wants to learn back (weighted by their ranking) that the mentee can share."""
    return sum(weight for topic, weight in topic_priorities(wants_back, rules).items() if topic in gives_back)


def hours_overlap_minutes(delta_minutes: Any, window_minutes: int) -> Any:
    """Minutes of working day two people share when their UTC offsets differ by ``delta_minutes``.

    Both have the same local window, so the UTC windows are arcs of equal length on the 24 h circle shifted
    by the offset difference; the overlap can wrap past midnight, hence the two terms.
    """
    shift = np.mod(delta_minutes, MINUTES_PER_DAY)
    overlap = np.maximum(0, window_minutes - shift) + np.maximum(0, window_minutes - (MINUTES_PER_DAY - shift))
    return np.minimum(overlap, window_minutes)


def seniority_fit(gap: Any, rules: MatchRules) -> Any:
    """1.0 inside the ideal level gap, a little less per level outside it (never below 0)."""
    low, high = rules.ideal_level_gap
    penalty = rules.gap_penalty_below * np.maximum(0, low - gap) + rules.gap_penalty_above * np.maximum(0, gap - high)
    return np.clip(1.0 - penalty, 0.0, 1.0)


def cadence_fit(mentor_code: Any, mentee_code: Any) -> Any:
    """1.0 for the same cadence, 0.5 for adjacent ones (weekly/biweekly), 0.0 for weekly vs monthly."""
    return 1.0 - np.abs(np.asarray(mentor_code) - np.asarray(mentee_code)) / (len(CADENCES) - 1)


def wait_fraction(waited_days: Any, rules: MatchRules) -> Any:
    """Share of the fairness horizon someone has waited, capped at 1."""
    return np.clip(np.asarray(waited_days, dtype=np.float64) / rules.fairness_horizon_days, 0.0, 1.0)


def reach_fit(times_paired_before: Any) -> Any:
    """1.0 for departments never paired before, then 1/2, 1/3 ... the more often they have been."""
    return 1.0 / (1.0 + np.asarray(times_paired_before, dtype=np.float64))


def waited_days(candidate: Candidate, now: datetime) -> float:
    """Days since ``candidate`` joined the queue (0 if in the future)."""
    return max(0.0, (now - candidate.waiting_since).total_seconds() / 86_400)


def department_history(pool: Iterable[Candidate], past_pairs: Iterable[tuple[str, str]]) -> dict[frozenset[str], int]:
    """How often each pair of departments was paired before, from the past pairs of people in ``pool``.

    Departments are today's; past pairs with someone no longer in the pool are not counted.
    """
    department = {c.id: c.department for c in pool}
    counts: Counter[frozenset[str]] = Counter()
    for pair in {tuple(sorted(p)) for p in past_pairs}:
        a, b = pair
        if a in department and b in department and department[a] != department[b]:
            counts[frozenset((department[a], department[b]))] += 1
    return dict(counts)


def component_fits(
    mentor: Candidate,
    mentee: Candidate,
    *,
    rules: MatchRules,
    now: datetime,
    history: Mapping[frozenset[str], int],
) -> tuple[float, float, float, float, float, float, float]:
    """Each soft-score component for one pair as a fit in [0, 1], in :data:`COMPONENTS` order."""
    priorities = topic_priorities(mentee.learns, rules)
    teaches = set(mentor.teaches)
    topics = sum(weight for topic, weight in priorities.items() if topic in teaches)
    hours = hours_overlap_minutes(mentor.utc_offset_minutes - mentee.utc_offset_minutes, rules.window_minutes)
    return (
        float(topics),
        float(hours) / rules.window_minutes,
        float(seniority_fit(mentee.level - mentor.level, rules)),
        float(cadence_fit(CADENCES.index(mentor.cadence), CADENCES.index(mentee.cadence))),
        float((wait_fraction(waited_days(mentor, now), rules) + wait_fraction(waited_days(mentee, now), rules)) / 2),
        float(reach_fit(history.get(frozenset((mentor.department, mentee.department)), 0))),
        float(reciprocal_fit(mentor.wants_back, set(mentee.gives_back), rules)),
    )


def component_points(rules: MatchRules) -> tuple[float, ...]:
    """Points each component is worth at a perfect fit; they sum to 100."""
    weights = rules.weights.as_tuple()
    total = sum(weights)
    return tuple(100.0 * w / total for w in weights)


def pair_score(
    mentor: Candidate,
    mentee: Candidate,
    *,
    now: datetime,
    rules: MatchRules = DEFAULT_RULES,
    past_pairs: Collection[tuple[str, str]] = (),
    topic_labels: Mapping[str, str] | None = None,
    history: Mapping[frozenset[str], int] | None = None,
) -> PairScore | None:
    """Score one pair on a 0-100 scale and explain it, or ``None`` if a hard constraint rules it out.

    Args:
        mentor: The would-be mentor.
        mentee: The would-be mentee.
        now: The moment of the round (for waiting times).
        rules: Weights and settings.
        past_pairs: Earlier pairs as (id, id), in either order.
        topic_labels: Display label per topic id; unknown ids are shown as they are.
        history: Earlier pairings per pair of departments (see :func:`department_history`); feeds the
            cross-department reach component.

    Returns:
        The score with its reasons and per-component points, or ``None``.
    """
    if violations(mentor, mentee, past_pairs=past_pairs, rules=rules):
        return None
    history = history or {}
    fits = component_fits(mentor, mentee, rules=rules, now=now, history=history)
    points = [p * f for p, f in zip(component_points(rules), fits, strict=True)]
    teaches = set(mentor.teaches)
    shared = tuple(t for t in unique_in_order(mentee.learns) if t in teaches)
    gives = set(mentee.gives_back)
    back = tuple(t for t in unique_in_order(mentor.wants_back) if t in gives)
    reasons = pair_reasons(
        mentor,
        mentee,
        shared=shared,
        back=back,
        labels=topic_labels or {},
        window_minutes=rules.window_minutes,
        shared_minutes=int(fits[1] * rules.window_minutes + 0.5),
        times_paired_before=history.get(frozenset((mentor.department, mentee.department)), 0),
        mentor_waited_days=waited_days(mentor, now),
        mentee_waited_days=waited_days(mentee, now),
    )
    return PairScore(
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        score=sum(points),
        shared_topics=shared,
        reasons=reasons,
        breakdown=tuple(zip(COMPONENTS, points, strict=True)),
        back_topics=back,
    )
