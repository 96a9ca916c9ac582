"""Benchmark: the momentum sweep over a large program, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_sweep.py [--pairs 50000] [--history 500000] [--backends sqlite,postgres]

Builds a program of N active pairs with a history of past sessions (`--history` in all, spread evenly over the
pairs; each with the mentee's answered check-in prompt, the table ghost detection reads), then runs
`bot.usecases.sweep.sweep` (what `python -m bot tick` runs before sending) in a fresh process:

- nothing due, first run: the first sweep of a process (SQL statements compiled, caches cold);
- nothing due: the same again, as the running bot sees it every two minutes;
- 10 % due: that share of the pairs gone quiet (each gets a nudge queued in the outbox);
- again, nothing due.

What a wall time includes: selecting the due pairs, deciding for each (momentum, ladder), writing the outbox
rows, their recipients, the prompts and every pair's new state, committing, and the pass that pauses ghosts.
Sending is not timed: it is the outbox sender's job, paced by Slack's rate limits.

The sweeps run in a process started before the program is loaded (by the parent, in chunks; COPY on
PostgreSQL), so its peak RSS, `resource.getrusage(RUSAGE_SELF).ru_maxrss` (the interpreter and every library
included), is its own. CPU time is that process's own too (`time.process_time`): on PostgreSQL the server's work
is not in it; on a busy machine it shows what the sweep costs when the wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import Engine, insert, text, update
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_settings
from bot.domain.catalogue import load_catalogue
from bot.usecases.services import Services
from bot.usecases.sweep import sweep
from storage.db import make_engine, migrate
from storage.models import MatchRound, Pairing, Participant

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles"]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHUNK = 50_000


def mib(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in KiB on Linux


def build(engine: Engine, pairs: int) -> None:
    """Bulk-load the program: participants, one approved round, active pairs."""
    started = NOW - timedelta(days=400)
    people = [
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
        for i in range(pairs * 2)
    ]
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


def history_rows(pairs: int, sessions: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Past sessions, a fortnight apart going back from three days ago, spread evenly over the pairs (the
    first pairs get one more when it does not divide), each with the mentee's check-in prompt, answered the next
    day. Yields (session row, prompt row) lazily, a pair's history together, every value already text in the
    format SQLAlchemy stores (so SQLite reads it back as if the app had written it, and COPY takes it as is)."""

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    per_pair, extra = divmod(sessions, pairs)
    # The times repeat from pair to pair: worked out once per session number, not once per row.
    times = []
    for number in range(per_pair + (1 if extra else 0)):
        held = NOW - timedelta(days=3 + 14 * number)
        times.append((held.date().isoformat(), stamp(held), stamp(held + timedelta(days=1))))
    for pairing_id in range(1, pairs + 1):
        mentee = f"U{2 * (pairing_id - 1) + 1:09d}"
        for number in range(per_pair + (1 if pairing_id <= extra else 0)):
            held_on, held_at, answered = times[number]
            yield (
                (pairing_id, held_on, mentee, "", held_at),
                (mentee, pairing_id, "checkin", f"checkin:{pairing_id}:{number}:{mentee}", held_at, answered),
            )


SESSION_COLUMNS = "pairing_id, held_on, logged_by, note, logged_at"
PROMPT_COLUMNS = "user_id, pairing_id, kind, outbox_key, sent_at, answered_at"


