"""Fan-out benchmark: approve a large round against the fake Slack enforcing Slack's rate-limit tiers, with a
round trip of `--latency` seconds per Web API call, in real time, and compare with the least time the tiers allow.

    .venv/bin/python bench/bench_fanout.py --pairs 1000
    .venv/bin/python bench/bench_fanout.py --pairs 60 --groups 0 --waitlist 10

Prints one table: the message mix, the minimum the tiers allow for it, the actual time, their ratio, duplicates,
losses, 429s (received, honoured), the most calls Slack accepted in any minute per method against its tier, and
peak RSS.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient
from sqlmodel import select

from bot.app import build_client
from bot.config import load_settings
from bot.domain.catalogue import load_catalogue
from bot.domain.outbox import MessageKind
from bot.domain.people import Cadence, Seniority
from bot.sandbox.fake_slack import FakeSlack, FakeUser
from bot.usecases import rounds
from bot.usecases.services import Services
from storage.db import make_engine, migrate, session_scope
from storage.models import OutboxMessage, OutboxStatus, Participant
from storage.pairings import NewPair, NewUnmatched, create_round

LEAD = "U0LEAD"
WINDOW = 60.0


def people(pairs: int, groups: int, group_size: int, waitlist: int) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Mentors with their mentees (`groups` mentors with `group_size` mentees, the rest one each), and the
    people left waiting."""
    mentors: list[tuple[str, list[str]]] = []
    mentee = 0
    for m in range(groups + (pairs - groups * group_size)):
        size = group_size if m < groups else 1
        mentors.append((f"U1M{m:05d}", [f"U1E{mentee + i:05d}" for i in range(size)]))
        mentee += size
    return mentors, [f"U1W{w:05d}" for w in range(waitlist)]


def participant(user_id: str, *, mentor: bool, now: datetime) -> Participant:
    return Participant(
        slack_user_id=user_id,
        name=f"Person {user_id}",
        title="Engineer",
        is_mentor=mentor,
        is_mentee=not mentor,
        seniority=Seniority.EARLY_CAREER if mentor else Seniority.SENIOR,
        department="Product" if mentor else "Sales",
        teach_topics=["genai"] if mentor else [],
        learn_topics=[] if mentor else ["genai"],
        cadence=Cadence.BIWEEKLY,
        capacity=3,
        consented_at=now,
        joined_at=now,
        updated_at=now,
    )


def minimum_seconds(calls: Counter[str], tiers: dict[str, int], latency: float, chained: bool) -> float:
    """The least time Slack's sliding windows allow for these calls: `n` calls of a method limited to `N` a
    minute need ceil(n / N) windows, the last starting (ceil(n / N) - 1) minutes after the first call; a group's
    post waits for its conversations.open's answer (one round trip), and the last answer comes one round trip
    after the last call."""
    span = {m: WINDOW * (math.ceil(n / tiers[m]) - 1) for m, n in calls.items() if n}
    opens = span.get("conversations.open", -math.inf) + (latency if chained else 0.0)
    return max(opens, span.get("chat.postMessage", 0.0)) + latency


