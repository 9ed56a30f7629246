"""Recording deliveries, through the real bot and the fake Bot API server.

A delivered reply leaves the outbox in the transaction that stores the next updates
(under load the sender then needs no transaction of its own); only when no update
comes does the sender's own flush record it. Either way it is recorded once and only
after Telegram took it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from sqlalchemy import func, select

from bot.telegram.app import RunningBot
from storage.models import OutboxMessage
from tests.support.engine import fault_settings, people
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram import TOKEN, running_bot


async def outbox_rows(bot: RunningBot) -> list[int]:
    """The chats of the deliveries still in the outbox."""
    async with bot.services.database.transaction() as session:
        return list(await session.scalars(select(OutboxMessage.chat_id)))


async def outbox_count(bot: RunningBot) -> int:
    async with bot.services.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_a_delivery_is_recorded_with_the_next_updates_that_arrive(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg, running_bot(fault_settings(tg, tmp_path)) as bot:
        sender = bot.engine.sender
        sender.limits = dataclasses.replace(sender.limits, flush_seconds=3600)
        first, second = people(tg, 3900, 2)

        await first.send("/start")
        await first.wait_for_message()
        await tg.wait_until_idle(timeout=10)
        assert await outbox_rows(bot) == [first.chat_id], "delivered, not yet recorded"

        await second.send("/start")
        await second.wait_for_message()
        await tg.wait_until_idle(timeout=10)
        assert await outbox_rows(bot) == [second.chat_id], "the first went with the second's update"


async def test_without_new_updates_the_sender_records_on_its_own(tmp_path: Path) -> None:
    """...and while nothing waits to be recorded, it does not wake up at all."""
    async with FakeTelegram(token=TOKEN) as tg, running_bot(fault_settings(tg, tmp_path)) as bot:
        sender = bot.engine.sender
        settled = sender.settle
        calls: list[bool] = []

        async def counted() -> bool:
            calls.append(True)
            return await settled()

        sender.settle = counted  # type: ignore[method-assign]
        await asyncio.sleep(0.5)
        assert calls == [], "idle: no wake-ups"

        (person,) = people(tg, 3910, 1)
        await person.send("/start")
        await person.wait_for_message()
        for _ in range(50):
            if await outbox_count(bot) == 0:
                break
            await asyncio.sleep(0.05)
        assert await outbox_count(bot) == 0
        assert calls, "recorded by the sender's own flush"
