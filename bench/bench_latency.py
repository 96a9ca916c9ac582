"""Benchmark: `/mentoring` answers from Turnabout against a bare Bolt app giving the same bytes, side by side.

    .venv/bin/python bench/bench_latency.py [--requests 1000] [--concurrency 50] [--rounds 2]
                                            [--database sqlite|postgres] [--scenarios join,help,...]

Both apps run in their own process behind the same waitress server (`bot.server.make_server`, as production
serves HTTP mode) and talk to the project's fake Slack (`bot.sandbox.fake_slack`) on loopback, which runs here
together with the people typing: `--concurrency` people, each typing their next command as soon as the last
one was answered. Turnabout is the real app from `bot.app.build_app`, on a database holding `--population`
participants (half of the people typing among them, so `join` opens a pre-filled modal for them). The bare
app is a few lines of Bolt that answer each person with exactly the bytes Turnabout answered them with in a
warm-up pass: the same modal through `views.open`, the same ephemeral answer to `help`, `status`, `pause 2` and
an unknown subcommand. So the difference between the two is what Turnabout does beyond Bolt itself.

Latency is measured from the moment the signed request leaves until, for `join`, the fake Slack receives the
`views.open` call (what the person waits for), or, for the other commands, the HTTP answer arrives. Rounds
alternate which app goes first. CPU per request and peak RSS (`resource.getrusage`) are the app process's own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import insert, text

from bot.domain.people import Cadence, Role, Seniority, SignupForm
from bot.sandbox.fake_slack import FakeSlack, FakeUser
from bot.sandbox.fake_slack.signing import signature_headers
from storage.db import make_engine, migrate, session_scope
from storage.models import Participant
from storage.participants import SlackIdentity, upsert_participant

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COMMAND = "/mentoring"
# What each scenario types after /mentoring. The warm-up records the answers in this order, so `status` is
# recorded after `pause` and shows what every later `status` shows: paused.
SCENARIOS: dict[str, str] = {
    "join": "join",
    "help": "help",
    "pause": "pause 2",
    "status": "status",
    "unknown": "dance",
}
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles"]


# -- the apps, each in its own process ----------------------------------------------------------------------


def serve(kind: str, api_url: str, database_url: str, answers_file: str | None) -> None:
    """Child process: serve one app over waitress on a free port; answer `stats` on stdin with getrusage."""
    from bot.logs import configure_logging
    from bot.server import make_server

    # The token and secret come by environment, as production's do, never on a command line.
    token, secret = os.environ["BENCH_TOKEN"], os.environ["BENCH_SECRET"]
    configure_logging("INFO", secrets=[token, secret])
    if kind == "turnabout":
        from bot.app import build_app
        from bot.config import load_settings

        settings = load_settings(
            env_file=None,
            slack_bot_token=token,
            slack_signing_secret=secret,
            slack_app_token=None,
            slack_api_url=api_url,
            database_url=database_url,
            turnabout_leads="",
            turnabout_leads_channel=None,
            turnabout_catalogue_file=None,
            turnabout_content_file=None,
        )
        app = build_app(settings)
    else:
        app = bare_app(api_url, token, secret, json.loads(Path(answers_file or "").read_text()))
    engine = make_engine(database_url)
    server = make_server(app, engine, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    print(json.dumps({"port": server.effective_port}), flush=True)  # type: ignore[union-attr]
    for line in sys.stdin:
        if line.strip() == "stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}), flush=True)
        else:
            break


def bare_app(api_url: str, token: str, secret: str, answers: dict[str, Any]) -> App:
    """Bolt and nothing else: every answer is the bytes Turnabout gave this person in the warm-up."""
    app = App(signing_secret=secret, client=WebClient(token=token, base_url=api_url))
    modals: dict[str, dict[str, Any]] = answers["modals"]
    replies: dict[str, dict[str, dict[str, Any]]] = answers["replies"]

    @app.command(COMMAND)
    def mentoring(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user, typed = command["user_id"], command.get("text", "")
        if typed == "join":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=modals[user])
            return
        ack(**replies[user][typed])

    return app


class AppProcess:
    """One app served in a child process of this one."""

    def __init__(
        self, kind: str, api_url: str, database_url: str, *, token: str, secret: str, log: Path, answers: str = ""
    ) -> None:
        self.kind = kind
        self.log = log
        argv = [sys.executable, __file__, "--serve", kind, "--api-url", api_url, "--database-url", database_url]
        if answers:
            argv += ["--answers", answers]
        env = {**os.environ, "BENCH_TOKEN": token, "BENCH_SECRET": secret}
        # Its log (waitress's queue-depth warnings under this load, for one) goes to a file, not over the table.
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {kind} app did not start:\n{log.read_text()[-2000:]}")
        self.port = int(json.loads(line)["port"])

    def stats(self) -> tuple[float, int]:
        """(CPU seconds so far, peak RSS in KiB) of the app process."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return float(answer["cpu"]), int(answer["maxrss_kib"])

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(timeout=10)