def run(args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    mentors, waiting = people(args.pairs, args.groups, args.group_size, args.waitlist)
    everyone = [LEAD] + [u for m, ms in mentors for u in (m, *ms)] + waiting
    fake = FakeSlack(users=[FakeUser(id=u, name=u.lower(), tz="UTC") for u in everyone], latency=args.latency)
    fake.start()
    tiers = {
        m: int(fake.contract["rate_limit_tiers"][s["tier"]]["per_minute"]) for m, s in fake.contract["methods"].items()
    }
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'fanout.db'}"
        engine = make_engine(url)
        migrate(engine)
        settings = load_settings(
            env_file=None,
            slack_bot_token=fake.bot_token,
            slack_api_url=fake.api_url,
            database_url=url,
            turnabout_leads=LEAD,
        )
        services = Services(settings=settings, engine=engine, catalogue=load_catalogue())
        client: WebClient = build_client(settings)
        with session_scope(engine) as session:
            for mentor, mentees in mentors:
                session.add(participant(mentor, mentor=True, now=now))
                for m in mentees:
                    session.add(participant(m, mentor=False, now=now))
            for w in waiting:
                session.add(participant(w, mentor=False, now=now))
            pairs = [
                NewPair(mentor, m, 80.0, ["genai"], ["both want generative AI"], Cadence.BIWEEKLY)
                for mentor, mentees in mentors
                for m in mentees
            ]
            unmatched = [NewUnmatched(w, "mentee", "no mentor teaches what you want to learn yet") for w in waiting]
            match_round = create_round(
                session=session, lead_id=LEAD, pairs=pairs, unmatched=unmatched, total_score=80.0 * len(pairs), now=now
            )
            round_id = match_round.id
        assert round_id is not None
        draft = rounds.load_round(services, round_id)
        assert draft is not None
        rounds.send_round(services, client, rounds.Approval(False, draft, []))  # the lead's preview, posted
        fake.calls.clear()
        fake.reset_rate_limits()
        started = fake.clock()
        clock_start = time.monotonic()
        approval = rounds.approve(services, round_id=round_id, lead_id=LEAD)
        rounds.send_round(services, client, approval)
        elapsed = time.monotonic() - clock_start
        with session_scope(engine) as session:
            rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.key.in_(approval.keys))))  # type: ignore[attr-defined]
        engine.dispose()
    kinds = Counter(str(r.kind) for r in rows)
    lost = sum(1 for r in rows if r.status != OutboxStatus.SENT) + len(approval.keys) - len(rows)
    posted = [c for c in fake.calls_to("chat.postMessage") if c.response.get("ok")]
    last_post = max((c.time for c in posted), default=started)
    copies = Counter((c.response["channel"], str(c.args.get("text"))) for c in posted)
    duplicates = sum(n - 1 for n in copies.values())
    refused = [c for c in fake.calls if c.status == 429]
    honoured = 0
    for c in refused:
        wait = float(c.retry_after or 0)
        later = [d for d in fake.calls if d.method == c.method and d.args == c.args and d.time > c.time]
        honoured += bool(later) and min(d.time for d in later) >= c.time + wait - 0.05
    calls = Counter(c.method for c in fake.calls if c.status != 429)
    round_calls = Counter({"conversations.open": kinds[MessageKind.INTRO], "chat.postMessage": len(rows)})
    minimum = minimum_seconds(round_calls, tiers, args.latency, chained=kinds[MessageKind.INTRO] > 0)
    actual = last_post - started + args.latency
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fake.stop()

    ms = args.latency * 1000
    print(f"Fan-out: {args.pairs:,} pairs approved, fake Slack enforcing the tiers, {ms:.0f} ms a call, real time")
    mix = ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items()))
    print(f"messages: {len(rows):,} ({mix})")
    print(f"{len(mentors):,} mentors, {args.groups:,} of them with {args.group_size} mentees")
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print()
    print(f"{'figure':<44}{'value':>14}  goal")
    print("-" * 72)
    print(f"{'minimum the tiers allow':<44}{minimum:>12.1f} s")
    print(f"{'actual (approve to last answer)':<44}{actual:>12.1f} s")
    print(f"{'ratio':<44}{actual / minimum:>13.2f}x  <= 1.15x")
    print(f"{'whole send_round call (final preview incl.)':<44}{elapsed:>12.1f} s")
    print(f"{'duplicates':<44}{duplicates:>14}  0")
    print(f"{'losses':<44}{lost:>14}  0")
    print(f"{'429s received / honoured':<44}{f'{len(refused)} / {honoured}':>14}  all honoured")
    for method in ("conversations.open", "chat.postMessage", "chat.update"):
        most = fake.most_in_window(method)
        print(f"{'max in any minute: ' + method:<44}{f'{most} / {tiers[method]}':>14}  <= tier ({calls[method]} calls)")
    print(f"{'preview updates (chat.update)':<44}{calls['chat.update']:>14}")
    print(f"{'peak RSS':<44}{rss:>10.0f} MiB  < 1 GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=200, help="mentors with --group-size mentees")
    parser.add_argument("--group-size", type=int, default=3)
    parser.add_argument("--waitlist", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
