"""Fan-out through the fake Slack over each transport: one-to-one messages post to the user id, each conversation
gets its messages in order, a 429 storm is waited out with nothing sent twice, the rate limiter holds across
senders sharing the database, and the lead sees the round go out."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from bot.blocks import ids
from bot.domain.outbox import MessageKind
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import PEOPLE
from bot.usecases import rounds
from bot.usecases.delivery import Limiter, deliver
from storage.db import session_scope
from storage.outbox import Draft, enqueue
from tests.support import proposed_round


def posts(bot: LocalBot) -> list[tuple[str, str]]:
    """(conversation, text) of every post Slack accepted, in the order they arrived."""
    return [
        (str(c.response["channel"]), str(c.args.get("text")))
        for c in bot.fake.calls_to("chat.postMessage")
        if c.response.get("ok")
    ]


def queue(bot: LocalBot, *drafts: Draft) -> list[str]:
    with session_scope(bot.services.engine) as session:
        for draft in drafts:
            enqueue(session=session, draft=draft, now=bot.services.clock())
    return [d.key for d in drafts]


def note(key: str, *users: str) -> Draft:
    return Draft(key=key, kind=MessageKind.GUIDE, users=list(users), text=key, blocks=[])


def test_one_to_one_messages_open_no_conversation_and_each_group_opens_once(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle(timeout=30)
    opened = [c.args["users"] for c in bot.fake.calls_to("conversations.open")]
    assert opened, "the introductions went to group DMs"
    assert all("," in users for users in opened), "never opened for one person"
    assert len(opened) == len(set(opened)), "each group's conversation opened once"
    to_one = [c.args["channel"] for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel", "")[:1] == "U"]
    assert to_one, "guides, waitlist notes and the preview were posted to user ids"


def test_a_conversation_gets_its_messages_in_order_while_others_go_alongside(bot: LocalBot) -> None:
    bot.fake.latency = 0.05
    people = ["U0PRIYA", "U0TOM", "U0AMARA"]
    keys = queue(bot, *(note(f"order:{user}:{n}", user) for n in range(6) for user in people))
    report = deliver(bot.services, bot.app.client, keys=keys)
    assert report.sent == len(keys)
    for user in people:
        mine = [text for _, text in posts(bot) if text.startswith(f"order:{user}:")]
        assert mine == [f"order:{user}:{n}" for n in range(6)]


def test_a_429_storm_is_waited_out_and_sends_each_message_once(bot: LocalBot) -> None:
    keys = queue(bot, *(note(f"storm:{n}", user) for n, user in enumerate(["U0PRIYA", "U0TOM", "U0AMARA", "U0LEO"])))
    # More 429s in a row than the client retries by itself: the sender waits them out too.
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=1, times=20)
    report = deliver(bot.services, bot.app.client, keys=keys)
    assert (report.sent, report.failed) == (4, 0)
    assert report.rate_limited >= 1, "a 429 reached the sender"
    sent = Counter(text for _, text in posts(bot))
    assert sent == Counter({f"storm:{n}": 1 for n in range(4)})
    refused = [c for c in bot.fake.calls_to("chat.postMessage") if c.status == 429]
    accepted = [c for c in bot.fake.calls_to("chat.postMessage") if c.status == 200]
    assert len(refused) == 20
    # Nothing got through before the first Retry-After had passed.
    assert min(c.time for c in accepted) >= min(c.time for c in refused) + 1 - 0.05


def test_two_senders_sharing_the_database_keep_to_one_budget(bot: LocalBot) -> None:
    users = [person.id for person in PEOPLE][:8]
    keys = queue(bot, *(note(f"shared:{n}", user) for n, user in enumerate(users)))
    budget, window = 3, 2.0
    # The senders count a second longer than Slack does, as `RATE_MARGIN` makes them in production.
    # Each sender has its own limiter, as separate processes would: only the database is shared.
    rates = {"chat.postMessage": budget}
    senders = [
        threading.Thread(
            target=deliver,
            args=(bot.services, bot.app.client),
            kwargs={
                "keys": keys,
                "limiter": Limiter(bot.services.engine, rates=rates, window=window + 1.0),
            },
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)
    assert sorted(text for _, text in posts(bot)) == sorted(keys), "each once"
    assert bot.fake.most_in_window("chat.postMessage", window) <= budget
    assert bot.fake.most_in_window("chat.postMessage", window * 2) > budget, "they did run at the budget's pace"


@pytest.mark.http_only
def test_the_leads_preview_counts_the_round_going_out_and_says_what_failed(
    bot: LocalBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rounds, "PROGRESS_EVERY", 0.0)
    bot.fake.latency = 0.05
    lead = proposed_round(bot)
    bot.fake.fail_next("conversations.open", error="user_not_found")
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle(timeout=30)
    updates = [str(c.args.get("text")) + str(c.args.get("blocks")) for c in bot.fake.calls_to("chat.update")]
    assert any("Sent " in u and " of " in u and "messages" in u for u in updates), updates
    final = updates[-1]
    assert "could not be sent" in final and "not in this workspace" in final
    lead_dm = [c for c in bot.fake.calls_to("chat.update") if c.response.get("ok")]
    assert all(c.response["channel"] == lead_dm[0].response["channel"] for c in lead_dm), "one message, edited"
