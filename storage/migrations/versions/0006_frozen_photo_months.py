"""frozen team photos: ended months kept as aggregates; a random photo token per person

``photo_months`` and its ``photo_month_counts``, ``photo_month_people`` and
``photo_month_quotes`` hold each ended month of a team's photo as it was the first
time a photo needed it; ``photo_windows`` keeps what a window worked out to;
``persons.photo_token`` stands for a person in them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _team_month() -> list[sa.Column[object]]:
    return [
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
    ]


def _team_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["team_id"], ["teams.id"], name=op.f(f"fk_{table}_team_id_teams"), ondelete="CASCADE"
    )


def _persons() -> Any:
    """A batch on persons that keeps SQLite's AUTOINCREMENT (ids are never reused)."""
    return op.batch_alter_table("persons", table_kwargs={"sqlite_autoincrement": True})


def upgrade() -> None:
    with _persons() as batch_op:
        batch_op.add_column(sa.Column("photo_token", sa.String(length=16), nullable=True))
    persons = sa.table("persons", sa.column("id", sa.Integer()), sa.column("photo_token"))
    connection = op.get_bind()
    for (person_id,) in connection.execute(sa.select(persons.c.id)).all():
        connection.execute(
            persons.update()
            .where(persons.c.id == person_id)
            .values(photo_token=secrets.token_hex(8))
        )
    with _persons() as batch_op:
        batch_op.alter_column("photo_token", existing_type=sa.String(length=16), nullable=False)

    op.create_table(
        "photo_months",
        *_team_month(),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("frozen_at", WHEN, nullable=False),
        _team_key("photo_months"),
        sa.PrimaryKeyConstraint("team_id", "month", name=op.f("pk_photo_months")),
    )
    op.create_table(
        "photo_windows",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("disclosable", sa.Boolean(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("withheld", sa.Text(), nullable=False),
        sa.Column("quotes_shown", sa.Boolean(), nullable=False),
        _team_key("photo_windows"),
        sa.PrimaryKeyConstraint("team_id", "period", "minimum", name=op.f("pk_photo_windows")),
    )
    op.create_table(
        "photo_month_counts",
        *_team_month(),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("option", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _team_key("photo_month_counts"),
        sa.PrimaryKeyConstraint(
            "team_id", "month", "question", "option", name=op.f("pk_photo_month_counts")
        ),
    )
    op.create_table(
        "photo_month_people",
        *_team_month(),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        _team_key("photo_month_people"),
        sa.PrimaryKeyConstraint(
            "team_id", "month", "scope", "token", name=op.f("pk_photo_month_people")
        ),
    )
    op.create_table(
        "photo_month_quotes",
        sa.Column("story_id", sa.BigInteger(), autoincrement=False, nullable=False),
        *_team_month(),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_photo_month_quotes_story_id_stories"),
            ondelete="CASCADE",
        ),
        _team_key("photo_month_quotes"),
        sa.PrimaryKeyConstraint("story_id", name=op.f("pk_photo_month_quotes")),
    )
    op.create_index("ix_photo_month_quotes_team_month", "photo_month_quotes", ["team_id", "month"])


def downgrade() -> None:
    op.drop_index("ix_photo_month_quotes_team_month", table_name="photo_month_quotes")
    for table in (
        "photo_month_quotes",
        "photo_month_people",
        "photo_month_counts",
        "photo_windows",
    ):
        op.drop_table(table)
    op.drop_table("photo_months")
    with _persons() as batch_op:
        batch_op.drop_column("photo_token")
