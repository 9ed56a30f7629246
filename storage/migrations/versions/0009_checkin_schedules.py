"""one word for the feature: nudge_schedules becomes checkin_schedules

The table, its two time columns (``next_checkin_at``, ``last_checkin_at``), its index
and, on PostgreSQL, its constraint names. Rows are kept as they are.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    """Rename the table, its columns, index and constraints from ``old`` to ``new``."""
    op.drop_index(f"ix_{old}_schedules_due", table_name=f"{old}_schedules")
    op.rename_table(f"{old}_schedules", f"{new}_schedules")
    with op.batch_alter_table(f"{new}_schedules") as batch_op:
        batch_op.alter_column(f"next_{old}_at", new_column_name=f"next_{new}_at")
        batch_op.alter_column(f"last_{old}_at", new_column_name=f"last_{new}_at")
    if op.get_bind().dialect.name == "postgresql":
        for prefix, suffix in (("pk", ""), ("fk", "_person_id_persons")):
            op.execute(
                f"ALTER TABLE {new}_schedules RENAME CONSTRAINT "
                f"{prefix}_{old}_schedules{suffix} TO {prefix}_{new}_schedules{suffix}"
            )
    op.create_index(f"ix_{new}_schedules_due", f"{new}_schedules", [f"next_{new}_at"])


def upgrade() -> None:
    _rename("nudge", "checkin")


def downgrade() -> None:
    _rename("checkin", "nudge")
