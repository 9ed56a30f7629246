"""the team photo back to the team: whether members see it, which windows were shown,
and which shared quotes were shared knowing the team's members may read them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(
            sa.Column("members_see_photo", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "photo_shown",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_photo_shown_team_id_teams", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "period", name="pk_photo_shown"),
    )
    # Quotes shared before members saw photos were shared with facilitators only.
    for table in ("stories", "photo_month_quotes"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("for_members", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    for table in ("photo_month_quotes", "stories"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("for_members")
    op.drop_table("photo_shown")
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("members_see_photo")
