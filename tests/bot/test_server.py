"""The HTTP server: Slack's endpoint, a health check, and nothing else."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

import pytest

from bot.logs import RedactSecrets
from bot.sandbox.local import LocalBot
from tests.support import join


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_healthz_answers_while_the_database_does(bot: LocalBot) -> None:
    assert bot.fake.app_url is not None
    base = bot.fake.app_url.removesuffix("/slack/events")
    status, body = get(base + "/healthz")
    assert status == 200 and json.loads(body) == {"ok": True, "database": "reachable"}
    assert get(base + "/nothing-here")[0] == 404
    assert get(base + "/slack/events")[0] == 404, "Slack only POSTs"


def test_no_token_or_secret_reaches_the_logs(bot: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    handler_filter = RedactSecrets([bot.settings.slack_signing_secret or ""])
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.DEBUG):
        join(bot.fake.user("U0PRIYA"))
        bot.settle()
        logging.getLogger("test").warning("leaked %s and %s", bot.settings.slack_bot_token, "xapp-1-A0-123-abc")
    assert caplog.records, "debug logging produced records"
    text = caplog.text
    assert bot.settings.slack_bot_token and bot.settings.slack_bot_token not in text
    assert bot.settings.slack_signing_secret and bot.settings.slack_signing_secret not in text
    assert "xapp-1-A0-123-abc" not in text and "[redacted]" in text
