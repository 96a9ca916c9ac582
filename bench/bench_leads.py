"""Benchmark: what program leads see, for a large program, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_leads.py [--pairs 5000] [--sessions 100000] [--database sqlite|postgres|both]
                                          [--repeat 5] [--seed 7] [--skip-home]

Builds a program (bulk inserts into a database migrated by `storage.db.migrate`): twice as many people as pairs,
one in eleven mentors taking two mentees (so some people wait for a match), a few paused; 14 approved rounds over
the last year; every pair active, with its own cadence and a momentum that agrees with its sessions; `--sessions`
sessions (one per pair and day at most); a few thousand check-in prompts, most answered (values 1-5); bookings
still to come, cancelled and held. The clock is fixed (`NOW`), so runs compare.

Then times, each `--repeat` times in a process of its own (so each peak RSS is its own): the leads' Home data
(`bot.usecases.leads`: overview, program_measures, pair_page on pages 1 and 250 of each filter, chart_data and
draw), the report (`bot.usecases.reports.program_report`), the export (`bot.usecases.leads.export`, with a client
that only reads the CSV files' sizes: Slack's upload is not timed), and the whole `publish_home` of a lead through
the project's fake Slack (loopback HTTP). The median is of all runs; the max is usually the first (cold caches,
and for publish_home the first run draws and uploads the charts, later runs reuse them).

Memory is `resource.getrusage(RUSAGE_SELF).ru_maxrss`, the peak resident set of the measuring process
(interpreter, SQLAlchemy, matplotlib and driver included); "RSS before" is that peak once the process has
imported everything and built its services, so "peak - before" is what the operation itself added.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.people import Cadence
from storage.db import make_engine, migrate
from storage.models import Booking, CheckIn, MatchRound, MentoringSession, Pairing, Participant, Prompt

# A Tuesday morning, UTC: in working hours, mid-month (so "this month" and "last month" both have sessions).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
LEAD = "U0LEAD"
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles", "UTC"]
DEPARTMENTS = ["Data", "Marketing", "Engineering", "Finance", "Operations", "Sales", "Legal", "Customer Success"]
# Days ago each round was approved: monthly over a year, then one five days ago (pairs not started yet).
ROUND_AGES = [365, 335, 305, 275, 245, 215, 185, 155, 125, 95, 65, 40, 20, 5]
BATCH = 10_000


# --- the program ---


@dataclass
class Program:
    """Rows to insert, as lists of dicts for SQLAlchemy core's executemany."""

    people: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    pairings: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    checkins: list[dict[str, Any]] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, clock_time(hour), UTC)


def _person(i: int, rng: random.Random, *, mentor: bool) -> dict[str, Any]:
    joined = NOW - timedelta(days=rng.randint(370, 500))
    # Some names a spreadsheet would read as formulas, and some beyond ASCII, as the export must handle them.
    name = f"Person {i:05d}" if i % 97 else f"=Person {i:05d}"
    if i % 89 == 0:
        name = f"Zoë Ødegård {i:05d}"
    return {
        "slack_user_id": f"U{i:08d}",
        "team_id": "T0TURNABT",
        "name": name,
        "title": "",
        "tz": ZONES[i % len(ZONES)],
        "is_mentor": mentor,
        "is_mentee": not mentor,
        "teach_topics": ["genai", "data_analytics"] if mentor else [],
        "learn_topics": [] if mentor else ["genai"],
        "seniority": "early_career" if mentor else "director",
        "department": DEPARTMENTS[i % len(DEPARTMENTS)],
        "cadence": "biweekly",
        "capacity": 1,
        "goals": "",
        "manager_id": None,
        "sponsor_id": None,
        "do_not_match": [],
        "status": "active",
        "paused_until": None,
        "left_at": None,
        "consented_at": joined,
        "joined_at": joined,
        "updated_at": joined,
    }


def _pair_shape(rng: random.Random, approved: date, cadence_days: int) -> tuple[str, date | None]:
    """A momentum and a last session day (None: never met) that agree, by `bot.domain.measures.standing_on`'s
    rule."""
    age = (TODAY - approved).days
    if age < 10 or rng.random() < 0.03:
        return "on_track", None  # not started: recent, or (a few) long overdue
    state = rng.choices(["on_track", "cooling", "lapsed"], weights=[60, 22, 18])[0]
    idle = {
        "on_track": rng.randrange(0, cadence_days),
        "cooling": rng.randrange(cadence_days, 2 * cadence_days),
        "lapsed": rng.randrange(2 * cadence_days, 6 * cadence_days),
    }[state]
    if idle > age:
        return "on_track", TODAY - timedelta(days=rng.randrange(0, min(age, cadence_days) + 1))
    return state, TODAY - timedelta(days=idle)


