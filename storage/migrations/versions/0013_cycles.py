"""Cycles, goals, the agreement, confidence and surveys: a program with a beginning, goals and an end.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_cycle",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_program_cycle_status", "program_cycle", ["status"])
    op.create_table(
        "pairing_cycle",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("program_cycle.id"), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("pairing_id", "cycle_id", name="uq_pairing_cycle"),
    )
    op.create_index("ix_pairing_cycle_pairing_id", "pairing_cycle", ["pairing_id"])
    op.create_index("ix_pairing_cycle_cycle_id", "pairing_cycle", ["cycle_id"])
    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("program_cycle.id"), nullable=False),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("recommend", sa.Integer(), nullable=True),
        sa.Column("need_help", sa.Boolean(), nullable=False),
        sa.Column("changed", sa.String(length=500), nullable=False),
        sa.Column("continue_pair", sa.Boolean(), nullable=True),
        sa.Column("thanks", sa.String(length=500), nullable=False),
        sa.Column("may_quote", sa.Boolean(), nullable=False),
        sa.Column("shout_out", sa.Boolean(), nullable=False),
        sa.Column("manager_note", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cycle_id", "pairing_id", "user_id", "kind", name="uq_survey_answer"),
    )
    op.create_index("ix_survey_answer_cycle_id", "survey_answer", ["cycle_id"])
    op.create_index("ix_survey_answer_pairing_id", "survey_answer", ["pairing_id"])
    op.create_index("ix_survey_answer_user_id", "survey_answer", ["user_id"])
    op.create_table(
        "confidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "topic", "stage", "cycle_id", name="uq_confidence"),
    )
    op.create_index("ix_confidence_user_id", "confidence", ["user_id"])
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pairing_id", "owner_id", "position", name="uq_goal_position"),
    )
    op.create_index("ix_goal_pairing_id", "goal", ["pairing_id"])
    op.create_index("ix_goal_owner_id", "goal", ["owner_id"])
    # Plain indexed columns, no foreign keys: SQLite would have to rebuild these large tables to add one.
    op.add_column("match_round", sa.Column("cycle_id", sa.Integer(), nullable=True))
    op.create_index("ix_match_round_cycle_id", "match_round", ["cycle_id"])
    op.add_column("pairing", sa.Column("cycle_id", sa.Integer(), nullable=True))
    op.create_index("ix_pairing_cycle_id", "pairing", ["cycle_id"])
    op.add_column("pairing", sa.Column("mentor_agreed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pairing", sa.Column("mentee_agreed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("checkin", sa.Column("goal_progress", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkin") as batch:
        batch.drop_column("goal_progress")
    op.drop_index("ix_pairing_cycle_id", table_name="pairing")
    with op.batch_alter_table("pairing") as batch:
        batch.drop_column("mentee_agreed_at")
        batch.drop_column("mentor_agreed_at")
        batch.drop_column("cycle_id")
    op.drop_index("ix_match_round_cycle_id", table_name="match_round")
    with op.batch_alter_table("match_round") as batch:
        batch.drop_column("cycle_id")
    op.drop_table("goal")
    op.drop_table("confidence")
    op.drop_table("survey_answer")
    op.drop_table("pairing_cycle")
    op.drop_table("program_cycle")
