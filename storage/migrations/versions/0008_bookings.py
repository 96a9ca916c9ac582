"""Booked sessions, and outbox messages that carry a file (a calendar invite) in a thread.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("mentee_ids", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("booked_by", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("settled_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairing.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_booking_pairing_id", "booking", ["pairing_id"])
    op.create_index("ix_booking_status", "booking", ["status"])
    op.add_column("outbox", sa.Column("attachment", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Unsent invites go with the column: a calendar file nobody received is worth nothing.
    op.execute("UPDATE outbox SET status = 'cancelled' WHERE attachment IS NOT NULL AND status = 'pending'")
    # A plain DROP COLUMN: a batch rebuild of the outbox would cascade-delete its recipient rows on SQLite.
    op.drop_column("outbox", "attachment")
    op.drop_index("ix_booking_status", table_name="booking")
    op.drop_index("ix_booking_pairing_id", table_name="booking")
    op.drop_table("booking")
