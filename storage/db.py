"""Engines, sessions and schema migrations."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError, InterfaceError, InvalidatePoolError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"

# Seconds to wait for a PostgreSQL connection: a listener must answer Slack within 3 s, so an unreachable
# server has to fail fast enough to leave time to say so.
CONNECT_TIMEOUT = 2

# An execution option for connections that never write (`read_profile`): on SQLite they begin a deferred
# transaction instead of taking the write lock.
READ_ONLY = "turnabout_read_only"

# Seconds a pooled PostgreSQL connection may sit unused before it is pinged at its next checkout
# (`_ping_when_idle`).
PING_AFTER_IDLE = 1.0
_IDLE_SINCE = "turnabout_idle_since"

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The database could not be reached or is too busy; nothing of the transaction was kept.

    Raised by `session_scope` in place of the driver's connection errors, so callers can tell people
    "please try again in a minute" without knowing which database is behind.
    """


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for how Turnabout uses each backend.

    SQLite is shared by the HTTP server's worker threads and the scheduler thread, so it must allow
    cross-thread use and wait for locks instead of failing with "database is locked".
    """
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Write-ahead log: readers (a `/mentoring join` answering Slack within 3 s, a long export) never wait
            # for a writer's commit, and a commit is one append instead of a journal, the file and two fsyncs
            # (0.01 ms against 0.7 ms p50 / 4 ms p99 measured here). NORMAL is SQLite's documented setting for
            # WAL: never corrupt; only a power cut or an OS crash (not a crash of Turnabout) can undo the last
            # commits. In-memory databases stay as they are.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # The sqlite3 module only opens a transaction before an INSERT/UPDATE/DELETE, so a SAVEPOINT issued
            # first (`insert_once`) ran outside any transaction and its RELEASE committed for good: a use case
            # that failed later left that row behind. SQLAlchemy's documented remedy ("Serializable isolation /
            # Savepoints / Transactional DDL" for pysqlite): the driver does nothing, we emit BEGIN ourselves.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # IMMEDIATE: the write lock is taken (waiting up to busy_timeout) when the transaction starts. A
            # deferred transaction that reads and then writes can't wait for the lock when another holds it
            # (SQLite would deadlock), so it fails at once with "database is locked". A connection that only
            # reads (`READ_ONLY`) needs no write lock, and must not queue behind writers for one.
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if not url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, PING_AFTER_IDLE)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle long enough to have gone stale unnoticed.

    `pool_pre_ping` checks on every checkout: a second round trip for each one-query answer (`read_profile`),
    which is most of the database time of a `/mentoring join` under load. A connection handed back moments ago
    was working moments ago; if the server went away since, using it fails, and SQLAlchemy then invalidates
    every pooled connection, as a failed ping does. So: ping after `idle_seconds` (the quiet stretches in which
    a restart or a network cut goes unnoticed), and on a failed ping drop the whole pool, as pre-ping would.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        # A record's `info` is emptied when its connection is replaced: no mark means freshly connected.
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError() from error
            raise
        if not alive:
            raise InvalidatePoolError()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations, bound to `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config is a ConfigParser: a literal % (URL-encoded options, passwords) must be doubled.
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to run on every start-up."""
    command.upgrade(alembic_config(engine), revision)


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error. `read_only`: it never writes, so on SQLite it
    reads without taking the write lock (a long export must not hold up sign-ups).

    A lost or refused connection (the server down, a restart, SQLite locked past its timeout) becomes
    `StoreUnavailable`, logged in one line: the transaction is rolled back whole, so nothing is half-written.
    """
    try:
        bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    except (OperationalError, InterfaceError) as error:
        log.warning("database unavailable: %s", str(error.orig or error).strip().splitlines()[0][:200])
        raise StoreUnavailable from error


def insert_once(session: Session, row: SQLModel) -> bool:
    """Insert a row guarded by a unique key; False (and nothing changed) when the key exists already.

    The savepoint opens before the row is added because begin_nested() flushes pending objects first, and
    a duplicate must roll back only itself, not the caller's transaction. Concurrent callers, in threads or
    processes, race on the unique index and exactly one wins.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
