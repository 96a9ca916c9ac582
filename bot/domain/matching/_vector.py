"""The pool as numpy arrays: hard constraints and scores for whole blocks of pairs at once.

The formulas are the shared helpers of :mod:`bot.domain.matching.scoring`, so a block agrees pair by pair
with :func:`~bot.domain.matching.scoring.violations` and :func:`~bot.domain.matching.scoring.pair_score`; the
tests check that on random pools, on both the lookup-table path and the direct path.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from bot.domain.matching.model import CADENCES, Candidate, Constraint, MatchRules
from bot.domain.matching.scoring import (
    cadence_fit,
    component_points,
    department_history,
    hours_overlap_minutes,
    reach_fit,
    seniority_fit,
    topic_priorities,
    wait_fraction,
    waited_days,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# Constraints given as explicit (mentor, mentee) person pairs: few of them, so they are applied sparsely
# instead of comparing every pair in a block.
_SPARSE = (
    Constraint.SAME_PERSON,
    Constraint.MANAGER,
    Constraint.SPONSOR,
    Constraint.PAST_PAIR,
    Constraint.DO_NOT_MATCH,
)

TABLE_LIMIT = 4_000_000
"""Largest lookup table (entries) built; beyond it a block is scored with the formulas directly."""


@dataclass(frozen=True)
class Columns:
    """The mentee side of a block, prepared once per pass (see :meth:`PoolArrays.columns`)."""

    people: IntArray
    static_code: npt.NDArray[np.intp]
    topic_code: npt.NDArray[np.intp]
    wait_points: FloatArray


class PoolArrays:
    """Column arrays for a pool sorted by id; people are referred to by their index in that order.

    ``mentors`` and ``mentees`` list who is on each side of the round: opted in as mentor with capacity, and
    opted in as mentee; "both" people are on both sides.
    """

    def __init__(
        self,
        people: Sequence[Candidate],
        *,
        past_pairs: Collection[tuple[str, str]],
        rules: MatchRules,
        now: datetime,
        table_limit: int = TABLE_LIMIT,
    ) -> None:
        self.people = tuple(people)
        self.rules = rules
        n = len(self.people)
        self.index = {c.id: k for k, c in enumerate(self.people)}
        self.topics = tuple(
            sorted({t for c in self.people for t in (*c.teaches, *c.learns, *c.gives_back, *c.wants_back)})
        )
        topic_index = {t: k for k, t in enumerate(self.topics)}

        self.teach = np.zeros((n, len(self.topics)))
        self.learn = np.zeros((n, len(self.topics)))
        self.learn_weight = np.zeros((n, len(self.topics)))
        # The reciprocal bonus: what a mentee can share back (0/1) and how much a mentor wants each of it.
        self.gives = np.zeros((n, len(self.topics)))
        self.back_weight = np.zeros((n, len(self.topics)))
        for k, c in enumerate(self.people):
            self.teach[k, [topic_index[t] for t in c.teaches]] = 1.0
            self.learn[k, [topic_index[t] for t in c.learns]] = 1.0
            self.gives[k, [topic_index[t] for t in c.gives_back]] = 1.0
            for topic, weight in topic_priorities(c.learns, rules).items():
                self.learn_weight[k, topic_index[topic]] = weight
            for topic, weight in topic_priorities(c.wants_back, rules).items():
                self.back_weight[k, topic_index[topic]] = weight

        departments = sorted({c.department for c in self.people})
        dept_index = {d: k for k, d in enumerate(departments)}
        self.dept = np.array([dept_index[c.department] for c in self.people], dtype=np.int64)
        self.level = np.array([c.level for c in self.people], dtype=np.int64)
        self.offset = np.array([c.utc_offset_minutes for c in self.people], dtype=np.int64)
        self.cadence = np.array([CADENCES.index(c.cadence) for c in self.people], dtype=np.int64)
        self.wait = wait_fraction(np.array([waited_days(c, now) for c in self.people]), rules)
        self.capacity = np.array([c.capacity for c in self.people], dtype=np.int64)
        self.can_mentor = np.array([c.can_mentor for c in self.people], dtype=np.bool_)
        self.can_mentee = np.array([c.can_mentee for c in self.people], dtype=np.bool_)
        self.mentors = np.flatnonzero(self.can_mentor & (self.capacity >= 1))
        self.mentees = np.flatnonzero(self.can_mentee)

        history = np.zeros((len(departments), len(departments)))
        for pair, count in department_history(self.people, past_pairs).items():
            a, b = (dept_index[d] for d in pair)
            history[a, b] = history[b, a] = count
        self.reach = reach_fit(history)
        self.points = component_points(rules)
        self.sparse = self._sparse_pairs(past_pairs)
        self._build_tables(table_limit)

    def _sparse_pairs(self, past_pairs: Collection[tuple[str, str]]) -> dict[Constraint, tuple[IntArray, IntArray]]:
        """(mentor, mentee) index pairs each sparse constraint rules out."""
        index = self.index
        pairs: dict[Constraint, list[tuple[int, int]]] = {code: [] for code in _SPARSE}
        pairs[Constraint.SAME_PERSON] = [(k, k) for k in range(len(self.people))]
        for k, c in enumerate(self.people):
            if c.manager_id in index:
                boss = index[c.manager_id]
                pairs[Constraint.MANAGER] += [(boss, k), (k, boss)]
            if c.sponsor_id in index:
                pairs[Constraint.SPONSOR].append((index[c.sponsor_id], k))
            for other in c.do_not_match:
                if other in index:
                    pairs[Constraint.DO_NOT_MATCH] += [(k, index[other]), (index[other], k)]
        for a, b in past_pairs:
            if a in index and b in index:
                pairs[Constraint.PAST_PAIR] += [(index[a], index[b]), (index[b], index[a])]
        result: dict[Constraint, tuple[IntArray, IntArray]] = {}
        for code, found in pairs.items():
            arr = np.array(sorted(set(found)), dtype=np.int64).reshape(-1, 2)
            result[code] = (arr[:, 0], arr[:, 1])
        return result

    def _build_tables(self, table_limit: int) -> None:
        """Lookup tables for the hot path, when they are small enough.

        Seniority, cadence, reach, hours and the level and department constraints depend only on each
        side's (level, cadence, department, UTC offset) profile, and the topic part only on the mentor's
        set of topics and wishes back, and the mentee's ranked wishes and what they can give back. Real pools
        have a few hundred distinct profiles, so one lookup per pair replaces evaluating the formulas millions of
        times. -inf marks a ruled-out pair.
        """
        keys = self._keys()
        row_keys, static_row = np.unique(keys[self.mentors], axis=0, return_inverse=True)
        col_keys, static_col = np.unique(keys[self.mentees], axis=0, return_inverse=True)
        self.static_row, self.static_col = static_row.reshape(-1), static_col.reshape(-1)
        self.static_table: FloatArray | None = None
        if len(row_keys) * len(col_keys) <= table_limit:
            self.static_table = self._static_points(row_keys[:, None, :], col_keys[None, :, :])

        n = len(self.topics)
        offers = np.hstack([self.teach, self.back_weight])[self.mentors]
        row_sets, topic_row = np.unique(offers, axis=0, return_inverse=True)
        wishes = np.hstack([self.learn, self.learn_weight, self.gives])[self.mentees]
        col_sets, topic_col = np.unique(wishes, axis=0, return_inverse=True)
        self.topic_row, self.topic_col = topic_row.reshape(-1), topic_col.reshape(-1)
        self.topic_table: FloatArray | None = None
        if len(row_sets) * len(col_sets) <= table_limit:
            # Counting shared topics on 0/1 indicators keeps "shares a topic" exact whatever the weights.
            teach, back = row_sets[:, :n], row_sets[:, n:]
            self.topic_table = self._topic_points(
                teach @ col_sets[:, :n].T, teach @ col_sets[:, n : 2 * n].T, back @ col_sets[:, 2 * n :].T
            )
        # Positions on each side, to turn person indices into table codes.
        self.mentor_pos = np.full(len(self.people), -1, dtype=np.intp)
        self.mentor_pos[self.mentors] = np.arange(len(self.mentors))
        self.mentee_pos = np.full(len(self.people), -1, dtype=np.intp)
        self.mentee_pos[self.mentees] = np.arange(len(self.mentees))

    def _static_points(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """Points for everything but topics and waiting, -inf where level or department rule a pair out.

        ``rows`` and ``cols`` hold (level, cadence, department, offset) per mentor and per mentee; they
        broadcast, so this gives a table (``rows[:, None]``, ``cols[None, :]``) or one value per pair.
        """
        rules = self.rules
        _, hours, seniority, cadence, _, reach, _ = self.points
        lm, cm, dm, om = (rows[..., k] for k in range(4))
        le, ce, de, oe = (cols[..., k] for k in range(4))
        points = seniority * seniority_fit(le - lm, rules)
        points = points + cadence * cadence_fit(cm, ce)
        points = points + reach * self.reach[dm, de]
        points = points + (hours / rules.window_minutes) * hours_overlap_minutes(om - oe, rules.window_minutes)
        blocked = (lm > le if rules.allow_equal_levels else lm >= le) | (dm == de)
        return np.where(blocked, -np.inf, points)

    def _topic_points(self, shared: FloatArray, coverage: FloatArray, back: FloatArray) -> FloatArray:
        """Topic and reciprocal points from shared-topic counts, priority coverage and the share of what the
        mentor wants back that the mentee can give; -inf where the main direction shares nothing."""
        return np.where(shared > 0.5, self.points[0] * coverage + self.points[6] * back, -np.inf)

    def _keys(self) -> IntArray:
        return np.stack([self.level, self.cadence, self.dept, self.offset], axis=1)

    def columns(self, cols: IntArray) -> Columns:
        """Mentee-side arrays for repeated :meth:`valid_scores` calls over the same mentees."""
        pos = self.mentee_pos[cols]
        if (pos < 0).any():
            raise ValueError("columns must be mentee-side people")
        return Columns(
            people=cols,
            static_code=self.static_col[pos],
            topic_code=self.topic_col[pos],
            wait_points=(self.points[4] / 2) * self.wait[cols],
        )

    def valid_scores(self, rows: IntArray, cols: Columns) -> tuple[BoolArray, FloatArray]:
        """Which (rows[i] mentors cols[j]) pairs pass every pair constraint, and every pair's 0-100 score.

        Rows must be mentor-side and columns mentee-side people. This is the hot path over all mentor x
        mentee pairs and must agree with :meth:`masks` (and so with ``violations``); ruled-out pairs score
        -inf.
        """
        pos = self.mentor_pos[rows]
        if (pos < 0).any():
            raise ValueError("rows must be mentor-side people")
        if self.static_table is not None:
            n_cols = self.static_table.shape[1]
            score = np.take(self.static_table, (self.static_row[pos] * n_cols)[:, None] + cols.static_code)
        else:
            keys = self._keys()
            score = self._static_points(keys[rows][:, None, :], keys[cols.people][None, :, :])
        if self.topic_table is not None:
            n_cols = self.topic_table.shape[1]
            score += np.take(self.topic_table, (self.topic_row[pos] * n_cols)[:, None] + cols.topic_code)
        else:
            teach, people = self.teach[rows], cols.people
            score += self._topic_points(
                teach @ self.learn[people].T,
                teach @ self.learn_weight[people].T,
                self.back_weight[rows] @ self.gives[people].T,
            )
        score += (self.points[4] / 2) * self.wait[rows, None]
        score += cols.wait_points
        for code in _SPARSE:
            self._apply_sparse(score, code, rows, cols.people, -np.inf)
        return score > -np.inf, score

    def pair_scores(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """Scores of the pairs (rows[k] mentors cols[k]), computed exactly as :meth:`valid_scores` does.

        Only for pairs already known to be valid: the sparse constraints are not checked here.
        """
        pos_m, pos_e = self.mentor_pos[rows], self.mentee_pos[cols]
        if self.static_table is not None:
            score = self.static_table[self.static_row[pos_m], self.static_col[pos_e]]
        else:
            keys = self._keys()
            score = self._static_points(keys[rows], keys[cols])
        if self.topic_table is not None:
            score = score + self.topic_table[self.topic_row[pos_m], self.topic_col[pos_e]]
        else:
            teach = self.teach[rows]
            score = score + self._topic_points(
                (teach * self.learn[cols]).sum(axis=1),
                (teach * self.learn_weight[cols]).sum(axis=1),
                (self.back_weight[rows] * self.gives[cols]).sum(axis=1),
            )
        score = score + (self.points[4] / 2) * self.wait[rows]
        return np.asarray(score + (self.points[4] / 2) * self.wait[cols], dtype=np.float64)

    def _apply_sparse(
        self, block: npt.NDArray[np.generic], code: Constraint, rows: IntArray, cols: IntArray, value: float | bool
    ) -> None:
        """Write ``value`` into ``block`` wherever a sparse constraint rules a pair out."""
        mentors, mentees = self.sparse[code]
        if not len(mentors):
            return
        # Positions in the block, -1 when the person is not in it; rows and cols each hold distinct people.
        row_pos = np.full(len(self.people), -1, dtype=np.intp)
        row_pos[rows] = np.arange(len(rows))
        col_pos = np.full(len(self.people), -1, dtype=np.intp)
        col_pos[cols] = np.arange(len(cols))
        r, c = row_pos[mentors], col_pos[mentees]
        hit = (r >= 0) & (c >= 0)
        block[r[hit], c[hit]] = value

    def masks(
        self, rows: IntArray, cols: IntArray, codes: Sequence[Constraint] = tuple(Constraint)
    ) -> dict[Constraint, BoolArray]:
        """For each constraint in ``codes``, which (rows[i] mentors cols[j]) pairs it rules out.

        Any people may be on either side; used to explain who was ruled out and why.
        """
        shape = (len(rows), len(cols))
        out: dict[Constraint, BoolArray] = {}
        for code in codes:
            if code in _SPARSE:
                mask = np.zeros(shape, dtype=np.bool_)
                self._apply_sparse(mask, code, rows, cols, True)
            elif code is Constraint.NOT_A_MENTOR:
                mask = np.broadcast_to(~self.can_mentor[rows, None], shape)
            elif code is Constraint.NO_CAPACITY:
                mask = np.broadcast_to(self.capacity[rows, None] < 1, shape)
            elif code is Constraint.NOT_A_MENTEE:
                mask = np.broadcast_to(~self.can_mentee[None, cols], shape)
            elif code is Constraint.NOT_MORE_JUNIOR:
                lr, lc = self.level[rows, None], self.level[None, cols]
                mask = lr > lc if self.rules.allow_equal_levels else lr >= lc
            elif code is Constraint.SAME_DEPARTMENT:
                mask = self.dept[rows, None] == self.dept[None, cols]
            elif code is Constraint.NO_SHARED_TOPIC:
                mask = (self.teach[rows] @ self.learn[cols].T) < 0.5
            else:  # pragma: no cover - every Constraint is handled above
                raise AssertionError(code)
            out[code] = mask
        return out
