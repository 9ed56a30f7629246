"""check-in places: where a person said they are, as they named it, and when

``nudge_schedules.place`` ("Den Haag"; empty for schedules from before, which show
their zone as a place) and ``nudge_schedules.placed_at`` (when it was chosen: another place
chosen soon after corrects the choice rather than being a move).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nudge_schedules") as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nudge_schedules") as batch_op:
        batch_op.drop_column("placed_at")
        batch_op.drop_column("place")
