"""PostgreSQL connections: one round trip per one-query answer under load, and a server that went away is
noticed (behind a proxy we can cut, as in `tests/handlers/test_outage.py`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

import storage.db
from storage.db import StoreUnavailable, make_engine, migrate
from storage.participants import read_profile
from tests.netfaults import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(postgres_schema_url: str) -> Iterator[TcpProxy]:
    where = urlsplit(postgres_schema_url)
    with TcpProxy(where.hostname or "127.0.0.1", where.port or 5432) as running:
        yield running


def proxied_engine(
    url: str, proxy: TcpProxy, *, ping_after: float, monkeypatch: pytest.MonkeyPatch
) -> tuple[Engine, list[float]]:
    """An engine through the proxy whose connections are pinged after `ping_after` idle seconds; pings counted."""
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", ping_after)
    where = urlsplit(url)
    engine = make_engine(url.replace(where.netloc, f"{where.username}@127.0.0.1:{proxy.port}", 1))
    migrate(engine)
    real_ping = engine.dialect.do_ping
    pings: list[float] = []

    def counted(dbapi_connection: Any) -> bool:
        pings.append(time.monotonic())
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return engine, pings


def test_a_connection_handed_back_moments_ago_is_used_without_a_ping(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pings = proxied_engine(postgres_schema_url, proxy, ping_after=60, monkeypatch=monkeypatch)
    try:
        for _ in range(20):
            assert read_profile(engine=engine, user_id="U0NOBODY") is None
        assert len(pings) == 0
    finally:
        engine.dispose()


def test_a_connection_idle_for_a_while_is_pinged_and_a_dead_one_replaced_unnoticed(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pings = proxied_engine(postgres_schema_url, proxy, ping_after=0.05, monkeypatch=monkeypatch)
    try:
        assert read_profile(engine=engine, user_id="U0NOBODY") is None
        proxy.down()  # a restart in a quiet moment: nobody asked while it was down
        proxy.up()
        time.sleep(0.1)
        assert read_profile(engine=engine, user_id="U0NOBODY") is None
        assert len(pings) == 1
        assert read_profile(engine=engine, user_id="U0NOBODY") is None  # the fresh connection, moments later
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_a_busy_connection_that_died_fails_that_answer_only_and_the_pool_recovers(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pings = proxied_engine(postgres_schema_url, proxy, ping_after=60, monkeypatch=monkeypatch)
    try:
        # Two pooled connections, both handed back moments ago.
        with engine.connect() as first, engine.connect() as second:
            assert first is not second
        assert read_profile(engine=engine, user_id="U0NOBODY") is None
        proxy.down()
        proxy.up()
        with pytest.raises(StoreUnavailable):
            read_profile(engine=engine, user_id="U0NOBODY")
        # SQLAlchemy dropped every connection older than the failure, so the other one is not tried either.
        for _ in range(3):
            assert read_profile(engine=engine, user_id="U0NOBODY") is None
        assert len(pings) == 0
    finally:
        engine.dispose()
