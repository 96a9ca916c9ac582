"""Slack signature verification stays on: forged, unsigned and stale requests are refused."""

from __future__ import annotations

import time
import urllib.parse

from bot.sandbox.local import LocalBot
from tests.support import stored


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


def test_forged_unsigned_and_stale_requests_get_401(bot: LocalBot) -> None:
    forged = bot.fake.post_raw(slash_body(), secret="not-the-signing-secret")
    unsigned = bot.fake.post_raw(slash_body(), sign=False)
    stale = bot.fake.post_raw(slash_body(), timestamp=int(time.time()) - 301)
    from_the_future = bot.fake.post_raw(slash_body(), timestamp=int(time.time()) + 301)
    assert [r.status for r in (forged, unsigned, stale, from_the_future)] == [401, 401, 401, 401]
    bot.settle()
    assert bot.fake.calls_to("views.open") == []


def test_a_properly_signed_request_within_five_minutes_is_accepted(bot: LocalBot) -> None:
    result = bot.fake.post_raw(slash_body(text="help"), timestamp=int(time.time()) - 240)
    assert result.status == 200
    assert "/mentoring join" in str(result.body)


def test_a_forged_submission_stores_nothing(bot: LocalBot) -> None:
    payload = '{"type":"view_submission","user":{"id":"U0TOM"},"view":{"id":"V1","callback_id":"signup"}}'
    result = bot.fake.post_raw("payload=" + urllib.parse.quote(payload), secret="guess")
    assert result.status == 401
    assert stored(bot, "U0TOM") is None
