"""Running the real Leerverhaal Application against the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.engine.conversation import Clock, utc_now
from bot.services import open_services
from bot.settings import DatabaseSettings, Settings, TelegramSettings
from bot.telegram.app import RunningBot, running
from storage.models import Person, Story
from tests.fake_telegram import BotMessage, FakeTelegram, FakeUser

TOKEN = "123456:TEST-TOKEN"


def bot_settings(tg: FakeTelegram, data_dir: Path, database_url: str | None = None) -> Settings:
    """Settings pointing at the fake server and a data directory of the test's own."""
    return Settings(
        data_dir=data_dir,
        telegram=TelegramSettings(
            token=SecretStr(tg.token), base_url=tg.base_url, base_file_url=tg.base_file_url
        ),
        database=DatabaseSettings(url=SecretStr(database_url) if database_url else None),
    )


async def first_start(
    user: FakeUser,
    language: str = "English",
    timeout: float = 10.0,  # noqa: ASYNC109
) -> BotMessage:
    """A person's very first /start: the language question (Telegram's language_code is only
    a guess), a tap on ``language``, and the welcome in place of the question."""
    await user.send("/start")
    question = await user.wait_for_message(timeout=timeout)
    assert [label for label, _ in question.buttons] == ["English", "Nederlands"], question.text
    await user.press_button(language)
    return await user.wait_for_edit(question.message_id, timeout=timeout)


async def count(bot: RunningBot, model: type[Person] | type[Story]) -> int:
    """How many rows a table holds."""
    async with bot.services.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@asynccontextmanager
async def running_bot(settings: Settings, clock: Clock | None = None) -> AsyncIterator[RunningBot]:
    """Start the bot as ``leerverhaal run`` would (polling), and stop it cleanly.

    ``clock`` replaces the real clock of the flows and the nudge dispatcher (a FakeClock).
    """
    services = await open_services(settings)
    try:
        async with running(settings, services, clock or utc_now, long_poll=1) as bot:
            yield bot
    finally:
        await services.close()
