"""The real bot, in HTTP mode on loopback, talking to the project's fake Slack workspace.

Used by the sandbox (`python -m bot` with no tokens) and by the end-to-end tests: one code path for both.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App
from waitress import wasyncore

from bot.app import build_app
from bot.config import Settings, load_settings
from bot.domain.catalogue import load_catalogue
from bot.sandbox.fake_slack import FakeChannel, FakeSlack, FakeUser
from bot.server import EVENTS_PATH, make_server
from bot.usecases.services import Services, utcnow
from storage.db import make_engine, migrate


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, plus a way to wait until every listener started so far has finished.

    Bolt acks Slack first and finishes the listener in this pool, so a test (or the sandbox transcript)
    must wait for that work before looking at what Slack received.
    """

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="bolt-listener")
        self._pending: set[Future[Any]] = set()
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._idle:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._idle:
            self._pending.discard(future)
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no listener is running; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout=timeout)


@dataclass
class LocalBot:
    """A running bot wired to a running fake Slack."""

    fake: FakeSlack
    settings: Settings
    services: Services
    app: App
    executor: TrackingExecutor

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the bot has finished reacting to everything sent so far."""
        if not self.executor.wait_idle(timeout):
            raise TimeoutError(f"the bot was still busy after {timeout} s")


@contextmanager
def local_bot(
    *,
    database_url: str,
    users: Iterable[FakeUser],
    channels: Iterable[FakeChannel] = (),
    leads: Sequence[str] = (),
    leads_channel: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    rate_limits: bool = True,
) -> Iterator[LocalBot]:
    """Start a fake Slack workspace and the real bot against it; stop both on exit."""
    bot_token = "xoxb-" + secrets.token_hex(12)
    signing_secret = secrets.token_hex(16)
    fake = FakeSlack(
        bot_token=bot_token,
        signing_secret=signing_secret,
        users=list(users),
        channels=list(channels),
        rate_limits=rate_limits,
    )
    fake.start()
    try:
        # Every field is explicit so a developer's own .env or environment can't leak into the sandbox.
        settings = load_settings(
            env_file=None,
            slack_bot_token=bot_token,
            slack_signing_secret=signing_secret,
            slack_app_token=None,
            slack_api_url=fake.api_url,
            database_url=database_url,
            port=3000,
            turnabout_leads=",".join(leads),
            turnabout_leads_channel=leads_channel,
            turnabout_catalogue_file=None,
            turnabout_content_file=None,
        )
        engine = make_engine(settings.database_url)
        migrate(engine)
        services = Services(settings=settings, engine=engine, catalogue=load_catalogue(), clock=clock)
        executor = TrackingExecutor()
        app = build_app(settings, services=services, listener_executor=executor)
        server = make_server(app, engine, host="127.0.0.1", port=0, threads=4)
        stopping = threading.Event()
        thread = threading.Thread(target=_serve_until, args=(server, stopping), name="turnabout-http", daemon=True)
        thread.start()
        port = server.effective_port  # type: ignore[union-attr]
        fake.app_url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        fake.app_idle = executor.wait_idle
        try:
            yield LocalBot(fake=fake, settings=settings, services=services, app=app, executor=executor)
        finally:
            stopping.set()
            thread.join(timeout=5)
            server.close()
            executor.shutdown(wait=True)
            engine.dispose()
    finally:
        fake.stop()


def _serve_until(server: Any, stopping: threading.Event) -> None:
    """Run waitress's event loop in short slices until asked to stop.

    Closing a waitress server from another thread while its loop sits in select() makes the loop fail
    with EBADF; stopping the loop first and closing afterwards shuts down cleanly.
    """
    while not stopping.is_set():
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)
