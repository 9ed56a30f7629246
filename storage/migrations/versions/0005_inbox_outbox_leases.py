"""the durable engine: an inbox of updates, an outbox of replies, leases for one sender

``inbox_updates`` replaces ``handled_updates``: an update is stored before Telegram
is told it arrived, and its key is kept once handled (per bot, so two bot tokens
on one database never skip each other's updates). ``outbox`` holds replies until
Telegram took them (on SQLite with AUTOINCREMENT: a deleted delivery's id is never
given to a new one); ``leases`` names the one instance that polls and sends.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("lane", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("claimed_until", WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handled_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index(
        "ix_inbox_updates_lane", "inbox_updates", ["bot_id", "lane", "update_id"], unique=False
    )
    op.create_index(
        op.f("ix_inbox_updates_handled_at"), "inbox_updates", ["handled_at"], unique=False
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("claimed_until", WHEN, nullable=True),
        sa.Column("sent_parts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sqlite_autoincrement=True,  # an id is never reused (the sender tracks them in memory)
    )
    op.create_index("ix_outbox_chat", "outbox", ["bot_id", "chat_id", "id"], unique=False)
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.drop_index("ix_handled_updates_handled_at", table_name="handled_updates")
    op.drop_table("handled_updates")


def downgrade() -> None:
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    op.create_index(
        "ix_handled_updates_handled_at", "handled_updates", ["handled_at"], unique=False
    )
    op.drop_table("leases")
    op.drop_index("ix_outbox_chat", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_inbox_updates_handled_at"), table_name="inbox_updates")
    op.drop_index("ix_inbox_updates_lane", table_name="inbox_updates")
    op.drop_table("inbox_updates")
