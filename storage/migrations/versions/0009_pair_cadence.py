"""Each pair's own cadence (it was always the mentor's): existing pairs keep the mentor's, as they were told.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (the default stays): rebuilding pairing on SQLite would trip the foreign keys that
    # bookings, sessions and check-ins hold on it.
    op.add_column("pairing", sa.Column("cadence", sa.String(length=16), nullable=False, server_default="biweekly"))
    op.execute(
        "UPDATE pairing SET cadence = COALESCE("
        "(SELECT participant.cadence FROM participant WHERE participant.slack_user_id = pairing.mentor_id), "
        "'biweekly')"
    )


def downgrade() -> None:
    op.drop_column("pairing", "cadence")
