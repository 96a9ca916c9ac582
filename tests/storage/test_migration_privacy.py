"""0007: people who left before it get a leaving date (so the retention purge finds them), and messages that will
never be sent lose their text."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from storage.db import alembic_config, make_engine, migrate


def test_upgrading_dates_who_left_and_empties_messages_never_sent(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine, "0006")
    with engine.begin() as connection:
        for user_id, status in (("U0GONE", "left"), ("U0HERE", "active")):
            connection.execute(
                text(
                    "INSERT INTO participant (slack_user_id, team_id, name, title, tz, is_mentor, is_mentee,"
                    " teach_topics, learn_topics, seniority, department, cadence, capacity, goals, do_not_match,"
                    " status, consented_at, joined_at, updated_at) VALUES (:id, 'T', 'n', '', 'UTC', 0, 1, '[]',"
                    " '[]', 'senior', 'Data', 'weekly', 0, '', '[]', :status, '2026-11-01 09:00:00',"
                    " '2026-11-01 09:00:00', '2026-11-20 09:00:00')"
                ),
                {"id": user_id, "status": status},
            )
        for key, status in (("a", "cancelled"), ("b", "failed"), ("c", "pending")):
            connection.execute(
                text(
                    "INSERT INTO outbox (key, kind, text, blocks, status, priority, revision, attempts, not_before,"
                    " created_at) VALUES (:key, 'confirmation', 'Tom Becker', '[{\"type\": \"divider\"}]', :status,"
                    " 0, 0, 0, '2026-11-23 10:00:00', '2026-11-23 10:00:00')"
                ),
                {"key": key, "status": status},
            )
        connection.execute(
            text("INSERT INTO outbox_recipient (message_id, user_id, position) SELECT id, 'U0GONE', 0 FROM outbox")
        )
    migrate(engine, "0007")
    with engine.connect() as connection:
        left: dict[str, object] = {
            r[0]: r[1] for r in connection.execute(text("SELECT slack_user_id, left_at FROM participant"))
        }
        texts: dict[str, str] = {r[0]: r[1] for r in connection.execute(text("SELECT key, text FROM outbox"))}
        recipients = connection.execute(
            text("SELECT o.key FROM outbox_recipient r JOIN outbox o ON o.id = r.message_id ORDER BY o.key")
        ).all()
    assert str(left["U0GONE"]).startswith("2026-11-20 09:00:00") and left["U0HERE"] is None
    assert texts == {"a": "", "b": "", "c": "Tom Becker"}
    assert [r[0] for r in recipients] == ["c"], "a goodbye that never went keeps no recipient"
    command.downgrade(alembic_config(engine), "0006")
    migrate(engine, "0007")
