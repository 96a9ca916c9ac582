"""`python -m bot` (or `turnabout`): run the bot, migrate the database, run one sweep, or the sandbox."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from datetime import UTC, datetime
from types import FrameType

from bot.config import ConfigError, Mode, Settings, load_settings
from bot.domain.catalogue import CatalogueError
from bot.domain.content import ContentError
from bot.logs import configure_logging

log = logging.getLogger("turnabout")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="turnabout", description="Turnabout: reverse mentoring inside Slack.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default): Socket Mode, HTTP, or the sandbox with no tokens")
    sub.add_parser("migrate", help="bring the database schema up to date and exit")
    tick = sub.add_parser("tick", help="run every scheduled job once, as of --now, and exit")
    tick.add_argument("--now", type=_instant, help="ISO-8601 instant (default: the current time)")
    sandbox_parser = sub.add_parser("sandbox", help="play the scripted journey against a local fake Slack workspace")
    sandbox_parser.add_argument("--database-url", help="where the sandbox keeps its data (default: a fresh temp file)")
    sandbox_parser.add_argument("--transcript", help="also write the transcript to this file")
    args = parser.parse_args(argv)
    command = args.command or "run"

    try:
        settings = load_settings()
        sandbox = command == "sandbox" or (command == "run" and settings.mode is Mode.SANDBOX)
        # In the sandbox the transcript is the output; routine INFO lines (migrations, the server) would bury it.
        level = "WARNING" if sandbox and settings.log_level == "INFO" else settings.log_level
        configure_logging(level, secrets=_secrets(settings))
        if command == "migrate":
            return _migrate(settings)
        if command == "tick":
            return _tick(settings, args.now or datetime.now(UTC))
        if sandbox:
            from bot.sandbox import run_sandbox

            return run_sandbox(
                database_url=getattr(args, "database_url", None), transcript=getattr(args, "transcript", None)
            )
        settings.check_for_mode()
        return _run(settings)
    except (ConfigError, CatalogueError, ContentError) as exc:
        print(f"turnabout: {exc}", file=sys.stderr)
        return 2


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _secrets(settings: Settings) -> list[str]:
    return [s for s in (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret) if s]


def _migrate(settings: Settings) -> int:
    from storage.db import make_engine, migrate

    migrate(make_engine(settings.database_url))
    print("turnabout: database is up to date")
    return 0


def _tick(settings: Settings, now: datetime) -> int:
    from bot.app import build_client, build_services
    from scheduler import run_due_jobs

    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required to run scheduled jobs (they message people in Slack)")
    # Every rule and the outbox read the same instant, so a tick "as of" a moment is exactly that.
    services = dataclasses.replace(build_services(settings), clock=lambda: now)
    # Stopped by cron or a container (SIGTERM): finish the message in hand, leave the rest to the next tick.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: services.stopping.set())
    done = run_due_jobs(services, build_client(settings), now=now)
    print("turnabout: tick as of " + now.isoformat() + ": " + ", ".join(f"{k} {v}" for k, v in done.items()))
    return 0


def _run(settings: Settings) -> int:
    from bot.app import build_app, build_services
    from scheduler import build_scheduler

    services = build_services(settings)
    app = build_app(settings, services=services)
    scheduler = build_scheduler(services, app.client)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Leave the way Ctrl-C does: waitress's event loop breaks if its sockets close under its select().
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    scheduler.start()
    try:
        if settings.mode is Mode.SOCKET:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("starting in Socket Mode")
            handler = SocketModeHandler(app, settings.slack_app_token)
            try:
                handler.start()
            except KeyboardInterrupt:
                log.info("stopping")
            finally:
                handler.close()
        else:
            from bot.server import make_server

            server = make_server(app, services.engine, port=settings.port)
            log.info("listening for Slack on http://0.0.0.0:%d/slack/events", settings.port)
            try:
                server.run()
            except KeyboardInterrupt:
                log.info("stopping")
            finally:
                server.close()
    finally:
        # A sweep in progress finishes the message in hand (see `Services.stopping`) and takes no more.
        services.stopping.set()
        scheduler.shutdown(wait=True)
    return 0
