"""The Bolt app factory: `build_app(settings) -> App`, used alike by production, the sandbox and tests."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

import handlers
from bot.config import Mode, Settings
from bot.domain.catalogue import load_catalogue
from bot.domain.content import load_content
from bot.usecases.services import Services
from storage.db import make_engine, migrate

log = logging.getLogger(__name__)


def build_client(settings: Settings) -> WebClient:
    """A Web API client that waits out rate limits (Retry-After) and retries dropped connections."""
    kwargs = {"base_url": settings.slack_api_url} if settings.slack_api_url else {}
    return WebClient(
        token=settings.slack_bot_token,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def build_services(settings: Settings) -> Services:
    """Open the database (migrating it to the current schema) and load the catalogue."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    return Services(
        settings=settings,
        engine=engine,
        catalogue=load_catalogue(settings.turnabout_catalogue_file),
        content=load_content(settings.turnabout_content_file),
    )


def build_app(
    settings: Settings, *, services: Services | None = None, listener_executor: Executor | None = None
) -> App:
    """Build the Bolt app with every listener registered.

    Args:
        settings: validated settings; `settings.check_for_mode()` should have passed.
        services: database, catalogue and clock; built from settings when omitted.
        listener_executor: where Bolt runs listener bodies after the ack (tests pass one they can wait on).
    """
    services = services or build_services(settings)
    app = App(
        client=build_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=settings.mode is not Mode.SOCKET,
        listener_executor=listener_executor,
        logger=logging.getLogger("slack_bolt"),
    )
    handlers.register(app, services)
    return app
