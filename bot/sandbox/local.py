"""The real bot, on loopback, talking to the project's fake Slack workspace: in HTTP mode (waitress serving
`/slack/events`, as `bot.server` runs it) or in Socket Mode (Bolt's `SocketModeHandler`, as `bot.cli` runs it).

Used by the sandbox (`python -m bot` with no tokens) and by the end-to-end tests: one code path for both.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress import wasyncore

from bot.app import build_app
from bot.config import Settings, load_settings
from bot.domain.catalogue import load_catalogue
from bot.sandbox.fake_slack import FakeChannel, FakeSlack, FakeUser
from bot.sandbox.fake_slack.socket_mode import new_app_token
from bot.server import EVENTS_PATH, make_server
from bot.usecases.services import Services, utcnow
from storage.db import make_engine, migrate


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, plus a way to wait until every listener started so far has finished.

    Bolt acks Slack first and finishes the listener in this pool, so a test (or the sandbox transcript)
    must wait for that work before looking at what Slack received. It is the App's listener_executor, which
    Bolt uses whichever adapter dispatched the request: waitress's workers in HTTP mode, the Socket Mode
    client's message workers in Socket Mode. Either way Bolt submits the listener before the ack goes out.
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
    """A running bot wired to a running fake Slack.

    Attributes:
        mode: ``"http"`` or ``"socket"``: how Slack's requests reach the bot.
        socket_handler: The Socket Mode adapter in Socket Mode (a test can close it to play a dead process).
    """

    fake: FakeSlack
    settings: Settings
    services: Services
    app: App
    executor: TrackingExecutor
    mode: str = "http"
    socket_handler: SocketModeHandler | None = None

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
    celebration_channel: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    rate_limits: bool = True,
    mode: str = "http",
) -> Iterator[LocalBot]:
    """Start a fake Slack workspace and the real bot against it; stop both on exit.

    Args:
        mode: ``"http"``: the bot serves HTTP on a loopback port and the fake POSTs signed requests to it.
            ``"socket"``: the bot opens a Socket Mode connection with an app-level token, as production does
            when ``SLACK_APP_TOKEN`` is set, and the fake sends envelopes over it.
    """
    if mode not in ("http", "socket"):
        raise ValueError(f"mode is 'http' or 'socket', not {mode!r}")
    socket_mode = mode == "socket"
    bot_token = "xoxb-" + secrets.token_hex(12)
    app_token = new_app_token("A0TURNABT")
    signing_secret = secrets.token_hex(16)
    fake = FakeSlack(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        transport=mode,
        users=list(users),
        channels=list(channels),
        rate_limits=rate_limits,
    )
    fake.start()
    try:
        # Every field is explicit so a developer's own .env or environment can't leak into the sandbox. Socket
        # Mode is configured as in production: an app-level token and no signing secret.
        settings = load_settings(
            env_file=None,
            slack_bot_token=bot_token,
            slack_signing_secret=None if socket_mode else signing_secret,
            slack_app_token=app_token if socket_mode else None,
            slack_api_url=fake.api_url,
            database_url=database_url,
            port=3000,
            turnabout_leads=",".join(leads),
            turnabout_leads_channel=leads_channel,
            turnabout_celebration_channel=celebration_channel,
            turnabout_catalogue_file=None,
            turnabout_content_file=None,
        )
        engine = make_engine(settings.database_url)
        migrate(engine)
        services = Services(settings=settings, engine=engine, catalogue=load_catalogue(), clock=clock)
        executor = TrackingExecutor()
        app = build_app(settings, services=services, listener_executor=executor)
        fake.app_idle = executor.wait_idle
        running = LocalBot(fake=fake, settings=settings, services=services, app=app, executor=executor, mode=mode)
        try:
            if socket_mode:
                with _socket_mode(app, settings, fake) as running.socket_handler:
                    yield running
            else:
                with _http_server(app, engine, fake):
                    yield running
        finally:
            executor.shutdown(wait=True)
            engine.dispose()
    finally:
        fake.stop()


@contextmanager
def _http_server(app: App, engine: Any, fake: FakeSlack) -> Iterator[None]:
    server = make_server(app, engine, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()
    thread = threading.Thread(target=_serve_until, args=(server, stopping), name="turnabout-http", daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    fake.app_url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
    try:
        yield
    finally:
        stopping.set()
        thread.join(timeout=5)
        _close_server(server)


@contextmanager
def _socket_mode(app: App, settings: Settings, fake: FakeSlack) -> Iterator[SocketModeHandler]:
    """The adapter `bot.cli` runs in Socket Mode, connected (it gets its URL from apps.connections.open)."""
    handler = SocketModeHandler(app, settings.slack_app_token)
    handler.connect()
    try:
        if not fake.sockets.wait_for_connection(timeout=10):
            raise TimeoutError("the bot did not open its Socket Mode connection")
        yield handler
    finally:
        close_socket_mode(handler)


def close_socket_mode(handler: SocketModeHandler) -> None:
    """Close the Socket Mode client at once, as a process exiting would.

    `close()` alone takes seconds: it joins a message loop that polls its queue once a second, and it waits for
    the socket's lock, which the receiving thread holds in a recv() with a 3 s timeout. Marking the client
    closed, waking the loop and shutting the socket down first ends both waits immediately.
    """
    client = handler.client
    client.closed = True
    client.auto_reconnect_enabled = False
    client.message_queue.put(None)
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed by the other side
            sock.shutdown(socket.SHUT_RDWR)
    handler.close()


def _close_server(server: Any) -> None:
    """Close the server, its open connections and its worker threads, once its loop has stopped.

    `server.close()` closes the listening socket only: waitress's worker threads and its open connections (each
    holding the app, its engine and all it cached) would outlive the bot, and a test run would pile up thousands.
    """
    server.task_dispatcher.shutdown()  # first: a worker still answering would write to a closed connection
    wasyncore.close_all(server._map)


def _serve_until(server: Any, stopping: threading.Event) -> None:
    """Run waitress's event loop in short slices until asked to stop.

    Closing a waitress server from another thread while its loop sits in select() makes the loop fail
    with EBADF; stopping the loop first and closing afterwards shuts down cleanly.
    """
    while not stopping.is_set():
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)
