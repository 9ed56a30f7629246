"""retention notices with their own time; person ids never reused on SQLite

``stories.retention_warned`` (which moved ``updated_at`` to the moment of
telling) becomes ``stories.retention_notice_at``; ``persons.retention_notice_at``
says when a person was last told. On SQLite the persons table is recreated with
AUTOINCREMENT, so the id of an erased person is never given to someone new
(PostgreSQL's sequence never reuses one anyway).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _persons(*, autoincrement: bool) -> AbstractContextManager[BatchOperations]:
    """A batch on persons; on SQLite the table is recreated (with or without AUTOINCREMENT)."""
    if op.get_bind().dialect.name != "sqlite":
        return op.batch_alter_table("persons")
    return op.batch_alter_table(
        "persons", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    )


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch_op:
        batch_op.add_column(sa.Column("retention_notice_at", WHEN, nullable=True))
    stories = sa.table(
        "stories",
        sa.column("retention_warned", sa.Boolean()),
        sa.column("retention_notice_at", WHEN),
        sa.column("updated_at", WHEN),
    )
    op.execute(  # announce() had set updated_at to the moment of telling
        stories.update()
        .where(stories.c.retention_warned.is_(True))
        .values(retention_notice_at=stories.c.updated_at)
    )
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("retention_warned")
    with _persons(autoincrement=True) as batch_op:
        batch_op.add_column(sa.Column("retention_notice_at", WHEN, nullable=True))


def downgrade() -> None:
    with _persons(autoincrement=False) as batch_op:
        batch_op.drop_column("retention_notice_at")
    with op.batch_alter_table("stories") as batch_op:
        batch_op.add_column(
            sa.Column("retention_warned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    stories = sa.table(
        "stories",
        sa.column("retention_warned", sa.Boolean()),
        sa.column("retention_notice_at", WHEN),
    )
    op.execute(
        stories.update()
        .where(stories.c.retention_notice_at.is_not(None))
        .values(retention_warned=sa.true())
    )
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("retention_notice_at")
