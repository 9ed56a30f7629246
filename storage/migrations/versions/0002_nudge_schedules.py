"""nudge schedules

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudge_schedules",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("rhythm", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at_minute", sa.Integer(), nullable=False),
        sa.Column("weekend", sa.String(length=16), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("next_nudge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_nudge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_nudge_schedules_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_nudge_schedules")),
    )
    with op.batch_alter_table("nudge_schedules", schema=None) as batch_op:
        batch_op.create_index("ix_nudge_schedules_due", ["next_nudge_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudge_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_schedules_due")
    op.drop_table("nudge_schedules")
