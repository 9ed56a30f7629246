"""PostgreSQL for the benchmarks: a throwaway database, and its counters."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator


@contextlib.asynccontextmanager
async def throwaway_postgres(admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty database on the server of ``admin_url``, dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    name = "lv_bench_" + secrets.token_hex(6)
    plain = make_url(admin_url).set(drivername="postgresql")
    connection = await asyncpg.connect(plain.render_as_string(hide_password=False), timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield plain.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


DB_COUNTERS = ("xact_commit", "xact_rollback", "active_time", "sessions")


async def database_counters(url: str) -> dict[str, float]:
    """pg_stat_database's transactions, active milliseconds and sessions of a database.

    Read through the ``postgres`` database, so this reading is not counted itself.
    Backends report these at a transaction's end at most once a second, and when they
    disconnect: read after the bot has stopped for the full count.
    """
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin, timeout=10)
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        row = await connection.fetchrow(
            f"SELECT {', '.join(DB_COUNTERS)} FROM pg_stat_database WHERE datname = $1",
            parsed.database,
        )
    finally:
        await connection.close()
    assert row is not None
    return {name: float(row[name] or 0) for name in DB_COUNTERS}
