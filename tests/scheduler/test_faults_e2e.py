"""Slack misbehaving while a round fans out and while the sweep runs: 500s, 429 storms, a dropped connection and
errors no retry can fix. Each ends with nothing lost and nothing sent twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import select

from bot.blocks import ids
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEADS_CHANNEL
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from tests.support import proposed_round


def introductions(bot: LocalBot) -> Counter[str]:
    """Introductions Slack accepted, by conversation."""
    return Counter(
        c.response["channel"]
        for c in bot.fake.calls_to("chat.postMessage")
        if c.response.get("ok") and "Meet your" in str(c.args)
    )


def statuses(bot: LocalBot) -> Counter[str]:
    with session_scope(bot.services.engine) as session:
        return Counter(str(m.status) for m in session.exec(select(OutboxMessage)))


def sweep_later(bot: LocalBot, hours: float) -> None:
    later = bot.services.clock() + timedelta(hours=hours)
    object.__setattr__(bot.services, "clock", lambda: later)
    run_due_jobs(bot.services, bot.app.client, now=later)
    bot.settle()


def test_a_429_storm_during_the_fan_out_is_waited_out_and_introduces_each_pair_once(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=1, times=2)
    bot.fake.fail_next("conversations.open", error="ratelimited", retry_after=1, times=1)
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle(timeout=30)
    sweep_later(bot, hours=2)
    assert sorted(introductions(bot).values()) == [1, 1, 1]
    assert set(statuses(bot)) == {OutboxStatus.SENT}


def test_500s_and_a_dropped_connection_mid_fan_out_then_the_sweep_send_everything_once(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    bot.fake.fail_next("chat.postMessage", error="internal_error", status=500, times=2)
    bot.fake.fail_next("chat.postMessage", reset=True, times=3)  # beyond the client's own reconnect retries
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle(timeout=30)
    assert statuses(bot)[OutboxStatus.SENT] < sum(statuses(bot).values()), "some were kept for later"
    sweep_later(bot, hours=2)
    sweep_later(bot, hours=4)
    assert sorted(introductions(bot).values()) == [1, 1, 1]
    assert set(statuses(bot)) == {OutboxStatus.SENT}


def test_an_error_no_retry_can_fix_stops_for_that_message_and_the_leads_hear_once(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    bot.fake.fail_next("chat.postMessage", error="account_inactive")
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    for _ in range(3):
        sweep_later(bot, hours=3)
    assert statuses(bot)[OutboxStatus.FAILED] == 1
    assert statuses(bot)[OutboxStatus.SENT] == sum(statuses(bot).values()) - 1
    refused = [c for c in bot.fake.calls_to("chat.postMessage") if not c.response.get("ok")]
    assert len(refused) == 1, "a refusal for good is never retried"
    alerts = [m for m in bot.fake.messages(LEADS_CHANNEL.id) if "couldn't deliver" in str(m.get("text"))]
    assert len(alerts) == 1
    assert max(introductions(bot).values()) == 1
