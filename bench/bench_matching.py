"""Benchmark the whole-pool matching against a greedy and a random ("Donut-style") baseline.

Run: .venv/bin/python bench/bench_matching.py [--sizes 500,2500,5000] [--seed 7] [--both 0.08] [--time-limit 30]
     [--gap 0.005] [--back 0.3]

Each pool has n junior mentors and n senior mentees (a share ``--both`` of each side chose "both"). Every
method runs in a fresh process, so its peak RSS (``resource.getrusage(...).ru_maxrss``: the whole process,
native libraries included) is its own; "before" is the RSS once the pool is built, so the difference is what
the method itself needed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.matching import DEFAULT_RULES, Candidate, SolveStats, propose_with_stats
from bot.domain.matching._vector import PoolArrays

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

# Digital topics juniors teach and seniors want, with how common each is on either side; demand and supply
# deliberately differ (everyone wants generative AI, fewer can teach it well).
DIGITAL = {
    "genai": ("Generative AI & new tools", 1.0, 3.0),
    "data": ("Data & analytics", 1.2, 2.0),
    "automation": ("Automation & no-code", 1.0, 1.5),
    "social": ("Social media & personal brand", 1.5, 1.2),
    "collab": ("Collaboration tools", 1.5, 1.0),
    "cyber": ("Cybersecurity basics", 0.6, 0.9),
    "cloud": ("Cloud & DevOps", 0.8, 0.6),
    "python": ("Python for beginners", 1.0, 0.7),
    "ux": ("UX & design thinking", 0.7, 0.5),
    "mobile": ("Mobile-first habits", 0.8, 0.4),
}
PERSPECTIVE = ("leadership", "strategy", "career", "stakeholders", "negotiation")
TOPIC_LABELS = {topic: label for topic, (label, _, _) in DIGITAL.items()} | {t: t.capitalize() for t in PERSPECTIVE}
# Share of seniors who offer perspective back and of juniors who want some (`--back`); set once per process.
BACK_SHARE = 0.0
DEPARTMENTS = {
    "Engineering": 6,
    "Sales": 4,
    "Marketing": 3,
    "Finance": 2,
    "Operations": 3,
    "HR": 1,
    "Legal": 1,
    "Customer Success": 3,
    "Product": 2,
    "Data": 1,
    "IT": 1,
    "Communications": 1,
}
# Regions and their UTC offsets in minutes.
REGIONS = [
    (0.35, [-480, -420, -360, -300]),
    (0.35, [0, 60, 120]),
    (0.15, [330]),
    (0.15, [480, 540, 600]),
]


def _pick(rng: np.random.Generator, weights: list[float], k: int) -> list[int]:
    p = np.asarray(weights) / sum(weights)
    return [int(x) for x in rng.choice(len(weights), size=k, replace=False, p=p)]


def make_pool(n: int, *, seed: int = 7, both: float = 0.08) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """``n`` junior mentors and ``n`` senior mentees (a share ``both`` of each side are "both"), plus past pairs."""
    both_share = both
    rng = np.random.default_rng(seed)
    topics = list(DIGITAL)
    supply = [DIGITAL[t][1] for t in topics]
    demand = [DIGITAL[t][2] for t in topics]
    dept_names = list(DEPARTMENTS)
    dept_p = np.array(list(DEPARTMENTS.values()), dtype=float)
    dept_p /= dept_p.sum()
    region_p = [r[0] for r in REGIONS]

    def common(k: int, junior: bool) -> dict[str, object]:
        region = REGIONS[int(rng.choice(len(REGIONS), p=region_p))][1]
        return {
            "id": f"U{'J' if junior else 'S'}{k:05d}",
            "name": f"{'Junior' if junior else 'Senior'} {k}",
            "department": dept_names[int(rng.choice(len(dept_names), p=dept_p))],
            "cadence": ("weekly", "biweekly", "monthly")[int(rng.choice(3, p=[0.3, 0.5, 0.2]))],
            "utc_offset_minutes": int(rng.choice(region)),
            "waiting_since": NOW - timedelta(days=float(rng.uniform(0, 180))),
        }

    people: list[dict[str, object]] = []
    for k in range(n):
        both = rng.random() < both_share
        taught = _pick(rng, supply, int(rng.integers(2, 5)))
        wanted = [t for t in _pick(rng, demand, 3) if t not in taught][: int(rng.integers(1, 3))] if both else []
        people.append(
            common(k, True)
            | {
                "can_mentor": True,
                "can_mentee": both,
                "teaches": tuple(topics[t] for t in taught),
                "learns": tuple(topics[t] for t in wanted),
                "level": 2 if both else int(rng.choice(3, p=[0.4, 0.4, 0.2])),
                "capacity": int(rng.choice([1, 2, 3], p=[0.75, 0.18, 0.07])),
            }
        )
    for k in range(n):
        both = rng.random() < both_share
        wanted = _pick(rng, demand, int(rng.integers(1, 4)))
        taught = [t for t in _pick(rng, supply, 2) if t not in wanted] if both else []
        people.append(
            common(k, False)
            | {
                "can_mentor": both,
                "can_mentee": True,
                "teaches": tuple(topics[t] for t in taught),
                "learns": tuple(topics[t] for t in wanted),
                "level": 3 if both else int(rng.choice([2, 3, 4, 5], p=[0.15, 0.35, 0.35, 0.15])),
                "capacity": 1 if both else 0,
            }
        )
    # Managers sit in the same department and are more senior; sponsors are seniors anywhere.
    by_dept: dict[object, list[int]] = {}
    for k, p in enumerate(people):
        by_dept.setdefault(p["department"], []).append(k)
    seniors = [k for k, p in enumerate(people) if int(p["level"]) >= 3]  # type: ignore[call-overload]
    for p in people:
        bosses = [k for k in by_dept[p["department"]] if people[k]["level"] > p["level"]]  # type: ignore[operator]
        if bosses and rng.random() < 0.9:
            p["manager_id"] = people[int(rng.choice(bosses))]["id"]
        if int(p["level"]) <= 2 and rng.random() < 0.1:  # type: ignore[call-overload]
            p["sponsor_id"] = people[int(rng.choice(seniors))]["id"]
        if rng.random() < 0.01:
            p["do_not_match"] = frozenset({str(people[int(rng.integers(len(people)))]["id"])})
    past = [(f"UJ{int(a):05d}", f"US{int(b):05d}") for a, b in rng.integers(0, n, size=(n // 4, 2))]
    # Perspective from a stream of its own, so the rest of each seed's pool is the same with or without it.
    extra = np.random.default_rng(seed + 1000)
    for p in people:
        if extra.random() < BACK_SHARE:
            picked = tuple(str(t) for t in extra.choice(PERSPECTIVE, size=int(extra.integers(1, 3)), replace=False))
            p["wants_back" if str(p["id"]).startswith("UJ") else "gives_back"] = picked
    return [Candidate(**p) for p in people], past  # type: ignore[arg-type]


# -- measurement -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One method on one pool."""

    seconds: float
    cpu_seconds: float
    before_mib: float
    peak_mib: float
    matched: int
    mentees: int
    score: float
    note: str


