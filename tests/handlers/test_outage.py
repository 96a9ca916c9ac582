"""The database going away and coming back (PostgreSQL behind a proxy we can cut): every answer is a clear
private word, nothing is half-written, nothing is lost or sent twice, and the same action works afterwards."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.blocks import ids, replies
from bot.sandbox.local import LocalBot, local_bot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL, PEOPLE
from storage.db import session_scope
from storage.models import MatchRound, OutboxMessage, Pairing, Participant
from tests.netfaults import TcpProxy
from tests.support import MENTOR_ANSWERS, proposed_round, stored

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_bot(postgres_schema_url: str, proxy: TcpProxy) -> Iterator[LocalBot]:
    with local_bot(
        database_url=proxy.route(postgres_schema_url),
        users=PEOPLE,
        channels=[LEADS_CHANNEL],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
    ) as running:
        yield running
        if not proxy.is_up:
            proxy.up()
        running.settle()
        assert running.fake.violations == [], "the bot broke Slack's contract"


def health(bot: LocalBot) -> int:
    url = (bot.fake.app_url or "").replace("/slack/events", "/healthz")
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def rows(bot: LocalBot, model: type) -> list[object]:
    with session_scope(bot.services.engine) as session:
        return list(session.exec(select(model)))


def test_a_sign_up_during_an_outage_keeps_the_modal_open_and_works_once_the_database_is_back(
    pg_bot: LocalBot, proxy: TcpProxy
) -> None:
    priya = pg_bot.fake.user("U0PRIYA")
    priya.slash("/mentoring", "join")
    assert priya.modal is not None

    proxy.down()
    refused = priya.submit(MENTOR_ANSWERS)
    assert refused.status == 200 and refused.elapsed < 3
    assert not refused.closed, "the modal closed as if the sign-up had been saved"
    assert list(refused.errors.values()) == [replies.NOT_SAVED]
    status = priya.slash("/mentoring", "status")
    assert status.status == 200 and replies.STORE_DOWN in str(status.body)
    assert health(pg_bot) == 503
    pg_bot.settle()
    assert priya.dm_texts == [], "a welcome for a sign-up that was never stored"

    proxy.up()
    assert health(pg_bot) == 200
    assert stored(pg_bot, "U0PRIYA") is None, "half of the failed sign-up was kept"
    saved = priya.submit()  # the same modal, answers still filled in
    assert saved.closed, saved.errors
    pg_bot.settle()
    assert stored(pg_bot, "U0PRIYA") is not None
    assert len(priya.dm_texts) == 1, priya.dm_texts
    assert "You haven't joined" not in priya.slash("/mentoring", "status").ephemeral_text


def test_approving_during_an_outage_sends_nothing_and_approving_again_introduces_each_pair_once(
    pg_bot: LocalBot, proxy: TcpProxy
) -> None:
    lead = proposed_round(pg_bot)
    before = len(pg_bot.fake.calls_to("chat.postMessage"))

    proxy.down()
    refused = lead.click(ids.A_MATCH_APPROVE)
    pg_bot.settle()
    assert refused.status == 200
    assert replies.STORE_DOWN in lead.ephemeral_texts[-1]
    assert len(pg_bot.fake.calls_to("chat.postMessage")) == before, "something went out while nothing was stored"

    proxy.up()
    assert all(r.status == "draft" for r in rows(pg_bot, MatchRound))  # type: ignore[attr-defined]
    assert rows(pg_bot, Pairing) and all(p.status == "proposed" for p in rows(pg_bot, Pairing))  # type: ignore[attr-defined]
    lead.click(ids.A_MATCH_APPROVE)
    pg_bot.settle()
    messages = rows(pg_bot, OutboxMessage)
    assert messages and all(m.status == "sent" for m in messages)  # type: ignore[attr-defined]
    intros = [c for c in pg_bot.fake.calls_to("chat.postMessage") if "Meet your" in str(c.args)]
    assert len(intros) == 3
    assert len({c.args["channel"] for c in intros}) == 3


def test_a_pause_during_an_outage_is_refused_politely_and_changes_nothing(pg_bot: LocalBot, proxy: TcpProxy) -> None:
    priya = pg_bot.fake.user("U0PRIYA")
    priya.slash("/mentoring", "join")
    assert priya.submit(MENTOR_ANSWERS).closed
    pg_bot.settle()

    proxy.down()
    answer = priya.slash("/mentoring", "pause 2")
    assert answer.status == 200 and replies.STORE_DOWN in str(answer.body)
    proxy.up()
    participant = stored(pg_bot, "U0PRIYA")
    assert isinstance(participant, Participant) and participant.status == "active"
    assert "You're paused until" in priya.slash("/mentoring", "pause 2").ephemeral_text
