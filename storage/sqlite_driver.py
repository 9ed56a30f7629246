"""SQLite through aiosqlite, each statement run right on the event loop.

SQLAlchemy's aiosqlite adapter goes to aiosqlite's thread up to four times for each
statement (make a cursor, execute, fetch the rows, close the cursor); every trip
costs the event loop a future, a wake-up through its self-pipe and two greenlet
switches: more CPU than SQLite spends on a statement of this bot (in WAL mode, with
``synchronous=NORMAL``, a statement touches only the page cache). Here one function
does all four, on the loop itself, with a busy timeout of 0, so it never waits for
a lock: when another process holds one (SQLITE_BUSY), the same statement goes to
aiosqlite's thread and waits there, up to ``BUSY_TIMEOUT_MS``, while the loop goes
on. A transaction's ``BEGIN IMMEDIATE`` goes along with its first statement; commit
and rollback still take the thread (a commit may checkpoint the WAL, which syncs the
disk), and the pool's rollback of a connection that is in no transaction (after every
commit) makes no trip. Connecting and errors are SQLAlchemy's own adapter's;
``Database`` passes this module to the engine for ``sqlite+aiosqlite`` URLs.

A statement over much data holds the loop while it runs (freezing a month of a team
photo over 100,000 answers: about 150 ms, once a month).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

from storage.database import BUSY_TIMEOUT_MS


class _Outcome:
    """What a statement left on its (closed) cursor, as SQLAlchemy reads it afterwards."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def close(self) -> None:
        """Nothing to close: the real cursor was closed right after its statement."""


def _run(
    connection: sqlite3.Connection,
    operation: str,
    parameters: Any,
    many: bool,
    outcome: _Outcome,
    begin: bool,
) -> list[Any] | None:
    """(Begin the transaction,) execute on a new cursor, note its outcome, fetch, close.

    Safe to run again after SQLITE_BUSY: a failed statement changed nothing, and a
    transaction already begun is not begun twice."""
    if begin and not connection.in_transaction:
        connection.execute("BEGIN IMMEDIATE")
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        outcome.description = cursor.description
        outcome.rowcount = cursor.rowcount
        outcome.lastrowid = cursor.lastrowid
        return cursor.fetchall() if cursor.description else None
    finally:
        cursor.close()


def _run_waiting(connection: sqlite3.Connection, *args: Any) -> list[Any] | None:
    """On aiosqlite's thread: ``_run``, waiting for a lock up to ``BUSY_TIMEOUT_MS``."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").close()  # (its row, unread,
    try:  # would keep a statement in progress and refuse the commit)
        return _run(connection, *args)
    finally:
        connection.execute("PRAGMA busy_timeout=0").close()


def _busy(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused because another connection holds a lock."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and closing run at once on the loop (one trip to
    the thread only to wait for a lock)."""

    __slots__ = ()
    _awaitable_cursor_close = False  # closed on the thread already

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Outcome()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_trip(operation, seq_of_parameters, many=True)

    async def _one_trip(self, operation: str, parameters: Any, *, many: bool) -> None:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapted._execute_mutex:
            begin, adapted.begin_pending = adapted.begin_pending, False
            outcome = cast(_Outcome, self._cursor)
            args = (operation, parameters, many, outcome, begin)
            try:
                rows = _run(driver._conn, *args)  # on the loop: never waits for a lock
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
                waiting = driver._execute(_run_waiting, driver._conn, *args)  # type: ignore[no-untyped-call]
                rows = await waiting
            if rows is not None:
                self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, with cursors that run on the loop, and no trip
    at all for a rollback outside a transaction (the pool rolls back every connection it
    gets back, also after a commit)."""

    __slots__ = ("begin_pending",)
    _cursor_cls = OneTripCursor
    busy_timeout_ms = 0  # on the loop: never wait (``Database`` sets it on connecting)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.begin_pending = False  # BEGIN IMMEDIATE goes with the next statement

    def begin_immediate(self) -> None:
        """Begin a transaction that holds the write lock, with the next statement."""
        self.begin_pending = True

    def commit(self) -> None:
        if self.begin_pending:  # no statement ran: nothing began, nothing to commit
            self.begin_pending = False
            return
        super().commit()

    def rollback(self) -> None:
        self.begin_pending = False
        connection: sqlite3.Connection | None = self._connection._connection
        if connection is not None and not connection.in_transaction:
            return  # (reading it is safe from any thread: no statement runs meanwhile)
        super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, whose connections make one-trip cursors."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        kw["check_same_thread"] = False  # used on the loop's thread and on aiosqlite's
        return OneTripConnection(self, super().connect(*arg, **kw)._connection)


_BUILT_ON = (
    (AsyncAdapt_aiosqlite_cursor, "_execute_async"),
    (AsyncAdapt_aiosqlite_cursor, "_executemany_async"),
    (AsyncAdapt_aiosqlite_cursor, "_make_new_cursor"),
    (AsyncAdapt_aiosqlite_cursor, "_aenter_cursor"),
    (AsyncAdapt_aiosqlite_cursor, "_awaitable_cursor_close"),
    (AsyncAdapt_aiosqlite_connection, "_cursor_cls"),
    (aiosqlite.Connection, "_execute"),
)


def compatible() -> bool:
    """Whether the installed SQLAlchemy and aiosqlite still have the parts this module
    builds on (pinned in pyproject.toml; else ``Database`` uses SQLAlchemy's adapter)."""
    return all(hasattr(owner, name) for owner, name in _BUILT_ON)


def one_trip_dbapi() -> OneTripDBAPI:
    """The module to pass to ``create_async_engine(..., module=...)``."""
    return OneTripDBAPI(aiosqlite, sqlite3)
