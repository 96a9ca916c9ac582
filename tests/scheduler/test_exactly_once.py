"""Exactly once, with real processes on the PostgreSQL server: two senders at once, and a crash mid-sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.domain.outbox import MessageKind
from bot.failpoints import EXIT_CODE
from bot.sandbox.clock import SimClock
from bot.sandbox.fake_slack import FakeUser
from bot.sandbox.local import LocalBot, local_bot
from bot.usecases.delivery import SENDERS
from storage.db import session_scope
from storage.models import OutboxMessage
from storage.outbox import Draft, enqueue
from tests.support import ROOT

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PEOPLE = [FakeUser(id=f"U0P{i:03d}", name=f"person{i}", real_name=f"Person {i}", tz="UTC") for i in range(60)]
PER_PERSON = 4


@pytest.fixture
def queued(postgres_schema_url: str) -> Iterator[tuple[LocalBot, str]]:
    """A bot on PostgreSQL with 240 messages waiting in the outbox."""
    with local_bot(database_url=postgres_schema_url, users=PEOPLE, rate_limits=False, clock=SimClock(NOW)) as bot:
        with session_scope(bot.services.engine) as session:
            for person in PEOPLE:
                for n in range(PER_PERSON):
                    key = f"test:{person.id}:{n}"
                    draft = Draft(key=key, kind=MessageKind.GUIDE, users=[person.id], text=key, blocks=[])
                    enqueue(session=session, draft=draft, now=NOW)
        yield bot, postgres_schema_url


def tick(bot: LocalBot, url: str, now: datetime, **env: str) -> subprocess.Popen[str]:
    """`python -m bot tick --now ...` as cron would run it, in its own process."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TURNABOUT_", "DATABASE_URL"))}
    environment.update(
        SLACK_BOT_TOKEN=bot.settings.slack_bot_token or "",
        SLACK_API_URL=bot.fake.api_url,
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--now", now.isoformat()],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivered(bot: LocalBot) -> Counter[str]:
    return Counter(c.args["text"] for c in bot.fake.calls_to("chat.postMessage") if c.response.get("ok"))


def statuses(bot: LocalBot) -> Counter[str]:
    with session_scope(bot.services.engine) as session:
        return Counter(m.status for m in session.exec(select(OutboxMessage)))


def test_two_processes_sharing_the_database_send_each_message_once(queued: tuple[LocalBot, str]) -> None:
    bot, url = queued
    first, second = tick(bot, url, NOW), tick(bot, url, NOW)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    sent = delivered(bot)
    assert len(sent) == len(PEOPLE) * PER_PERSON
    assert set(sent.values()) == {1}, "no message twice"
    assert statuses(bot) == Counter({"sent": len(PEOPLE) * PER_PERSON})
    # Both processes did part of the work: the row locks shared it out rather than serialising it.
    counts = [int(out.split("sent ")[1].split()[0].rstrip(",")) for out, _ in outputs]
    assert sum(counts) == len(PEOPLE) * PER_PERSON


def test_a_crash_between_claim_and_send_loses_nothing_and_repeats_nothing(queued: tuple[LocalBot, str]) -> None:
    bot, url = queued
    crashed = tick(bot, url, NOW, TURNABOUT_FAILPOINTS="outbox.after_claim")
    _, err = crashed.communicate(timeout=120)
    assert crashed.returncode == EXIT_CODE, err
    assert delivered(bot) == Counter(), "it died before sending anything"
    assert statuses(bot)["sending"] > 0, "its claims were committed"

    # Another run while the dead process's lease still holds leaves those rows alone...
    during = tick(bot, url, NOW + timedelta(minutes=1))
    during.communicate(timeout=120)
    leased = statuses(bot)["sending"]
    assert leased > 0
    # ...and once the lease has run out, the next sweep sends them. Everything once.
    after = tick(bot, url, NOW + timedelta(minutes=5))
    _, err = after.communicate(timeout=120)
    assert after.returncode == 0, err
    sent = delivered(bot)
    assert len(sent) == len(PEOPLE) * PER_PERSON and set(sent.values()) == {1}
    assert statuses(bot) == Counter({"sent": len(PEOPLE) * PER_PERSON})


def test_the_crash_window_repeats_only_the_message_in_flight_and_only_once(queued: tuple[LocalBot, str]) -> None:
    """The one documented repeat: killed after Slack accepted a message and before its row said so. Several
    conversations are served at once, so the messages in flight then (at most one per sender thread) are it."""
    bot, url = queued
    crashed = tick(bot, url, NOW, TURNABOUT_FAILPOINTS="outbox.after_send")
    _, err = crashed.communicate(timeout=120)
    assert crashed.returncode == EXIT_CODE, err
    in_flight = set(delivered(bot))  # what got out before the kill: only what was in flight
    assert 1 <= len(in_flight) <= SENDERS
    after = tick(bot, url, NOW + timedelta(minutes=5))
    _, err = after.communicate(timeout=120)
    assert after.returncode == 0, err
    again = tick(bot, url, NOW + timedelta(minutes=10))
    again.communicate(timeout=120)
    sent = delivered(bot)
    assert len(sent) == len(PEOPLE) * PER_PERSON, "nothing lost"
    assert {text for text, times in sent.items() if times > 1} == in_flight
    assert {sent[text] for text in in_flight} == {2}
    assert statuses(bot) == Counter({"sent": len(PEOPLE) * PER_PERSON})


def test_a_stop_signal_finishes_the_message_in_hand_and_repeats_nothing(queued: tuple[LocalBot, str]) -> None:
    bot, url = queued
    # Slack answering slowly, so the stop lands mid-batch.
    bot.fake.fail_next("chat.postMessage", error="", status=200, times=10_000, delay=0.02)
    running = tick(bot, url, NOW)
    bot.fake.wait_until(lambda: len(delivered(bot)) >= 5, timeout=60)
    running.send_signal(signal.SIGTERM)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 0, err
    first = delivered(bot)
    assert 0 < len(first) < len(PEOPLE) * PER_PERSON
    after = tick(bot, url, NOW + timedelta(minutes=5))
    after.communicate(timeout=120)
    sent = delivered(bot)
    assert len(sent) == len(PEOPLE) * PER_PERSON and set(sent.values()) == {1}
