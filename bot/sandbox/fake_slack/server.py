"""``FakeSlack``: a loopback Slack for end-to-end tests and the sandbox.

It plays both sides of Slack: the Web API the app calls (``POST /api/<method>`` and response_urls),
and the platform that sends the app slash commands, interactions and events on behalf of people (see
:mod:`bot.sandbox.fake_slack.actors`). Those go where the app's settings would send them: signed HTTP
requests to its request URL (``transport="http"``), or envelopes over the Socket Mode WebSocket the app
opened (``transport="socket"``, see :mod:`bot.sandbox.fake_slack.socket_mode`). Either way the actors get
the app's answer in the same :class:`HttpResult` shape.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.sandbox.fake_slack.actors import EventResult, FakeUserActor
from bot.sandbox.fake_slack.blockkit import BlockKitValidator, normalize_blocks
from bot.sandbox.fake_slack.contract import load_contract
from bot.sandbox.fake_slack.models import JSON, Call, FakeChannel, FakeSlackUsageError, FakeUser, HttpResult
from bot.sandbox.fake_slack.ratelimit import RateLimiter
from bot.sandbox.fake_slack.render import render_message
from bot.sandbox.fake_slack.signing import signature_headers
from bot.sandbox.fake_slack.socket_mode import Delivery, SocketModeServer, new_app_token
from bot.sandbox.fake_slack.webapi import ApiError, WebApi, decode_json_args
from bot.sandbox.fake_slack.workspace import Activity, Ephemeral, StoredFile, StoredMessage, Workspace

logger = logging.getLogger(__name__)

DEFAULT_SCOPES: tuple[str, ...] = (
    "chat:write",
    "commands",
    "im:write",
    "mpim:write",
    "im:history",
    "users:read",
    "users:read.email",
    "files:write",
)

UPLOAD_PATH = "/upload/v1/"  # Slack's upload URLs are https://files.slack.com/upload/v1/<secret>


def _upload_body(raw: bytes, content_type: str) -> bytes | None:
    """The file bytes of an upload POST: the raw body, or the ``file``/``filename`` part of a multipart form.

    Returns:
        The bytes, or None for a multipart form without such a part.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        return raw
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    form = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    for part in form.walk():
        if part.is_multipart():
            continue
        if part.get_param("name", header="content-disposition") in ("file", "filename"):
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    return None


TRANSPORTS = ("http", "socket")
# "Slack will retry ... up to 3 times" (Events API); Socket Mode redelivers the same way.
MAX_EVENT_RETRIES = 3


class FakeSlackTimeout(AssertionError):
    """A wait on the fake ran out of time (an AssertionError so pytest reports it as a failure)."""