# -- Slack's side: the fake Web API and the people typing ------------------------------------------------------


class StopwatchSlack(FakeSlack):
    """The fake Slack, noting when each `views.open` arrives (its clock is read as the request comes in)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.opened: dict[str, tuple[float, dict[str, Any]]] = {}
        self._opened = threading.Condition()

    def _record(
        self,
        method: str,
        args: Any,
        body: Any,
        status: int,
        now: float,
        content_type: str,
        retry_after: int | None = None,
    ) -> None:
        if method != "views.open":
            super()._record(method, args, body, status, now, content_type, retry_after)
            return
        # Not kept in `calls`: thousands of modals would only cost this process memory.
        with self._opened:
            self.opened[str(args.get("trigger_id"))] = (now, args.get("view") or {})
            self._opened.notify_all()

    def wait_opened(self, trigger_id: str, timeout: float = 15.0) -> tuple[float, dict[str, Any]] | None:
        with self._opened:
            self._opened.wait_for(lambda: trigger_id in self.opened, timeout=timeout)
            return self.opened.pop(trigger_id, None)


def type_command(fake: StopwatchSlack, port: int, user: FakeUser, typed: str) -> tuple[float, float, bytes, str]:
    """Send one signed slash command as Slack does; returns (sent at, answered at, body, trigger_id)."""
    ws = fake.workspace
    with ws.lock:
        where = ws.dm_channel(user.id)
        trigger_id = ws.issue_trigger(user.id)
        response_url = ws.issue_response_url(fake.url, user.id, where.id, None)
    fields = {
        "token": fake.verification_token,
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": where.id,
        "channel_name": "directmessage",
        "user_id": user.id,
        "user_name": user.name,
        "command": COMMAND,
        "text": typed,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    body = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(fake.signing_secret, body)}
    sent = time.time()
    # A new connection per request, as the fake's own actors (and urllib) do.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        if response.status != 200:
            raise RuntimeError(f"{typed!r}: HTTP {response.status} {raw[:200]!r}")
    finally:
        connection.close()
    return sent, time.time(), raw, trigger_id


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    errors: int = 0


def run_phase(fake: StopwatchSlack, app: AppProcess, people: list[FakeUser], typed: str, requests: int) -> Phase:
    """`requests` commands from len(people) people at once, each typing again as soon as answered."""
    phase = Phase()
    remaining = [requests]
    lock = threading.Lock()

    def person(user: FakeUser) -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                sent, answered, _, trigger_id = type_command(fake, app.port, user, typed)
                if typed == "join":
                    opened = fake.wait_opened(trigger_id)
                    if opened is None:
                        raise RuntimeError("no views.open")
                    answered = opened[0]
            except (OSError, RuntimeError):
                with lock:
                    phase.errors += 1
                continue
            with lock:
                phase.latencies.append(answered - sent)

    cpu_before, _ = app.stats()
    began = time.perf_counter()
    threads = [threading.Thread(target=person, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.wall = time.perf_counter() - began
    phase.cpu = app.stats()[0] - cpu_before
    return phase


def record_answers(fake: StopwatchSlack, app: AppProcess, people: list[FakeUser]) -> dict[str, Any]:
    """What Turnabout answers each person, for the bare app to answer with the very same bytes."""
    modals: dict[str, dict[str, Any]] = {}
    replies: dict[str, dict[str, Any]] = {}
    for user in people:
        _, _, _, trigger_id = type_command(fake, app.port, user, "join")
        opened = fake.wait_opened(trigger_id)
        if opened is None:
            raise RuntimeError(f"Turnabout opened no modal for {user.id}")
        modals[user.id] = opened[1]
        for typed in SCENARIOS.values():
            if typed != "join":
                raw = type_command(fake, app.port, user, typed)[2]
                replies.setdefault(user.id, {})[typed] = as_ack(raw)
    return {"modals": modals, "replies": replies}


def as_ack(raw: bytes) -> dict[str, Any]:
    """An answer as the arguments of Bolt's `ack`, which sends a lone text as text/plain and the rest as JSON."""
    try:
        fields = json.loads(raw)
    except ValueError:
        return {"text": raw.decode()}
    if not isinstance(fields, dict):
        raise RuntimeError(f"unexpected answer {raw[:100]!r}")
    return fields