def make_program(pairs: int, sessions: int, seed: int) -> Program:
    rng = random.Random(seed)
    out = Program()
    groups = pairs // 11  # mentors who take two mentees
    mentors = pairs - groups
    people = 2 * pairs  # so `groups` people wait for a match
    for i in range(people):
        out.people.append(_person(i, rng, mentor=i < mentors or i >= mentors + pairs))
    # A few paused people: most still paused (their pairs read "paused"), some whose pause has run out.
    for person in rng.sample(out.people, k=max(1, people * 3 // 100)):
        person["status"] = "paused"
        person["paused_until"] = NOW + timedelta(days=rng.choice([-3, 12, 30]))
    for k, age in enumerate(ROUND_AGES, start=1):
        decided = NOW - timedelta(days=age)
        out.rounds.append(
            {
                "id": k,
                "lead_id": LEAD,
                "status": "approved",
                "total_score": 0.0,
                "score_gap": None,
                "created_at": decided - timedelta(hours=2),
                "decided_at": decided,
                "decided_by": LEAD,
            }
        )
    mentor_of = [m for m in range(mentors)] + rng.sample(range(mentors), k=groups)
    round_of_mentor = {m: rng.randint(1, len(ROUND_AGES)) for m in range(mentors)}
    spans: list[tuple[int, date, date | None, int]] = []  # (pairing id, first day, last session day, cadence)
    for pid in range(1, pairs + 1):
        mentor = mentor_of[pid - 1]
        round_id = round_of_mentor[mentor]
        approved = NOW - timedelta(days=ROUND_AGES[round_id - 1])
        cadence = rng.choices(list(Cadence), weights=[25, 50, 25])[0]
        momentum, last = _pair_shape(rng, approved.date(), cadence.days)
        spans.append((pid, approved.date(), last, cadence.days))
        out.pairings.append(
            {
                "id": pid,
                "round_id": round_id,
                "mentor_id": f"U{mentor:08d}",
                "mentee_id": f"U{mentors + pid - 1:08d}",
                "status": "active",
                "score": 70.0,
                "shared_topics": ["genai"],
                "reasons": [],
                "created_at": approved - timedelta(hours=2),
                "approved_at": approved,
                "ended_at": None,
                "ended_by": None,
                "intro_channel": f"G{pid:08d}",
                "next_session_on": None,
                "cadence": cadence.value,
                "momentum": momentum,
                "last_session_at": _at(last) if last else None,
                "next_check_at": NOW + timedelta(days=rng.randint(1, 14)),
                "episode_key": None,
                "episode_steps": {},
                "snoozed_until": None,
            }
        )
    _add_sessions(out, spans, sessions, rng)
    _add_checkins(out, rng)
    _add_bookings(out, spans, rng)
    return out


def _add_sessions(
    out: Program, spans: list[tuple[int, date, date | None, int]], total: int, rng: random.Random
) -> None:
    """`total` sessions shared by the started pairs in proportion to how many their cadence calls for, each
    pair's last one on its last session day, the rest on distinct earlier days."""
    started = [(pid, first, last, cadence) for pid, first, last, cadence in spans if last is not None]
    room = {pid: (last - first).days + 1 for pid, first, last, _ in started}
    wants = {pid: room[pid] / cadence for pid, _, _, cadence in started}
    scale = total / sum(wants.values()) if wants else 0.0
    count = {pid: max(1, min(room[pid], round(w * scale))) for pid, w in wants.items()}
    # Rounding and the one-a-day cap leave the sum off by a little: spread the difference at random.
    order = list(count)
    rng.shuffle(order)
    diff = total - sum(count.values())
    while diff and order:
        step = 1 if diff > 0 else -1
        moved = False
        for pid in order:
            if diff == 0:
                break
            if (step > 0 and count[pid] < room[pid]) or (step < 0 and count[pid] > 1):
                count[pid] += step
                diff -= step
                moved = True
        if not moved:
            break  # every pair is full (or at one): the program holds fewer sessions than asked
    mentor_mentee = {p["id"]: (p["mentor_id"], p["mentee_id"]) for p in out.pairings}
    for pid, first, last, _ in started:
        assert last is not None
        days = [last, *(first + timedelta(days=d) for d in rng.sample(range(room[pid] - 1), count[pid] - 1))]
        for day in sorted(days):
            out.sessions.append(
                {
                    "pairing_id": pid,
                    "held_on": day,
                    "logged_by": rng.choice(mentor_mentee[pid]),
                    "note": "private note, never exported",
                    "logged_at": _at(day, 15),
                }
            )


def _add_checkins(out: Program, rng: random.Random) -> None:
    """Check-in prompts after one in 24 of the last 200 days' sessions, for each person, 70% answered."""
    since = TODAY - timedelta(days=200)
    recent = [s for s in out.sessions if s["held_on"] >= since]
    mentor_mentee = {p["id"]: (p["mentor_id"], p["mentee_id"]) for p in out.pairings}
    chosen = rng.sample(recent, k=len(recent) // 24)
    prompt_id = 0
    for s in chosen:
        for user in mentor_mentee[s["pairing_id"]]:
            prompt_id += 1
            sent = _at(s["held_on"], 17)
            answered = sent + timedelta(hours=rng.randint(1, 40)) if rng.random() < 0.7 else None
            if answered is not None and answered > NOW:
                answered = None
            out.prompts.append(
                {
                    "id": prompt_id,
                    "user_id": user,
                    "pairing_id": s["pairing_id"],
                    "kind": "checkin",
                    "outbox_key": f"checkin:{s['pairing_id']}:{s['held_on']}:{user}",
                    "session_number": None,
                    "sent_at": sent,
                    "answered_at": answered,
                }
            )
            if answered is None:
                continue
            out.checkins.append(
                {
                    "prompt_id": prompt_id,
                    "pairing_id": s["pairing_id"],
                    "user_id": user,
                    "met": "yes",
                    "value": rng.choices([1, 2, 3, 4, 5], weights=[4, 8, 20, 38, 30])[0],
                    "learned": "",
                    "blockers": "",
                    "fit": None,
                    "told_lead": False,
                    "answered_at": answered,
                }
            )


def _add_bookings(out: Program, spans: list[tuple[int, date, date | None, int]], rng: random.Random) -> None:
    """A booking still to come for one started pair in five, one or two called off for one in ten (after their
    last session, so they count as cancellations in a row), and a held booking for one in five."""
    mentor_mentee = {p["id"]: (p["mentor_id"], p["mentee_id"]) for p in out.pairings}

    def booking(pid: int, starts: datetime, status: str, updated: datetime) -> dict[str, Any]:
        mentor, mentee = mentor_mentee[pid]
        return {
            "pairing_id": pid,
            "mentee_ids": [mentee],
            "starts_at": starts,
            "minutes": 30,
            "place": "",
            "tz": "UTC",
            "booked_by": mentor,
            "status": status,
            "sequence": 0 if status in ("booked", "held") else 1,
            "settled_by": None if status == "booked" else mentor,
            "created_at": starts - timedelta(days=7),
            "updated_at": updated,
        }

    for pid, _, last, _ in spans:
        if last is None:
            continue
        if rng.random() < 0.2:
            starts = _at(TODAY + timedelta(days=rng.randint(1, 14)), 14)
            out.bookings.append(booking(pid, starts, "booked", NOW - timedelta(days=2)))
        if rng.random() < 0.1:
            for n in range(rng.randint(1, 2)):
                starts = _at(last + timedelta(days=n + 1), 14)
                out.bookings.append(booking(pid, starts, "cancelled", min(NOW, starts - timedelta(hours=3))))
        if rng.random() < 0.2:
            out.bookings.append(booking(pid, _at(last, 11), "held", _at(last, 12)))


def load(engine: Engine, program: Program) -> None:
    with engine.begin() as connection:
        for model, rows in (
            (Participant, program.people),
            (MatchRound, program.rounds),
            (Pairing, program.pairings),
            (MentoringSession, program.sessions),
            (Prompt, program.prompts),
            (CheckIn, program.checkins),
            (Booking, program.bookings),
        ):
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model), rows[start : start + BATCH])
        if connection.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them, so a later insert would not collide.
            for table in ("participant", "match_round", "pairing", "mentoring_session", "prompt", "booking"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time a lead looks: without statistics the planner guesses.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


# --- measuring, in a process of its own ---


def peak_rss_mib() -> float:
    """Peak resident set of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Result:
    operation: str
    seconds: list[float]
    rows: int
    note: str
    rss_before: float
    rss_peak: float


class SizingClient:
    """Stands in for Slack's WebClient in the export: opens "the DM" and reads each file's size, uploading
    nothing, so the table times our work alone."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def conversations_open(self, *, users: str) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D0LEAD"}}

    def files_upload_v2(self, *, file_uploads: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        self.sizes = [Path(upload["file"]).stat().st_size for upload in file_uploads]
        return {"ok": True, "files": [{"id": f"F{i}"} for i, _ in enumerate(file_uploads)]}


def _services(url: str, **settings: Any) -> Any:
    from bot.config import load_settings
    from bot.domain.catalogue import load_catalogue
    from bot.usecases.services import Services

    values: dict[str, Any] = dict(
        env_file=None,
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        slack_api_url=None,
        database_url=url,
        turnabout_leads=LEAD,
        turnabout_leads_channel="C0LEADS",
        turnabout_catalogue_file=None,
        turnabout_content_file=None,
    )
    values.update(settings)
    return Services(
        settings=load_settings(**values), engine=make_engine(url), catalogue=load_catalogue(), clock=lambda: NOW
    )


def _timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    seconds: list[float] = []
    result: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - began)
    return seconds, result


