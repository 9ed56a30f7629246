"""first contact: a chosen language and the first welcome per person; groups told once

``persons.language_chosen`` says the person picked their language (new people start
with Telegram's guess, and are asked); ``persons.welcomed`` says they saw the long
first welcome. People from before count as both. ``group_chats`` holds a keyed hash
of each group chat the bot already pointed to a private chat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _persons() -> Any:
    """A batch on persons that keeps SQLite's AUTOINCREMENT (ids are never reused)."""
    return op.batch_alter_table("persons", table_kwargs={"sqlite_autoincrement": True})


def upgrade() -> None:
    with _persons() as batch_op:
        for name in ("language_chosen", "welcomed"):
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            )
    op.create_table(
        "group_chats",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_group_chats")),
    )


def downgrade() -> None:
    op.drop_table("group_chats")
    with _persons() as batch_op:
        batch_op.drop_column("welcomed")
        batch_op.drop_column("language_chosen")
