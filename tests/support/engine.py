"""Helpers for the engine's fault tests: settings, people who act and time their replies,
what was stored, and the outages (a PostgreSQL proxy that can be cut, a SQLite lock held
by another process)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from sqlalchemy import select

from bot.engine.conversation import utc_now
from bot.engine.leader import SENDER
from bot.settings import CheckinSettings, EngineSettings, Settings
from bot.telegram.app import RunningBot
from storage.models import Answer, Lease, Person, Story
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import begin, bot_settings

LEARNED_HOW = "How did you learn it?"  # the question after the opening answer


def fault_settings(
    tg: FakeTelegram,
    data_dir: Path,
    database_url: str | None = None,
    *,
    read_timeout: float | None = None,
) -> Settings:
    """Settings for the fake server: no periodic check-in tick, short engine leases."""
    settings = bot_settings(tg, data_dir, database_url)
    telegram = settings.telegram
    if read_timeout is not None:
        telegram = telegram.model_copy(update={"read_timeout": read_timeout})
    return settings.model_copy(
        update={
            "telegram": telegram,
            "checkins": CheckinSettings(tick_seconds=3600),
            "engine": EngineSettings(claim_seconds=10, lease_seconds=20, renew_seconds=5),
        }
    )


def people(tg: FakeTelegram, first_id: int, count: int) -> list[FakeUser]:
    """``count`` English-speaking people with ids from ``first_id``."""
    return [tg.user(first_id + n, f"P{n}", language_code="en") for n in range(count)]


async def reply_delay(user: FakeUser, text: str, timeout: float = 15.0) -> float:  # noqa: ASYNC109
    """Send ``text`` and return the seconds until the bot's next message to this person."""
    started = time.monotonic()
    await user.send(text)
    await user.wait_for_message(timeout=timeout)
    return time.monotonic() - started


async def delays_of(users: Iterable[FakeUser], text: str) -> list[float]:
    """Everyone sends ``text`` at once; each one's reply delay."""
    return list(await asyncio.gather(*(reply_delay(user, text) for user in users)))


def median(values: Iterable[float]) -> float:
    """The median of some delays."""
    return statistics.median(list(values))


async def open_stories(users: Iterable[FakeUser]) -> None:
    """Everyone starts a story, up to the opening question."""
    await asyncio.gather(*(begin(user) for user in users))


def opening_answer(user: FakeUser) -> str:
    """What this person answers to the opening question (unique per person)."""
    return f"Writing shorter cables, person {user.id}"


async def answer_opening(users: Iterable[FakeUser]) -> None:
    """Everyone answers the opening question now (replies are not awaited)."""
    for user in users:
        await user.send(opening_answer(user))


def copies(tg: FakeTelegram, chat_id: int) -> Counter[str]:
    """How often each text arrived in a chat (a repeat shows as a count of 2)."""
    return Counter(message.text or "" for message in tg.messages_in(chat_id))


def no_duplicates(tg: FakeTelegram, users: Iterable[FakeUser]) -> bool:
    """True when no text arrived twice in any of these chats."""
    return all(max(copies(tg, user.chat_id).values(), default=1) == 1 for user in users)


async def stored_answers(bot: RunningBot) -> dict[int, list[str]]:
    """Each person's (Telegram id) stored, decrypted typed answers."""
    async with bot.services.database.transaction() as session:
        rows = await session.execute(
            select(Person.external_id, Answer.text_encrypted)
            .join(Story, Story.person_id == Person.id)
            .join(Answer, Answer.story_id == Story.id)
            .order_by(Answer.id)
        )
        found: dict[int, list[str]] = {}
        for external_id, token in rows:
            if token is not None:
                found.setdefault(external_id, []).append(bot.services.cipher.decrypt(token))
        return found


async def wait_for_questions(users: Iterable[FakeUser], timeout: float) -> list[float]:  # noqa: ASYNC109
    """Wait until each person got the question after the opening; when (time.monotonic)."""

    async def one(user: FakeUser) -> float:
        message = await user.wait_for_message(timeout=timeout)
        assert LEARNED_HOW in (message.text or ""), message.text
        return time.monotonic()

    return list(await asyncio.gather(*(one(user) for user in users)))


async def assert_nothing_lost(tg: FakeTelegram, bot: RunningBot, users: list[FakeUser]) -> None:
    """Each answer stored once, each question after it arrived exactly once."""
    await tg.wait_until_idle(timeout=30)
    assert await stored_answers(bot) == {user.id: [opening_answer(user)] for user in users}
    for user in users:
        asked = copies(tg, user.chat_id)
        assert [n for text, n in asked.items() if LEARNED_HOW in text] == [1], asked
    assert no_duplicates(tg, users)


# --- outages --------------------------------------------------------------------------------


async def seconds_since_renewal(bot: RunningBot) -> float:
    """How long ago the sender lease was last renewed (read from its row)."""
    async with bot.services.database.transaction() as session:
        expires = await session.scalar(select(Lease.expires_at).where(Lease.name == SENDER))
    assert expires is not None
    return (utc_now() - expires).total_seconds() + bot.engine.leadership.lease


@contextlib.asynccontextmanager
async def leadership_watched(bot: RunningBot) -> AsyncIterator[list[bool]]:
    """Samples, every 0.1 s while the block runs, whether the bot holds the sender lease."""
    samples: list[bool] = []

    async def sample() -> None:
        while True:
            samples.append(bot.engine.leadership())
            await asyncio.sleep(0.1)

    task = asyncio.create_task(sample())
    try:
        yield samples
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 in front of a server; ``cut`` makes the server unreachable
    for a while (open connections closed, new ones dropped), the server itself untouched."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.listen_port = 0
        self.dropped = 0  # connections closed by a cut or refused during one
        self._cut_until = 0.0
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.listen_port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self._abort_all()
        await self._server.wait_closed()

    @property
    def cut_now(self) -> bool:
        """Whether the server is unreachable through the proxy now."""
        return time.monotonic() < self._cut_until

    def cut(self, seconds: float) -> None:
        """Close every proxied connection and drop new ones for ``seconds``."""
        self._cut_until = time.monotonic() + seconds
        self._abort_all()

    def _abort_all(self) -> None:
        for writer in list(self._open):
            self.dropped += 1
            writer.transport.abort()
        self._open.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_now:
            self.dropped += 1
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, upstream))
        await asyncio.gather(
            _pipe(reader, upstream), _pipe(upstream_reader, writer), return_exceptions=True
        )
        for side in (writer, upstream):
            self._open.discard(side)
            side.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
print("ready", flush=True)
sys.stdin.readline()
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


class SqliteLock:
    """Another process that holds ``BEGIN EXCLUSIVE`` on a SQLite file for ``seconds``
    from :meth:`hold`; leaving the block waits until it let go."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path = path
        self.seconds = seconds
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> SqliteLock:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HOLD_LOCK, str(self.path), str(self.seconds),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert await self._line() == "ready"
        return self

    async def _line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        return (await asyncio.wait_for(self._process.stdout.readline(), 30)).decode().strip()

    async def hold(self) -> None:
        """Take the lock now (returns once it is held)."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(b"go\n")
        await self._process.stdin.drain()
        assert await self._line() == "locked"

    async def __aexit__(self, *_exc: object) -> None:
        assert self._process is not None
        process, self._process = self._process, None
        if process.stdin is not None:
            process.stdin.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), self.seconds + 30)
        if process.returncode is None:
            process.kill()
            await process.wait()
