"""pair interviews: two colleagues, one story being noted (flows.pair)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "pair_interviews"


def _person(column: str, *, nullable: bool) -> list[sa.Column[int] | sa.ForeignKeyConstraint]:
    return [
        sa.Column(column, sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            [column], ["persons.id"], name=f"fk_{TABLE}_{column}_persons", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        *_person("inviter_id", nullable=False),
        *_person("guest_id", nullable=True),
        sa.Column("inviter_tells", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=16), nullable=True),
        sa.Column("answers_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        sa.UniqueConstraint("token_hash", name=f"uq_{TABLE}_token_hash"),
    )
    for column in ("inviter_id", "guest_id", "expires_at"):
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])


def downgrade() -> None:
    for column in ("expires_at", "guest_id", "inviter_id"):
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    op.drop_table(TABLE)