def measure(url: str, operation: str, repeat: int) -> list[Result]:
    """Run one operation (or one family: the pair pages) `repeat` times; called in a fresh process."""
    from bot.usecases import leads, reports
    from storage.leads import PairFilter

    if operation == "publish_home":
        return [_measure_publish_home(url, repeat)]
    services = _services(url)
    before = peak_rss_mib()
    results: list[Result] = []

    def done(name: str, seconds: list[float], rows: int, note: str) -> None:
        results.append(Result(name, seconds, rows, note, before, peak_rss_mib()))

    if operation == "overview":
        seconds, found = _timed(lambda: leads.overview(services), repeat)
        done("overview", seconds, found.active, f"{found.waiting:,} waiting; counts by standing")
    elif operation == "program_measures":
        seconds, found = _timed(lambda: leads.program_measures(services), repeat)
        frequency = found.frequency
        done("program_measures", seconds, frequency.judged, f"pairs judged; {found.satisfaction.answers:,} answers")
    elif operation == "pair_page":
        for pair_filter in PairFilter:
            for page in (1, 250):
                seconds, found = _timed(partial(leads.pair_page, services, pair_filter=pair_filter, page=page), repeat)
                shown = f"p{page}" if found.page == page else f"p{page}->{found.page}"
                done(
                    f"pair_page {pair_filter.value} {shown}",
                    seconds,
                    len(found.rows),
                    f"of {found.total:,} pairs, {found.pages} pages",
                )
    elif operation == "chart_data":
        seconds, found = _timed(lambda: leads.chart_data(services), repeat)
        done("chart_data", seconds, sum(found.held), "sessions in the 12 weeks charted")
    elif operation == "draw":
        data = leads.chart_data(services)
        before = peak_rss_mib()
        seconds, found = _timed(lambda: leads.draw(data), repeat)
        kib = sum(len(p.png) for p in found) / 1024
        done("draw (3 charts, matplotlib)", seconds, len(found), f"{kib:.0f} KiB of PNG")
    elif operation == "program_report":
        seconds, found = _timed(lambda: reports.program_report(services), repeat)
        done("program_report", seconds, len(found[1]), "blocks")
    elif operation == "export":
        client = SizingClient()
        seconds, found = _timed(lambda: leads.export(services, cast(Any, client), lead_id=LEAD), repeat)
        pairs_kib, sessions_kib = (size / 1024 for size in client.sizes)
        done(
            "export (2 CSV, upload excluded)",
            seconds,
            found.pairs + found.sessions,
            f"pairs {found.pairs:,} rows, {pairs_kib:,.0f} KiB; sessions {found.sessions:,} rows, "
            f"{sessions_kib:,.0f} KiB",
        )
    else:
        raise ValueError(f"unknown operation {operation!r}")
    services.engine.dispose()
    return results


