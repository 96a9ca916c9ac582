"""The leads' view: uploaded charts by the digest of their numbers; indexes for the by-date aggregates.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chart_file",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("alt_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("sources", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Sessions per week and month, and check-ins per month, are range aggregates on these dates.
    op.create_index("ix_session_held_on", "mentoring_session", ["held_on"])
    op.create_index("ix_checkin_answered_at", "checkin", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_checkin_answered_at", table_name="checkin")
    op.drop_index("ix_session_held_on", table_name="mentoring_session")
    op.drop_table("chart_file")
