"""Running the real Leerverhaal Application against the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select
from telegram.ext import Application

from bot.conversation import Clock
from bot.services import Services, open_services
from bot.settings import DatabaseSettings, Settings, TelegramSettings
from bot.telegram_app import ALLOWED_UPDATES, build_application
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


@dataclass
class RunningBot:
    """A started Application and the services behind it."""

    app: Application[Any, Any, Any, Any, Any, Any]
    services: Services

    async def count(self, model: type[Person] | type[Story]) -> int:
        """How many rows a table holds."""
        async with self.services.database.transaction() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@asynccontextmanager
async def running_bot(settings: Settings, clock: Clock | None = None) -> AsyncIterator[RunningBot]:
    """Start the bot as ``leerverhaal run`` would (polling), and stop it cleanly.

    ``clock`` replaces the real clock of the flows and the nudge dispatcher (a FakeClock).
    """
    services = await open_services(settings)
    if clock is None:
        app = build_application(settings, services)
    else:
        app = build_application(settings, services, clock)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        yield RunningBot(app, services)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await services.close()
