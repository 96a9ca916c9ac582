"""Slack signature verification stays on: forged, unsigned and stale requests are refused."""

from __future__ import annotations

import copy
import logging
import time
import urllib.parse
from typing import Any

import pytest

from bot.blocks import ids, replies
from bot.domain.rounds import PairingStatus
from bot.sandbox.fake_slack.actors import FakeUserActor
from bot.sandbox.local import LocalBot
from tests.handlers.test_matching import pairs
from tests.support import proposed_round, stored


def slash_body(user_id: str = "U0PRIYA", text: str = "join") -> str:
    return urllib.parse.urlencode(
        {
            "command": "/mentoring",
            "text": text,
            "user_id": user_id,
            "team_id": "T0TURNABT",
            "channel_id": "D0000000001",
            "trigger_id": "1.2.forged",
            "response_url": "http://127.0.0.1:9/nowhere",
        }
    )


@pytest.mark.http_only  # Socket Mode carries no signature
def test_forged_unsigned_and_stale_requests_get_401(bot: LocalBot) -> None:
    forged = bot.fake.post_raw(slash_body(), secret="not-the-signing-secret")
    unsigned = bot.fake.post_raw(slash_body(), sign=False)
    stale = bot.fake.post_raw(slash_body(), timestamp=int(time.time()) - 301)
    from_the_future = bot.fake.post_raw(slash_body(), timestamp=int(time.time()) + 301)
    assert [r.status for r in (forged, unsigned, stale, from_the_future)] == [401, 401, 401, 401]
    bot.settle()
    assert bot.fake.calls_to("views.open") == []


@pytest.mark.http_only  # Socket Mode carries no signature
def test_a_properly_signed_request_within_five_minutes_is_accepted(bot: LocalBot) -> None:
    result = bot.fake.post_raw(slash_body(text="help"), timestamp=int(time.time()) - 240)
    assert result.status == 200
    assert "/mentoring join" in str(result.body)


@pytest.mark.http_only  # Socket Mode carries no signature
def test_a_forged_submission_stores_nothing(bot: LocalBot) -> None:
    payload = '{"type":"view_submission","user":{"id":"U0TOM"},"view":{"id":"V1","callback_id":"signup"}}'
    result = bot.fake.post_raw("payload=" + urllib.parse.quote(payload), secret="guess")
    assert result.status == 401
    assert stored(bot, "U0TOM") is None


@pytest.mark.parametrize("forged", ["abc", "1e5", "9" * 40, "²", "-1", ""])
def test_a_forged_button_value_gets_a_friendly_answer_and_changes_nothing(
    bot: LocalBot, forged: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Action values are ids we wrote; anything else is answered kindly, without a traceback in the logs."""
    lead = proposed_round(bot)
    before = pairs(bot, PairingStatus.PROPOSED)
    clicked = lead.click(ids.A_MATCH_DROP, value=buttons(lead, ids.A_MATCH_DROP)[0]["value"])
    bot.settle()
    dropped = before - pairs(bot, PairingStatus.PROPOSED)
    assert len(dropped) == 1, "the real click works"
    payload = copy.deepcopy(clicked.payload)
    payload["actions"][0]["value"] = forged
    with caplog.at_level(logging.WARNING):
        again = bot.fake.send_interaction(payload)
        bot.settle()
    assert again.status == 200
    assert any(replies.STALE_BUTTON in str(e) for e in lead.ephemerals)
    assert pairs(bot, PairingStatus.PROPOSED) == before - dropped, "nothing else was dropped"
    assert [r for r in caplog.records if r.exc_info] == [], "no traceback for a forged value"


@pytest.mark.parametrize("action_id", [ids.A_MATCH_DISCARD, ids.A_MATCH_APPROVE, ids.A_MATCH_DROP])
def test_a_leads_button_forged_by_someone_else_is_refused_and_changes_nothing(bot: LocalBot, action_id: str) -> None:
    lead = proposed_round(bot)
    # A real click first, for a well-formed payload to forge from (and a preview still under review).
    clicked = lead.click(ids.A_MATCH_DROP, value=buttons(lead, ids.A_MATCH_DROP)[0]["value"])
    bot.settle()
    before = pairs(bot, PairingStatus.PROPOSED)
    # Tom can't see the lead's preview; he replays a click on it as himself, with the round's real ids.
    template = buttons(lead, action_id)[0]
    payload = copy.deepcopy(clicked.payload)
    payload["user"] = {**payload["user"], "id": "U0TOM", "username": "tom", "name": "tom"}
    payload["actions"] = [{**payload["actions"][0], "action_id": action_id, "value": template["value"]}]
    result = bot.fake.send_interaction(payload)
    bot.settle()
    assert result.status == 200
    assert pairs(bot, PairingStatus.PROPOSED) == before, "nothing dropped, approved or discarded"
    assert any(replies.NOT_A_LEAD in text for text in lead.ephemeral_texts), "the refusal went to the clicker's reply"


def buttons(lead: FakeUserActor, action_id: str) -> list[dict[str, Any]]:
    """The buttons with this action id on the lead's preview (in actions blocks or as accessories)."""
    found = []
    for block in lead.dms[-1]["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                found.append(element)
    return found
