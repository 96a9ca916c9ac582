"""Initial schema: participants and processed side-effect keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("is_mentor", sa.Boolean(), nullable=False),
        sa.Column("is_mentee", sa.Boolean(), nullable=False),
        sa.Column("teach_topics", sa.JSON(), nullable=False),
        sa.Column("learn_topics", sa.JSON(), nullable=False),
        sa.Column("seniority", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("goals", sa.String(length=500), nullable=False),
        sa.Column("manager_id", sa.String(length=32), nullable=True),
        sa.Column("sponsor_id", sa.String(length=32), nullable=True),
        sa.Column("do_not_match", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_participant_slack_user_id", "participant", ["slack_user_id"], unique=True)
    op.create_index("ix_participant_status", "participant", ["status"])
    op.create_index("ix_participant_paused_until", "participant", ["paused_until"])
    op.create_table(
        "processed_key",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("processed_key")
    op.drop_index("ix_participant_paused_until", table_name="participant")
    op.drop_index("ix_participant_status", table_name="participant")
    op.drop_index("ix_participant_slack_user_id", table_name="participant")
    op.drop_table("participant")
