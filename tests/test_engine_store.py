"""The engine's statements on SQLite and PostgreSQL: the inbox's batch insert and its
"handled" mark, the outbox's conditional claim and its deletions."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage import sqlite_driver
from storage.crypto import TextCipher
from storage.database import Database, is_transient
from storage.inbox import Inbox, InboxKey, Received, Turn
from storage.models import InboxUpdate
from storage.outbox import Delivery, Outbox
from storage.sqlite_driver import OneTripConnection, compatible
from tests.support.engine import SqliteLock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOT = 7


def _update(update_id: int, lane: int | None = 100, bot: int = BOT) -> Received:
    return Received(InboxKey(bot, update_id), lane, {"update_id": update_id, "x": "é"})


async def test_a_batch_is_stored_once_and_only_new_updates_come_back(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        first = await Inbox(session, cipher).store([_update(1), _update(2)], NOW, None)
    assert [item.key.update_id for item in first] == [1, 2]
    async with database.transaction() as session:  # Telegram sends 2 again, with 3 and 4
        again = [_update(2), _update(3, None), _update(4)]
        new = await Inbox(session, cipher).store(again, NOW, NOW + timedelta(seconds=30))
    assert [item.key.update_id for item in new] == [3, 4]
    async with database.transaction() as session:  # another bot's update 1 is its own
        other = await Inbox(session, cipher).store([_update(1, bot=BOT + 1)], NOW, None)
        assert [item.key for item in other] == [InboxKey(BOT + 1, 1)]
        assert await Inbox(session, cipher).unhandled(BOT) == 4
        claimed = await Inbox(session, cipher).claim(BOT, NOW, NOW, 10)
    # 3 and 4 are held until their claim runs out; the payload comes back as it was
    assert [(item.key.update_id, item.data["x"]) for item in claimed] == [(1, "é"), (2, "é")]


async def test_an_update_is_handled_in_its_turn_and_once(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        await Inbox(session, cipher).store([_update(1), _update(2), _update(3, 200)], NOW, None)
    async with database.transaction() as session:
        inbox = Inbox(session, cipher)
        assert await inbox.mark_handled(InboxKey(BOT, 2), 100, NOW) is Turn.NOT_YET
        assert await inbox.mark_handled(InboxKey(BOT, 3), 200, NOW) is Turn.HANDLED_NOW
        assert await inbox.mark_handled(InboxKey(BOT, 1), 100, NOW) is Turn.HANDLED_NOW
        assert await inbox.mark_handled(InboxKey(BOT, 2), 100, NOW) is Turn.HANDLED_NOW
        assert await inbox.mark_handled(InboxKey(BOT, 2), 100, NOW) is Turn.ALREADY
        assert await inbox.mark_handled(InboxKey(BOT, 99), None, NOW) is Turn.ALREADY
        assert await inbox.unhandled(BOT) == 0


async def test_an_update_handled_before_it_was_stored_is_stored_handled_in_its_turn(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        inbox = Inbox(session, cipher)
        await inbox.store([_update(1)], NOW, None)  # lane 100: update 1 waits
        assert await inbox.take_fresh(InboxKey(BOT, 2), 100, NOW) is Turn.NOT_YET
        assert await inbox.take_fresh(InboxKey(BOT, 3), 200, NOW) is Turn.HANDLED_NOW
        assert await inbox.take_fresh(InboxKey(BOT, 4), None, NOW) is Turn.HANDLED_NOW
        assert await inbox.take_fresh(InboxKey(BOT, 3), 200, NOW) is Turn.ALREADY  # again
        await inbox.store([_update(5, 300)], NOW, None)  # stored meanwhile, waiting
        assert await inbox.take_fresh(InboxKey(BOT, 5), 300, NOW) is Turn.HANDLED_NOW
        assert await inbox.mark_handled(InboxKey(BOT, 1), 100, NOW) is Turn.HANDLED_NOW
        assert await inbox.take_fresh(InboxKey(BOT, 2), 100, NOW) is Turn.HANDLED_NOW
        assert await inbox.unhandled(BOT) == 0
        rows = await session.execute(
            select(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.handled_at)
        )
        assert {(row.update_id, row.payload, row.handled_at) for row in rows} == {
            (n, None, NOW) for n in (1, 2, 3, 4, 5)
        }


async def test_a_delivery_is_claimed_only_when_nothing_else_waits_for_its_chat(
    database: Database, cipher: TextCipher
) -> None:
    until = NOW + timedelta(seconds=60)
    async with database.transaction() as session:
        outbox = Outbox(session, cipher, BOT)
        first = await outbox.add(Delivery(1), NOW, until, unless_waiting_besides=[])
        assert first.claimed  # nothing waited for chat 1
        second = await outbox.add(Delivery(1), NOW, until, unless_waiting_besides=[])
        assert not second.claimed  # the first waits, and it is not held here
        third = await outbox.add(Delivery(1), NOW, until, unless_waiting_besides=[first.id])
        assert not third.claimed  # the second still waits
        fourth = await outbox.add(Delivery(2), NOW, until, unless_waiting_besides=[first.id])
        assert fourth.claimed  # another chat
        fifth = await outbox.add(
            Delivery(1), NOW, until, unless_waiting_besides=[first.id, second.id, third.id]
        )
        assert fifth.claimed
        await outbox.done([first.id])
        await outbox.done([second.id, third.id])
        await outbox.done([])
        assert await outbox.waiting() == 2
        await outbox.done([fourth.id, fifth.id])
        assert await outbox.waiting() == 0


async def test_claims_take_the_oldest_free_rows_and_hold_them(
    database: Database, cipher: TextCipher
) -> None:
    later = NOW + timedelta(seconds=30)
    async with database.transaction() as session:
        inbox = Inbox(session, cipher)
        await inbox.store([_update(1), _update(2), _update(3)], NOW, None)
        assert [r.key.update_id for r in await inbox.claim(BOT, NOW, later, 10, skip=[1])] == [2, 3]
        assert [r.key.update_id for r in await inbox.claim(BOT, NOW, later, 10)] == [1]
        assert await inbox.claim(BOT, NOW, later, 10) == []  # all held until ``later``
        taken = await inbox.claim(BOT, NOW, later, 2, ignore_leases=True)
        assert [r.key.update_id for r in taken] == [1, 2]
        outbox = Outbox(session, cipher, BOT)
        first = await outbox.add(Delivery(1), NOW, None)
        second = await outbox.add(Delivery(2), NOW, later)  # held by its sender
        third = await outbox.add(Delivery(3), NOW, None)
        assert [p.id for p in await outbox.claim(NOW, later, 10, skip=[first.id])] == [third.id]
        assert [p.id for p in await outbox.claim(NOW, later, 10)] == [first.id]
        assert await outbox.claim(NOW, later, 10) == []
        everything = await outbox.claim(NOW, later, 10, [third.id], take_over=True)
        assert [(p.id, p.delivery.chat_id) for p in everything] == [(first.id, 1), (second.id, 2)]
    async with database.transaction() as session:  # once the claims ran out: free again
        again = await Outbox(session, cipher, BOT).claim(later + timedelta(seconds=1), later, 10)
        assert len(again) == 3


async def test_the_one_trip_sqlite_driver_fits_the_installed_libraries(tmp_path: Path) -> None:
    """It builds on inner parts of SQLAlchemy's aiosqlite adapter; without them the bot
    falls back to the adapter itself, slower. Pinned in pyproject.toml."""
    assert compatible()
    database = Database(f"sqlite:///{tmp_path / 'trip.sqlite3'}")
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.dbapi_connection, OneTripConnection)
    finally:
        await database.dispose()


async def test_a_statement_waits_for_another_processs_lock_off_the_loop(
    tmp_path: Path, cipher: TextCipher
) -> None:
    """Statements run on the event loop and never wait there: while another process holds
    SQLite's lock, the write waits on aiosqlite's thread and the loop keeps its pace."""
    path = tmp_path / "locked.sqlite3"
    database = Database(f"sqlite:///{path}")
    try:
        await database.upgrade()
        async with SqliteLock(path, 2.0) as lock:
            await lock.hold()
            started = time.monotonic()
            write = asyncio.create_task(_store_one(database, cipher))
            lags = []
            while not write.done():
                before = time.monotonic()
                await asyncio.sleep(0.05)
                lags.append(time.monotonic() - before - 0.05)
            assert await write == [1], "stored once the lock was let go"
            waited = time.monotonic() - started
        assert waited >= 1.5, "it waited for the lock"
        assert len(lags) >= 10 and max(lags) < 0.5, "the loop went on meanwhile"
    finally:
        await database.dispose()


async def test_the_processs_own_transactions_queue_instead_of_meeting_sqlites_lock(
    tmp_path: Path, cipher: TextCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many transactions at once, each yielding to the others between its statements: none
    finds the lock taken by another of this process's transactions (which would cost a
    trip to aiosqlite's thread and SQLite's sleeping busy handler), and all are stored."""
    waited: list[str] = []
    waiting = sqlite_driver._run_waiting

    def counted(connection: sqlite3.Connection, *args: Any) -> list[Any] | None:
        waited.append("busy")
        return waiting(connection, *args)

    monkeypatch.setattr(sqlite_driver, "_run_waiting", counted)
    database = Database(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    try:
        await database.upgrade()

        async def two_steps(update_id: int) -> None:
            async with database.transaction() as session:
                inbox = Inbox(session, cipher)
                await inbox.store([_update(update_id)], NOW, None)
                await asyncio.sleep(0.001)
                await inbox.mark_handled(InboxKey(BOT, update_id), None, NOW)

        await asyncio.gather(*(two_steps(n) for n in range(1, 41)))
        async with database.transaction() as session:
            assert await Inbox(session, cipher).unhandled() == 0
        assert waited == []
    finally:
        await database.dispose()


async def _store_one(database: Database, cipher: TextCipher) -> list[int]:
    async with database.transaction() as session:
        stored = await Inbox(session, cipher).store([_update(1)], NOW, None)
    return [item.key.update_id for item in stored]


def test_a_pdf_waits_in_the_outbox_as_its_blocks_and_is_laid_out_when_sent() -> None:
    """The step stores the document, not its bytes: the sender lays it out later, off the
    event loop and after the transaction; the blocks come back from the outbox unchanged."""
    from flows.documents.pdf import Block, BlockKind, Document
    from flows.replies import File, Reply
    from storage.outbox import decode, encode

    blocks = (Block(BlockKind.TITLE, "Mijn groeiverhaal"), Block(BlockKind.QUOTE, "שלום 🙂"))
    document = File("growth.pdf", b"", source=Document(blocks, "Mijn groeiverhaal", "nl"))
    back = decode(7, encode(Delivery(7, (Reply("caption", file=document),))))
    file = back.replies[0].file
    assert file is not None and file.data == b"" and file.source == document.source
    assert file.content().startswith(b"%PDF-")


def test_a_chart_waits_in_the_outbox_as_its_bars_and_is_drawn_when_sent() -> None:
    from flows.documents.chart import Bar, Chart, ChartSection
    from flows.replies import File, Reply
    from storage.outbox import decode, encode

    bars = (Bar("Door te doen", 0.67, "4 (67%)"), Bar("Feedback", 0.0, "0 (0%)"))
    ticks = ("0%", "25%", "50%", "75%", "100%")
    chart = Chart("Teamfoto · Lima", "Aandeel", ticks, (ChartSection("Hoe", bars),))
    picture = File("team-photo.png", b"", True, chart)
    back = decode(7, encode(Delivery(7, (Reply("caption", file=picture),))))
    file = back.replies[0].file
    assert file is not None and file.picture and file.source == chart
    assert file.content().startswith(b"\x89PNG") and file.content() == picture.content()


def test_waiting_in_vain_for_the_one_sqlite_connection_is_tried_again() -> None:
    """The pool's timeout (another process locked SQLite long, transactions queued behind
    the one connection) passes by itself: the update is tried again, not given up."""
    assert is_transient(PoolTimeout("QueuePool limit of size 1 overflow 0 reached"))
    assert not is_transient(ValueError("a bug"))
