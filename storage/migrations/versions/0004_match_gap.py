"""Match rounds record how far from the optimum a proposal can be when matching ran out of time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rounds were all solved to the proven optimum: NULL says exactly that.
    with op.batch_alter_table("match_round") as batch:
        batch.add_column(sa.Column("score_gap", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_round") as batch:
        batch.drop_column("score_gap")
