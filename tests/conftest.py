"""Shared fixtures: real databases (a SQLite file, and the PostgreSQL server where reachable), and the real bot
against the fake Slack over each transport Slack uses (HTTP requests and Socket Mode)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot, local_bot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL, PEOPLE
from storage.db import make_engine, migrate
from tests.netfaults import TcpProxy
from tests.support import MONDAY

# Every end-to-end journey runs over both transports: `-m socket_mode` runs only the Socket Mode runs,
# `-m "not socket_mode"` everything over HTTP alone.
TRANSPORTS = [
    pytest.param("http", marks=pytest.mark.http_mode, id="http"),
    pytest.param("socket", marks=pytest.mark.socket_mode, id="socket"),
]

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("TURNABOUT_REQUIRE_POSTGRES") == "1"


def _postgres_unreachable_reason() -> str | None:
    probe = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({str(exc.orig).strip().splitlines()[0]})"
    finally:
        probe.dispose()
    return None


@pytest.fixture(autouse=True)
def _forget_finished_engines() -> Iterator[None]:
    """Let each test's database engine go once the test is over.

    The ORM caches the statements it writes per mapper, keyed by the engine's dialect (`Mapper._compiled_cache`,
    up to 100 per mapper). A process has one engine; a test run builds a thousand, and those caches kept every
    one alive with all it had cached: over a million objects, and full garbage collections that stopped every
    thread for seconds, long enough for a slash command to miss Slack's 3 s. There is no public way to empty
    that cache; the attribute has kept its name since SQLAlchemy 1.0. The PostgreSQL dialect's `lru_cache`d
    methods (the reflection queries Alembic uses) hold up to 128 dialects alike.
    """
    yield
    for mapper in SQLModel._sa_registry.mappers:
        mapper._compiled_cache.clear()
    for cached in _DIALECT_CACHES:
        cached.cache_clear()


_DIALECT_CACHES: list[Any] = [
    method for name in dir(PGDialect) if hasattr(method := getattr(PGDialect, name), "cache_clear")
]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The server's URL; skips (or fails, in CI) when no server answers."""
    reason = _postgres_unreachable_reason()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason}; TURNABOUT_REQUIRE_POSTGRES=1 says these tests must run")
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections live in a fresh schema of their own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def proxy(postgres_schema_url: str) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the PostgreSQL server, to cut and restore (`proxy.route(postgres_schema_url)`)."""
    where = urlsplit(postgres_schema_url)
    with TcpProxy(where.hostname or "127.0.0.1", where.port or 5432) as running:
        yield running


@pytest.fixture
def postgres_engine(postgres_schema_url: str) -> Iterator[Engine]:
    """A migrated engine in a throwaway schema, so test runs never collide."""
    engine = make_engine(postgres_schema_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'turnabout.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each storage test runs on both backends."""
    fixture = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    result: Engine = request.getfixturevalue(fixture)
    return result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Parametrized here rather than on the fixture so that tests about the HTTP endpoint itself (signatures, the
    # server's limits) are not collected over Socket Mode at all, instead of showing up as skips.
    if "transport" in metafunc.fixturenames:
        http_only = metafunc.definition.get_closest_marker("http_only") is not None
        metafunc.parametrize("transport", TRANSPORTS[:1] if http_only else TRANSPORTS, indirect=True)


@pytest.fixture
def transport(request: pytest.FixtureRequest) -> str:
    """How Slack reaches the bot: ``"http"`` (signed requests) or ``"socket"`` (Socket Mode envelopes)."""
    value: str = request.param
    return value


@pytest.fixture
def bot(tmp_path: Path, transport: str) -> Iterator[LocalBot]:
    """The real bot against the loopback fake Slack, on a SQLite file, over HTTP or Socket Mode."""
    with local_bot(
        database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
        users=PEOPLE,
        channels=[LEADS_CHANNEL],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
        mode=transport,
    ) as running:
        yield running
        running.settle()
        assert running.fake.violations == [], "the bot broke Slack's contract"


@pytest.fixture
def timed(tmp_path: Path, transport: str) -> Iterator[tuple[LocalBot, SimClock]]:
    """The same bot with a clock the test moves, starting at `tests.support.MONDAY`."""
    clock = SimClock(MONDAY)
    with local_bot(
        database_url=f"sqlite:///{tmp_path / 'timed.db'}",
        users=PEOPLE,
        channels=[LEADS_CHANNEL],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
        clock=clock,
        mode=transport,
    ) as running:
        yield running, clock
        running.settle()
        assert running.fake.violations == [], "the bot broke Slack's contract"
