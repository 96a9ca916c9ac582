"""Fan-out at Slack's limits: each waiting message knows its conversation (one in flight per conversation), and a
rate limiter per Web API method shared by every process that sends.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _digest(parts: Sequence[str]) -> str:
    # Frozen here on purpose (a migration must not change with the code): the same digest as
    # storage.outbox.conversation_of at the time of writing.
    return hashlib.blake2b("\n".join(sorted(parts)).encode(), digest_size=12).hexdigest()


def upgrade() -> None:
    # A plain ADD COLUMN: no table rebuild, so outbox_recipient's foreign key to outbox is untouched.
    op.add_column("outbox", sa.Column("conversation", sa.String(length=32), nullable=True))
    op.create_index("ix_outbox_conversation", "outbox", ["conversation", "status"])
    op.create_table(
        "send_rate",
        sa.Column("method", sa.String(length=64), primary_key=True),
        sa.Column("paused_until", sa.Float(), nullable=False),
    )
    op.create_table(
        "send_slot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_send_slot_method_at", "send_slot", ["method", "at"])
    # Messages already waiting get their conversation, so they too go one at a time, in order.
    connection = op.get_bind()
    waiting = connection.execute(
        sa.text("SELECT id, target_channel FROM outbox WHERE status IN ('pending', 'sending')")
    ).all()
    for message_id, channel in waiting:
        users = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT user_id FROM outbox_recipient WHERE message_id = :id"), {"id": message_id}
            )
        ]
        parts = [channel] if channel else users
        if parts:
            connection.execute(
                sa.text("UPDATE outbox SET conversation = :c WHERE id = :id"), {"c": _digest(parts), "id": message_id}
            )


def downgrade() -> None:
    op.drop_index("ix_send_slot_method_at", table_name="send_slot")
    op.drop_table("send_slot")
    op.drop_table("send_rate")
    op.drop_index("ix_outbox_conversation", table_name="outbox")
    op.drop_column("outbox", "conversation")
