"""Matching: rounds, pairings, the unmatched, logged sessions and the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("preview_channel", sa.String(length=32), nullable=True),
        sa.Column("preview_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_match_round_status", "match_round", ["status"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "not_before"])
    op.create_index("ix_outbox_pairing_id", "outbox", ["pairing_id"])

    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("shared_topics", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=32), nullable=True),
        sa.Column("intro_channel", sa.String(length=32), nullable=True),
        sa.Column("next_session_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["match_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pairing_mentee_id", "pairing", ["mentee_id"])
    op.create_index("ix_pairing_mentor_id", "pairing", ["mentor_id"])
    op.create_index("ix_pairing_round_id", "pairing", ["round_id"])
    op.create_index("ix_pairing_status", "pairing", ["status"])

    op.create_table(
        "round_unmatched",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["match_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_round_unmatched_round_id", "round_unmatched", ["round_id"])

    op.create_table(
        "mentoring_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("logged_by", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairing.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "held_on", name="uq_session_pairing_day"),
    )
    op.create_index("ix_mentoring_session_pairing_id", "mentoring_session", ["pairing_id"])


def downgrade() -> None:
    op.drop_index("ix_mentoring_session_pairing_id", table_name="mentoring_session")

    op.drop_table("mentoring_session")
    op.drop_index("ix_round_unmatched_round_id", table_name="round_unmatched")

    op.drop_table("round_unmatched")
    op.drop_index("ix_pairing_status", table_name="pairing")
    op.drop_index("ix_pairing_round_id", table_name="pairing")
    op.drop_index("ix_pairing_mentor_id", table_name="pairing")
    op.drop_index("ix_pairing_mentee_id", table_name="pairing")

    op.drop_table("pairing")
    op.drop_index("ix_outbox_pairing_id", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")

    op.drop_table("outbox")
    op.drop_index("ix_match_round_status", table_name="match_round")

    op.drop_table("match_round")
