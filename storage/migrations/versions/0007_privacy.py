"""Privacy: when someone left (for the retention purge), whom a leads' notice is about, and check-in answers the
person chose to tell the lead; unsent messages that will never go out keep no text.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no table rebuild, so the foreign keys other tables hold stay untouched.
    op.add_column("participant", sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_participant_left_at", "participant", ["left_at"])
    # People who left before this revision: their last change is the best record of when they left.
    op.execute("UPDATE participant SET left_at = updated_at WHERE status = 'left'")

    op.add_column("checkin", sa.Column("told_lead", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("checkin") as batch:
        batch.alter_column("told_lead", server_default=None)

    op.create_table(
        "outbox_subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_subject_message_id", "outbox_subject", ["message_id"])
    op.create_index("ix_outbox_subject_user_id", "outbox_subject", ["user_id"])

    # Cancelled and refused messages are never sent: their text (names, reasons) serves no one any more.
    op.execute("UPDATE outbox SET text = '', blocks = '[]' WHERE status IN ('cancelled', 'failed')")
    op.execute(
        "DELETE FROM outbox_recipient WHERE message_id IN"
        " (SELECT id FROM outbox WHERE kind = 'confirmation' AND status IN ('cancelled', 'failed'))"
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_subject_user_id", table_name="outbox_subject")
    op.drop_index("ix_outbox_subject_message_id", table_name="outbox_subject")
    op.drop_table("outbox_subject")
    op.drop_column("checkin", "told_lead")
    op.drop_index("ix_participant_left_at", table_name="participant")
    op.drop_column("participant", "left_at")
