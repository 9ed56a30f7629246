"""The database: engine, one session per unit of work, migrations, key check.

SQLite (a file in the data directory) is the default; PostgreSQL is used when
the URL says so. All calls go through SQLAlchemy's asyncio support.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.crypto import KEY_CHECK, EncryptionKeyError, TextCipher
from storage.models import Setting

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10_000  # how long a statement waits for another process's lock
SCHEMA_REVISION = "0013"  # the newest migration (a test checks it against Alembic's head)


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite database file."""
    return f"sqlite+aiosqlite:///{path}"


def async_url(url: str) -> str:
    """Pick the asyncio driver for a plain URL (postgresql:// -> asyncpg, sqlite -> aiosqlite)."""
    parsed = make_url(url)
    driver = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
    if parsed.drivername in driver:
        parsed = parsed.set(drivername=driver[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def _sqlite_serialised(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, secure delete, BEGIN IMMEDIATE: one writer at a time."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        wait = getattr(dbapi_connection, "busy_timeout_ms", BUSY_TIMEOUT_MS)  # 0: the driver's
        cursor.execute(f"PRAGMA busy_timeout={wait}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted words are overwritten
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        driver = connection.connection.dbapi_connection
        begin = getattr(driver, "begin_immediate", None)  # storage.sqlite_driver's
        if begin is not None:
            begin()  # on the same trip as the first statement
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _create_private(path: Path) -> None:
    """The SQLite file, created readable only by its owner (its journals inherit that)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        # SQLite: one connection. SQLite has one writer; with a pool of several, the
        # process's own transactions met each other's lock, and each such wait took a
        # trip to aiosqlite's thread and SQLite's sleeping busy handler (measured at
        # saturation: 16 % more CPU per update, p99 reply 1.1 s instead of 0.2 s). Now
        # they queue in the pool, and only another process's lock is waited for.
        # No pre-ping: it costs a round trip per transaction (0.2 ms of CPU measured). A
        # dropped connection fails the statement that uses it instead; SQLAlchemy then
        # discards every pooled connection, and the callers retry what is transient.
        options: dict[str, Any] = {"pool_size": 24, "max_overflow": 8}
        if self.is_sqlite:
            options = {}  # (an in-memory database has a pool of its own kind, one connection)
            database = make_url(self.url).database
            if database and database != ":memory:":
                _create_private(Path(database))
                options = {"pool_size": 1, "max_overflow": 0}
        if make_url(self.url).get_driver_name() == "aiosqlite":
            from storage import sqlite_driver  # not imported at all for PostgreSQL

            if sqlite_driver.compatible():  # statements on the loop, no trip to a thread
                options["module"] = sqlite_driver.one_trip_dbapi()
        # Parameters (ciphertext, Telegram ids) never appear in logs or error messages.
        self.engine = create_async_engine(self.url, echo=echo, hide_parameters=True, **options)
        if self.is_sqlite:
            _sqlite_serialised(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed together at the end, or rolled back."""
        async with self._sessions() as session, session.begin():
            yield session

    async def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision``.

        A database already at the newest schema is left alone without loading Alembic
        (its modules would stay in the memory of a long-running bot).
        """
        if revision == "head" and await self._stored_revision() == SCHEMA_REVISION:
            return
        await self._migrate("upgrade", revision)

    async def upgrade_apart(self) -> None:
        """Like ``upgrade``, but a due migration runs in a child process: a long-running
        bot then never holds Alembic and its templates in memory."""
        if await self._stored_revision() == SCHEMA_REVISION:
            return
        import multiprocessing  # only when a migration is due, as Alembic
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            await asyncio.get_running_loop().run_in_executor(pool, _upgrade_in_child, self.url)

    async def downgrade(self, revision: str) -> None:
        """Run the Alembic migrations down to ``revision``."""
        await self._migrate("downgrade", revision)

    async def _stored_revision(self) -> str | None:
        """The revision in ``alembic_version``, read with plain SQL (None: none yet)."""
        async with self.engine.connect() as connection:
            try:
                stored = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            except DBAPIError:
                return None
        return str(stored) if stored is not None else None

    async def current_revision(self) -> str | None:
        """The migration the database is at, or None when it is empty."""
        from alembic.runtime.migration import MigrationContext

        def _read(connection: Connection) -> str | None:
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.connect() as connection:
            return await connection.run_sync(_read)

    async def _migrate(self, action_name: str, revision: str) -> None:
        """Run Alembic in one transaction.

        On SQLite, foreign keys are off meanwhile: a migration that recreates a
        table (batch mode) drops the old one, and with foreign keys on that drop
        would cascade and delete every row that refers to it. The references
        are checked before the commit instead.
        """

        from alembic import command

        action = getattr(command, action_name)

        def _run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config, revision)
            if self.is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"the migration left broken references in {broken[0]}")

        async with self.engine.connect() as connection:
            driver = None
            if self.is_sqlite:  # outside a transaction: SQLite ignores the pragma inside one
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None
                await driver.execute("PRAGMA foreign_keys=OFF")
            try:
                async with connection.begin():
                    await connection.run_sync(_run)
            finally:
                if driver is not None:
                    await driver.execute("PRAGMA foreign_keys=ON")

    async def check_key(self, cipher: TextCipher) -> bool:
        """Verify the key fits this database; store the check on first use.

        Returns True when the check was newly written. Raises EncryptionKeyError
        when the configured key cannot read what an earlier key wrote.
        """
        async with self.transaction() as session:
            stored = await session.scalar(select(Setting).where(Setting.key == KEY_CHECK))
            if stored is None:
                token = cipher.encrypt(KEY_CHECK).decode("ascii")
                session.add(Setting(key=KEY_CHECK, value=token))
                return True
            try:
                ok = cipher.decrypt(stored.value.encode("ascii")) == KEY_CHECK
            except EncryptionKeyError:
                ok = False
            if not ok:
                raise EncryptionKeyError(
                    "the encryption key does not match this database: "
                    "use the key it was created with (see the README, 'Keys')"
                )
            return False

    async def dispose(self) -> None:
        """Close every connection."""
        await self.engine.dispose()


def _upgrade_in_child(url: str) -> None:
    """In a child process: migrate the database at ``url`` to the newest schema."""

    async def upgrade() -> None:
        database = Database(url)
        try:
            await database.upgrade()
        finally:
            await database.dispose()

    asyncio.run(upgrade())


def alembic_config() -> Config:  # (imported here: Alembic is only needed to migrate)
    """Alembic's configuration, pointing at the migrations shipped in this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def is_transient(error: BaseException) -> bool:
    """A database error that may pass by itself: locked, unreachable, connection dropped,
    or no pooled connection free in time (SQLite's one, while another process locks)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    passing = OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError
    if isinstance(error, passing):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)