def _measure_publish_home(url: str, repeat: int) -> Result:
    """A lead's whole Home tab (their own part, the program, one page of pairs, the charts) published to the
    project's fake Slack over loopback HTTP; the first run draws and uploads the charts."""
    from slack_sdk import WebClient

    from bot.sandbox.fake_slack import FakeSlack, FakeUser
    from bot.usecases.home import publish_home

    token = "xoxb-bench-" + uuid.uuid4().hex[:8]
    fake = FakeSlack(bot_token=token, users=[FakeUser(id=LEAD, name="lead", real_name="Lena Lead")], rate_limits=False)
    fake.start()
    try:
        services = _services(url, slack_bot_token=token, slack_api_url=fake.api_url)
        client = WebClient(token=token, base_url=fake.api_url)
        before = peak_rss_mib()
        seconds, _ = _timed(lambda: publish_home(services, client, LEAD), repeat)
        published = fake.calls_to("views.publish")
        uploads = len(fake.files)
        blocks = len(published[-1].args["view"]["blocks"]) if published else 0
        violations = f"; {len(fake.violations)} contract violations" if fake.violations else ""
        services.engine.dispose()
        return Result(
            "publish_home (lead, fake Slack)",
            seconds,
            blocks,
            f"blocks; {uploads} chart uploads in all (first run){violations}",
            before,
            peak_rss_mib(),
        )
    finally:
        fake.stop()


