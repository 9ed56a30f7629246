"""next steps ordered from the learning menu, and prepared invitation cards

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _person_id(table: str) -> list[sa.Column[int] | sa.ForeignKeyConstraint]:
    return [
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=f"fk_{table}_person_id_persons", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "next_steps",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        *_person_id("next_steps"),
        sa.Column("story_id", sa.BigInteger(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("dish", sa.String(length=64), nullable=False),
        sa.Column("own_dish_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("due", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_next_steps_story_id_stories", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_next_steps_team_id_teams", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_next_steps"),
    )
    op.create_index("ix_next_steps_person_id", "next_steps", ["person_id"])
    op.create_index("ix_next_steps_team_id", "next_steps", ["team_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        *_person_id("invitations"),
        sa.Column("dish", sa.String(length=64), nullable=False),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
    )
    op.create_index("ix_invitations_person_id", "invitations", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_invitations_person_id", table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("ix_next_steps_team_id", table_name="next_steps")
    op.drop_index("ix_next_steps_person_id", table_name="next_steps")
    op.drop_table("next_steps")
