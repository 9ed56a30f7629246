"""Running the real Leerverhaal Application against the fake Bot API server.

``running_bot`` starts it as ``leerverhaal run`` would; ``first_start``, ``begin`` and
``tell_whole_story`` walk a ``FakeUser`` through the first contact and the interview;
``suggested`` reads the dish offered after a story or a check-in; ``dispatcher_of`` hands
a test the check-in dispatcher to tick by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.engine.conversation import Clock, utc_now
from bot.jobs.checkins import CheckinDispatcher
from bot.services import open_services
from bot.settings import DatabaseSettings, Settings, TelegramSettings
from bot.telegram.app import DISPATCHER, RunningBot, running
from bot.telegram.schedule import CHECKIN_TICK
from flows.checkins.schedule import CheckinRule
from flows.content.guide import guide_for
from storage.checkin_store import Checkins
from storage.models import CheckinSchedule, Person, Story
from storage.repositories import People
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.menu_steps import suggestion_buttons, suggestion_text

TOKEN = "123456:TEST-TOKEN"
EN = guide_for("en")
OPENING = "Writing short cables for headquarters 🙂"
AMSTERDAM_TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 10:00 in Europe/Amsterdam


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

    ``clock`` replaces the real clock of the flows and the check-in dispatcher (a FakeClock).
    """
    services = await open_services(settings)
    try:
        async with running(settings, services, clock or utc_now, long_poll=1) as bot:
            yield bot
    finally:
        await services.close()


def calls(tg: FakeTelegram, method: str, chat_id: int, since: int = 0) -> int:
    """How many ``method`` calls the bot made for a chat (refused ones included)."""
    return sum(
        1 for c in tg.calls[since:] if c.method == method and c.params.get("chat_id") == chat_id
    )


# --- a person on Telegram ---------------------------------------------------------------


async def begin(user: FakeUser) -> None:
    """A first /start (English chosen), then tap the begin button: the opening question."""
    welcome = await first_start(user)
    assert EN.texts.welcome.strip().splitlines()[0] in (welcome.text or "")
    await user.press_button(EN.texts.begin)
    question = await user.wait_for_message()
    assert EN.opening.prompt in question.text


async def answer_text(user: FakeUser, text: str) -> str:
    """Type an answer and return the next message's text."""
    await user.send(text)
    return (await user.wait_for_message()).text or ""


async def tap(user: FakeUser, label: str) -> None:
    """Tap a quick pick and wait until the keyboard shows it ticked."""
    await user.press_button(label)
    edited = await user.wait_for_edit()
    assert any(label in text and text.startswith("✅") for text, _ in edited.buttons)


async def done(user: FakeUser) -> str:
    """Tap Done and return the next message's text."""
    await user.press_button(EN.texts.done)
    return (await user.wait_for_message()).text or ""


async def tell_whole_story(user: FakeUser) -> None:
    """Answer every question of the English guide, ending at the summary card."""
    await begin(user)
    await answer_whole_story(user)


async def save_story(user: FakeUser) -> BotMessage:
    """Press Save on the card: it is edited in place, and ends with the thanks."""
    await user.press_button(EN.texts.confirm)
    card = await user.wait_for_edit()
    assert EN.texts.saved in (card.text or "") and not card.buttons
    return card


async def answer_whole_story(user: FakeUser) -> None:
    """From the opening question on, every answer of ``tell_whole_story``."""
    assert "How did you learn it?" in await answer_text(user, OPENING)
    await tap(user, "By doing, trial and error")
    await tap(user, "Feedback")
    assert "Who was involved?" in await done(user)
    await tap(user, "A more experienced colleague")
    # typed words join the picks; the question stays open until Done
    assert EN.texts.words_added in await answer_text(user, "my mentor's old cables")
    assert "tools or resources" in await done(user)
    await user.press_button(EN.texts.skip)
    assert "got in the way" in (await user.wait_for_message()).text
    await tap(user, "Doubting myself: “I should know this”")
    assert "helped you most" in await done(user)
    offer = await answer_text(user, "Ana, who read every draft")
    assert offer == EN.thanks.offer  # a thank-you note to pass on, above the next question
    assert "take this further" in (await user.wait_for_message()).text
    await tap(user, "Shadowing a colleague")
    card = await done(user)
    assert EN.texts.card_question in card


async def suggested(user: FakeUser, dish: str) -> BotMessage:
    """The next message: one dish from the learning menu, word for word, with its buttons."""
    offer = await user.wait_for_message()
    assert offer.text == suggestion_text(dish)
    assert [label for row in offer.keyboard for label, _ in row] == list(suggestion_buttons())
    assert all(len(row) == 1 for row in offer.keyboard), "one button a row"
    return offer


# --- check-ins -------------------------------------------------------------------------


def dispatcher_of(bot: RunningBot) -> CheckinDispatcher:
    """The Application's dispatcher, with its periodic JobQueue tick taken away."""
    assert bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name(CHECKIN_TICK):
        job.schedule_removal()
    dispatcher: CheckinDispatcher = bot.app.bot_data[DISPATCHER]
    return dispatcher


async def schedule_row(bot: RunningBot, chat_id: int) -> CheckinSchedule:
    async with bot.services.database.transaction() as session:
        row = await session.scalar(
            select(CheckinSchedule).join(Person).where(Person.chat_id == chat_id)
        )
        assert row is not None
        return row


async def enrol_directly(bot: RunningBot, user: FakeUser, now: datetime, due: datetime) -> None:
    """A person with check-ins in Amsterdam, straight into the database (no messages)."""
    async with bot.services.database.transaction() as session:
        person = await People(session).add("telegram", user.id, user.chat_id, "en", now)
        await Checkins(session).save_rule(person.id, CheckinRule("Europe/Amsterdam"), due)
