"""A typed outbox: recipients as rows, a target channel, priority and revision; check-ins know their session.

Everything that was read back out of key text gets a column: who a message is for (`outbox_recipient`, so
deleting someone's data matches their exact id), whether it goes to a channel, and which session a check-in
follows. Previews and sign-up confirmations now go through the outbox too, so `processed_key` and the round's
preview columns go.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANNEL_PREFIXES = ("C", "G")


def upgrade() -> None:
    connection = op.get_bind()
    # Read before the outbox table is rebuilt, and create the recipients table after: SQLite's batch mode
    # rebuilds `outbox` by drop-and-rename, which with foreign keys on would cascade into recipient rows.
    rows = connection.execute(sa.text("SELECT id, recipients FROM outbox")).all()
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("target_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_column("recipients")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("priority", server_default=None)
        batch.alter_column("revision", server_default=None)
    op.create_table(
        "outbox_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_recipient_message_id", "outbox_recipient", ["message_id"])
    op.create_index("ix_outbox_recipient_user_id", "outbox_recipient", ["user_id"])
    recipient_rows = []
    for message_id, recipients in rows:
        names = [r for r in (recipients or "").split(",") if r]
        if len(names) == 1 and names[0].startswith(_CHANNEL_PREFIXES):
            connection.execute(
                sa.text("UPDATE outbox SET target_channel = :channel WHERE id = :id"),
                {"channel": names[0], "id": message_id},
            )
            continue
        recipient_rows += [
            {"message_id": message_id, "user_id": user_id, "position": position}
            for position, user_id in enumerate(names)
        ]
    if recipient_rows:
        connection.execute(
            sa.text(
                "INSERT INTO outbox_recipient (message_id, user_id, position) VALUES (:message_id, :user_id, :position)"
            ),
            recipient_rows,
        )

    with op.batch_alter_table("prompt") as batch:
        batch.add_column(sa.Column("session_number", sa.Integer(), nullable=True))
    # Check-in prompts were keyed "checkin:<pairing>:<session number>:<user>": the last time a key is read.
    for prompt_id, key in connection.execute(sa.text("SELECT id, outbox_key FROM prompt WHERE kind = 'checkin'")).all():
        parts = str(key).split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            connection.execute(
                sa.text("UPDATE prompt SET session_number = :n WHERE id = :id"), {"n": int(parts[2]), "id": prompt_id}
            )

    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of match_round would break the
    # foreign keys pairing rows hold to it.
    op.drop_column("match_round", "preview_channel")
    op.drop_column("match_round", "preview_ts")
    op.drop_table("processed_key")


def downgrade() -> None:
    op.create_table(
        "processed_key",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("match_round") as batch:
        batch.add_column(sa.Column("preview_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("preview_ts", sa.String(length=32), nullable=True))
    with op.batch_alter_table("prompt") as batch:
        batch.drop_column("session_number")
    connection = op.get_bind()
    by_message: dict[int, list[str]] = {}
    for message_id, user_id in connection.execute(
        sa.text("SELECT message_id, user_id FROM outbox_recipient ORDER BY message_id, position")
    ).all():
        by_message.setdefault(message_id, []).append(user_id)
    op.drop_index("ix_outbox_recipient_user_id", table_name="outbox_recipient")
    op.drop_index("ix_outbox_recipient_message_id", table_name="outbox_recipient")
    op.drop_table("outbox_recipient")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("recipients", sa.String(length=500), nullable=False, server_default=""))
    for message_id, users in by_message.items():
        connection.execute(
            sa.text("UPDATE outbox SET recipients = :r WHERE id = :id"), {"r": ",".join(users), "id": message_id}
        )
    connection.execute(sa.text("UPDATE outbox SET recipients = target_channel WHERE target_channel IS NOT NULL"))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("target_channel")
        batch.drop_column("priority")
        batch.drop_column("revision")
        batch.alter_column("recipients", server_default=None)
