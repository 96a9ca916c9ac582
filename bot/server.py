"""HTTP mode: Bolt behind waitress, a production WSGI server, with a health check for load balancers.

The limits are set here, explicitly, because waitress's defaults suit a general web app, not an endpoint only
Slack should call (see README, "Running in HTTP mode"):
- `MAX_BODY`: Slack's requests are small (a large modal submission is tens of KB); anything bigger is refused
  with 413 before it is read into memory, let alone parsed.
- `CONNECTION_LIMIT` and `poll()`: waitress reads requests asynchronously and hands only complete ones to its
  worker threads, so slow clients cost a socket each, not a thread; the limit is set well above what a few
  hundred trickling connections need (waitress's default is 100), and poll() has no 1,024-descriptor ceiling.
- `CHANNEL_TIMEOUT`: an idle connection is closed after this many seconds (waitress's default is 120).
Requests without Slack's signature headers are refused with 401 before Bolt sees them: one log line, no parse.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from waitress.server import create_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024
CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT = 30
_SIGNATURE_HEADERS = ("HTTP_X_SLACK_SIGNATURE", "HTTP_X_SLACK_REQUEST_TIMESTAMP")


def wsgi_app(app: App, engine: Engine) -> WSGIApplication:
    """Slack's requests at POST /slack/events; GET /healthz answers 200 while the database answers."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _health(engine, start_response)
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            refusal = _refuse_before_parsing(environ)
            if refusal is not None:
                return _plain(start_response, *refusal)
        return slack(environ, start_response)

    return application


def _refuse_before_parsing(environ: WSGIEnvironment) -> tuple[str, bytes] | None:
    """Why a request to Slack's endpoint is refused unread, or None to let Bolt verify and handle it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    client = environ.get("REMOTE_ADDR", "?")
    if length < 0 or length > MAX_BODY:
        log.warning("refused a request from %s: body of %s bytes (limit %d)", client, length, MAX_BODY)
        return "413 Payload Too Large", b"payload too large"
    if not all(environ.get(header) for header in _SIGNATURE_HEADERS):
        log.warning("refused an unsigned request from %s", client)
        return "401 Unauthorized", b"unsigned"
    return None


def _plain(start_response: StartResponse, status: str, body: bytes) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        status, body = "200 OK", {"ok": True, "database": "reachable"}
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def make_server(
    app: App, engine: Engine, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 8
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server with the limits above; `port=0` picks a free port (see `.effective_port`)."""
    return create_server(
        wsgi_app(app, engine),
        host=host,
        port=port,
        threads=threads,
        ident="turnabout",
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=CHANNEL_TIMEOUT,
        max_request_body_size=MAX_BODY,
        asyncore_use_poll=True,
    )
