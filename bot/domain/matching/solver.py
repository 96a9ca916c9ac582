"""The whole-pool optimum: the maximum total score over all valid assignments, exactly.

The integer program (over valid pairs e = (i, j), "i mentors j")::

    maximise    sum_e w_e x_e
    subject to  sum_{e into j} x_e  <= 1              every mentee j   (a "both" person p: <= y_p)
                sum_{e out of i} x_e <= c_i           every mentor i   (a "both" person p: <= c_p (1 - y_p))
                x_e + y_i <= 1                        pairs out of a "both" mentor i with c_i >= 2
                x_e, y_p in {0, 1}

where y_p = 1 puts "both" person p on the mentee side. Without "both" people this is a bipartite b-matching
(an assignment problem once each mentor is split into c_i slots): its matrix is totally unimodular, so the
LP relaxation is integral. "Both" people make it a matching problem on a general graph (three of them at
levels 0 < 1 < 2 form an odd cycle with a half-integral LP optimum); that part needs branching.

Small pools (``SolverTuning.exhaustive_pairs``) go straight to HiGHS: the LP over every valid pair, and the
MILP if the LP is fractional.

Large pools have millions of valid pairs, and HiGHS's simplex needs tens of seconds on assignment LPs of
that size, so the solver works with scipy's sparse assignment solver (LAPJVsp,
``min_weight_full_bipartite_matching``) and certifies the answer with LP duality instead:

1. Every pair's score is computed once, in vectorised blocks, into a float32 table (exact float64 scores are
   recomputed for the few pairs a decision depends on).
2. Bipartite optimum by column generation. Solve the assignment over a few good pairs per person, get
   optimal duals (sigma per mentee, tau per mentor) as shortest-path distances in the residual graph
   (vectorised Bellman-Ford), then price every pair of the pool: pairs with ``w - sigma_j - tau_i > 0`` are
   added. When none is left, the duals are feasible for all pairs: the assignment is optimal over all pairs.
3. Roles of "both" people. First solve with roles open (each "both" person on both sides: a relaxation),
   fix each "both" person's side from that solution and solve again: a feasible assignment, value LB.
4. Certificate. Complete the fixed-role duals for the sides not taken (the smallest duals that cover all of
   a person's pairs there) and raise tau_p until the role constraint's dual row holds: a feasible dual
   solution of the LP relaxation over *all* pairs and roles, so its value UB bounds every assignment.
   UB = LB (to float tolerance) proves LB optimal; on realistic pools this is where the solver stops.
5. Otherwise (many "both" people), the LP relaxation with roles open, over the pairs generated so far, by
   HiGHS's interior-point method. Its duals, completed over all pairs (each mentee's sigma raised by its
   largest shortfall, then each "both" person's tau until the role column's row holds), give a bound UB
   over everything; the pairs that fell short are the next columns. Its role variables y are nearly
   integral on these pools (a few fractional out of thousands), so rounding them (or, on smaller pools,
   branching over the few fractional ones with HiGHS) and solving with those roles fixed (step 3) gives an
   LB within about a tenth of a percent of UB. (A Lagrangian relaxation
   with subgradient steps was used before: each step cost a full assignment solve, its bound crept down
   over dozens of steps, and the roles it suggested were poor: 2.4% apart after 30 s where this is 0.09%
   after one LP.) Rounds repeat while the LP finds new columns and the gap narrows.
6. Reduced-cost fixing when a gap remains: an assignment that uses pair e is worth at most UB + rc_e, so
   only pairs with ``rc_e >= LB - UB`` can be in an optimal one; HiGHS solves the integer program over
   those (LP first, MILP if fractional), which is then the optimum over all pairs. With many "both" people
   the gap, and so this step, can grow large: it stays exact, but can take minutes.

A caller with a large pool may accept a proven gap (``gap``, e.g. 0.005 = at most 0.5% below the optimum):
the solver then stops as soon as UB - LB is within it (``finished_by = "within-gap"``). A time limit (for a
lead waiting in Slack) bounds steps 5 and 6: when it runs out, the solver returns the best assignment found
so far (HiGHS's incumbent if it is better than step 3's) with ``finished_by = "time-limit"``. Either way
``upper - lower`` in the stats is how far below the optimum it can be at most. Small pools are always solved
exactly: HiGHS needs well under a second for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.domain.matching._vector import PoolArrays

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Reduced costs up to this count as zero (HiGHS and the potentials are accurate to ~1e-9).
_RC_TOLERANCE = 1e-7
# float32 holds a 0-100 score to ~1e-5, and a reduced cost to ~3e-5; candidates found on the float32 table
# with this margin are re-checked in float64, so no decision rests on float32 rounding.
_F32_MARGIN = 1e-3


@dataclass(frozen=True)
class SolverTuning:
    """Knobs for speed and memory; they never change the optimum, only how it is reached.

    Attributes:
        exhaustive_pairs: Pools with at most this many mentor x mentee pairs hand every valid pair to HiGHS.
        initial_per_mentee: Best pairs per mentee to start column generation from.
        initial_per_mentor: Best pairs per unit of mentor capacity to start from.
        added_per_mentee: Most improving pairs added per mentee in one pricing round.
        role_rounds: Most LP rounds (step 5) before reduced-cost fixing; they also stop after three rounds
            that narrow the gap by less than 1%, or once the LP is solved over all pairs.
        role_branch_pairs: Up to this many generated pairs, HiGHS settles the LP's fractional roles by
            branching (its simplex is quick there); beyond, they are rounded.
        guide_gain: The first solve with roles open only guides roles: it stops once the pairs left to add
            could gain at most this share of its value.
        block_pairs: Pairs handled per vectorised block (bounds the memory of a pass).
    """

    exhaustive_pairs: int = 40_000
    initial_per_mentee: int = 20
    initial_per_mentor: int = 3
    added_per_mentee: int = 10
    role_rounds: int = 10
    role_branch_pairs: int = 30_000
    guide_gain: float = 1e-3
    block_pairs: int = 1_000_000


@dataclass
class SolveStats:
    """What the solver did, for the benchmark and for tests that check each path is exercised.

    ``method`` is "exhaustive" (HiGHS over every pair) or "assignment"; ``finished_by`` says what proved the
    optimum: "exhaustive-lp"/"exhaustive-milp", "certificate" (a dual bound equal to the assignment's value),
    "fixing-lp"/"fixing-milp" (HiGHS over the pairs reduced-cost fixing kept), "no-pairs", "within-gap" (not
    proven optimal: proven within the caller's gap tolerance) or "time-limit" (not proven optimal: the best
    found when time ran out). ``lower`` is the returned assignment's value and ``upper`` the best bound found
    before any fixing; no assignment is worth more than ``upper``.
    """

    method: str = ""
    finished_by: str = ""
    valid_pairs: int = 0
    pairs_generated: int = 0
    roles_to_settle: int = 0
    role_conflicts: int = 0
    role_rounds: int = 0
    assignment_solves: int = 0
    lp_solves: int = 0
    milp_solves: int = 0
    core_pairs: int = 0
    lower: float = 0.0
    upper: float = 0.0

    @property
    def proven(self) -> bool:
        """Whether the assignment is proven optimal (not cut short by the time limit or the gap tolerance)."""
        return self.finished_by not in ("time-limit", "within-gap")


@dataclass
class _Edges:
    """Pairs as positions on the mentor and the mentee side, sorted by (mentor, mentee), with scores."""

    mentor: IntArray
    mentee: IntArray
    score: FloatArray

    @staticmethod
    def empty() -> _Edges:
        return _Edges(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    def keys(self, n_mentees: int) -> IntArray:
        return self.mentor * n_mentees + self.mentee

    def union(self, other: _Edges, n_mentees: int) -> _Edges:
        mentor = np.concatenate([self.mentor, other.mentor])
        mentee = np.concatenate([self.mentee, other.mentee])
        score = np.concatenate([self.score, other.score])
        # One copy of each pair, in key order: deterministic, and a block finds its pairs by bisection.
        _, first = np.unique(mentor * n_mentees + mentee, return_index=True)
        return _Edges(mentor[first], mentee[first], score[first])

    def subset(self, keep: BoolArray) -> _Edges:
        return _Edges(self.mentor[keep], self.mentee[keep], self.score[keep])


@dataclass
class _Bipartite:
    """An optimal bipartite assignment over all pairs (for the weights it was solved with), with duals."""

    edges: _Edges
    used: BoolArray
    sigma: FloatArray
    tau: FloatArray

    @property
    def value(self) -> float:
        return float(self.edges.score[self.used].sum())


class Solver:
    """Finds the maximum-score assignment for one pool (method in the module docstring)."""

    def __init__(
        self, arrays: PoolArrays, tuning: SolverTuning, *, time_limit: float | None = None, gap: float = 0.0
    ) -> None:
        self.arrays = arrays
        self.gap = gap
        self.tuning = tuning
        self.deadline = None if time_limit is None else time.monotonic() + time_limit
        self.mentors = arrays.mentors
        self.mentees = arrays.mentees
        self.n_mentors, self.n_mentees = len(self.mentors), len(self.mentees)
        self.capacity = arrays.capacity[self.mentors].astype(np.float64)
        self.columns = arrays.columns(self.mentees)
        self.block_rows = max(1, tuning.block_pairs // max(1, self.n_mentees))
        self.stats = SolveStats()
        self.table = np.zeros((0, 0), dtype=np.float32)

    # -- driver ------------------------------------------------------------------------------------------

    def solve(self) -> list[tuple[int, int]]:
        """The optimal pairs as (mentor person index, mentee person index)."""
        self.stats.finished_by = "no-pairs"
        if not self.n_mentors or not self.n_mentees:
            return []
        exhaustive = self.n_mentors * self.n_mentees <= self.tuning.exhaustive_pairs
        edges, out_count, in_count = self._first_pass(exhaustive)
        self._set_roles(out_count, in_count)
        if not len(edges.score):
            return []
        if exhaustive:
            self.stats.method = "exhaustive"
            mentor, mentee = self._exhaustive(edges)
        else:
            self.stats.method = "assignment"
            mentor, mentee = self._by_assignment(edges)
        return list(zip(self.mentors[mentor].tolist(), self.mentees[mentee].tolist(), strict=True))

    def _time_left(self) -> float | None:
        """Seconds left of the time limit (None: no limit)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _blocks(self) -> list[tuple[int, int]]:
        return [(s, min(s + self.block_rows, self.n_mentors)) for s in range(0, self.n_mentors, self.block_rows)]

    def _first_pass(self, exhaustive: bool) -> tuple[_Edges, IntArray, IntArray]:
        """Score every pair once: count valid pairs per person, keep the float32 table, pick start pairs."""
        out_count = np.zeros(self.n_mentors, dtype=np.int64)
        in_count = np.zeros(self.n_mentees, dtype=np.int64)
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        scores: list[FloatArray] = []
        if not exhaustive:
            self.table = np.empty((self.n_mentors, self.n_mentees), dtype=np.float32)
        for start, stop in self._blocks():
            valid, score = self.arrays.valid_scores(self.mentors[start:stop], self.columns)
            out_count[start:stop] = valid.sum(axis=1)
            in_count += valid.sum(axis=0)
            if exhaustive:
                r, c = np.nonzero(valid)
            else:
                self.table[start:stop] = score
                r, c = self._best_per_mentor(score, valid, start, stop)
            rows.append(r + start)
            cols.append(c)
            scores.append(score[r, c])
        self.stats.valid_pairs = int(out_count.sum())
        if not exhaustive:
            r, c = self._best_per_mentee()
            rows.append(r)
            cols.append(c)
            scores.append(self._exact(r, c))
        edges = _Edges(
            np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64), np.concatenate(scores)
        )
        return edges.union(_Edges.empty(), self.n_mentees), out_count, in_count

    def _best_per_mentee(self) -> tuple[IntArray, IntArray]:
        """Each mentee's best few valid pairs, from the float32 table, a chunk of mentees at a time."""
        k = min(self.tuning.initial_per_mentee, self.n_mentors)
        chunk = max(1, self.tuning.block_pairs // max(1, self.n_mentors))
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        for start in range(0, self.n_mentees, chunk):
            block = np.ascontiguousarray(self.table[:, start : start + chunk].T)  # mentees x mentors
            best = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < self.n_mentors else None
            if best is None:
                best = np.broadcast_to(np.arange(self.n_mentors), block.shape)
            c = np.broadcast_to(np.arange(len(block))[:, None], best.shape)
            ok = np.take_along_axis(block, best, axis=1) > -np.inf
            rows.append(best[ok])
            cols.append(c[ok] + start)
        return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)

    def _best_per_mentor(self, score: FloatArray, valid: BoolArray, start: int, stop: int) -> tuple[IntArray, IntArray]:
        """Each mentor's best few valid pairs in a block (a few per unit of capacity)."""
        n_cols = score.shape[1]
        k = np.minimum(self.tuning.initial_per_mentor * self.capacity[start:stop], n_cols).astype(np.int64)
        kmax = int(k.max())
        if kmax < n_cols:
            best = np.argpartition(-score, kmax - 1, axis=1)[:, :kmax]
        else:
            best = np.broadcast_to(np.arange(n_cols), score.shape)
        # argpartition leaves the best unordered; order them to cut each row at its own k.
        order = np.argsort(-np.take_along_axis(score, best, axis=1), axis=1, kind="stable")
        best = np.take_along_axis(best, order, axis=1)
        keep = np.arange(best.shape[1])[None, :] < k[:, None]
        r = np.broadcast_to(np.arange(stop - start)[:, None], best.shape)[keep]
        c = best[keep]
        ok = valid[r, c]
        return r[ok], c[ok]

    def _exact(self, mentor: IntArray, mentee: IntArray) -> FloatArray:
        """float64 scores of valid pairs given as side positions."""
        return self.arrays.pair_scores(self.mentors[mentor], self.mentees[mentee])

    def _set_roles(self, out_count: IntArray, in_count: IntArray) -> None:
        """Find the "both" people who really have a choice: valid pairs on both sides."""
        n = len(self.arrays.people)
        self.mentor_pos = np.full(n, -1, dtype=np.int64)
        self.mentor_pos[self.mentors] = np.arange(self.n_mentors)
        self.mentee_pos = np.full(n, -1, dtype=np.int64)
        self.mentee_pos[self.mentees] = np.arange(self.n_mentees)
        person_in = np.zeros(n, dtype=np.int64)
        person_in[self.mentees] = in_count
        person_out = np.zeros(n, dtype=np.int64)
        person_out[self.mentors] = out_count
        both = np.flatnonzero((person_in > 0) & (person_out > 0))
        self.n_both = len(both)
        self.stats.roles_to_settle = len(both)
        # Column of each person's role variable y (1 = mentee side) in the HiGHS model; -1: role settled.
        self.role_var = np.full(n, -1, dtype=np.int64)
        self.role_var[both] = np.arange(len(both))
        self.both_m = self.mentor_pos[both]
        self.both_e = self.mentee_pos[both]
        # Mentee rows with right-hand side 1 (a "both" person's is y_p, i.e. 0 in the dual objective).
        self.pays = np.ones(self.n_mentees, dtype=np.bool_)
        self.pays[self.both_e] = False

    # -- small pools: HiGHS over every pair --------------------------------------------------------------

    def _exhaustive(self, edges: _Edges) -> tuple[IntArray, IntArray]:
        x, how = self._solve_exact(edges)
        assert x is not None  # no time limit here
        self.stats.core_pairs = len(edges.score)
        value = float(edges.score @ x)
        self._finish_stats(f"exhaustive-{how}", value, value, edges)
        chosen = x > 0.5
        return edges.mentor[chosen], edges.mentee[chosen]

    def _solve_exact(self, edges: _Edges, time_limit: float | None = None) -> tuple[FloatArray | None, str]:
        """The integer optimum over ``edges``: the LP if it comes out integral (``"lp"``), else the MILP.

        With a time limit that runs out: the MILP's best integer solution so far, or None if it has none
        (``"time-limit"``).
        """
        started = time.monotonic()
        x = self._solve_lp(edges, time_limit)
        if x is None:
            return None, "time-limit"
        if np.all(np.abs(x - np.round(x)) <= 1e-6):
            # Integral x is a valid assignment whatever y is: a pair into p forces y_p = 1, which forbids
            # pairs out of p.
            return np.round(x), "lp"
        left = None if time_limit is None else time_limit - (time.monotonic() - started)
        if left is not None and left <= 0:
            return None, "time-limit"
        return self._solve_milp(edges, left)

    def _model(self, edges: _Edges) -> tuple[FloatArray, csr_matrix, FloatArray, IntArray]:
        """Objective (to minimise) and constraints ``A v <= b`` of the integer program over ``edges``.

        Also returns which edges have an x_e + y_i <= 1 row (in the order of those rows, after the others).
        """
        m, nb = len(edges.score), self.n_both
        mentee_y = self.role_var[self.mentees]
        mentor_y = self.role_var[self.mentors]
        e = np.arange(m)
        rows = [edges.mentee, self.n_mentees + edges.mentor]
        cols = [e, e]
        vals = [np.ones(m), np.ones(m)]
        # Mentee rows: sum x - y <= 0 for a "both" person, sum x <= 1 otherwise.
        j = np.flatnonzero(mentee_y >= 0)
        rows.append(j)
        cols.append(m + mentee_y[j])
        vals.append(-np.ones(len(j)))
        # Mentor rows: sum x + c y <= c.
        i = np.flatnonzero(mentor_y >= 0)
        rows.append(self.n_mentees + i)
        cols.append(m + mentor_y[i])
        vals.append(self.capacity[i])
        # x_e + y_i <= 1 for pairs out of a "both" mentor with capacity >= 2: the mentor row alone would let a
        # half-mentee mentor keep c/2 mentees, a weak LP bound.
        strong = np.flatnonzero((mentor_y[edges.mentor] >= 0) & (self.capacity[edges.mentor] >= 2))
        n_base = self.n_mentees + self.n_mentors
        extra = n_base + np.arange(len(strong))
        rows += [extra, extra]
        cols += [strong, m + mentor_y[edges.mentor[strong]]]
        vals += [np.ones(len(strong)), np.ones(len(strong))]
        a = coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_base + len(strong), m + nb),
        ).tocsr()
        b = np.concatenate([self.pays.astype(np.float64), self.capacity, np.ones(len(strong))])
        c = np.concatenate([-edges.score, np.zeros(nb)])
        return c, a, b, strong

    def _solve_lp(self, edges: _Edges, time_limit: float | None = None) -> FloatArray | None:
        c, a, b, _ = self._model(edges)
        # The dual simplex returns a vertex, integral whenever the matrix is totally unimodular.
        options = {} if time_limit is None else {"time_limit": max(time_limit, 0.01)}
        res = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs-ds", options=options)
        if res.status == 1 and time_limit is not None:
            return None
        if res.status != 0:  # pragma: no cover - the LP is feasible (all zeros) and bounded
            raise RuntimeError(f"LP solve failed: {res.message}")
        self.stats.lp_solves += 1
        return np.asarray(res.x)[: len(edges.score)]

    def _solve_milp(self, edges: _Edges, time_limit: float | None = None) -> tuple[FloatArray | None, str]:
        c, a, b, _ = self._model(edges)
        # Gap 0: the optimum, not a 0.01%-close solution. MIP presolve costs seconds on large bipartite
        # parts and buys nothing here.
        options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "presolve": False}
        if time_limit is not None:
            options["time_limit"] = max(time_limit, 0.01)
        res = milp(
            c,
            constraints=LinearConstraint(a, -np.inf, b),
            integrality=np.ones(len(c)),
            bounds=Bounds(0, 1),
            options=options,
        )
        self.stats.milp_solves += 1
        if res.status == 1 and time_limit is not None:
            return (None if res.x is None else np.round(np.asarray(res.x)[: len(edges.score)])), "time-limit"
        if res.status != 0:  # pragma: no cover - feasible (all zeros) and bounded
            raise RuntimeError(f"MILP solve failed: {res.message}")
        return np.round(np.asarray(res.x)[: len(edges.score)]), "milp"

    # -- large pools: assignments, duals and a certificate ---------------------------------------------

    def _by_assignment(self, edges: _Edges) -> tuple[IntArray, IntArray]:
        """Steps 2-6 of the module docstring."""
        every_mentor = np.ones(self.n_mentors, dtype=np.bool_)
        every_mentee = np.ones(self.n_mentees, dtype=np.bool_)
        # Roles open (a relaxation): exact if nobody has a choice of role, else a first guide for roles.
        relaxed = self._bipartite(edges, every_mentor, every_mentee, guide=self.n_both > 0)
        edges = relaxed.edges
        is_mentee = self._roles_from(relaxed)
        priced_out, idle, gap = False, 0, np.inf

        best: tuple[float, IntArray, IntArray] | None = None
        bound: tuple[float, FloatArray, FloatArray] | None = None
        tried: set[bytes] = set()
        for round_ in range(self.tuning.role_rounds + 1):
            self.stats.role_rounds = round_
            if is_mentee.tobytes() not in tried:
                tried.add(is_mentee.tobytes())
                # Roles fixed: a feasible assignment, exact for those roles (LB).
                active_m, active_e = every_mentor.copy(), every_mentee.copy()
                active_m[self.both_m[is_mentee]] = False
                active_e[self.both_e[~is_mentee]] = False
                fixed = self._bipartite(edges, active_m, active_e)
                edges = fixed.edges
                if best is None or fixed.value > best[0]:
                    best = (fixed.value, fixed.edges.mentor[fixed.used], fixed.edges.mentee[fixed.used])
                if bound is None:
                    # From the fixed-role duals, a bound over everything (UB): on realistic pools it
                    # already proves the first assignment optimal.
                    sigma, tau, upper = self._certify(fixed, is_mentee)
                    bound = (upper, sigma, tau)
            assert best is not None and bound is not None
            # Bounds are sums of thousands of float64 scores; closer than this counts as equal.
            tolerance = 1e-9 * max(1.0, best[0]) + _RC_TOLERANCE
            if bound[0] - best[0] <= tolerance:
                self._finish_stats("certificate", best[0], bound[0], edges)
                return best[1], best[2]
            if bound[0] - best[0] <= self.gap * bound[0]:
                self._finish_stats("within-gap", best[0], bound[0], edges)
                return best[1], best[2]
            # Stop pricing when the gap has not narrowed by 1% in three rounds: fixing takes it from there.
            idle = 0 if bound[0] - best[0] < 0.99 * gap else idle + 1
            gap = min(gap, bound[0] - best[0])
            if not self.n_both or round_ == self.tuning.role_rounds or priced_out or idle >= 3:
                break
            if (left := self._time_left()) is not None and left <= 0:
                break
            # The LP relaxation with roles open (column generation): its duals, completed over all pairs,
            # bound every assignment, and its role variables, nearly integral, guide the next fixed roles.
            relaxation = self._relaxation(edges, left)
            if relaxation is None:
                break
            upper, sigma, tau, y, new = relaxation
            if upper < bound[0]:
                bound = (upper, sigma, tau)
            # No pair left to price in: the LP is solved over all pairs, more rounds cannot tighten it.
            priced_out = not len(new.score)
            is_mentee = self._round_roles(edges, y, self._time_left())
            edges = edges.union(new, self.n_mentees)

        assert best is not None and bound is not None
        tolerance = 1e-9 * max(1.0, best[0]) + _RC_TOLERANCE
        incumbent = _Edges(best[1], best[2], self._exact(best[1], best[2]))

        upper, sigma, tau = bound
        left = self._time_left()
        if left is not None and left <= 0:
            x, how, core = None, "time-limit", incumbent
        else:
            # Reduced-cost fixing: only pairs that could be in an assignment worth at least LB are kept.
            core = self._pairs_at_least(sigma, tau, best[0] - upper - 2 * tolerance)
            core = core.union(incumbent, self.n_mentees)
            self.stats.core_pairs = len(core.score)
            x, how = self._solve_exact(core, left)
        if how == "time-limit":
            # Out of time: the better of HiGHS's incumbent (if any) and the fixed-role assignment.
            if x is not None and float(core.score @ x) > best[0]:
                self._finish_stats(how, float(core.score @ x), upper, edges)
                chosen = x > 0.5
                return core.mentor[chosen], core.mentee[chosen]
            self._finish_stats(how, best[0], upper, edges)
            return best[1], best[2]
        assert x is not None
        self._finish_stats(f"fixing-{how}", float(core.score @ x), upper, edges)
        chosen = x > 0.5
        return core.mentor[chosen], core.mentee[chosen]

    def _finish_stats(self, how: str, lower: float, upper: float, edges: _Edges) -> None:
        self.stats.finished_by = how
        self.stats.lower, self.stats.upper = lower, upper
        self.stats.pairs_generated = len(edges.score)

    def _roles_from(self, relaxed: _Bipartite) -> BoolArray:
        """A side for each "both" person from the first solution with roles open (True = mentee).

        People on one side keep it; people on both sides (and idle ones) take the side their duals value more.
        """
        on = relaxed.used
        load = np.bincount(relaxed.edges.mentor[on], minlength=self.n_mentors)
        mentored = np.zeros(self.n_mentees, dtype=np.bool_)
        mentored[relaxed.edges.mentee[on]] = True
        as_mentor = load[self.both_m] > 0
        as_mentee = mentored[self.both_e]
        self.stats.role_conflicts = int((as_mentor & as_mentee).sum())
        prefers_mentee = relaxed.sigma[self.both_e] >= self.capacity[self.both_m] * relaxed.tau[self.both_m]
        return np.where(as_mentor == as_mentee, prefers_mentee, as_mentee)

    def _relaxation(
        self, edges: _Edges, time_limit: float | None
    ) -> tuple[float, FloatArray, FloatArray, FloatArray, _Edges] | None:
        """The LP relaxation over ``edges``, completed into a bound over all pairs (None: out of time).

        Returns the bound, its sigma and tau (for reduced costs, the x_e + y_i <= 1 rows' duals left out,
        which only overstates them), each "both" person's role variable y, and the pairs the LP duals do not
        cover (the next columns). The LP's duals are feasible over ``edges`` only; each mentee's sigma is
        raised by the largest shortfall over all its pairs, and then each "both" person's tau until the
        role column's row holds, which makes them a dual solution over all pairs and roles.
        """
        c, a, b, strong = self._model(edges)
        # The interior-point method (with crossover to a vertex) takes seconds here where the dual simplex
        # takes tens of seconds.
        options = {} if time_limit is None else {"time_limit": max(time_limit, 0.01)}
        res = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs-ipm", options=options)
        if res.status != 0:
            return None
        self.stats.lp_solves += 1
        m = len(edges.score)
        duals = np.maximum(0.0, -np.asarray(res.ineqlin.marginals))
        sigma = duals[: self.n_mentees].copy()
        tau = duals[self.n_mentees : self.n_mentees + self.n_mentors].copy()
        z = np.zeros(m)
        z[strong] = duals[self.n_mentees + self.n_mentors :]
        # Shortfalls: pairs priced above their duals (those of ``edges`` net of their own row's dual).
        k = self.tuning.added_per_mentee
        found = self._pairs_at_least(sigma, tau, 0.0, per_mentee=k)
        rc = found.score - sigma[found.mentee] - tau[found.mentor]
        keys = edges.keys(self.n_mentees)
        pos = np.minimum(np.searchsorted(keys, found.keys(self.n_mentees)), len(keys) - 1)
        known = keys[pos] == found.keys(self.n_mentees)
        short = rc.copy()
        short[known] -= z[pos[known]]
        raise_by = np.zeros(self.n_mentees)
        np.maximum.at(raise_by, found.mentee, short)
        # A mentee with that many candidates may have had more cut off, each priced at most a rounding
        # margin above the best kept one: covering that keeps the bound sound (and rarely costs anything).
        most = np.zeros(self.n_mentees)
        np.maximum.at(most, found.mentee, rc)
        cut = np.bincount(found.mentee, minlength=self.n_mentees) >= k + 2
        raise_by[cut] = np.maximum(raise_by[cut], most[cut] + _F32_MARGIN)
        sigma += raise_by
        # Role columns: c_p tau_p + (their rows' duals) >= sigma_p.
        cap = self.capacity[self.both_m]
        z_out = np.bincount(edges.mentor, weights=z, minlength=self.n_mentors)[self.both_m]
        tau[self.both_m] += np.maximum(0.0, sigma[self.both_e] - cap * tau[self.both_m] - z_out) / cap
        upper = float(sigma[self.pays].sum() + self.capacity @ tau + z.sum())
        # Next columns: the pairs short by more than rounding, best few per mentee.
        new = found.subset(~known & (short > _RC_TOLERANCE))
        rc = short[~known & (short > _RC_TOLERANCE)]
        order = np.lexsort((new.mentor, -rc, new.mentee))
        rank = np.arange(len(order)) - np.searchsorted(new.mentee[order], new.mentee[order], side="left")
        keep = np.zeros(len(order), dtype=np.bool_)
        keep[order[rank < self.tuning.added_per_mentee]] = True
        return upper, sigma, tau, np.asarray(res.x)[m:], new.subset(keep)

    def _round_roles(self, edges: _Edges, y: FloatArray, time_limit: float | None) -> BoolArray:
        """Roles from the LP's role variables: the integral ones as they are, the few fractional ones settled.

        Rounding a fractional y can cost a "both" person's whole side (tenths of a percent on a 500 x 500
        pool), so on smaller pools HiGHS settles them: with the other roles fixed, a branch over only the
        fractional ones (the pairs stay continuous, and are integral anyway once roles are fixed).
        """
        fractional = np.abs(y - np.round(y)) > 1e-6
        rounded = y >= 0.5
        if not fractional.any() or len(edges.score) > self.tuning.role_branch_pairs:
            return rounded
        c, a, b, _ = self._model(edges)
        m = len(edges.score)
        lower = np.concatenate([np.zeros(m), np.where(fractional, 0.0, np.round(y))])
        upper = np.concatenate([np.ones(m), np.where(fractional, 1.0, np.round(y))])
        options: dict[str, float] = {"mip_rel_gap": 0.0}
        if time_limit is not None:
            options["time_limit"] = max(time_limit, 0.01)
        res = milp(
            c,
            constraints=LinearConstraint(a, -np.inf, b),
            integrality=np.concatenate([np.zeros(m), fractional.astype(np.float64)]),
            bounds=Bounds(lower, upper),
            options=options,
        )
        self.stats.milp_solves += 1
        if res.x is None:
            return rounded
        return np.asarray(res.x)[m:] >= 0.5

    def _bipartite(
        self,
        edges: _Edges,
        active_m: BoolArray,
        active_e: BoolArray,
        *,
        guide: bool = False,
    ) -> _Bipartite:
        """Optimal assignment over *all* valid pairs between the active sides (column generation).

        With ``guide`` it
        stops once the pairs left to add could gain little (``SolverTuning.guide_gain``): the result then
        only guides the roles of "both" people and is not exact.
        """
        while True:
            used = self._assign(edges, edges.score, active_m, active_e)
            sigma, tau = self._potentials(edges, edges.score, used, active_m, active_e)
            new, gain = self._improving(edges, sigma, tau, active_m, active_e)
            value = float(edges.score[used].sum())
            if not len(new.score) or (guide and gain <= self.tuning.guide_gain * max(1.0, value)):
                return _Bipartite(edges, used, sigma, tau)
            edges = edges.union(new, self.n_mentees)

    def _assign(self, edges: _Edges, weight: FloatArray, active_m: BoolArray, active_e: BoolArray) -> BoolArray:
        """Which of ``edges`` a maximum-``weight`` assignment between the active sides uses (LAPJVsp)."""
        # Pairs of weight <= 0 never help; leaving them out keeps every cost below positive.
        ok = np.flatnonzero(active_m[edges.mentor] & active_e[edges.mentee] & (weight > 0))
        used = np.zeros(len(edges.score), dtype=np.bool_)
        rows_e = np.flatnonzero(active_e)
        if not len(ok) or not len(rows_e):
            return used
        self.stats.assignment_solves += 1
        row_of = np.full(self.n_mentees, -1, dtype=np.int64)
        row_of[rows_e] = np.arange(len(rows_e))
        slots = np.where(active_m, self.capacity, 0).astype(np.int64)
        first_slot = np.concatenate([[0], np.cumsum(slots)])
        n_slots = int(first_slot[-1])
        # Each mentor is split into c_i identical slots; each mentee row also gets a private "unmatched"
        # column so a full matching of the rows always exists. Costs big - w are positive, so no explicit
        # zero is mistaken for a missing edge.
        copies = slots[edges.mentor[ok]]
        pair = np.repeat(ok, copies)
        nth = np.arange(len(pair)) - np.repeat(np.cumsum(copies) - copies, copies)
        big = float(weight[ok].max()) + 1.0
        n_rows = len(rows_e)
        cost = np.concatenate([big - weight[pair], np.full(n_rows, big)])
        row = np.concatenate([row_of[edges.mentee[pair]], np.arange(n_rows)])
        col = np.concatenate([first_slot[edges.mentor[pair]] + nth, n_slots + np.arange(n_rows)])
        graph = csr_matrix((cost, (row, col)), shape=(n_rows, n_slots + n_rows))
        matched_row, matched_col = min_weight_full_bipartite_matching(graph)
        real = matched_col < n_slots
        owner = np.repeat(np.arange(self.n_mentors), slots)
        keys = edges.keys(self.n_mentees)
        chosen = owner[matched_col[real]] * self.n_mentees + rows_e[matched_row[real]]
        used[np.searchsorted(keys, chosen)] = True
        return used

    def _potentials(
        self, edges: _Edges, weight: FloatArray, used: BoolArray, active_m: BoolArray, active_e: BoolArray
    ) -> tuple[FloatArray, FloatArray]:
        """Optimal duals of an optimal assignment, from shortest paths in its residual graph.

        Nodes: source s, mentors, mentees, sink t; d = shortest distances from s (Bellman-Ford, vectorised).
        Then tau_i = d_i - d_s and sigma_j = w_ij - tau_i for the pair (i, j) that is used (0 if j is
        unmatched); these satisfy complementary slackness, hence are optimal.
        """
        nm, ne = self.n_mentors, self.n_mentees
        ok = active_m[edges.mentor] & active_e[edges.mentee]
        mentor, mentee, score, on = edges.mentor[ok], edges.mentee[ok], weight[ok], used[ok]
        slots = np.where(active_m, self.capacity, 0)
        load = np.bincount(mentor[on], minlength=nm)
        matched = np.zeros(ne, dtype=np.bool_)
        matched[mentee[on]] = True
        s, t = 0, nm + ne + 1
        m_node, e_node = 1 + np.arange(nm), 1 + nm + np.arange(ne)
        spare = active_m & (load < slots)
        busy = load > 0
        free_e = active_e & ~matched
        tail = np.concatenate(
            [
                np.full(spare.sum(), s),
                m_node[busy],
                m_node[mentor[~on]],
                e_node[mentee[on]],
                e_node[free_e],
                np.full(matched.sum(), t),
                [t, s],
            ]
        )
        head = np.concatenate(
            [
                m_node[spare],
                np.full(busy.sum(), s),
                e_node[mentee[~on]],
                m_node[mentor[on]],
                np.full(free_e.sum(), t),
                e_node[matched],
                [s, t],
            ]
        )
        length = np.concatenate(
            [np.zeros(spare.sum() + busy.sum()), -score[~on], score[on], np.zeros(free_e.sum() + matched.sum() + 2)]
        )
        order = np.argsort(head, kind="stable")
        tail, head, length = tail[order], head[order], length[order]
        starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
        heads = head[starts]
        dist = np.full(nm + ne + 2, np.inf)
        dist[s] = 0.0
        for _ in range(nm + ne + 2):
            best = np.minimum.reduceat(dist[tail] + length, starts)
            new = dist.copy()
            np.minimum.at(new, heads, best)
            # Stop when nothing moves by more than rounding; the certificate re-checks feasibility exactly.
            if not np.any(new < dist - 1e-12):
                break
            dist = new
        tau = np.where(active_m & np.isfinite(dist[m_node]), np.maximum(0.0, dist[m_node] - dist[s]), 0.0)
        sigma = np.zeros(ne)
        sigma[mentee[on]] = np.maximum(0.0, score[on] - tau[mentor[on]])
        return sigma, tau

    def _improving(
        self, edges: _Edges, sigma: FloatArray, tau: FloatArray, active_m: BoolArray, active_e: BoolArray
    ) -> tuple[_Edges, float]:
        """Pairs between active sides with reduced cost > 0, not in ``edges`` (best few per mentee).

        Also returns the sum over mentees of their largest reduced cost: what the LP could still gain.
        """
        # Inactive sides get an infinite dual, so their pairs price at -inf.
        sigma = np.where(active_e, sigma, np.inf)
        tau = np.where(active_m, tau, np.inf)
        found = self._pairs_at_least(
            sigma, tau, _RC_TOLERANCE, exclude=edges, strict=True, per_mentee=self.tuning.added_per_mentee
        )
        if not len(found.score):
            return found, 0.0
        rc = found.score - sigma[found.mentee] - tau[found.mentor]
        gain = np.zeros(self.n_mentees)
        np.maximum.at(gain, found.mentee, rc)
        order = np.lexsort((found.mentor, -rc, found.mentee))
        by_mentee = found.mentee[order]
        rank = np.arange(len(order)) - np.searchsorted(by_mentee, by_mentee, side="left")
        keep = np.zeros(len(order), dtype=np.bool_)
        keep[order[rank < self.tuning.added_per_mentee]] = True
        return found.subset(keep), float(gain.sum())

    def _pairs_at_least(
        self,
        sigma: FloatArray,
        tau: FloatArray,
        threshold: float | FloatArray,
        *,
        exclude: _Edges | None = None,
        strict: bool = False,
        per_mentee: int | None = None,
    ) -> _Edges:
        """Every valid pair with exact reduced cost ``w - sigma_j - tau_i`` >= (or >) ``threshold``.

        ``threshold`` is a number or one per mentee. Scans the float32 table with a safety margin, then
        decides on float64 scores. With ``per_mentee``, pairs clearly above the threshold are first cut to
        a few more than that many per mentee (by float32 reduced cost), which keeps at least that many of
        them: enough for column generation, and much cheaper when there are millions.
        """
        threshold = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (self.n_mentees,))
        sigma32 = sigma.astype(np.float32)
        limit32 = (threshold - _F32_MARGIN).astype(np.float32)
        parts: list[tuple[IntArray, IntArray, npt.NDArray[np.float32]]] = []
        for start, stop in self._blocks():
            rc = self.table[start:stop] - tau[start:stop, None].astype(np.float32) - sigma32[None, :]
            # -inf marks invalid pairs (and inactive sides); they never qualify, whatever the threshold.
            r, c = np.nonzero((rc >= limit32[None, :]) & (rc > -np.inf))
            parts.append((r + start, c, rc[r, c]))
        mentor = np.concatenate([p[0] for p in parts]).astype(np.int64)
        mentee = np.concatenate([p[1] for p in parts]).astype(np.int64)
        if per_mentee is not None and len(mentor) > 4 * per_mentee * self.n_mentees:
            # Millions of candidates (the first pricing of a column generation): those in the float32 margin
            # are decided exactly below; of those clearly above, each mentee keeps its best few.
            clear32 = (threshold + _F32_MARGIN).astype(np.float32)
            unclear = np.concatenate([p[2] for p in parts]) < clear32[mentee]
            top_mentor, top_mentee = self._clear_top(sigma32, tau.astype(np.float32), clear32, per_mentee + 2)
            mentor = np.concatenate([mentor[unclear], top_mentor])
            mentee = np.concatenate([mentee[unclear], top_mentee])
        score = self._exact(mentor, mentee)
        rc64 = score - sigma[mentee] - tau[mentor]
        keep = rc64 > threshold[mentee] if strict else rc64 >= threshold[mentee]
        if exclude is not None and len(exclude.score):
            have = exclude.keys(self.n_mentees)
            keys = mentor * self.n_mentees + mentee
            pos = np.minimum(np.searchsorted(have, keys), len(have) - 1)
            keep &= have[pos] != keys
        return _Edges(mentor[keep], mentee[keep], score[keep])

    def _clear_top(
        self, sigma32: npt.NDArray[np.float32], tau32: npt.NDArray[np.float32], floor32: npt.NDArray[np.float32], k: int
    ) -> tuple[IntArray, IntArray]:
        """Per mentee, the ``k`` pairs of largest float32 reduced cost among those >= ``floor32`` (per mentee).

        Each block of mentors gives every mentee its best ``k`` (a partition, not a sort), and the blocks'
        bests are partitioned once more: linear in the table, however many pairs qualify.
        """
        values: list[npt.NDArray[np.float32]] = []
        rows: list[IntArray] = []
        for start, stop in self._blocks():
            rc = self.table[start:stop] - tau32[start:stop, None] - sigma32[None, :]
            rc[rc < floor32[None, :]] = -np.inf
            by_mentee = np.ascontiguousarray(rc.T)
            kk = min(k, by_mentee.shape[1])
            best = np.argpartition(by_mentee, by_mentee.shape[1] - kk, axis=1)[:, -kk:]
            values.append(np.take_along_axis(by_mentee, best, axis=1))
            rows.append(best + start)
        value, row = np.concatenate(values, axis=1), np.concatenate(rows, axis=1)
        kk = min(k, value.shape[1])
        best = np.argpartition(value, value.shape[1] - kk, axis=1)[:, -kk:]
        value, row = np.take_along_axis(value, best, axis=1), np.take_along_axis(row, best, axis=1)
        ok = value > -np.inf
        mentee = np.broadcast_to(np.arange(self.n_mentees)[:, None], row.shape)
        return row[ok].astype(np.int64), mentee[ok].astype(np.int64)

    def _max_reduced_cost(self, sigma: FloatArray, tau: FloatArray) -> FloatArray:
        """Exact largest reduced cost into each mentee over all mentors; -inf where there is no pair."""
        top32 = np.full(self.n_mentees, -np.inf, dtype=np.float32)
        sigma32 = sigma.astype(np.float32)
        for start, stop in self._blocks():
            rc = self.table[start:stop] - tau[start:stop, None].astype(np.float32) - sigma32[None, :]
            np.maximum(top32, rc.max(axis=0), out=top32)
        found = self._pairs_at_least(sigma, tau, top32.astype(np.float64) - _F32_MARGIN)
        best = np.full(self.n_mentees, -np.inf)
        np.maximum.at(best, found.mentee, found.score - sigma[found.mentee] - tau[found.mentor])
        return best

    def _certify(self, fixed: _Bipartite, is_mentee: BoolArray) -> tuple[FloatArray, FloatArray, float]:
        """A dual solution of the LP relaxation over all pairs and roles, from fixed-role duals, and its value.

        Returns sigma and tau for reduced costs (the duals of the x_e + y_i <= 1 rows are left out of them,
        which only overstates reduced costs: safe for fixing) and the bound UB, which includes them.
        """
        sigma, tau = fixed.sigma.copy(), fixed.tau.copy()
        cap = self.capacity[self.both_m]
        # The mentee side of people mentoring: the smallest sigma that covers every pair into them.
        as_mentor = self.both_e[~is_mentee]
        if len(as_mentor):
            sigma[as_mentor] = 0.0
            sigma[as_mentor] = np.maximum(0.0, self._max_reduced_cost(sigma, tau)[as_mentor])
        # The mentor side of people being mentored: cover their best c pairs (the c-th best through tau,
        # the better ones through their own x_e + y_p <= 1 rows), which prices their c slots at what they
        # could earn there.
        rows = self.both_m[is_mentee]
        extra = np.zeros(len(self.both_m))
        if len(rows):
            slots = self.capacity[rows].astype(np.int64)
            best = self._row_top(sigma, rows, int(slots.max()))  # rows x k, descending, >= 0
            kth = best[np.arange(len(rows)), slots - 1]
            tau[rows] = kth
            extra[is_mentee] = np.where(
                np.arange(best.shape[1])[None, :] < slots[:, None], best - kth[:, None], 0.0
            ).sum(axis=1)
        # Anything still uncovered (numerical leftovers of column generation) is covered by raising sigma;
        # the rows just priced are fully covered already.
        skip = tau.copy()
        skip[rows] = np.inf
        sigma += np.maximum(0.0, self._max_reduced_cost(sigma, skip))
        # Role columns: c_p tau_p + (their rows' duals) >= sigma_p.
        tau[self.both_m] += np.maximum(0.0, sigma[self.both_e] - cap * tau[self.both_m] - extra) / cap
        upper = float(sigma[self.pays].sum() + self.capacity @ tau + extra.sum())
        return sigma, tau, upper

    def _row_top(self, sigma: FloatArray, rows: IntArray, k: int) -> FloatArray:
        """Per mentor row, the ``k`` largest ``max(0, w_ij - sigma_j)`` over mentees j, exact, descending."""
        rc = self.table[rows] - sigma[None, :].astype(np.float32)
        k32 = min(k, rc.shape[1])
        kth32 = -np.partition(-rc, k32 - 1, axis=1)[:, k32 - 1] if k32 else np.full(len(rows), -np.inf)
        r, c = np.nonzero((rc >= np.maximum(kth32, 0.0)[:, None] - _F32_MARGIN) & (rc > -np.inf))
        values = np.maximum(0.0, self._exact(rows[r], c) - sigma[c])
        top = np.zeros((len(rows), k))
        order = np.lexsort((-values, r))
        rank = np.arange(len(order)) - np.searchsorted(r[order], r[order], side="left")
        keep = rank < k
        top[r[order][keep], rank[keep]] = values[order][keep]
        return top
