"""The durable engine while its database is out of reach, through the real bot.

- PostgreSQL unreachable for 8 s (a proxy in front of the real server is cut; the server
  itself is never touched): what people did meanwhile is stored, and every reply comes,
  late rather than never.
- PostgreSQL ends every connection of the bot while they are idle (a server restart, an
  idle timeout): the bot pings no connection before using it, so the next statements find
  out, and the updates are handled all the same, without an error.
- SQLite locked for 12 s by another process (``BEGIN EXCLUSIVE``): the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.support.engine import (
    CuttableProxy,
    SqliteLock,
    answer_opening,
    assert_nothing_lost,
    fault_settings,
    leadership_watched,
    open_stories,
    people,
    seconds_since_renewal,
    wait_for_questions,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram import TOKEN, running_bot

log = logging.getLogger(__name__)
PG_OUTAGE = 8.0
LOCK = 12.0  # seconds SQLite stays locked
LOCK_AFTER_RENEWAL = 4.0  # seconds after a renewal of the sender lease


async def test_postgresql_unreachable_for_eight_seconds(tmp_path: Path, postgres_url: str) -> None:
    server = make_url(postgres_url)
    async with CuttableProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        proxied = server.set(host="127.0.0.1", port=proxy.listen_port)
        url = proxied.render_as_string(hide_password=False)
        async with (
            FakeTelegram(token=TOKEN) as tg,
            running_bot(fault_settings(tg, tmp_path, url)) as bot,
        ):
            early, late = people(tg, 3600, 3), people(tg, 3610, 3)
            await open_stories(early + late)

            proxy.cut(PG_OUTAGE)
            started = time.monotonic()
            await answer_opening(early)
            await asyncio.sleep(PG_OUTAGE / 2)
            await answer_opening(late)
            arrived = [t - started for t in await wait_for_questions(early + late, timeout=40)]
            log.info(
                "PostgreSQL cut for %.0f s (%d connections dropped): replies %.1f-%.1f s after",
                PG_OUTAGE, proxy.dropped, min(arrived), max(arrived),
            )  # fmt: skip
            assert proxy.dropped > 0
            assert max(arrived) < PG_OUTAGE + 8, "late by the retry backoff at most"
            await assert_nothing_lost(tg, bot, early + late)
        tg.assert_no_violations()


async def test_postgresql_connections_ended_while_idle(
    tmp_path: Path, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(postgres_url)
    async with (
        FakeTelegram(token=TOKEN) as tg,
        running_bot(fault_settings(tg, tmp_path, postgres_url)) as bot,
    ):
        crowd = people(tg, 3650, 4)
        await open_stories(crowd)
        server = await asyncpg.connect(
            host=url.host, port=url.port, user=url.username, database=url.database
        )
        try:
            ended = await server.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                url.database,
            )
        finally:
            await server.close()
        assert ended > 0
        await answer_opening(crowd)
        await wait_for_questions(crowd, timeout=20)
        await assert_nothing_lost(tg, bot, crowd)
    tg.assert_no_violations()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_sqlite_locked_for_twelve_seconds(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        settings = fault_settings(tg, tmp_path)
        async with running_bot(settings) as bot, SqliteLock(bot_file(tmp_path), LOCK) as lock:
            early, late = people(tg, 3700, 3), people(tg, 3710, 3)
            await open_stories(early + late)
            # The worst moment: the next renewal of the sender lease waits out SQLite's busy
            # timeout (10 s), fails, and the lease lapses for a while.
            renew = settings.engine.renew_seconds
            await asyncio.sleep((LOCK_AFTER_RENEWAL - await seconds_since_renewal(bot)) % renew)

            async with leadership_watched(bot) as leading:
                await lock.hold()
                started = time.monotonic()
                await answer_opening(early)
                await asyncio.sleep(LOCK / 2)
                await answer_opening(late)
                arrived = [t - started for t in await wait_for_questions(early + late, 60)]
            log.info(
                "SQLite locked for %.0f s: replies %.1f-%.1f s after; not the sender for %.1f s",
                LOCK, min(arrived), max(arrived), leading.count(False) / 10,
            )  # fmt: skip
            assert min(arrived) >= LOCK - 0.5, "nothing could be stored meanwhile"
            assert max(arrived) < LOCK + 5, "late by the lease's lapse at most"
            assert False in leading and bot.engine.leadership(), "the lease lapsed, came back"
            await assert_nothing_lost(tg, bot, early + late)
        tg.assert_no_violations()


def bot_file(data_dir: Path) -> Path:
    """The bot's SQLite file in its data directory."""
    return data_dir / "leerverhaal.sqlite3"