def load_history(engine: Engine, pairs: int, sessions: int) -> None:
    """Bulk-load the history without ORM objects and without holding it in memory: COPY on PostgreSQL (then
    ANALYZE, as autovacuum would soon do), executemany in chunks on SQLite."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            for table, columns, which in (("mentoring_session", SESSION_COLUMNS, 0), ("prompt", PROMPT_COLUMNS, 1)):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for both in history_rows(pairs, sessions):
                        copy.write_row(both[which])
            cursor.execute("ANALYZE")
        else:
            session_sql = f"INSERT INTO mentoring_session ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
            prompt_sql = f"INSERT INTO prompt ({PROMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
            rows = history_rows(pairs, sessions)
            # The engine turns the driver's own transactions off (storage.db.make_engine): one transaction for
            # the whole load, or every row would be a commit of its own.
            cursor.execute("BEGIN")
            while chunk := list(islice(rows, CHUNK)):
                cursor.executemany(session_sql, [session_row for session_row, _ in chunk])
                cursor.executemany(prompt_sql, [prompt_row for _, prompt_row in chunk])
        raw.commit()
    finally:
        raw.close()


def make_due(engine: Engine, share: float, pairs: int) -> None:
    """Send `share` of the pairs quiet for 15 days (cooling at 14) and due for a look now."""
    due = int(pairs * share)
    with engine.begin() as connection:
        connection.execute(
            update(Pairing)
            .where(col(Pairing.id) <= due)
            .values(last_session_at=NOW - timedelta(days=15), next_check_at=NOW - timedelta(minutes=1))
        )


def measure(url: str, pairs: int) -> list[dict[str, Any]]:
    """The sweeps, in this (fresh) process: its peak RSS is theirs."""
    engine = make_engine(url)
    settings = load_settings(env_file=None, database_url=url, slack_bot_token="xoxb-bench")
    services = Services(settings=settings, engine=engine, catalogue=load_catalogue(), clock=lambda: NOW)
    results: list[dict[str, Any]] = []

    def run(scenario: str) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        report = sweep(services, now=NOW)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        rss = mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        results.append(
            {
                "scenario": scenario,
                "seconds": seconds,
                "cpu": cpu,
                "pairs": report.pairs_checked,
                "steps": sum(report.steps.values()),
                "rss": rss,
            }
        )

    run("nothing due, first run")
    run("nothing due")
    make_due(engine, 0.10, pairs)
    run("10 % due")
    run("again, nothing due")
    engine.dispose()
    return results


def start_measurer(pairs: int) -> subprocess.Popen[str]:
    """The process that will run the sweeps, started before this one loads anything: Linux carries a process's
    peak RSS over into the programs it starts, so a child started after the load would report the loader's
    peak as its own. It waits for the database URL on stdin."""
    return subprocess.Popen(
        [sys.executable, __file__, "--measure", "--pairs", str(pairs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def bench_backend(
    name: str, url: str, pairs: int, history: int, measurer: subprocess.Popen[str]
) -> list[dict[str, Any]]:
    engine = make_engine(url)
    migrate(engine)
    began = time.perf_counter()
    build(engine, pairs)
    load_history(engine, pairs, history)
    load_s = time.perf_counter() - began
    engine.dispose()
    print(f"  ({name}: loaded {pairs:,} pairs, {history:,} sessions and as many prompts in {load_s:.0f} s)")
    out, _ = measurer.communicate(url + "\n")
    if measurer.returncode != 0:
        raise RuntimeError(f"{name}: the sweeps failed")
    return [{"backend": name, **row} for row in json.loads(out)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--history", type=int, default=500_000, help="past sessions in all (default 500,000)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process's part
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(sys.stdin.readline().strip(), args.pairs)))
        return 0
    backends = [b for b in args.backends.split(",") if b in ("sqlite", "postgres")]
    measurers = {backend: start_measurer(args.pairs) for backend in backends}
    rows: list[dict[str, Any]] = []
    with TemporaryDirectory() as scratch:
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{Path(scratch) / 'bench.db'}"
                rows += bench_backend("SQLite", url, args.pairs, args.history, measurers[backend])
            elif backend == "postgres":
                schema = f"bench_{uuid.uuid4().hex[:8]}"
                admin = make_engine(POSTGRES)
                with admin.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                try:
                    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
                    rows += bench_backend("PostgreSQL", url, args.pairs, args.history, measurers[backend])
                finally:
                    with admin.begin() as connection:
                        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
    print()
    print(
        f"Momentum sweep: {args.pairs:,} active pairs, {args.history:,} past sessions, {os.cpu_count()} CPUs; "
        "the sweeps run in a fresh process"
    )
    print(
        f"{'backend':<12} {'scenario':<24} {'wall time':>10} {'CPU time':>10} {'pairs checked':>14}"
        f" {'steps queued':>13} {'peak RSS':>10}"
    )
    for row in rows:
        print(
            f"{row['backend']:<12} {row['scenario']:<24} {row['seconds']:>8.3f} s {row['cpu']:>8.3f} s"
            f" {row['pairs']:>14,} {row['steps']:>13,} {row['rss']:>6.0f} MiB"
        )
    print(f"(the loading process peaked at {mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
