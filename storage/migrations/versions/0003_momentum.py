"""Momentum: per-pair state and sweep schedule, prompts (for ghosts) and private check-ins.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pause_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pause_interval_user_id", "pause_interval", ["user_id"])
    # People paused today keep their pause, from when it was set.
    op.execute(
        "INSERT INTO pause_interval (user_id, started_at, ended_at)"
        " SELECT slack_user_id, updated_at, NULL FROM participant WHERE status = 'paused'"
    )
    # Pairings that exist already get a state of "on_track" and are looked at by the next sweep.
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("met", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("learned", sa.String(length=500), nullable=False),
        sa.Column("blockers", sa.String(length=500), nullable=False),
        sa.Column("fit", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prompt_id"),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_pairing_id", ["pairing_id"], unique=False)

    op.create_table(
        "prompt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outbox_key", sa.String(length=255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_key"),
    )
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.create_index("ix_prompt_pairing_id", ["pairing_id"], unique=False)
        batch_op.create_index("ix_prompt_user_sent", ["user_id", "sent_at"], unique=False)

    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("momentum", sa.String(length=16), nullable=False, server_default="on_track"))
        batch_op.add_column(sa.Column("last_session_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("episode_key", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("episode_steps", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_pairing_next_check_at", ["next_check_at"], unique=False)
    op.execute("UPDATE pairing SET next_check_at = CURRENT_TIMESTAMP WHERE status = 'active'")


def downgrade() -> None:
    op.drop_index("ix_pause_interval_user_id", table_name="pause_interval")
    op.drop_table("pause_interval")
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_index("ix_pairing_next_check_at")
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("episode_steps")
        batch_op.drop_column("episode_key")
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("last_session_at")
        batch_op.drop_column("momentum")

    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_user_sent")
        batch_op.drop_index("ix_prompt_pairing_id")

    op.drop_table("prompt")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_pairing_id")

    op.drop_table("checkin")
