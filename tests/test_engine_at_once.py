"""A lone update handled at once, through the real bot and the fake Bot API server.

When getUpdates brings one update and its chat has nothing waiting, the polling loop
handles it right away: the step's own transaction stores it, as handled, with no
payload ever written (one transaction instead of two). Should that step fail, the
update goes the usual way (stored waiting, then handled by its lane): nothing lost,
nothing doubled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bot.telegram.app import RunningBot
from storage.inbox import Received
from storage.models import InboxUpdate
from tests.support.engine import LEARNED_HOW, fault_settings, opening_answer, people
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import TOKEN, begin, running_bot


@contextmanager
def statements(bot: RunningBot) -> Iterator[list[str]]:
    """The SQL the bot runs meanwhile (their first words), COMMITs included."""
    seen: list[str] = []
    sync = bot.services.database.engine.sync_engine

    def executed(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()[:3]))

    def committed(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(sync, "before_cursor_execute", executed)
    event.listen(sync, "commit", committed)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", executed)
        event.remove(sync, "commit", committed)


async def inbox_rows(bot: RunningBot) -> list[Any]:
    async with bot.services.database.transaction() as session:
        query = select(InboxUpdate.payload, InboxUpdate.received_at, InboxUpdate.handled_at)
        return list(await session.execute(query))


@asynccontextmanager
async def at_the_opening(
    tmp_path: Path, person_id: int
) -> AsyncIterator[tuple[FakeTelegram, RunningBot, FakeUser]]:
    """The real bot, and one person at the opening question."""
    async with FakeTelegram(token=TOKEN) as tg, running_bot(fault_settings(tg, tmp_path)) as bot:
        (person,) = people(tg, person_id, 1)
        await begin(person)
        await tg.wait_until_idle(timeout=10)
        yield tg, bot, person


async def test_a_lone_update_is_stored_handled_by_its_steps_own_transaction(
    tmp_path: Path,
) -> None:
    async with at_the_opening(tmp_path, 3950) as (tg, bot, person):
        with statements(bot) as seen:
            await person.send(opening_answer(person))
            reply = await person.wait_for_message()
            await tg.wait_until_idle(timeout=10)
        assert LEARNED_HOW in (reply.text or "")
        inbox = [s for s in seen if "inbox_updates" in s]
        assert inbox == ["INSERT INTO inbox_updates"], seen
        step = seen[: seen.index("COMMIT") + 1]
        assert "INSERT INTO answers" in step and "INSERT INTO inbox_updates" in step
        rows = await inbox_rows(bot)
        assert rows and all(r.payload is None and r.received_at == r.handled_at for r in rows)


async def test_a_step_that_fails_at_once_is_stored_and_handled_the_usual_way(
    tmp_path: Path,
) -> None:
    async with at_the_opening(tmp_path, 3960) as (tg, bot, person):
        handler = bot.engine.handler
        assert handler is not None
        tries: list[bool] = []

        async def failing_at_once(received: Received) -> None:
            tries.append(received.stored)
            if not received.stored:
                raise RuntimeError("a passing fault")
            await handler(received)

        bot.engine.handler = failing_at_once
        await person.send(opening_answer(person))
        reply = await person.wait_for_message()
        await tg.wait_until_idle(timeout=10)
        assert LEARNED_HOW in (reply.text or "")
        assert tries == [False, True], "at once, then from the inbox"
        assert sum(LEARNED_HOW in (m.text or "") for m in person.all_messages) == 1
        rows = await inbox_rows(bot)
        assert all(r.payload is None and r.handled_at is not None for r in rows)
