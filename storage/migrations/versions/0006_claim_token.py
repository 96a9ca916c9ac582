"""Outbox leases carry a token, so a sender only sends or settles a row it still holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: no table rebuild, so outbox_recipient's foreign key to outbox is untouched.
    op.add_column("outbox", sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # Rows that failed for good were parked far in the future before this revision.
    op.execute("UPDATE outbox SET status = 'pending', not_before = '2100-01-01 00:00:00' WHERE status = 'failed'")
    op.drop_column("outbox", "claim_token")
