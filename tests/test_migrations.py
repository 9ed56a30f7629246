"""Alembic migrations: empty to head, the up-down-up stairway, and models == schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, String, inspect

from storage.database import SCHEMA_REVISION, Database, alembic_config
from storage.models import Base

APP_TABLES = {
    "persons",
    "stories",
    "answers",
    "choices",
    "inbox_updates",
    "outbox",
    "leases",
    "checkin_schedules",
    "next_steps",
    "invitations",
    "pair_interviews",
    "team_menus",
    "teams",
    "team_invites",
    "memberships",
    "facilitators",
    "photo_months",
    "photo_windows",
    "photo_month_counts",
    "photo_month_people",
    "photo_month_quotes",
    "photo_deliveries",
    "photo_shown",
    "group_chats",
    "settings",
}


def _revisions() -> list[tuple[str, str]]:
    """(revision, the one below it or 'base'), oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    walked = list(script.walk_revisions("base", "heads"))
    walked.reverse()
    return [(r.revision, str(r.down_revision) if r.down_revision else "base") for r in walked]


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_one_head_and_revisions_found() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [_head()]
    assert _head() == SCHEMA_REVISION  # the bot skips Alembic when the database is at it
    assert _revisions()[0][1] == "base"


async def test_upgrade_from_empty_to_head(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await db.current_revision() is None
        assert await _tables(db) == set()
        await db.upgrade()
        assert await db.current_revision() == _head()
        assert await _tables(db) == APP_TABLES | {"alembic_version"}
        await db.upgrade()  # a second upgrade is a no-op
        assert await db.current_revision() == _head()
    finally:
        await db.dispose()


async def test_sqlite_never_reuses_the_ids_of_people_and_deliveries(tmp_path: Path) -> None:
    """AUTOINCREMENT, which the migrations give these tables on SQLite (the models leave
    it out): a deleted person's or delivery's id is never handed to a new row."""
    db = Database(f"sqlite:///{tmp_path / 'ids.sqlite3'}")
    try:
        await db.upgrade()
        async with db.engine.connect() as connection:
            rows = await connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name IN ('persons', 'outbox')"
            )
            tables = {str(name): str(sql) for name, sql in rows}
        assert set(tables) == {"persons", "outbox"}
        assert all("AUTOINCREMENT" in sql for sql in tables.values()), tables
    finally:
        await db.dispose()


async def test_stairway_up_down_up(database_url: str) -> None:
    """Every revision can be applied, undone and applied again."""
    db = Database(database_url)
    try:
        for revision, below in _revisions():
            await db.upgrade(revision)
            assert await db.current_revision() == revision
            await db.downgrade(below)
            assert await db.current_revision() == (None if below == "base" else below)
            await db.upgrade(revision)
            assert await db.current_revision() == revision
        await db.downgrade("base")
        assert await db.current_revision() is None
        assert await _tables(db) & APP_TABLES == set()
        await db.upgrade()
        assert await db.current_revision() == _head()
        assert await _tables(db) >= APP_TABLES
    finally:
        await db.dispose()


async def test_models_match_migrated_schema(database: Database) -> None:
    """Autogenerate finds nothing to do: the migrations create exactly the models."""

    def _diff(connection: Connection, metadata: MetaData) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True},
        )
        return list(compare_metadata(context, metadata))

    async with database.engine.connect() as connection:
        assert await connection.run_sync(_diff, Base.metadata) == []

        # The comparison is not vacuous: a column the migrations lack is noticed.
        changed = MetaData()
        for table in Base.metadata.sorted_tables:
            table.to_metadata(changed)
        changed.tables["answers"].append_column(Column("mood", String(8)))
        diff = await connection.run_sync(_diff, changed)
    assert [d[0] for d in diff] == ["add_column"]


async def test_upgrades_keep_every_row_and_the_retention_notice(database_url: str) -> None:
    """Recreating a table (SQLite batch mode) cascades nothing; a notice keeps its time."""
    db = Database(database_url)
    told = "2026-01-05 09:00:00+00:00"
    try:
        await db.upgrade("0002")
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO persons (id, channel, external_id, chat_id, language, state, "
                "version, created_at, updated_at) VALUES (7, 'telegram', 1, 1, 'en', '', 0, "
                f"'{told}', '{told}')"
            )
            await connection.exec_driver_sql(
                "INSERT INTO stories (id, person_id, kind, status, created_at, updated_at) "
                f"VALUES (5, 7, 'story', 'complete', '{told}', '{told}')"
            )
            await connection.exec_driver_sql(
                "INSERT INTO answers (story_id, question, skipped, updated_at) "
                f"VALUES (5, 'change', false, '{told}')"
            )
        await db.upgrade("0003")
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE stories SET retention_warned = true")
        await db.upgrade()
        async with db.engine.connect() as connection:
            for table in ("persons", "stories", "answers"):
                count = await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")
                assert count.scalar() == 1, table
            notice = await connection.exec_driver_sql("SELECT retention_notice_at FROM stories")
            assert str(notice.scalar())[:16] == told[:16]
        await db.downgrade("0003")
        async with db.engine.connect() as connection:
            warned = await connection.exec_driver_sql("SELECT retention_warned FROM stories")
            assert warned.scalar()
            count = await connection.exec_driver_sql("SELECT count(*) FROM answers")
            assert count.scalar() == 1
    finally:
        await db.dispose()


async def test_upgrade_apart_migrates_in_a_child_process(
    database_url: str,
) -> None:
    """The long-running bot migrates in a child process; at head it does not even look."""
    db = Database(database_url)
    try:
        await db.upgrade_apart()
        assert await db.current_revision() == SCHEMA_REVISION
        await db.upgrade_apart()  # at head: nothing to do
        assert await _tables(db) >= APP_TABLES
    finally:
        await db.dispose()


async def test_checkin_schedules_keep_their_rows_through_the_rename(database_url: str) -> None:
    """0009 renames nudge_schedules and its time columns; rows and times stay, both ways."""
    db = Database(database_url)
    at = "2026-12-01 09:00:00+00:00"
    try:
        await db.upgrade("0008")
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO persons (id, channel, external_id, chat_id, language, state, "
                "version, created_at, updated_at, photo_token) VALUES (7, 'telegram', 1, 1, "
                f"'en', '', 0, '{at}', '{at}', 'token')"
            )
            await connection.exec_driver_sql(
                "INSERT INTO nudge_schedules (person_id, zone, rhythm, weekday, at_minute, "
                "weekend, next_nudge_at, last_nudge_at, unanswered, blocked) VALUES "
                f"(7, 'Asia/Kathmandu', 'weekly', 1, 600, '5,6', '{at}', '{at}', 2, false)"
            )
        await db.upgrade()
        async with db.engine.connect() as connection:
            row = await connection.exec_driver_sql(
                "SELECT person_id, zone, next_checkin_at, last_checkin_at, unanswered "
                "FROM checkin_schedules"
            )
            person, zone, next_at, last_at, unanswered = row.one()
            assert (person, zone, unanswered) == (7, "Asia/Kathmandu", 2)
            assert str(next_at)[:16] == str(last_at)[:16] == at[:16]
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            indexes = await connection.run_sync(
                lambda sync: inspect(sync).get_indexes("checkin_schedules")
            )
        assert "nudge_schedules" not in tables
        assert [index["name"] for index in indexes] == ["ix_checkin_schedules_due"]
        await db.downgrade("0008")
        async with db.engine.connect() as connection:
            row = await connection.exec_driver_sql("SELECT next_nudge_at FROM nudge_schedules")
            assert str(row.scalar())[:16] == at[:16]
    finally:
        await db.dispose()
