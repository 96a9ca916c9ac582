"""Migrations build exactly the schema the models describe, and upgrading keeps data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from storage.db import alembic_config, make_engine, migrate


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_single_head_and_every_revision_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = alembic_config(engine)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    migrate(engine)
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert {"participant", "processed_key"} <= set(inspect(engine).get_table_names())


def test_migrate_twice_keeps_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO processed_key (key, created_at) VALUES ('k', '2026-11-23 10:00:00')"))
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM processed_key")).scalar() == 1


def test_upgrading_a_database_with_pairs_keeps_them_and_schedules_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO match_round (id, lead_id, status, total_score, created_at)"
                " VALUES (1, 'U0L', 'approved', 0, '2026-11-01 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO pairing"
                " (round_id, mentor_id, mentee_id, status, score, shared_topics, reasons, created_at)"
                " VALUES (1, 'U0A', 'U0B', 'active', 70, '[]', '[]', '2026-11-01 09:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT momentum, episode_steps, next_check_at FROM pairing")).one()
    assert row[0] == "on_track" and row[1] in ("{}", {}) and row[2] is not None
