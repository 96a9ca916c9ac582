"""HTTP mode: Bolt behind waitress, a production WSGI server, with a health check for load balancers."""

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


def wsgi_app(app: App, engine: Engine) -> WSGIApplication:
    """Slack's requests at POST /slack/events; GET /healthz answers 200 while the database answers."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _health(engine, start_response)
        return slack(environ, start_response)

    return application


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
    """A waitress server; `port=0` picks a free port (see `.effective_port`)."""
    return create_server(wsgi_app(app, engine), host=host, port=port, threads=threads, ident="turnabout")