# "paused until" is two weeks from the moment `pause` is typed, so that instant moves between two answers.
_INSTANT = re.compile(rb"<!date\^\d+")


def same_bytes(fake: StopwatchSlack, apps: list[AppProcess], people: list[FakeUser]) -> bool:
    """Whether both apps send each person the same modal and answer every command with the same bytes."""
    for user in people[:10]:
        bodies = []
        for app in apps:
            _, _, _, trigger_id = type_command(fake, app.port, user, "join")
            opened = fake.wait_opened(trigger_id)
            answers = [
                _INSTANT.sub(b"<!date^", type_command(fake, app.port, user, t)[2])
                for t in SCENARIOS.values()
                if t != "join"
            ]
            bodies.append((json.dumps(opened[1] if opened else None), answers))
        if bodies[0] != bodies[1]:
            return False
    return True


# -- the workspace and the database ------------------------------------------------------------------------------


def bench_people(count: int) -> list[FakeUser]:
    return [
        FakeUser(id=f"U0BENCH{i:03d}", name=f"bench{i}", real_name=f"Bench Person {i}", tz=ZONES[i % len(ZONES)])
        for i in range(count)
    ]


def populate(database_url: str, people: list[FakeUser], population: int) -> None:
    """`population` participants, and every other person typing among them (joined through the real use case)."""
    engine = make_engine(database_url)
    migrate(engine)
    now = datetime.now(UTC)
    joined = now - timedelta(days=60)
    rows = [
        {
            "slack_user_id": f"U{i:09d}",
            "team_id": "T0TURNABT",
            "name": f"Person {i}",
            "title": "",
            "tz": ZONES[i % len(ZONES)],
            "is_mentor": i % 2 == 0,
            "is_mentee": i % 2 == 1,
            "teach_topics": ["genai"] if i % 2 == 0 else [],
            "learn_topics": [] if i % 2 == 0 else ["genai"],
            "seniority": "early_career" if i % 2 == 0 else "executive",
            "department": "Data",
            "cadence": "biweekly",
            "capacity": 1,
            "goals": "",
            "manager_id": None,
            "sponsor_id": None,
            "do_not_match": [],
            "status": "active",
            "consented_at": joined,
            "joined_at": joined,
            "updated_at": joined,
        }
        for i in range(population)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Participant), rows[start : start + 10_000])
    for user in people[::2]:
        form = SignupForm(
            role=Role.BOTH,
            teach=("genai", "data_analytics"),
            learn=("social_media",),
            seniority=Seniority.MANAGER,
            department="Data",
            cadence=Cadence.MONTHLY,
            capacity=2,
            goals="Learn how a new generation sees our customers",
            sponsor_id="U000000001",
            manager_id="U000000002",
            do_not_match=("U000000003",),
            consent=True,
        )
        identity = SlackIdentity(user_id=user.id, team_id="T0TURNABT", name=user.real_name, title="", tz=user.tz)
        with session_scope(engine) as session:
            upsert_participant(session=session, form=form, identity=identity, now=now)
    engine.dispose()


