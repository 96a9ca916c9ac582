"""PostgreSQL connections: one round trip per one-query answer under load, and a server that went away is
noticed (behind a proxy we can cut, as in `tests/handlers/test_outage.py`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

import storage.db
from storage.db import StoreUnavailable, make_engine, migrate
from storage.participants import read_profile
from tests.netfaults import TcpProxy

pytestmark = pytest.mark.postgres


@contextmanager
def proxied_engine(
    url: str, proxy: TcpProxy, *, ping_after: float, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, list[float]]]:
    """An engine through the proxy whose connections are pinged after `ping_after` idle seconds; its pings."""
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", ping_after)
    engine = make_engine(proxy.route(url))
    migrate(engine)
    real_ping = engine.dialect.do_ping
    pings: list[float] = []

    def counted(dbapi_connection: Any) -> bool:
        pings.append(time.monotonic())
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        yield engine, pings
    finally:
        engine.dispose()


def nobody(engine: Engine) -> bool:
    """One `/mentoring join`'s worth of database work: the profile lookup (for someone not in the program)."""
    return read_profile(engine=engine, user_id="U0NOBODY") is None


def test_a_connection_handed_back_moments_ago_is_used_without_a_ping(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with proxied_engine(postgres_schema_url, proxy, ping_after=60, monkeypatch=monkeypatch) as (engine, pings):
        assert all(nobody(engine) for _ in range(20))
        assert pings == []


def test_a_connection_idle_for_a_while_is_pinged_and_a_dead_one_replaced_unnoticed(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with proxied_engine(postgres_schema_url, proxy, ping_after=0.05, monkeypatch=monkeypatch) as (engine, pings):
        assert nobody(engine)
        proxy.down()  # a restart in a quiet moment: nobody asked while it was down
        proxy.up()
        time.sleep(0.1)
        assert nobody(engine)
        assert len(pings) == 1
        assert nobody(engine)  # the fresh connection, moments later
        assert len(pings) == 1


def test_a_busy_connection_that_died_fails_that_answer_only_and_the_pool_recovers(
    postgres_schema_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with proxied_engine(postgres_schema_url, proxy, ping_after=60, monkeypatch=monkeypatch) as (engine, pings):
        # Two pooled connections, both handed back moments ago.
        with engine.connect() as first, engine.connect() as second:
            assert first is not second
        assert nobody(engine)
        proxy.down()
        proxy.up()
        with pytest.raises(StoreUnavailable):
            nobody(engine)
        # SQLAlchemy dropped every connection older than the failure, so the other one is not tried either.
        assert all(nobody(engine) for _ in range(3))
        assert pings == []
