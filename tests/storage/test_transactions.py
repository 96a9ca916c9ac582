"""A use case that fails keeps nothing, on SQLite as on PostgreSQL, savepoints included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.db import insert_once, session_scope
from storage.models import MatchRound


def test_a_failed_transaction_keeps_nothing_it_inserted_once(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        assert insert_once(session, MatchRound(lead_id="U0LEAD", created_at=datetime.now(UTC)))
        raise RuntimeError("the use case failed after the insert")
    with session_scope(engine) as session:
        assert list(session.exec(select(MatchRound))) == []