@contextmanager
def database(kind: str, directory: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory}/turnabout.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- the run -----------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="commands per app, scenario and round")
    parser.add_argument("--concurrency", type=int, default=50, help="people typing at once")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each alternates which app goes first")
    parser.add_argument("--population", type=int, default=5000, help="participants already in the database")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--answers", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.api_url, args.database_url, args.answers)
        return 0
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    people = bench_people(args.concurrency)
    token, secret = "xoxb-" + uuid.uuid4().hex[:24], uuid.uuid4().hex
    fake = StopwatchSlack(
        bot_token=token, signing_secret=secret, users=people, rate_limits=False, auto_settle=False, app_timeout=30
    )
    fake.start()
    with tempfile.TemporaryDirectory() as directory, database(args.database, directory) as url:
        populate(url, people, args.population)
        keys = {"token": token, "secret": secret}
        turnabout = AppProcess("turnabout", fake.api_url, url, log=Path(directory) / "turnabout.log", **keys)
        apps = [turnabout]
        try:
            answers = Path(directory) / "answers.json"
            answers.write_text(json.dumps(record_answers(fake, turnabout, people)))
            bare = AppProcess("bare", fake.api_url, url, log=Path(directory) / "bare.log", answers=str(answers), **keys)
            apps.append(bare)
            identical = same_bytes(fake, apps, people)
            results: dict[tuple[str, str], list[Phase]] = {}
            for scenario in scenarios:
                for app in apps:  # warm both up: connection pools, Bolt's auth.test, caches
                    run_phase(fake, app, people, SCENARIOS[scenario], max(100, args.requests // 10))
            for round_ in range(args.rounds):
                for scenario in scenarios:
                    for app in apps if round_ % 2 == 0 else apps[::-1]:
                        phase = run_phase(fake, app, people, SCENARIOS[scenario], args.requests)
                        results.setdefault((scenario, app.kind), []).append(phase)
            peaks = {app.kind: app.stats()[1] for app in apps}
        finally:
            for app in apps:
                app.stop()
    fake.stop()
    report(args, results, peaks, identical)
    return 0


def report(
    args: argparse.Namespace, results: dict[tuple[str, str], list[Phase]], peaks: dict[str, int], identical: bool
) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"/mentoring latency: {os.cpu_count()} CPUs, {args.concurrency} people at once, {args.requests} commands per "
        f"app, scenario and round, {args.rounds} rounds, {args.database}, {args.population:,} participants"
    )
    same = "yes" if identical else "NO"
    print(f"bare app answers with the same bytes as Turnabout (modal and every reply, 'paused until' aside): {same}")
    header = (
        f"{'command':<22}{'app':<11}{'p50 ms':>8}{'p99 ms':>8}{'req/s':>8}{'CPU ms/req':>11}"
        f"{'peak RSS':>10}{'errors':>8}   {'p50 x':>6}{'p99 x':>6}"
    )
    print(header)
    print("-" * len(header))
    for scenario in dict.fromkeys(s for s, _ in results):
        p50s: dict[str, float] = {}
        p99s: dict[str, float] = {}
        for kind in ("turnabout", "bare"):
            phases = results[(scenario, kind)]
            latencies = [x for p in phases for x in p.latencies]
            done = len(latencies)
            p50s[kind], p99s[kind] = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
            throughput = done / sum(p.wall for p in phases)
            cpu = sum(p.cpu for p in phases) / max(1, done) * 1000
            ratio = ""
            if kind == "bare":
                ratio = f"   {p50s['turnabout'] / p50s['bare']:>6.2f}{p99s['turnabout'] / p99s['bare']:>6.2f}"
            label = f"{scenario} ({SCENARIOS[scenario]})" if kind == "turnabout" else ""
            print(
                f"{label:<22}{kind:<11}{p50s[kind]:>8.0f}{p99s[kind]:>8.0f}{throughput:>8.0f}{cpu:>11.2f}"
                f"{peaks[kind] / 1024:>6.0f} MiB{sum(p.errors for p in phases):>8}{ratio}"
            )
    print(
        f"latency: request sent -> views.open at Slack (join) or -> the HTTP answer (the rest); ratio Turnabout / bare"
        f"\nthis process (fake Slack and the people typing): peak RSS {own.ru_maxrss / 1024:.0f} MiB, "
        f"CPU {own.ru_utime + own.ru_stime:.1f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
