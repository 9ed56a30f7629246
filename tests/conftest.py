"""Shared fixtures: databases (SQLite and PostgreSQL), a cipher, a fake clock, the runner.

Database fixtures
    ``database_url`` is parametrised over ``sqlite`` and ``postgresql``, so every test
    that uses it (directly or through ``database`` / ``conversations``) runs on both.

    - sqlite: a real file in the test's ``tmp_path``.
    - postgresql: a fresh, empty database per test, created on the server named by
      ``LEERVERHAAL_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
      and dropped afterwards. When that server cannot be reached the PostgreSQL
      parameters are skipped, unless ``LEERVERHAAL_REQUIRE_POSTGRES=1`` (as in CI): then
      they fail.

    ``database_url`` is empty; ``database`` is migrated to head, copied from a database
    (or file) migrated once per session, so no test pays for every migration.

    A test that only makes sense on one database narrows the parameters with
    ``@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)``.

Other fixtures
    ``clock`` (a ``FakeClock`` to advance by hand), ``cipher`` (a ``TextCipher`` with a
    fresh key), ``conversations`` (the runner on the migrated ``database``), and
    ``clean_env`` (no ``LEERVERHAAL_*`` settings leak in from the developer's shell).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from bot.engine.conversation import Conversations
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.clock import FakeClock

POSTGRES_URL_VARIABLE = "LEERVERHAAL_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "LEERVERHAAL_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_DATABASE_PREFIX = "lv_test_"
T = TypeVar("T")

# ``world``, ``person`` and ``set_up`` for the in-memory flow tests; ``sleeps``, ``outbox``
# and ``dispatcher`` for the check-in dispatcher's.
pytest_plugins = ["tests.support.fixtures"]


# --- time -----------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting at ``START`` (a Monday morning, UTC)."""
    return FakeClock()


# --- environment ----------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ``LEERVERHAAL_*`` or XDG settings from outside; HOME and cwd are ``tmp_path``.

    Keeps the test-infrastructure variables (``LEERVERHAAL_TEST_*``, ``..._REQUIRE_...``).
    Returns ``tmp_path``.
    """
    for name in list(os.environ):
        if name.startswith("LEERVERHAAL_") and name not in (
            POSTGRES_URL_VARIABLE,
            REQUIRE_POSTGRES_VARIABLE,
        ):
            monkeypatch.delenv(name)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- databases ------------------------------------------------------------------------


def _run_aside(coroutine: Coroutine[object, object, T]) -> T:
    """Run a coroutine to completion in its own thread and loop.

    Sync fixtures use this so that they never touch the test's event loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _postgres_admin_url() -> str:
    """The configured PostgreSQL server, as a plain ``postgresql://`` URL for asyncpg."""
    url = make_url(os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not (without the password)."""
    try:
        connection = await asyncpg.connect(url, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL admin URL; skips (or fails, when required) if it cannot be reached."""
    url = _postgres_admin_url()
    problem = _run_aside(_postgres_reachable(url))
    if problem is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        message = f"PostgreSQL at {shown} is not reachable ({problem}); set {POSTGRES_URL_VARIABLE}"
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
            pytest.fail(f"{message} ({REQUIRE_POSTGRES_VARIABLE}=1)", pytrace=False)
        pytest.skip(message)
    return url


async def _run_on_server(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def _postgres_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of ``template``), dropped afterwards."""
    name = TEST_DATABASE_PREFIX + secrets.token_hex(6)
    copy = f' TEMPLATE "{template}"' if template else ""
    _run_aside(_run_on_server(admin_url, f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _run_aside(_run_on_server(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A plain URL of a new, empty PostgreSQL database, dropped after the test."""
    with _postgres_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A plain database URL (``sqlite:///...`` or ``postgresql://...``): an empty database,
    or, for a test that uses ``database``, a copy of the session's migrated one."""
    migrated = "database" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "leerverhaal.sqlite3"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("migrated_postgres") if migrated else None
    with _postgres_database(admin_url, template) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    _run_aside(_migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server: str) -> Iterator[str]:
    """The name of a PostgreSQL database migrated to head once per session: the
    template each test's database is copied from (a copy takes a fraction of running
    every migration)."""
    name = TEST_DATABASE_PREFIX + "template_" + secrets.token_hex(6)
    _run_aside(_run_on_server(postgres_server, f'CREATE DATABASE "{name}"'))
    try:
        _run_aside(_migrate(make_url(postgres_server).set(database=name).render_as_string(False)))
        yield name
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        _run_aside(_run_on_server(postgres_server, drop))


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A ``Database`` migrated to head (``database_url`` made it a copy of the session's
    migrated one); disposed after the test."""
    db = Database(database_url)
    try:
        await db.upgrade()  # at head already: only looks
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def cipher() -> TextCipher:
    """A cipher with one freshly generated key."""
    return TextCipher((Fernet.generate_key(),))


@pytest.fixture
def conversations(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    """The runner on the migrated database, with the fake clock."""
    return Conversations(database, cipher, clock=clock)
