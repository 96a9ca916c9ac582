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
    assert {"participant", "outbox", "outbox_recipient"} <= set(inspect(engine).get_table_names())


def test_migrate_twice_keeps_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO match_round (id, lead_id, status, total_score, created_at)"
                " VALUES (1, 'U0L', 'draft', 0, '2026-11-23 10:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM match_round")).scalar() == 1


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


def test_the_typed_outbox_keeps_every_queued_message_and_reads_old_keys_once(tmp_path: Path) -> None:
    """0005: comma-joined recipients become rows (a channel becomes the target), a check-in's session number
    comes out of its old key, and the messages of a pair survive the rebuild of the outbox table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine, "0004")
    with engine.begin() as connection:
        for key, recipients in (("intro:1:U0A", "U0A,U0B,U0C"), ("left-lead:1:C0LEADS", "C0LEADS"), ("g:U0A", "U0A")):
            connection.execute(
                text(
                    "INSERT INTO outbox (key, kind, recipients, text, blocks, status, attempts, not_before, created_at)"
                    " VALUES (:key, 'intro', :recipients, 't', '[]', 'pending', 0, '2026-11-23 10:00:00',"
                    " '2026-11-23 10:00:00')"
                ),
                {"key": key, "recipients": recipients},
            )
        connection.execute(
            text(
                "INSERT INTO prompt (user_id, pairing_id, kind, outbox_key, sent_at)"
                " VALUES ('U0A', 7, 'checkin', 'checkin:7:3:U0A', '2026-11-23 10:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        people = connection.execute(
            text(
                "SELECT o.key, r.user_id FROM outbox o JOIN outbox_recipient r ON r.message_id = o.id"
                " ORDER BY o.key, r.position"
            )
        ).all()
        channels = connection.execute(text("SELECT key, target_channel FROM outbox ORDER BY key")).all()
        session_number = connection.execute(text("SELECT session_number FROM prompt")).scalar()
    assert [tuple(p) for p in people] == [
        ("g:U0A", "U0A"),
        ("intro:1:U0A", "U0A"),
        ("intro:1:U0A", "U0B"),
        ("intro:1:U0A", "U0C"),
    ]
    assert [tuple(c) for c in channels] == [
        ("g:U0A", None),
        ("intro:1:U0A", None),
        ("left-lead:1:C0LEADS", "C0LEADS"),
    ]
    assert session_number == 3
    # And back: the old comma-joined column is rebuilt from the rows.
    command.downgrade(alembic_config(engine), "0004")
    with engine.connect() as connection:
        back = connection.execute(text("SELECT key, recipients FROM outbox ORDER BY key")).all()
    assert [tuple(b) for b in back] == [
        ("g:U0A", "U0A"),
        ("intro:1:U0A", "U0A,U0B,U0C"),
        ("left-lead:1:C0LEADS", "C0LEADS"),
    ]