# --- the databases ---


@contextmanager
def database(kind: str, scratch: Path) -> Iterator[str]:
    """A fresh, migrated database's URL: a SQLite file, or a throwaway PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        path = scratch / f"leads-{uuid.uuid4().hex[:6]}.db"
        yield f"sqlite:///{path}"
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


OPERATIONS = ["overview", "program_measures", "pair_page", "chart_data", "draw", "program_report", "export"]


def prepare(url: str, pairs: int, sessions: int, seed: int) -> tuple[str, float]:
    """Generate the program and load it into a migrated database (run in a process of its own, so that the
    measuring processes, started from a small parent, inherit none of its memory)."""
    began = time.perf_counter()
    program = make_program(pairs, sessions, seed)
    engine = make_engine(url)
    migrate(engine)
    load(engine, program)
    engine.dispose()
    summary = (
        f"{len(program.people):,} people, {len(program.pairings):,} pairs, {len(program.sessions):,} sessions, "
        f"{len(program.prompts):,} check-in prompts, {len(program.checkins):,} check-ins, "
        f"{len(program.bookings):,} bookings"
    )
    return summary, time.perf_counter() - began


def in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    # Spawned, not forked: a forked child would start with this process's memory and its peak RSS.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run_database(kind: str, url: str, args: argparse.Namespace, operations: list[str]) -> tuple[str, list[Result]]:
    loaded, seconds = in_fresh_process(prepare, url, args.pairs, args.sessions, args.seed)
    print(f"  {kind}: {loaded}, generated and loaded in {seconds:.1f} s", flush=True)
    results: list[Result] = []
    for operation in operations:
        results += in_fresh_process(measure, url, operation, args.repeat)
    return loaded, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=5_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each operation (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-home", action="store_true", help="leave out publish_home through the fake Slack")
    args = parser.parse_args()
    operations = OPERATIONS + ([] if args.skip_home else ["publish_home"])
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    table: list[tuple[str, Result]] = []
    loaded = ""
    with tempfile.TemporaryDirectory() as scratch:
        for kind in kinds:
            with database(kind, Path(scratch)) as url:
                loaded, results = run_database(kind, url, args, operations)
                table += [(kind, r) for r in results]
    print()
    print(f"Leads' view: {loaded}; {args.repeat} runs each, {os.cpu_count()} CPUs, each operation in a fresh process")
    header = (
        f"{'operation':<34} {'database':<9} {'median':>9} {'max':>9} {'rows':>7} "
        f"{'RSS before':>11} {'peak RSS':>9}  notes"
    )
    print(header)
    print("-" * len(header))
    for kind, r in table:
        print(
            f"{r.operation:<34} {kind:<9} {statistics.median(r.seconds):>7.3f} s {max(r.seconds):>7.3f} s "
            f"{r.rows:>7,} {r.rss_before:>7.0f} MiB {r.rss_peak:>5.0f} MiB  {r.note}"
        )
    print(
        f"\npeak RSS: {max(r.rss_peak for _, r in table):.0f} MiB (the largest of the measuring processes); "
        f"the parent that started them: {peak_rss_mib():.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
