"""The app factory: one builder for Socket Mode, HTTP mode, the sandbox and tests."""

from __future__ import annotations

from pathlib import Path

from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.app import build_app, build_client
from bot.config import Mode, load_settings
from bot.sandbox.fake_slack import FakeSlack


def verifies_signatures(app: object) -> bool:
    return any(isinstance(m, RequestVerification) for m in app._middleware_list)  # type: ignore[attr-defined]


def test_http_mode_verifies_signatures_and_socket_mode_need_not(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-app-test", signing_secret="s") as fake:
        common = dict(
            slack_bot_token="xoxb-app-test", slack_api_url=fake.api_url, database_url=f"sqlite:///{tmp_path / 'a.db'}"
        )
        http = load_settings(env_file=None, slack_signing_secret="s", **common)
        socket = load_settings(env_file=None, slack_app_token="xapp-1-A0-1-abc", **common)
        assert (http.mode, socket.mode) == (Mode.HTTP, Mode.SOCKET)
        assert verifies_signatures(build_app(http))
        assert not verifies_signatures(build_app(socket))


def test_the_client_retries_rate_limits_and_dropped_connections() -> None:
    client = build_client(load_settings(env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s"))
    kinds = {type(h) for h in client.retry_handlers}
    assert {RateLimitErrorRetryHandler, ConnectionErrorRetryHandler} <= kinds
    assert client.base_url == "https://slack.com/api/"
