"""Benchmark: the momentum sweep over a large program, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_sweep.py [--pairs 50000] [--sessions-per-pair 10] [--backends sqlite,postgres]

Builds a program of N active pairs with N x sessions-per-pair past sessions, then times one sweep
(`bot.usecases.sweep.sweep`, what `python -m bot tick` runs before sending) with nothing due, and with 10 % of the
pairs due (gone quiet: each gets a nudge queued in the outbox). Peak memory is tracemalloc's peak of
Python allocations during the sweep. Sending is not timed: it is paced by Slack's rate limits.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import Engine, insert, text, update
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_settings
from bot.domain.catalogue import load_catalogue
from bot.usecases.services import Services
from bot.usecases.sweep import sweep
from storage.db import make_engine, migrate
from storage.models import MatchRound, MentoringSession, Pairing, Participant

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles"]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def build(engine: Engine, pairs: int, sessions_per_pair: int) -> None:
    """Bulk-load the program: participants, one approved round, active pairs, their past sessions."""
    started = NOW - timedelta(days=400)
    people = []
    for i in range(pairs * 2):
        people.append(
            {
                "slack_user_id": f"U{i:09d}",
                "team_id": "T1",
                "name": f"Person {i}",
                "title": "",
                "tz": ZONES[i % len(ZONES)],
                "is_mentor": i % 2 == 0,
                "is_mentee": i % 2 == 1,
                "teach_topics": ["genai"],
                "learn_topics": ["genai"],
                "seniority": "early_career" if i % 2 == 0 else "executive",
                "department": f"D{i % 12}",
                "cadence": "biweekly",
                "capacity": 1,
                "goals": "",
                "manager_id": None,
                "sponsor_id": None,
                "do_not_match": [],
                "status": "active",
                "consented_at": started,
                "joined_at": started,
                "updated_at": started,
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(people), 10_000):
            connection.execute(insert(Participant), people[start : start + 10_000])
        connection.execute(
            insert(MatchRound),
            [{"id": 1, "lead_id": "U0LEAD", "status": "approved", "total_score": 0, "created_at": started}],
        )
        rows = [
            {
                "round_id": 1,
                "mentor_id": f"U{2 * i:09d}",
                "mentee_id": f"U{2 * i + 1:09d}",
                "status": "active",
                "score": 70.0,
                "shared_topics": ["genai"],
                "reasons": [],
                "created_at": started,
                "approved_at": started,
                "momentum": "on_track",
                "last_session_at": NOW - timedelta(days=3),
                "next_check_at": NOW + timedelta(days=11),
                "episode_steps": {},
            }
            for i in range(pairs)
        ]
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Pairing), rows[start : start + 10_000])
        batch: list[dict[str, object]] = []
        for pairing_id in range(1, pairs + 1):
            for n in range(sessions_per_pair):
                held: date = (NOW - timedelta(days=3 + 14 * n)).date()
                batch.append(
                    {"pairing_id": pairing_id, "held_on": held, "logged_by": "U0", "note": "", "logged_at": NOW}
                )
            if len(batch) >= 20_000:
                connection.execute(insert(MentoringSession), batch)
                batch = []
        if batch:
            connection.execute(insert(MentoringSession), batch)


def make_due(engine: Engine, share: float, pairs: int) -> None:
    """Send `share` of the pairs quiet for 15 days (cooling at 14) and due for a look now."""
    due = int(pairs * share)
    with engine.begin() as connection:
        connection.execute(
            update(Pairing)
            .where(col(Pairing.id) <= due)
            .values(last_session_at=NOW - timedelta(days=15), next_check_at=NOW - timedelta(minutes=1))
        )


def measure(run: Callable[[], object]) -> tuple[float, float]:
    tracemalloc.start()
    began = time.perf_counter()
    run()
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20


def bench_backend(name: str, url: str, pairs: int, sessions_per_pair: int) -> list[tuple[str, str, float, float, int]]:
    engine = make_engine(url)
    migrate(engine)
    loaded = time.perf_counter()
    build(engine, pairs, sessions_per_pair)
    load_s = time.perf_counter() - loaded
    settings = load_settings(env_file=None, database_url=url, slack_bot_token="xoxb-bench")
    services = Services(settings=settings, engine=engine, catalogue=load_catalogue(), clock=lambda: NOW)
    services = replace(services, clock=lambda: NOW)
    results = []
    seconds, peak = measure(lambda: sweep(services, now=NOW))
    results.append((name, "nothing due", seconds, peak, 0))
    make_due(engine, 0.10, pairs)
    report = None

    def run() -> None:
        nonlocal report
        report = sweep(services, now=NOW)

    seconds, peak = measure(run)
    assert report is not None
    results.append((name, "10 % due", seconds, peak, sum(report.steps.values())))
    seconds, peak = measure(lambda: sweep(services, now=NOW))
    results.append((name, "again, nothing due", seconds, peak, 0))
    print(f"  ({name}: loaded {pairs:,} pairs and {pairs * sessions_per_pair:,} sessions in {load_s:.1f} s)")
    engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--sessions-per-pair", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    rows: list[tuple[str, str, float, float, int]] = []
    with TemporaryDirectory() as scratch:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                rows += bench_backend(
                    "SQLite", f"sqlite:///{Path(scratch) / 'bench.db'}", args.pairs, args.sessions_per_pair
                )
            elif backend == "postgres":
                schema = f"bench_{uuid.uuid4().hex[:8]}"
                admin = make_engine(POSTGRES)
                with admin.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                try:
                    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
                    rows += bench_backend("PostgreSQL", url, args.pairs, args.sessions_per_pair)
                finally:
                    with admin.begin() as connection:
                        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
    print()
    print(f"Momentum sweep: {args.pairs:,} active pairs, {args.pairs * args.sessions_per_pair:,} past sessions")
    print(f"{'backend':<12} {'scenario':<20} {'wall time':>10} {'peak memory':>12} {'steps queued':>13}")
    for backend, scenario, seconds, peak, steps in rows:
        print(f"{backend:<12} {scenario:<20} {seconds:>8.3f} s {peak:>9.1f} MiB {steps:>13,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
