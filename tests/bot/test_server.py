"""The HTTP server: Slack's endpoint, a health check, and nothing else."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.logs import RedactSecrets
from bot.sandbox.local import LocalBot
from tests.support import join

# The HTTP server is what these test; a Socket Mode bot listens on no port.
pytestmark = pytest.mark.http_only


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


def _address(bot: LocalBot) -> tuple[str, int]:
    assert bot.fake.app_url is not None
    parsed = urllib.parse.urlsplit(bot.fake.app_url)
    assert parsed.hostname is not None and parsed.port is not None
    return parsed.hostname, parsed.port


def _raw(bot: LocalBot, request: bytes) -> bytes:
    with socket.create_connection(_address(bot), timeout=5) as connection:
        connection.sendall(request)
        return connection.recv(4096)


def test_a_slowloris_of_150_trickling_connections_does_not_stop_a_real_command(bot: LocalBot) -> None:
    """Waitress reads requests asynchronously: half-sent requests hold a socket each, not a worker thread."""
    trickling = []
    try:
        for _ in range(150):
            connection = socket.create_connection(_address(bot), timeout=5)
            connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: turnabout\r\nX-Slack-Sig")
            trickling.append(connection)
        for connection in trickling:
            connection.sendall(b"n")  # one more byte each: still alive, still incomplete
        started = time.monotonic()
        answer = bot.fake.user("U0PRIYA").slash("/mentoring", "help")
        elapsed = time.monotonic() - started
    finally:
        for connection in trickling:
            connection.close()
    assert answer.status == 200 and "/mentoring join" in answer.ephemeral_text
    assert elapsed < 3, f"Slack gives an app 3 seconds; this took {elapsed:.1f}"


def test_an_oversized_body_is_refused_before_it_is_read(bot: LocalBot) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: turnabout\r\nContent-Type: application/json\r\n"
        b"Content-Length: 20000000\r\n\r\n"
    )
    reply = _raw(bot, head + b"{")
    assert reply.startswith(b"HTTP/1.1 413"), reply[:80]


def test_an_unsigned_request_is_refused_with_one_line_and_no_traceback(
    bot: LocalBot, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"type": "not json at all'
    head = f"POST /slack/events HTTP/1.1\r\nHost: turnabout\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    with caplog.at_level(logging.INFO):
        reply = _raw(bot, head + body)
    assert reply.startswith(b"HTTP/1.1 401"), reply[:80]
    refusals = [r for r in caplog.records if "unsigned" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a request nobody signed"