def rss_mib() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proof(stats: SolveStats) -> str:
    """How the optimum was proven, in a few words."""
    gap = stats.upper - stats.lower
    if stats.finished_by == "time-limit":
        return f"time limit hit: proven at most {gap:.2f} ({gap / stats.upper:.4%}) below the optimum"
    if stats.finished_by == "within-gap":
        return f"within the gap tolerance: proven at most {gap:.2f} ({gap / stats.upper:.4%}) below the optimum"
    if stats.finished_by == "certificate":
        return f"proven by duality (bound - value = {stats.upper - stats.lower:.0e})"
    return (
        f"proven by reduced-cost fixing ({stats.role_rounds} LP rounds left a bound "
        f"{gap:.2f} above; {stats.core_pairs:,} pairs to HiGHS, {stats.finished_by})"
    )


def run_optimum(n: int, seed: int, both: float, time_limit: float | None = None, gap: float = 0.0) -> Row:
    pool, past = make_pool(n, seed=seed, both=both)
    before = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    proposal, stats = propose_with_stats(
        pool, now=NOW, past_pairs=past, topic_labels=TOPIC_LABELS, time_limit=time_limit, gap_tolerance=gap
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Row(
        seconds=elapsed,
        cpu_seconds=cpu,
        before_mib=before,
        peak_mib=peak_mib(),
        matched=sum(len(m.mentee_ids) for m in proposal.matches),
        mentees=sum(1 for c in pool if c.can_mentee),
        score=proposal.total_score,
        note=f"{proof(stats)}; {stats.valid_pairs:,} valid pairs, {stats.pairs_generated:,} generated",
    )


def all_valid_pairs(
    people: list[Candidate], past: list[tuple[str, str]]
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Every valid (mentor, mentee) pair as person indices with the engine's own scores, and capacities."""
    arrays = PoolArrays(people, past_pairs=set(past), rules=DEFAULT_RULES, now=NOW)
    columns = arrays.columns(arrays.mentees)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    scores: list[FloatArray] = []
    step = max(1, 1_000_000 // max(1, len(arrays.mentees)))
    for start in range(0, len(arrays.mentors), step):
        block = arrays.mentors[start : start + step]
        valid, score = arrays.valid_scores(block, columns)
        r, c = np.nonzero(valid)
        rows.append(block[r])
        cols.append(arrays.mentees[c])
        scores.append(score[r, c])
    capacity = np.where(arrays.can_mentor, arrays.capacity, 0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(scores), capacity


def greedy(mentor: IntArray, mentee: IntArray, score: FloatArray, capacity: IntArray) -> list[int]:
    """Best pair first: take pairs by falling score while they fit (one mentor per mentee, capacities,
    one role per person). Exact greedy over all valid pairs; pairs that can no longer fit are dropped in
    bulk between chunks, which does not change what is taken."""
    order = np.lexsort((mentee, mentor, -score))
    load = np.zeros(len(capacity), dtype=np.int64)
    mentored = np.zeros(len(capacity), dtype=np.bool_)
    taken: list[int] = []
    chunk = 20_000
    while len(order):
        head, order = order[:chunk], order[chunk:]
        for e in head.tolist():
            i, j = mentor[e], mentee[e]
            if mentored[j] or load[j] or mentored[i] or load[i] >= capacity[i]:
                continue
            load[i] += 1
            mentored[j] = True
            taken.append(e)
        i, j = mentor[order], mentee[order]
        order = order[~mentored[j] & (load[j] == 0) & ~mentored[i] & (load[i] < capacity[i])]
    return taken


def donut(mentor: IntArray, mentee: IntArray, capacity: IntArray, seed: int) -> list[int]:
    """Donut-style: mentees in random order, each paired with a random valid mentor who still has room."""
    rng = np.random.default_rng(seed)
    by_mentee = np.argsort(mentee, kind="stable")
    people, starts = np.unique(mentee[by_mentee], return_index=True)
    ends = np.append(starts[1:], len(by_mentee))
    load = np.zeros(len(capacity), dtype=np.int64)
    mentored = np.zeros(len(capacity), dtype=np.bool_)
    taken: list[int] = []
    for k in rng.permutation(len(people)).tolist():
        j = people[k]
        if load[j]:
            continue  # already mentoring this round
        options = by_mentee[starts[k] : ends[k]]
        i = mentor[options]
        options = options[~mentored[i] & (load[i] < capacity[i])]
        if len(options):
            e = int(options[rng.integers(len(options))])
            load[mentor[e]] += 1
            mentored[j] = True
            taken.append(e)
    return taken


def run_baseline(n: int, seed: int, both: float, method: str) -> Row:
    pool, past = make_pool(n, seed=seed, both=both)
    people = sorted(pool, key=lambda c: c.id)
    mentor, mentee, score, capacity = all_valid_pairs(people, past)
    before = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    taken = greedy(mentor, mentee, score, capacity) if method == "greedy" else donut(mentor, mentee, capacity, seed)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Row(
        seconds=elapsed,
        cpu_seconds=cpu,
        before_mib=before,
        peak_mib=peak_mib(),
        matched=len(taken),
        mentees=sum(1 for c in pool if c.can_mentee),
        score=float(score[taken].sum()),
        note="over all valid pairs (enumerated and scored by the engine beforehand, not timed)",
    )


def in_fresh_process(method: str, n: int, seed: int, both: float, time_limit: float | None, gap: float) -> Row:
    command = [sys.executable, __file__, "--run", method, "--sizes", str(n), "--seed", str(seed), "--both", str(both)]
    command += ["--gap", str(gap), "--back", str(BACK_SHARE)]
    if time_limit is not None:
        command += ["--time-limit", str(time_limit)]
    done = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
    )
    return Row(**json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,2500,5000", help="mentors (= mentees) per pool, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--both", type=float, default=0.08, help='share of each side that chose "both"')
    parser.add_argument(
        "--time-limit",
        type=float,
        help="also run the optimum with this time limit in seconds (the 'limited' row), as `/mentoring match` does",
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=0.0,
        help="let the optimum (and limited) rows stop once proven within this share of the optimum, "
        "e.g. 0.005 for 0.5%% (large pools only; 0: exact)",
    )
    parser.add_argument(
        "--back", type=float, default=0.0, help="share of seniors offering perspective back, and of juniors wanting it"
    )
    parser.add_argument("--run", choices=["optimum", "limited", "greedy", "random"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    global BACK_SHARE
    BACK_SHARE = args.back
    if args.run:
        n = int(args.sizes)
        if args.run == "optimum":
            row = run_optimum(n, args.seed, args.both, gap=args.gap)
        elif args.run == "limited":
            row = run_optimum(n, args.seed, args.both, args.time_limit, args.gap)
        else:
            row = run_baseline(n, args.seed, args.both, args.run)
        print(json.dumps(asdict(row)))
        return 0

    tolerance = f", gap tolerance {args.gap:.1%}" if args.gap else ", exact"
    print(
        f"Matching benchmark: {os.cpu_count()} CPUs, seed {args.seed}, {args.both:.0%} of each side chose 'both', "
        f"{args.back:.0%} offer or want perspective back{tolerance}; each method in a fresh process"
    )
    print(
        "wall time: the method alone (pool generation excluded); CPU: its process's CPU time over the same span "
        "(well below wall time when other work shares the machine); RSS: resident memory of its process"
    )
    header = (
        f"{'pool':>13}  {'method':<8} {'wall time':>9}  {'CPU':>7}  {'RSS before':>10}  {'peak RSS':>9}  "
        f"{'mentees matched':>15}  {'total score':>12}  {'vs optimum':>10}  notes"
    )
    print(header)
    print("-" * len(header))
    for n in (int(size) for size in args.sizes.split(",")):
        methods = ("optimum", "limited", "greedy", "random") if args.time_limit else ("optimum", "greedy", "random")
        results = {
            method: in_fresh_process(method, n, args.seed, args.both, args.time_limit, args.gap) for method in methods
        }
        best = results["optimum"].score
        for method, r in results.items():
            print(
                f"{n:>5} x {n:<5}  {method:<8} {r.seconds:>7.2f} s  {r.cpu_seconds:>5.2f} s  "
                f"{r.before_mib:>6.0f} MiB  {r.peak_mib:>5.0f} MiB  "
                f"{100 * r.matched / r.mentees:>14.1f}%  {r.score:>12,.1f}  {100 * r.score / best:>9.2f}%  {r.note}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
