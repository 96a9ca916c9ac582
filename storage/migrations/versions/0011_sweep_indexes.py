"""Indexes for the momentum sweep: due pairs by (status, next_check_at, id), unanswered prompts on their own.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Numbered 0011 because 0010 is being written on another branch: when both are merged, this revision's
`down_revision` becomes "0010" (nothing else here depends on it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNANSWERED = sa.text("answered_at IS NULL")


def upgrade() -> None:
    # The composite index serves the sweep's filter and its order; the single-column one it replaces left
    # SQLite scanning every active pair (it preferred the status index) and sorting them.
    op.drop_index("ix_pairing_next_check_at", table_name="pairing")
    op.create_index("ix_pairing_due", "pairing", ["status", "next_check_at", "id"])
    op.create_index(
        "ix_prompt_unanswered",
        "prompt",
        ["user_id", "sent_at"],
        sqlite_where=_UNANSWERED,
        postgresql_where=_UNANSWERED,
    )


def downgrade() -> None:
    op.drop_index("ix_prompt_unanswered", table_name="prompt")
    op.drop_index("ix_pairing_due", table_name="pairing")
    op.create_index("ix_pairing_next_check_at", "pairing", ["next_check_at"])
