"""Slack's side of Socket Mode: the WebSocket an app opens with a URL from ``apps.connections.open``.

The protocol, as docs.slack.dev/apis/events-api/using-socket-mode describes it (field values as in traffic
samples quoted by Slack SDKs' tests):

* ``apps.connections.open`` (served by :mod:`~bot.sandbox.fake_slack.webapi`) hands out a
  ``wss://.../link/?ticket=...&app_id=...`` URL; here ``ws://127.0.0.1:<port>/link/?...``, one use each.
* On connect Slack sends ``{"type": "hello", "num_connections", "debug_info", "connection_info": {"app_id"}}``.
* Each delivery is an envelope ``{"envelope_id", "type": "slash_commands" | "interactive" | "events_api",
  "payload", "accepts_response_payload"}``; ``events_api`` envelopes also carry ``retry_attempt`` and
  ``retry_reason``. The payload is exactly what HTTP mode would POST, unsigned: the connection itself is
  authenticated.
* The app acknowledges with ``{"envelope_id": ..., "payload": {...}}``; the payload is what an HTTP response
  body would have said (an ephemeral text, a ``response_action``...).
* ``{"type": "disconnect", "reason": "warning" | "refresh_requested" | "link_disabled"}`` comes before Slack
  closes a connection; the app is expected to open a new one. Up to 10 connections may be open at once.

The WebSocket protocol itself (handshake, framing, ping/pong, close) is the ``websockets`` library's threaded
server; this module only speaks Slack's protocol on top of it.
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.fake_slack.models import JSON

logger = logging.getLogger(__name__)

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
DISCONNECT_REASONS = ("warning", "refresh_requested", "link_disabled")
# "Socket Mode allows your app to maintain up to 10 open WebSocket connections at the same time."
MAX_CONNECTIONS = 10
# hello's debug_info.approximate_connection_time in Slack's traffic samples: seconds until a refresh.
APPROXIMATE_CONNECTION_TIME = 18060
# "You may receive a warning about 10 seconds before the disconnect."
WARNING_LEAD_SECONDS = 10.0


@dataclass
class SocketFrame:
    """A Socket Mode message that went over a connection, for tests and transcripts.

    Attributes:
        direction: ``"sent"`` (Slack to the app) or ``"received"`` (the app to Slack).
        connection: Number of the connection it went over (1 for the first one opened).
        message: The decoded JSON message.
    """

    direction: str
    connection: int
    message: JSON


@dataclass(eq=False)
class _Link:
    number: int
    ws: ServerConnection
    # Slack sent a disconnect (or is closing it): new envelopes go to another connection.
    draining: bool = False
    # Slack refreshes it: closed once the app has opened its replacement (or after the grace period).
    replace: bool = False


@dataclass(eq=False)
class Delivery:
    """One envelope sent to the app, and what became of it.

    Attributes:
        envelope_id: The envelope's id (a new one for every delivery, retries included).
        kind: ``slash_commands``, ``interactive`` or ``events_api``.
        accepts_response_payload: Whether the ack may carry a payload.
        status: ``pending``, then ``acked``, ``lost`` (the connection closed before the ack), ``timeout``
            (no ack in the time waited) or ``unreachable`` (no connection to send it over).
        ack_payload: The ack's payload, if any.
        elapsed: Seconds from the delivery until its ack (or until waiting stopped).
        ack_dropped: The fake discarded the ack on purpose (:meth:`SocketModeServer.lose_acks`).
    """

    envelope_id: str
    kind: str
    accepts_response_payload: bool
    started: float
    connection: int | None = None
    status: str = "pending"
    ack_payload: JSON | None = None
    elapsed: float = 0.0
    ack_dropped: bool = False
    _done: threading.Event = field(default_factory=threading.Event, repr=False)


class SocketModeServer:
    """The WebSocket endpoint of Socket Mode, started on first use and served from daemon threads."""

    def __init__(
        self,
        *,
        app_id: str,
        violation: Callable[[str], None],
        warning: Callable[[str], None],
        host: str = "127.0.0.1",
        refresh_grace: float = 5.0,
    ) -> None:
        """Configure the endpoint (it starts listening on the first :meth:`issue_url`).

        Args:
            app_id: The app's id, sent in ``hello`` and in connection URLs.
            violation: Records a contract violation by the app.
            warning: Records a soft problem.
            host: Interface to listen on.
            refresh_grace: Seconds a connection stays open after ``refresh_requested`` / ``link_disabled`` when the
                app opens no replacement (with a replacement, Slack closes the old one at once).
        """
        self.app_id = app_id
        self.refresh_grace = refresh_grace
        self._violation = violation
        self._warning = warning
        self._host = host
        # Never call violation()/warning() while holding this lock: they take the workspace lock, and the Web
        # API issues URLs while holding that one.
        self._lock = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._links: list[_Link] = []
        self._opened = 0
        self._deliveries: dict[str, Delivery] = {}
        self._acks_to_lose = 0
        self._timers: list[threading.Timer] = []
        self.frames: list[SocketFrame] = []

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen on a free loopback port (idempotent)."""
        with self._lock:
            if self._server is not None:
                return
            self._server = serve(
                self._serve_connection,
                self._host,
                0,
                process_request=self._check_ticket,
                # Slack's own keepalive is not documented; the library's pings are answered by every client.
                ping_interval=20,
                close_timeout=2,
                logger=logger,
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fake-slack-socket-mode", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Close every connection (1001 going away) and stop listening."""
        with self._lock:
            server, thread, timers = self._server, self._thread, list(self._timers)
            self._server = self._thread = None
            self._timers.clear()
        for timer in timers:
            timer.cancel()
        if server is not None:
            server.shutdown()
        if thread is not None:
            thread.join(timeout=5)
        self._finish_pending("lost")

    @property
    def port(self) -> int:
        """The port connections go to (starts the server if needed)."""
        self.start()
        assert self._server is not None
        port: int = self._server.socket.getsockname()[1]
        return port

    def issue_url(self) -> str:
        """A new single-use connection URL, as ``apps.connections.open`` returns it.

        Returns:
            ``ws://<host>:<port>/link/?ticket=<ticket>&app_id=<app id>``.
        """
        port = self.port
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets[ticket] = False
        return f"ws://{self._host}:{port}/link/?ticket={ticket}&app_id={self.app_id}"

    # -- state -----------------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        """Open connections that new envelopes can go to."""
        with self._lock:
            return sum(1 for link in self._links if not link.draining)

    @property
    def open_connections(self) -> int:
        """Open connections, those Slack is about to close included."""
        with self._lock:
            return len(self._links)

    def wait_for_connection(self, timeout: float) -> bool:
        """Wait until a connection can take envelopes.

        Args:
            timeout: Seconds to wait.

        Returns:
            Whether one is open.
        """
        with self._lock:
            return self._lock.wait_for(lambda: any(not link.draining for link in self._links), timeout=timeout)

    def sent(self, kind: str | None = None) -> list[JSON]:
        """Messages Slack sent over any connection, oldest first.

        Args:
            kind: Only this ``type`` (``hello``, ``disconnect``, ``events_api``...).

        Returns:
            The messages.
        """
        with self._lock:
            return [f.message for f in self.frames if f.direction == "sent" and kind in (None, f.message.get("type"))]

    # -- faults ----------------------------------------------------------------------------------

    def lose_acks(self, times: int = 1) -> None:
        """Discard the next acks as if they never arrived (the app died or stalled right after its work).

        Args:
            times: How many acks to discard.
        """
        with self._lock:
            self._acks_to_lose += times

    def disconnect(self, reason: str = "refresh_requested", *, lead: float = WARNING_LEAD_SECONDS) -> int:
        """Send Slack's ``disconnect`` message on every open connection, and close them as Slack does.

        Args:
            reason: ``warning`` (the connection is refreshed ``lead`` seconds later), ``refresh_requested`` or
                ``link_disabled`` (the connection is closed after :attr:`refresh_grace` unless the app closes it
                first).
            lead: Seconds between a ``warning`` and the refresh.

        Returns:
            How many connections were told.
        """
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"Slack's disconnect reasons are {DISCONNECT_REASONS}, not {reason!r}")
        with self._lock:
            links = [link for link in self._links if not link.draining]
            if reason != "warning":
                for link in links:
                    link.draining = link.replace = True
        for link in links:
            self._send(link, {"type": "disconnect", "reason": reason, "debug_info": {"host": self._host_name(link)}})
            if reason == "warning":
                self._later(lead, self._refresh, link)
            else:
                self._later(self.refresh_grace, self._close, link, 1000, "")
        return len(links)

    def close_connections(self, *, code: int = 1001, reason: str = "", abrupt: bool = False) -> int:
        """Close every open connection without a ``disconnect`` message first (a network drop, a server crash).

        Args:
            code: WebSocket close code (1001 going away, 1011 server error, 1012 service restart...).
            reason: Close reason.
            abrupt: Reset the TCP connection instead of a close frame.

        Returns:
            How many connections were closed.
        """
        with self._lock:
            links = list(self._links)
            for link in links:
                link.draining = True
        for link in links:
            if abrupt:
                self._reset(link)
            else:
                self._close(link, code, reason)
        return len(links)

    # -- deliveries ------------------------------------------------------------------------------

    def deliver(
        self,
        kind: str,
        payload: JSON,
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        connect_wait: float,
        ack_wait: float,
    ) -> Delivery:
        """Send one envelope to the app and wait for its ack.

        Args:
            kind: ``slash_commands``, ``interactive`` or ``events_api``.
            payload: What HTTP mode would have POSTed.
            accepts_response_payload: Whether the ack may carry a payload.
            retry_attempt: For ``events_api``: 0 for a first delivery, then 1, 2, 3.
            retry_reason: For ``events_api``: ``""`` for a first delivery, else why it is redelivered.
            connect_wait: Seconds to wait for an open connection.
            ack_wait: Seconds to wait for the ack.

        Returns:
            The delivery, finished (``acked``, ``lost``, ``timeout`` or ``unreachable``).
        """
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"Socket Mode envelope types are {ENVELOPE_TYPES}, not {kind!r}")
        delivery = Delivery(str(uuid.uuid4()), kind, accepts_response_payload, time.monotonic())
        if not self.wait_for_connection(connect_wait):
            self._finish(delivery, "unreachable")
            return delivery
        with self._lock:
            usable = [link for link in self._links if not link.draining]
            if not usable:
                link = None
            else:
                # "Each payload may be sent to any of the connections": the newest, which a client that is
                # replacing an old connection has just opened.
                link = usable[-1]
                delivery.connection = link.number
                self._deliveries[delivery.envelope_id] = delivery
        if link is None:
            self._finish(delivery, "unreachable")
            return delivery
        envelope: JSON = {
            "envelope_id": delivery.envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        if not self._send(link, envelope):
            self._finish(delivery, "lost")
        remaining = max(0.0, ack_wait - (time.monotonic() - delivery.started))
        if not delivery._done.wait(remaining):
            self._finish(delivery, "timeout")
        return delivery

    # -- the connection side ---------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._lock:
            known = ticket in self._tickets
            used = self._tickets.get(ticket, False)
            if known:
                self._tickets[ticket] = True
        if parts.path.rstrip("/") != "/link" or not known:
            self._warning(f"Socket Mode: connection refused, no such ticket ({request.path})")
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        if used:
            # Every SDK asks apps.connections.open for a new URL each time it connects.
            self._warning("Socket Mode: a connection URL was used twice; refused as Slack would")
            return connection.respond(HTTPStatus.UNAUTHORIZED, "ticket already used\n")
        return None

    def _serve_connection(self, ws: ServerConnection) -> None:
        with self._lock:
            self._opened += 1
            link = _Link(self._opened, ws)
            replaced = [old for old in self._links if old.replace]
            self._links.append(link)
            open_now = len(self._links)
            self._lock.notify_all()
        for old in replaced:
            self._later(0, self._close, old, 1000, "")
        if open_now > MAX_CONNECTIONS:
            self._violation(f"Socket Mode: {open_now} connections open at once; Slack allows {MAX_CONNECTIONS}")
        hello = {
            "type": "hello",
            "num_connections": open_now,
            "debug_info": {
                "host": self._host_name(link),
                "build_number": 1,
                "approximate_connection_time": APPROXIMATE_CONNECTION_TIME,
            },
            "connection_info": {"app_id": self.app_id},
        }
        try:
            self._send(link, hello)
            for raw in ws:
                self._on_message(link, raw)
        except ConnectionClosed:
            pass  # closed by the app, by a test, or by stop(); deliveries still waiting on it are lost below
        finally:
            with self._lock:
                if link in self._links:
                    self._links.remove(link)
                orphans = [
                    d for d in self._deliveries.values() if d.connection == link.number and d.status == "pending"
                ]
                self._lock.notify_all()
            for delivery in orphans:
                self._finish(delivery, "lost")

    def _on_message(self, link: _Link, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            self._violation(f"Socket Mode: the app sent a message that is not JSON: {raw[:200]!r}")
            return
        if not isinstance(message, dict):
            self._violation(f"Socket Mode: the app sent {type(message).__name__} JSON, not an object")
            return
        with self._lock:
            self.frames.append(SocketFrame("received", link.number, message))
        envelope_id = message.get("envelope_id")
        if not envelope_id:
            self._violation(f"Socket Mode: a message without envelope_id acknowledges nothing: {message}")
            return
        unknown = sorted(set(message) - {"envelope_id", "payload"})
        if unknown:
            self._violation(f"Socket Mode: ack {envelope_id} has fields Slack does not read: {unknown}")
        payload = message.get("payload")
        with self._lock:
            delivery = self._deliveries.get(str(envelope_id))
        if delivery is None:
            self._violation(f"Socket Mode: ack for envelope_id {envelope_id!r}, which Slack never sent")
            return
        if payload is not None and not isinstance(payload, dict):
            self._violation(f"Socket Mode: ack {envelope_id} has a payload that is not an object: {payload!r}")
            payload = None
        if payload is not None and not delivery.accepts_response_payload:
            self._violation(
                f"Socket Mode: ack {envelope_id} carries a payload, but the {delivery.kind} envelope "
                "said accepts_response_payload: false"
            )
        with self._lock:
            status = delivery.status
            lose = status == "pending" and self._acks_to_lose > 0
            if lose:
                self._acks_to_lose -= 1
                delivery.ack_dropped = True
        if status == "acked":
            self._violation(f"Socket Mode: envelope {envelope_id} ({delivery.kind}) acknowledged twice")
        elif status == "pending" and not lose:
            self._finish(delivery, "acked", payload)

    # -- helpers ---------------------------------------------------------------------------------

    def _finish(self, delivery: Delivery, status: str, payload: JSON | None = None) -> None:
        with self._lock:
            if delivery.status != "pending":
                return
            delivery.status = status
            delivery.ack_payload = payload
            delivery.elapsed = time.monotonic() - delivery.started
        delivery._done.set()

    def _finish_pending(self, status: str) -> None:
        with self._lock:
            pending = [d for d in self._deliveries.values() if d.status == "pending"]
        for delivery in pending:
            self._finish(delivery, status)

    def _send(self, link: _Link, message: JSON) -> bool:
        with self._lock:
            self.frames.append(SocketFrame("sent", link.number, message))
        try:
            link.ws.send(json.dumps(message, separators=(",", ":")))
        except ConnectionClosed:
            return False
        return True

    def _host_name(self, link: _Link) -> str:
        return f"applink-fake-{link.number}"

    def _later(self, delay: float, action: Callable[..., None], *args: Any) -> None:
        timer = threading.Timer(delay, action, args)
        timer.daemon = True
        with self._lock:
            if self._server is None:
                return
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()

    def _refresh(self, link: _Link) -> None:
        with self._lock:
            if link not in self._links or link.draining:
                return
            link.draining = link.replace = True
        self._send(
            link, {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": self._host_name(link)}}
        )
        self._later(self.refresh_grace, self._close, link, 1000, "")

    def _close(self, link: _Link, code: int, reason: str) -> None:
        with self._lock:
            if link not in self._links:
                return
        try:
            link.ws.close(code, reason)
        except Exception:  # closing a connection the app dropped at the same moment
            logger.debug("closing Socket Mode connection %d failed", link.number, exc_info=True)

    @staticmethod
    def _reset(link: _Link) -> None:
        # SO_LINGER 0 makes close() send a TCP RST: the app sees "connection reset by peer", no close frame.
        sock = link.ws.socket
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def new_app_token(app_id: str) -> str:
    """An app-level token in Slack's shape, ``xapp-1-<app id>-<number>-<hex>``.

    Args:
        app_id: The app's id.

    Returns:
        The token.
    """
    return f"xapp-1-{app_id}-{secrets.randbelow(10**13):013d}-{secrets.token_hex(32)}"
