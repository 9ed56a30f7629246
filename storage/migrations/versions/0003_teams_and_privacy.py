"""teams, invites, memberships, facilitators, photo deliveries; quote release and retention

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_table(
        "team_invites",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_invites_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_team_invites")),
    )
    with op.batch_alter_table("team_invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_invites_team_id"), ["team_id"], unique=False)
    op.create_table(
        "memberships",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_memberships_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_memberships_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_team_id"), ["team_id"], unique=False)
    for table, extra in (
        ("facilitators", [sa.Column("added_at", WHEN, nullable=False)]),
        (
            "photo_deliveries",
            [
                sa.Column("period", sa.String(length=16), nullable=False),
                sa.Column("contributions", sa.Integer(), nullable=False),
                sa.Column("delivered_at", WHEN, nullable=False),
            ],
        ),
    ):
        keys = ["person_id", "team_id"] + (["period"] if table == "photo_deliveries" else [])
        op.create_table(
            table,
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("team_id", sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["persons.id"],
                name=op.f(f"fk_{table}_person_id_persons"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["team_id"],
                ["teams.id"],
                name=op.f(f"fk_{table}_team_id_teams"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{table}")),
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("join_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("join_locked_until", WHEN, nullable=True))
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("quote_released", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retention_warned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_stories_team_id"), ["team_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stories_team_id_teams"),
            "teams",
            ["team_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stories_team_id_teams"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stories_team_id"))
        batch_op.drop_column("retention_warned")
        batch_op.drop_column("quote_released")
        batch_op.drop_column("team_id")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("join_locked_until")
        batch_op.drop_column("join_failures")
    op.drop_table("photo_deliveries")
    op.drop_table("facilitators")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_team_id"))
    op.drop_table("memberships")
    with op.batch_alter_table("team_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_invites_team_id"))
    op.drop_table("team_invites")
    op.drop_table("teams")