@dataclass
class _Fault:
    method: str
    error: str
    status: int
    retry_after: int | None
    times: int
    reset: bool
    delay: float


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] | None = None
    reset: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; calls are recorded in ``FakeSlack.calls`` instead."""

    def do_POST(self) -> None:
        """Serve a Web API call or a response_url post."""
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        """Serve a Web API call made with GET (arguments in the query string)."""
        self.server.fake._serve(self)


class FakeSlack:
    """A fake Slack workspace with the app installed, served over loopback HTTP.

    Example::

        fake = FakeSlack(bot_token="xoxb-test", signing_secret="s3cret", users=[FakeUser(...)])
        fake.start()
        fake.app_url = "http://127.0.0.1:3456/slack/events"
        app = App(token="xoxb-test", signing_secret="s3cret", client=WebClient(base_url=fake.api_url))

    In Socket Mode nothing listens for Slack; the app connects::

        fake = FakeSlack(bot_token="xoxb-test", app_token="xapp-1-...", transport="socket", users=[...])
        app = App(client=WebClient(token="xoxb-test", base_url=fake.start().api_url))
        SocketModeHandler(app, "xapp-1-...").connect()
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-token",
        signing_secret: str = "fake-signing-secret",
        app_token: str | None = None,
        transport: str = "http",
        users: Iterable[FakeUser] = (),
        channels: Iterable[FakeChannel] = (),
        team_id: str = "T0TURNABT",
        team_domain: str = "turnabout",
        team_name: str = "Turnabout",
        app_id: str = "A0TURNABT",
        bot_user_id: str = "U0TURNBOT",
        bot_id: str = "B0TURNBOT",
        bot_name: str = "turnabout",
        verification_token: str = "fake-verification-token",
        rate_limits: bool = True,
        latency: float = 0.0,
        trigger_ttl: float | None = None,
        ack_timeout: float | None = None,
        auto_settle: bool = True,
        settle_quiet: float = 0.15,
        app_timeout: float = 10.0,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure the fake (call :meth:`start` to serve it).

        Args:
            bot_token: The only bot token the Web API accepts (``Authorization: Bearer ...``).
            signing_secret: Secret used to sign requests to the app.
            app_token: The app-level token (``xapp-...``) that ``apps.connections.open`` accepts; default: a
                random one, see :attr:`app_token`.
            transport: Where slash commands, interactions and events go: ``"http"`` (signed POSTs to
                :attr:`app_url`) or ``"socket"`` (envelopes over the app's Socket Mode connection).
            users: People in the workspace (the bot user and Slackbot are added).
            channels: Channels that exist up front.
            team_id: Workspace id.
            team_domain: Workspace subdomain.
            team_name: Workspace name.
            app_id: App id (``api_app_id`` in payloads).
            bot_user_id: The bot user's id.
            bot_id: The bot's ``B...`` id.
            bot_name: The bot user's handle.
            verification_token: Legacy ``token`` field of payloads.
            rate_limits: Enforce the contract's rate-limit tiers (answer 429 with ``Retry-After``).
            latency: Seconds every Web API call takes before its answer (a call is counted, for the rate limits
                and in :attr:`calls`, when it arrives), to measure a sender against Slack's round trips.
            trigger_ttl: Seconds a trigger_id stays valid (contract: 3).
            ack_timeout: Seconds the app has to answer a request or acknowledge an envelope (contract: 3).
            auto_settle: Actor actions wait for the app's follow-up Web API calls before returning.
            settle_quiet: Quiet period that counts as settled.
            app_timeout: How long the fake waits for the app's answer (HTTP response or Socket Mode ack).
            scopes: Scopes reported in ``x-oauth-scopes``.
            clock: Time source for timestamps, triggers, response_urls and rate limits.
            seed: Seed for generated ids, so transcripts are reproducible.
            host: Interface to listen on.
            port: Port (0 picks a free one).
        """
        if transport not in TRANSPORTS:
            raise FakeSlackUsageError(f"transport is one of {TRANSPORTS}, not {transport!r}")
        self.contract = load_contract()
        behaviour = self.contract["behaviour"]
        self.transport = transport
        self.app_token = app_token or new_app_token(app_id)
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.verification_token = verification_token
        self.rate_limits = rate_limits
        self.latency = latency
        self.trigger_ttl = float(trigger_ttl if trigger_ttl is not None else behaviour["trigger_ttl_seconds"])
        self.ack_timeout = float(ack_timeout if ack_timeout is not None else behaviour["ack_timeout_seconds"])
        self.auto_settle = auto_settle
        self.settle_quiet = settle_quiet
        self.app_timeout = app_timeout
        self.clock = clock
        self.app_url: str | None = None
        # When the app runs in this process, the harness can say exactly when its listeners are done; without
        # it, settling falls back to waiting for a quiet spell, which a loaded machine can outlast.
        self.app_idle: Callable[[float], bool] | None = None
        # How long a redelivered Socket Mode event waits for the app to reconnect: slack_sdk's builtin client
        # notices a connection Slack closed only at its next ping check (every 10 s by default).
        self.reconnect_wait = 15.0
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.warnings: list[str] = []
        self.workspace = Workspace(
            team_id=team_id,
            team_domain=team_domain,
            team_name=team_name,
            app_id=app_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_name=bot_name,
            users=users,
            channels=channels,
            clock=clock,
            seed=seed,
        )
        self.webapi = WebApi(
            self.workspace,
            self.contract,
            violation=self._violation,
            warning=self._warning,
            trigger_ttl=lambda: self.trigger_ttl,
            scopes=scopes,
            socket_url=lambda: self.sockets.issue_url(),
            upload_url=lambda secret: self.url + UPLOAD_PATH.lstrip("/") + secret,
        )
        self.sockets = SocketModeServer(app_id=app_id, violation=self._violation, warning=self._warning, host=host)
        self.validator = BlockKitValidator(self.contract["block_kit_limits"])
        self._limiter = RateLimiter(
            self.contract["rate_limit_tiers"], {m: s["tier"] for m, s in self.contract["methods"].items()}
        )
        self._faults: list[_Fault] = []
        self._events: dict[str, JSON] = {}
        self._last_events: dict[tuple[str, str], str] = {}
        self._actors: dict[str, FakeUserActor] = {}
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._activity_lock = threading.Lock()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Start serving on a loopback port in a daemon thread.

        Returns:
            The fake itself, for chaining.
        """
        if self._server is not None:
            return self
        self._server = _Server((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        if self.transport == "socket":
            self.sockets.start()
        return self

    def stop(self) -> None:
        """Stop serving (the Socket Mode endpoint too) and free the ports."""
        if self._server is None:
            return
        self.sockets.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Root URL of the fake, ending with ``/``."""
        if self._server is None:
            raise FakeSlackUsageError("FakeSlack is not started; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def api_url(self) -> str:
        """Base URL for ``slack_sdk.WebClient(base_url=...)``, ending with ``/``."""
        return self.url + "api/"

    # -- people and places -----------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        """Workspace id."""
        return self.workspace.team_id

    @property
    def bot_user_id(self) -> str:
        """The app's bot user id."""
        return self.workspace.bot_user_id

    def user(self, user_id: str) -> FakeUserActor:
        """Return an actor that does things in Slack as a person.

        Args:
            user_id: A configured person's id.

        Returns:
            The actor.

        Raises:
            FakeSlackUsageError: If nobody has that id.
        """
        with self.workspace.lock:
            user = self.workspace.users.get(user_id)
        if user is None or user.is_bot:
            raise FakeSlackUsageError(f"no person {user_id!r} in the fake workspace")
        actor = self._actors.get(user_id)
        if actor is None or actor.user is not user:
            actor = self._actors[user_id] = FakeUserActor(self, user)
        return actor

    def add_user(self, user: FakeUser) -> FakeUserActor:
        """Add (or replace) a person while running.

        Args:
            user: The person.

        Returns:
            An actor for them.
        """
        with self.workspace.lock:
            self.workspace.users[user.id] = user
        return self.user(user.id)

    def add_channel(self, channel: FakeChannel) -> None:
        """Add a channel while running.

        Args:
            channel: The channel.
        """
        with self.workspace.lock:
            self.workspace.channels[channel.id] = channel

    def user_names(self) -> dict[str, str]:
        """Return user id -> display name for every member (for :func:`render_blocks`).

        Returns:
            The mapping.
        """
        with self.workspace.lock:
            return {u: self.workspace.display_name(u) for u in self.workspace.users}

    def dm_channel_id(self, user_id: str) -> str:
        """Return the id of the app's DM with a person (it exists in Slack from the start).

        Args:
            user_id: The person.

        Returns:
            The ``D...`` id.
        """
        with self.workspace.lock:
            return self.workspace.dm_channel(user_id).id

    def messages(self, channel: str) -> list[JSON]:
        """Return the messages of a conversation, oldest first (deleted ones left out).

        Args:
            channel: Conversation id (or a user id for their DM with the app).

        Returns:
            Message dicts as Slack's history would show them (plus ``channel``).
        """
        with self.workspace.lock:
            resolved = self.workspace.resolve_channel(channel)
            if resolved is None:
                return []
            return [m.as_dict() for m in self.workspace.messages.get(resolved.id, []) if not m.deleted]

    def ephemerals(self, user_id: str) -> list[JSON]:
        """Return the ephemeral messages a person has seen (still shown), oldest first.

        Args:
            user_id: The person.

        Returns:
            Ephemeral message dicts.
        """
        with self.workspace.lock:
            return [e.as_dict() for e in self.workspace.ephemerals if e.user == user_id and not e.deleted]

    @property
    def files(self) -> dict[str, StoredFile]:
        """Files the app uploaded (or started to), by id: ``fake.files[file_id].content`` holds the bytes."""
        with self.workspace.lock:
            return dict(self.workspace.files)

    def uploaded_files(self, channel: str) -> list[StoredFile]:
        """Return the files shared in a conversation, oldest first (``.content`` bytes, ``.text()``, ``.name``).

        Args:
            channel: Conversation id (or a user id for their DM with the app).

        Returns:
            The files whose share message is still there.
        """
        with self.workspace.lock:
            resolved = self.workspace.resolve_channel(channel)
            if resolved is None:
                return []
            shown = {m.ts for m in self.workspace.messages.get(resolved.id, []) if not m.deleted}
            shared = [
                (ts, f) for f in self.workspace.files.values() for c, ts in f.shares if c == resolved.id and ts in shown
            ]
            return [f for _, f in sorted(shared, key=lambda pair: float(pair[0]))]

    @property
    def activity(self) -> list[Activity]:
        """Everything user-visible that happened, in order (for transcripts)."""
        return self.workspace.activity

    def transcript(self, since: int = 0) -> str:
        """Render the activity log as text, one happening per paragraph.

        Args:
            since: Only activity with a sequence number above this.

        Returns:
            The transcript.
        """
        with self.workspace.lock:
            return "\n".join(a.text for a in self.workspace.activity if a.seq > since)

    # -- recording -------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Return the recorded calls of one method (``"response_url"`` for response_url posts).

        Args:
            method: Method name.

        Returns:
            The calls, oldest first.
        """
        with self.workspace.lock:
            return [c for c in self.calls if c.method == method]

    def most_in_window(self, method: str, window: float = 60.0) -> int:
        """The most calls to `method` Slack accepted (anything but a 429) in any `window` seconds, by arrival:
        what Slack's own sliding window saw at its fullest, to compare with the method's tier.

        Args:
            method: Method name.
            window: Window length in seconds.

        Returns:
            The largest count.
        """
        times = sorted(c.time for c in self.calls_to(method) if c.status != 429)
        most, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - window:
                first += 1
            most = max(most, last - first + 1)
        return most

    def per_minute(self, method: str, since: float | None = None) -> list[int]:
        """Accepted calls to `method` in each whole minute since `since` (default: its first call).

        Args:
            method: Method name.
            since: Start of the first minute (fake clock, epoch seconds).

        Returns:
            One count per minute, oldest first.
        """
        times = [c.time for c in self.calls_to(method) if c.status != 429]
        if not times:
            return []
        start = min(times) if since is None else since
        counts = [0] * (int((max(times) - start) // 60) + 1)
        for at in times:
            counts[int((at - start) // 60)] += 1
        return counts

    def _violation(self, text: str) -> None:
        with self.workspace.lock:
            self.violations.append(text)
        logger.warning("fake Slack contract violation: %s", text)

    def _warning(self, text: str) -> None:
        with self.workspace.lock:
            self.warnings.append(text)

    # -- fault injection and limits --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        reset: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Make the next call(s) of a method fail.

        Args:
            method: Method name, ``"upload_url"`` for the file upload POST, or ``"*"`` for any.
            error: Slack error code in the body (the text body of an upload_url answer).
            status: HTTP status (default 429 for ``ratelimited``, else 200 as Slack uses for errors).
            retry_after: ``Retry-After`` seconds (default 1 for 429s).
            times: How many calls fail.
            reset: Drop the connection without answering (connection reset) instead.
            delay: Seconds to wait before answering; with ``error=""`` the call then proceeds normally.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        if retry_after is None and status == 429:
            retry_after = 1
        with self.workspace.lock:
            self._faults.append(_Fault(method, error, status, retry_after, times, reset, delay))

    def reset_rate_limits(self) -> None:
        """Forget past calls for rate limiting."""
        with self.workspace.lock:
            self._limiter.reset()

    def _take_fault(self, method: str) -> _Fault | None:
        with self.workspace.lock:
            for fault in self._faults:
                if fault.times > 0 and fault.method in (method, "*"):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- waiting ---------------------------------------------------------------------------------

    def settle(self, quiet: float | None = None, timeout: float = 10.0) -> None:
        """Wait until the app has stopped calling Slack (nothing in flight for ``quiet`` seconds).

        Bolt acknowledges first and works in background threads, so after an action the app's
        Web API calls may still be on their way. With :attr:`app_idle` set, this waits for the app's
        listeners to finish instead of guessing from a quiet spell.

        Args:
            quiet: Seconds without requests that count as settled (default ``settle_quiet``).
            timeout: Give up after this many seconds.

        Raises:
            FakeSlackTimeout: If the app never went quiet.
        """
        deadline = time.monotonic() + timeout
        if self.app_idle is not None:
            if not self.app_idle(timeout):
                raise FakeSlackTimeout(f"the app's listeners were still running after {timeout}s")
            quiet = 0.0 if quiet is None else quiet
        quiet = self.settle_quiet if quiet is None else quiet
        while True:
            with self._activity_lock:
                idle = self._inflight == 0 and time.monotonic() - self._last_activity >= quiet
                inflight = self._inflight
            if idle:
                return
            if time.monotonic() > deadline:
                raise FakeSlackTimeout(f"the app kept calling Slack for {timeout}s ({inflight} requests in flight)")
            time.sleep(0.01)

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
        """Poll until a condition holds.

        Args:
            predicate: Returns something truthy when done.
            timeout: Seconds to wait.
            interval: Seconds between polls.

        Returns:
            The predicate's truthy result.

        Raises:
            FakeSlackTimeout: If it never held.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise FakeSlackTimeout(f"condition not met within {timeout}s")
            time.sleep(interval)

    def _touch(self, delta: int) -> None:
        with self._activity_lock:
            self._inflight += delta
            self._last_activity = time.monotonic()

    # -- HTTP serving ----------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        self._touch(+1)
        try:
            path, _, query = handler.path.partition("?")
            length = int(handler.headers.get("Content-Length") or 0)
            raw = handler.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in handler.headers.items()}
            try:
                if path.startswith("/api/"):
                    reply = self._serve_api(path[len("/api/") :], headers, raw, query)
                elif path.startswith("/response/"):
                    reply = self._serve_response_url(path[len("/response/") :], headers, raw)
                elif path.startswith(UPLOAD_PATH):
                    reply = self._serve_upload(path[len(UPLOAD_PATH) :], handler.command, headers, raw)
                else:
                    reply = _Reply(404, b"not_found", "text/plain")
            except Exception as exc:  # the fake must not hide its own bugs behind a dropped connection
                logger.exception("fake Slack failed on %s", path)
                self._violation(f"fake Slack internal error on {path}: {exc!r}")
                reply = _Reply(500, json.dumps({"ok": False, "error": "fatal_error"}).encode())
            self._write(handler, reply)
        finally:
            self._touch(-1)

    @staticmethod
    def _write(handler: _Handler, reply: _Reply) -> None:
        if reply.reset:
            # SO_LINGER 0 makes close() send a TCP RST: the client sees "connection reset by peer".
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        for name, value in (reply.headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(reply.body)

    @staticmethod
    def _parse_args(raw: bytes, content_type: str, query: str) -> tuple[JSON, str | None]:
        """Parse query string plus a JSON or form body; return ``(args, error)``."""
        args: JSON = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if not raw:
            return args, None
        if "application/json" in content_type:
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return args, "invalid_json"
            if not isinstance(body, dict):
                return args, "json_not_object"
            args.update(body)
            return args, None
        try:
            args.update(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError:
            return args, "invalid_form_data"
        return args, None

    def _serve_api(self, method: str, headers: Mapping[str, str], raw: bytes, query: str) -> _Reply:
        now = self.clock()
        content_type = headers.get("content-type", "")
        json_body = "application/json" in content_type
        args, parse_error = self._parse_args(raw, content_type, query)
        token = None
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        in_header = token is not None
        body_token = args.pop("token", None)
        if token is None and not json_body and body_token:
            token = str(body_token)  # Slack accepts a token POST parameter, but not inside JSON bodies
        args = decode_json_args(args)

        fault = self._take_fault(method)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.reset:
                self._record(method, args, {}, 0, now, content_type)
                return _Reply(0, b"", reset=True)
            if fault.error:
                body: JSON = {"ok": False, "error": fault.error}
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
                self._record(method, args, body, fault.status, now, content_type)
                return _Reply(fault.status, json.dumps(body).encode(), headers=extra)

        status, body, extra_headers = self._api_answer(method, args, token, in_header, parse_error, json_body, now)
        retry_after = extra_headers.get("Retry-After")
        self._record(method, args, body, status, now, content_type, int(retry_after) if retry_after else None)
        if not body.get("ok"):
            with self.workspace.lock:
                self.workspace.log("api_error", f"(app called {method}: {body.get('error')})", method=method)
        if self.latency:
            time.sleep(self.latency)  # the server is threaded: other calls are served meanwhile
        return _Reply(status, json.dumps(body).encode(), headers=extra_headers)

    def _api_answer(
        self,
        method: str,
        args: JSON,
        token: str | None,
        in_header: bool,
        parse_error: str | None,
        json_body: bool,
        now: float,
    ) -> tuple[int, JSON, dict[str, str]]:
        headers = {"x-oauth-scopes": ",".join(self.webapi.scopes), "x-accepted-oauth-scopes": ""}
        if parse_error is not None:
            self._violation(f"{method}: request body could not be parsed ({parse_error})")
            return 200, {"ok": False, "error": parse_error}, headers
        if not self.webapi.knows(method):
            self._violation(f"{method}: not a method the fake (and the contract) covers")
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, headers
        if not token:
            self._violation(f"{method}: no token (expected Authorization: Bearer <bot token>)")
            return 200, {"ok": False, "error": "not_authed"}, headers
        refused = self._token_problem(method, token, in_header)
        if refused is not None:
            return 200, {"ok": False, "error": refused}, headers
        if self.rate_limits:
            channel = str(args.get("channel")) if method == "chat.postMessage" and args.get("channel") else None
            with self.workspace.lock:
                if channel is not None:
                    # Slack limits per conversation: a post to a user id counts against their DM.
                    resolved = self.workspace.resolve_channel(channel)
                    channel = resolved.id if resolved is not None else channel
                retry_after = self._limiter.check(method, now, channel=channel)
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
                return 429, {"ok": False, "error": "ratelimited"}, headers
        try:
            return 200, self.webapi.call(method, args, json_body=json_body), headers
        except ApiError as exc:
            if exc.violation:
                self._violation(exc.violation)
            return 200, exc.body(), headers

    def _token_problem(self, method: str, token: str, in_header: bool) -> str | None:
        """Slack's error for a token this method does not take (and the violation), or None when it is right."""
        app_level = token.startswith("xapp-")
        if self.contract["methods"][method].get("token") == "app":
            if not app_level:
                self._violation(f"{method}: called with a bot or user token; it takes the app-level (xapp-) token")
                return "not_allowed_token_type"
            if not in_header:
                self._violation(f"{method}: the app-level token must be in the Authorization header, not the body")
                return "invalid_auth"
            if token != self.app_token:
                self._violation(f"{method}: wrong app-level token")
                return "invalid_auth"
            return None
        if app_level:
            self._violation(f"{method}: called with the app-level (xapp-) token; it takes the bot token")
            return "not_allowed_token_type"
        if token != self.bot_token:
            self._violation(f"{method}: wrong token")
            return "invalid_auth"
        return None

    def _record(
        self,
        method: str,
        args: JSON,
        body: JSON,
        status: int,
        now: float,
        content_type: str,
        retry_after: int | None = None,
    ) -> None:
        with self.workspace.lock:
            self.calls.append(Call(method, args, body, status, now, content_type, retry_after))

    # -- file upload URLs ------------------------------------------------------------------------

    def _serve_upload(self, secret: str, verb: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        """The upload_url of files.getUploadURLExternal: POST the file's bytes, raw or as a multipart form.

        docs.slack.dev files.getUploadURLExternal: "Files can be sent as raw bytes or can be multipart form
        encoded. Slack will return HTTP 200 if the upload is successful"; the body then reads
        ``OK - <bytes received>`` (python-slack-sdk issue 1277's debug log). No token is needed: the URL is the
        credential. What Slack answers when the byte count differs from the declared ``length`` is not
        documented; the fake refuses it (HTTP 400) so the app cannot complete a file it did not fully send.
        """
        now = self.clock()
        content_type = headers.get("content-type", "")

        def answer(status: int, text: str, file_id: str = "", size: int = 0, violation: str | None = None) -> _Reply:
            if violation:
                self._violation(f"upload_url: {violation}")
            body: JSON = {"ok": status == 200} if status == 200 else {"ok": False, "error": text}
            self._record("upload_url", {"file_id": file_id, "length": size}, body, status, now, content_type)
            return _Reply(status, text.encode(), "text/plain; charset=utf-8")

        fault = self._take_fault("upload_url")
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.reset:
                self._record("upload_url", {}, {}, 0, now, content_type)
                return _Reply(0, b"", reset=True)
            if fault.error:
                # Upload URLs answer in HTTP statuses, not {"ok": false}: a 200 here would read as success.
                return answer(fault.status if fault.status != 200 else 500, fault.error)
        if verb != "POST":
            return answer(405, "method_not_allowed", violation=f"{verb} instead of POST")
        with self.workspace.lock:
            file_id = self.workspace.upload_tickets.get(secret)
            stored = self.workspace.files.get(file_id) if file_id else None
            if stored is None:
                return answer(404, "not_found", violation="no such upload URL (files.getUploadURLExternal issues them)")
            if stored.completed:
                return answer(404, "not_found", stored.id, violation=f"file {stored.id} was already completed")
            data = _upload_body(raw, content_type)
            if data is None:
                return answer(400, "invalid_form_data", stored.id, violation="multipart body without a file part")
            if len(data) != stored.length:
                return answer(
                    400,
                    "length_mismatch",
                    stored.id,
                    len(data),
                    f"{len(data)} bytes sent for {stored.id} ({stored.name}), but files.getUploadURLExternal "
                    f"declared length={stored.length}",
                )
            stored.content = data
        return answer(200, f"OK - {len(data)}", stored.id, len(data))

    # -- response_url ----------------------------------------------------------------------------

    def _serve_response_url(self, url_id: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        ws = self.workspace
        now = self.clock()
        content_type = headers.get("content-type", "")
        try:
            payload = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            payload = None
        args = payload if isinstance(payload, dict) else {}
        behaviour = self.contract["behaviour"]

        def answer(status: int, text: str, violation: str | None = None) -> _Reply:
            if violation:
                self._violation(f"response_url: {violation}")
            body = {"ok": True} if status == 200 else {"ok": False, "error": text}
            self._record("response_url", args, body, status, now, content_type)
            if status == 200:
                return _Reply(200, json.dumps(body).encode())
            return _Reply(status, text.encode(), "text/plain")

        with ws.lock:
            target = ws.response_urls.get(url_id)
            if target is None:
                return answer(404, "no_service", "unknown response_url")
            if now - target.created > behaviour["response_url_ttl_seconds"]:
                return answer(404, "expired_url", "used after 30 minutes")
            if target.uses >= behaviour["response_url_max_uses"]:
                return answer(404, "used_url", f"used more than {behaviour['response_url_max_uses']} times")
            if not isinstance(payload, dict):
                return answer(400, "invalid_payload", "body is not a JSON object")
            target.uses += 1
            original = target.original
            if payload.get("delete_original"):
                if original is not None:
                    original.deleted = True
                    ws.log("message_deleted", f"[{ws.channel_label(target.channel)}] a message was deleted")
                return answer(200, "ok")
            blocks = payload.get("blocks")
            if blocks is not None:
                problems = self.validator.message_problems(blocks)
                if problems:
                    return answer(400, "invalid_blocks", "invalid_blocks: " + "; ".join(problems))
            text = str(payload.get("text") or "")
            if not text and not blocks:
                return answer(400, "no_text", "no text or blocks")
            names = {u: ws.display_name(u) for u in ws.users}
            readable = render_message({"text": text, "blocks": blocks}, users=names)
            thread_ts = payload.get("thread_ts")
            if payload.get("replace_original") and original is not None:
                original.text = text
                original.blocks = self._normalized(blocks)
                if isinstance(original, StoredMessage):
                    original.edited = {"user": ws.bot_user_id, "ts": ws.next_ts()}
                ws.log("message_replaced", f"[{ws.channel_label(target.channel)}] (replaced) {ws.bot_name}: {readable}")
            elif payload.get("response_type") == "in_channel":
                message = ws.add_message(
                    target.channel,
                    user=ws.bot_user_id,
                    text=text,
                    blocks=blocks,
                    thread_ts=thread_ts,
                    source="response_url",
                )
                target.original = target.original or message
                ws.log("message", f"[{ws.channel_label(target.channel)}] {ws.bot_name}: {readable}")
            else:
                ephemeral = ws.add_ephemeral(
                    target.channel, target.user, text=text, blocks=blocks, thread_ts=thread_ts, source="response_url"
                )
                target.original = target.original or ephemeral
                ws.log(
                    "ephemeral",
                    f"[{ws.channel_label(target.channel)}] (only {ws.display_name(target.user)} sees) "
                    f"{ws.bot_name}: {readable}",
                )
            return answer(200, "ok")

    def _normalized(self, blocks: Any) -> list[JSON] | None:
        if blocks is None:
            return None
        result: list[JSON] = normalize_blocks(blocks, self.workspace.short_id)
        return result

    # -- requests to the app ---------------------------------------------------------------------

    def post_raw(
        self,
        body: str | bytes,
        *,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        sign: bool = True,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> HttpResult:
        """Send an arbitrary request to the app (forged, unsigned or stale ones included); HTTP mode only.

        Args:
            body: Raw body.
            headers: Extra headers; they override the generated ones.
            content_type: Content-Type header.
            sign: Add Slack's signature headers.
            secret: Sign with this secret instead of the real one (a forgery).
            timestamp: Sign with this ``X-Slack-Request-Timestamp`` (e.g. 10 minutes ago).

        Returns:
            The app's answer.
        """
        self._require_http("post_raw (a raw, possibly forged, HTTP request)")
        data = body.encode() if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type}
        if sign:
            all_headers.update(signature_headers(secret or self.signing_secret, data, timestamp=timestamp))
        all_headers.update(headers or {})
        return self._post_to_app(data, all_headers)

    def send_interaction(self, payload: JSON, *, what: str = "") -> HttpResult:
        """Send an interaction payload as Slack does (``payload=<urlencoded JSON>``, or an ``interactive`` envelope).

        Args:
            payload: block_actions, view_submission, view_closed, shortcut... payload.
            what: Description for violation messages.

        Returns:
            The app's answer.
        """
        body = urllib.parse.urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
        return self._to_app(
            "interactive", payload, body.encode(), "application/x-www-form-urlencoded", what or payload.get("type", "")
        )

    def send_form(self, fields: Mapping[str, str], *, what: str = "") -> HttpResult:
        """Send a slash command (form-encoded over HTTP, a ``slash_commands`` envelope in Socket Mode).

        Args:
            fields: Form fields.
            what: Description for violation messages.

        Returns:
            The app's answer.
        """
        body = urllib.parse.urlencode(dict(fields)).encode()
        return self._to_app("slash_commands", dict(fields), body, "application/x-www-form-urlencoded", what)

    def send_event(self, event: JSON, *, retry_num: int | None = None, retry_reason: str | None = None) -> EventResult:
        """Wrap an event in an ``event_callback`` envelope and deliver it.

        Args:
            event: The inner event (``type``, ``user``, ...).
            retry_num: Mark the delivery as Slack's N-th retry (``X-Slack-Retry-Num``, or ``retry_attempt``).
            retry_reason: Why it is retried; default ``http_timeout`` over HTTP, ``timeout`` in Socket Mode.

        Returns:
            The app's answer, with the event_id for :meth:`retry_event`.
        """
        ws = self.workspace
        with ws.lock:
            event_id = ws.new_id("Ev")
            envelope: JSON = {
                "token": self.verification_token,
                "team_id": ws.team_id,
                "api_app_id": ws.app_id,
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(self.clock()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": ws.team_id,
                        "user_id": ws.bot_user_id,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": "4-" + ws.secret(40),
                # Deprecated but still delivered; the Events API wrapper schema lists it as required.
                "authed_users": [ws.bot_user_id],
            }
            self._events[event_id] = envelope
        return self._deliver_event(event_id, retry_num, retry_reason)

    def change_user(self, user_id: str, **changes: Any) -> EventResult:
        """Change someone's account as an admin or the person would (deactivate, move time zone, new title) and
        deliver Slack's ``user_change`` event with the whole new user object.

        Args:
            user_id: A configured person's id.
            changes: :class:`FakeUser` fields to change, e.g. ``deleted=True`` or ``tz="Asia/Tokyo"``.

        Returns:
            The app's answer to the event.
        """
        ws = self.workspace
        with ws.lock:
            if user_id not in ws.users:
                raise FakeSlackUsageError(f"nobody with id {user_id!r}")
            user = replace(ws.users[user_id], **changes)
            ws.users[user_id] = user
            what = ", ".join("deactivated" if k == "deleted" and v else f"{k} is now {v}" for k, v in changes.items())
            ws.log("user_change", f"{ws.display_name(user_id)}'s Slack account changed: {what}", user=user_id)
            now = self.clock()
            ws.user_updated[user_id] = int(now)
            event: JSON = {
                "type": "user_change",
                "user": ws.user_object(user),
                "cache_ts": int(now),
                "event_ts": f"{now:.6f}",
            }
        return self.send_event(event)

    def retry_event(self, event_id: str, *, retry_num: int = 1, retry_reason: str | None = None) -> EventResult:
        """Deliver an event again, as Slack's retry of an unacknowledged delivery.

        Args:
            event_id: An event sent before (same envelope, same event_id).
            retry_num: ``X-Slack-Retry-Num`` / ``retry_attempt`` (1 to 3 in real Slack).
            retry_reason: Default ``http_timeout`` over HTTP (also ``http_error``...), ``timeout`` in Socket Mode.

        Returns:
            The app's answer.
        """
        return self._deliver_event(event_id, retry_num, retry_reason)

    def _deliver_event(self, event_id: str, retry_num: int | None, retry_reason: str | None) -> EventResult:
        envelope = self._events.get(event_id)
        if envelope is None:
            raise FakeSlackUsageError(f"no event {event_id!r} was sent")
        what = f"event {envelope['event'].get('type')}"
        attempts = 1
        if self.transport == "socket":
            result, attempts = self._event_over_socket(envelope, what, retry_num or 0, retry_reason)
        else:
            extra = {}
            if retry_num is not None:
                extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
            body = json.dumps(envelope, separators=(",", ":")).encode()
            result = self._to_app("events_api", envelope, body, "application/json", what, extra)
        return EventResult(
            status=result.status,
            body=result.body,
            headers=result.headers,
            elapsed=result.elapsed,
            payload=envelope,
            event_id=event_id,
            fake=self,
            attempts=attempts,
        )

    def verify_url(self) -> HttpResult:
        """Send Slack's ``url_verification`` challenge (HTTP mode only: a Socket Mode app has no request URL).

        Returns:
            The app's answer (its body should echo the challenge).
        """
        self._require_http("url_verification")
        with self.workspace.lock:
            challenge = self.workspace.secret(48)
        payload = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        body = json.dumps(payload).encode()
        return self._to_app("events_api", payload, body, "application/json", "url_verification")

    def _require_http(self, what: str) -> None:
        if self.transport != "http":
            raise FakeSlackUsageError(f"{what} exists in HTTP mode only; this fake delivers over Socket Mode")

    def _to_app(
        self,
        kind: str,
        payload: Any,
        body: bytes,
        content_type: str,
        what: str,
        extra: Mapping[str, str] | None = None,
    ) -> HttpResult:
        """Deliver what Slack sends the app over the configured transport, and check the answer alike for both."""
        if self.transport == "socket":
            result = self._as_http(
                self.sockets.deliver(
                    kind,
                    payload,
                    accepts_response_payload=True,
                    connect_wait=self.ack_timeout,
                    ack_wait=self.app_timeout,
                )
            )
        else:
            headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
            headers.update(signature_headers(self.signing_secret, body))
            headers.update(extra or {})
            result = self._post_to_app(body, headers)
        result.payload = payload
        if result.status == 0:
            self._violation(f"{what}: the app could not be reached ({result.body})")
        elif result.status != 200:
            self._violation(f"{what}: the app answered HTTP {result.status}; Slack shows the user an error")
        elif result.elapsed > self.ack_timeout:
            self._violation(f"{what}: the app took {result.elapsed:.2f}s to acknowledge (limit {self.ack_timeout}s)")
        return result

    def _event_over_socket(self, envelope: JSON, what: str, attempt: int, reason: str | None) -> tuple[HttpResult, int]:
        """Deliver an events_api envelope, and deliver it again while it is not acknowledged in time."""
        attempts = 0
        while True:
            attempts += 1
            delivery = self.sockets.deliver(
                "events_api",
                envelope,
                accepts_response_payload=False,
                retry_attempt=attempt,
                retry_reason=(reason or "timeout") if attempt else "",
                # A redelivery waits for the app to reconnect; real Slack retries over minutes.
                connect_wait=self.ack_timeout if attempts == 1 else self.reconnect_wait,
                ack_wait=self.ack_timeout,
            )
            result = self._as_http(delivery)
            result.payload = envelope
            if delivery.status == "acked":
                return result, attempts
            # A connection that went away, or an ack the fake itself discarded, is not the app being slow.
            if delivery.status == "timeout" and not delivery.ack_dropped:
                self._violation(f"{what}: not acknowledged within {self.ack_timeout}s; Slack delivers it again")
            if attempt >= MAX_EVENT_RETRIES:
                self._violation(f"{what}: still not acknowledged after {MAX_EVENT_RETRIES} retries ({result.body})")
                return result, attempts
            attempt += 1
            reason = "timeout"

    def _as_http(self, delivery: Delivery) -> HttpResult:
        """An ack as the HTTP response it stands for: its payload is the body, no payload an empty 200."""
        self._touch(0)  # the app works after its ack: settle() counts quiet time from here
        if delivery.status == "acked":
            if delivery.ack_payload is None:
                return HttpResult(200, "", {}, delivery.elapsed)
            return HttpResult(200, delivery.ack_payload, {"content-type": "application/json"}, delivery.elapsed)
        reasons = {
            "unreachable": "no Socket Mode connection is open",
            "lost": "the Socket Mode connection closed before the ack",
            "timeout": f"no ack for envelope {delivery.envelope_id} after {delivery.elapsed:.2f}s",
        }
        return HttpResult(0, reasons.get(delivery.status, delivery.status), {}, delivery.elapsed)

    def _post_to_app(self, body: bytes, headers: Mapping[str, str]) -> HttpResult:
        if not self.app_url:
            raise FakeSlackUsageError("set fake.app_url to the app's request URL before sending it requests")
        request = urllib.request.Request(self.app_url, data=body, headers=dict(headers), method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.app_timeout) as response:
                status = response.status
                raw = response.read()
                response_headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            status = exc.code
            raw = exc.read()
            response_headers = {k.lower(): v for k, v in exc.headers.items()}
        except (urllib.error.URLError, OSError) as exc:
            return HttpResult(0, repr(exc), {}, time.monotonic() - started)
        finally:
            self._touch(0)  # the app works after its ack: settle() counts quiet time from here
        elapsed = time.monotonic() - started
        parsed = HttpResult.parse_body(raw, response_headers.get("content-type", ""))
        return HttpResult(status, parsed, response_headers, elapsed)

    # -- helpers used by actors ------------------------------------------------------------------

    def _issue_response_url(self, user_id: str, channel: str, original: StoredMessage | Ephemeral | None) -> str:
        with self.workspace.lock:
            return self.workspace.issue_response_url(self.url, user_id, channel, original)
