"""Running the real Leerverhaal Application against the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.conversation import Clock, utc_now
from bot.services import open_services
from bot.settings import DatabaseSettings, Settings, TelegramSettings
from bot.telegram_app import RunningBot, running
from storage.models import Person, Story
from tests.fake_telegram import FakeTelegram

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
