"""Fixtures for the fake Slack's own tests: a started fake and a throwaway Bolt app served over HTTP.

The Bolt app is built inside the tests (not the product's app) so these tests prove the fake against
Slack's own framework, independently of the code being written against it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from bot.sandbox.fake_slack import FakeSlack, FakeUser
from bot.sandbox.fake_slack.contract import default_oracles_dir
from bot.sandbox.local import TrackingExecutor

TOKEN = "xoxb-test"
SECRET = "s3cret"

PEOPLE = [
    FakeUser(id="U0PRIYA", name="priya", real_name="Priya Nair", title="Data Analyst", tz="Asia/Kolkata"),
    FakeUser(id="U0BOB", name="bob", real_name="Bob Stone", title="VP Sales", tz="America/New_York"),
    FakeUser(id="U0CAROL", name="carol", real_name="Carol Diaz", title="Designer", tz="Europe/London"),
    FakeUser(id="U0GONE", name="gone", real_name="Gone Person", deleted=True),
]


@pytest.fixture
def oracles_dir() -> Path:
    """The Slack oracle directory; tests that need it are skipped where it does not exist."""
    path = default_oracles_dir()
    if not (path / "README.txt").exists():
        pytest.skip(f"Slack oracles not available at {path} (set SLACK_ORACLES_DIR)")
    return path


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A started fake workspace; it must end every test without contract violations unless cleared."""
    slack = FakeSlack(bot_token=TOKEN, signing_secret=SECRET, users=PEOPLE, settle_quiet=0.1)
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """A slack_sdk client pointed at the fake, as the app would build it."""
    return WebClient(token=TOKEN, base_url=fake.api_url)


@pytest.fixture
def app(fake: FakeSlack) -> Iterator[App]:
    """A bare Bolt app served by waitress on a free port; tests register their own listeners on it."""
    # Bolt acks first and finishes each listener in this pool; the fake's actors wait for it after every step,
    # instead of guessing from a quiet spell (which a loaded machine can outlast).
    listeners = TrackingExecutor()
    bolt = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=fake.api_url), listener_executor=listeners)
    fake.app_idle = listeners.wait_idle
    # Our own socket map and loop, so teardown can stop the loop before closing sockets
    # (closing under a running waitress loop makes select() fail on a dead descriptor).
    socket_map: dict[int, Any] = {}
    server = create_server(SlackRequestHandler(bolt), map=socket_map, host="127.0.0.1", port=0, threads=4)
    assert isinstance(server, BaseWSGIServer)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=0.02, map=socket_map, count=1)

    thread = threading.Thread(target=serve, name="bolt-under-test", daemon=True)
    thread.start()
    fake.app_url = f"http://127.0.0.1:{server.getsockname()[1]}/slack/events"
    try:
        yield bolt
    finally:
        stop.set()
        thread.join(timeout=2)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(socket_map)
        listeners.shutdown(wait=True)
