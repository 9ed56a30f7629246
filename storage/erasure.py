"""Erasure: a person, or some stories, deleted from every table that refers to them.

The tables are found through the models' foreign keys, so a table added later
that refers to a person or a story is erased too, without a change here. A
foreign key declared ``ondelete="SET NULL"`` points from someone else's row
(a team, say): it is set to NULL and the row is kept.

SQLite keeps deleted bytes in free pages until ``VACUUM``; ``reclaim_space``
runs it (outside any transaction) after an erasure. PostgreSQL's autovacuum
makes dead rows reusable; only ``VACUUM FULL`` rewrites the files (see README).
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.models import Base, Person, Story

log = logging.getLogger(__name__)
SET_NULL = "SET NULL"


def _referring(table: Table) -> list[tuple[Table, ColumnElement[object], ColumnElement[object]]]:
    """(table, its column, the column of ``table`` it refers to) for every foreign key."""
    return [
        (child, key.parent, key.column)
        for child in Base.metadata.sorted_tables
        for key in child.foreign_keys
        if key.column.table is table and child is not table
    ]


async def delete_rows(session: AsyncSession, table: Table, where: ColumnElement[bool]) -> int:
    """Delete the rows of ``table`` that match, after every row that refers to them."""
    for child, column, referred in _referring(table):
        keys = select(referred).where(where).scalar_subquery()
        key = next(k for k in column.foreign_keys if k.column is referred)
        if key.ondelete == SET_NULL:
            await session.execute(update(child).where(column.in_(keys)).values({column.key: None}))
        else:
            await delete_rows(session, child, column.in_(keys))
    result = await session.execute(delete(table).where(where))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def erase_person(session: AsyncSession, person_id: int) -> int:
    """Delete everything about a person, their own row last; returns how many stories went."""
    stories = await session.scalar(
        select(func.count()).select_from(Story).where(Story.person_id == person_id)
    )
    await delete_rows(session, Base.metadata.tables[Person.__tablename__], Person.id == person_id)
    for stale in [o for o in session.identity_map.values() if isinstance(o, Person)]:
        if stale.id == person_id:
            session.expunge(stale)
    return int(stories or 0)


async def reclaim_space(database: Database) -> None:
    """SQLite: VACUUM and checkpoint, so deleted words leave the file. Best effort."""
    if not database.is_sqlite:
        return
    import sqlite3  # (never loaded on PostgreSQL)

    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        try:
            for statement in ("VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
                cursor = await driver.execute(statement)
                await cursor.close()  # the checkpoint's row, unread, would hold up commits
        except sqlite3.Error as exc:  # busy: the free pages are reused, and vacuumed next time
            log.warning("could not vacuum the database now (%s)", type(exc).__name__)
