"""Crash tests of the real ``leerverhaal run`` process: SIGKILL it, start it again.

The fake Bot API server runs here; the bot is a separate process on a SQLite file or
a fresh PostgreSQL database, with short leases so a restart recovers within seconds.

- A reply held up by Telegram when the process dies: the other person, who wrote
  later, still gets exactly one reply; the held one comes again at most once.
- Ten people tell whole stories while the process is killed at random moments 30
  times: every message and tap is answered, every story is stored complete, once,
  with every answer; replies repeat only a little (at least once, not exactly once).
  Each person waits for the bot's answer before the next step, and their steps are
  spread over the kills, so that the kills hit the bot while it works.
- A second process on the same SQLite file is refused with exit code 2.

The bot's stderr never contains what people typed or their names.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.services import open_services
from flows.content.guide import guide_for
from storage.inbox import Inbox
from storage.models import Answer, Choice, InboxUpdate, Person, Story
from storage.outbox import Outbox
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.process import (
    ALREADY_RUNNING_EXIT,
    BotProcess,
    Restarts,
    assert_nothing_personal,
    bot_env,
)
from tests.support.telegram import TOKEN, bot_settings

EN = guide_for("en")
WELCOME = EN.texts.welcome.strip().splitlines()[0]
ASKED = EN.texts.language_first  # a first /start on Telegram asks the language
BOT_ID = int(TOKEN.split(":", 1)[0])
PEOPLE = 10
KILLS = 30
ACTIONS = 17  # updates in one whole story: 5 typed, 12 taps
SEED = 20260302
LOG = "bot.stderr"
REPLY_TIMEOUT = 90.0  # seconds a person waits for any one answer before the test fails
REPEATS_REFUSED = {  # what Telegram answers to a delivery sent again
    "answerCallbackQuery": "query is too old",  # answered before
    "editMessageText": "message is not modified",  # edited before
}
NAMES = [
    "Wilhelmina", "Bartholomeus", "Cornelisje", "Dorothea", "Evertjan",
    "Frederique", "Gijsbertus", "Hendrikje", "Ignatius", "Jozefientje",
    "Kunigunde", "Leopoldina",
]  # fmt: skip


# --- people ---------------------------------------------------------------------------


@dataclass
class Teller:
    """A simulated person with their own words, and what they saw."""

    user: FakeUser
    words: tuple[str, str, str]  # the opening story, who was involved, who helped most
    rng: random.Random
    think: float
    pace: Callable[[int], Awaitable[None]] | None = None  # waits before the n-th action
    actions: int = 0
    slowest: float = 0.0
    queries: list[str] = field(default_factory=list)

    async def _act(
        self, act: Callable[[], Awaitable[object]], answered: Callable[[], object]
    ) -> None:
        if self.pace is not None:
            await self.pace(self.actions)
        await asyncio.sleep(self.rng.uniform(0, self.think))
        started = time.monotonic()
        await act()
        self.actions += 1
        await self.user.tg.wait_for(answered, REPLY_TIMEOUT, what=f"an answer to {self.user}")
        self.slowest = max(self.slowest, time.monotonic() - started)

    def _new_message(self, text: str) -> Callable[[], BotMessage | None]:
        user = self.user
        return lambda: next((m for m in user.new_messages if text in (m.text or "")), None)

    async def say(self, text: str, answer: str) -> None:
        """Type (or command) ``text``; wait for a new message containing ``answer``."""
        await self._act(lambda: self.user.send(text), self._new_message(answer))

    async def press(self, label: str, answer: str) -> None:
        """Tap the newest button labelled ``label``; wait for a new message with ``answer``."""
        await self._act(lambda: self._tap(label), self._new_message(answer))

    async def tick(self, label: str) -> None:
        """Tap a quick pick; wait until its message shows it ticked."""
        user = self.user
        tapped: list[int] = []

        def tap() -> Awaitable[None]:
            message = next(m for m in reversed(user.messages) if label in dict(m.buttons))
            tapped.append(message.message_id)
            return self._tap(label, message.message_id)

        def ticked() -> bool:
            shown = user.chat.bot_message(tapped[-1])
            return shown is not None and any(
                text.startswith("✅") and label in text for text, _ in shown.buttons
            )

        await self._act(tap, ticked)

    async def _tap(self, label: str, message_id: int | None = None) -> None:
        self.queries.append(await self.user.press_button(label, message_id))

    async def tell_story(self) -> None:
        """The whole English guide with taps and typed answers, saved at the end."""
        opening, who, helped = self.words
        await self.say("/start", ASKED)
        await self._act(  # the welcome takes the question's place
            lambda: self._tap("English"),
            lambda: any(WELCOME in (m.text or "") for m in self.user.messages),
        )
        await self.press(EN.texts.begin, EN.opening.prompt)
        await self.say(opening, "How did you learn it?")
        await self.tick("By doing, trial and error")
        await self.tick("Feedback")
        await self.press(EN.texts.done, "Who was involved?")
        await self.tick("A more experienced colleague")
        await self.say(who, EN.texts.words_added)  # typed words keep the question open
        await self.press(EN.texts.done, "tools or resources")
        await self.press(EN.texts.skip, "got in the way")
        await self.tick("Doubting myself: “I should know this”")
        await self.press(EN.texts.done, "helped you most")
        await self.say(helped, "take this further")
        await self.tick("Shadowing a colleague")
        await self.press(EN.texts.done, EN.texts.card_question)
        await self.press(EN.texts.confirm, EN.settings.offer)


def people_of(tg: FakeTelegram, count: int, think: float) -> list[Teller]:
    """``count`` people with names and words of their own (none of it may reach a log)."""
    people = []
    for number in range(count):
        name = NAMES[number]
        words = (
            f"{name} now writes cables for headquarters in half the time ({number})",
            f"{name}'s mentor Aleida read every draft ({number})",
            f"{name}'s neighbour at the desk, Sjoerdje ({number})",
        )
        user = tg.user(7000 + number, name, language_code="en")
        people.append(Teller(user, words, random.Random(SEED + number), think))
    return people


def private_words(people: list[Teller]) -> list[str]:
    """Everything personal the bot was told: names and typed answers."""
    return [w for p in people for w in (p.user.first_name, *p.words)]


def repeats(user: FakeUser) -> int:
    """Messages identical to an earlier one in the chat (a delivery sent again)."""
    seen = Counter((m.text, repr(m.reply_markup)) for m in user.all_messages)
    return sum(times - 1 for times in seen.values())


async def kill_at_random(bot: Restarts, rng: random.Random, done: Callable[[], bool]) -> None:
    """SIGKILL the bot KILLS times, 0.3 to 1.5 s after each start; after two processes in a
    row that were killed before they took the lead (a dead one's lease held), the next one
    is killed only once it leads, so that the people's stories go on."""
    followers = 0
    while bot.kills < KILLS and not done():
        await bot.wait_until_up()
        if followers >= 2:
            await bot.wait_until_leading()
        await asyncio.sleep(rng.uniform(0.3, 1.5))
        followers = 0 if bot.leading else followers + 1
        await bot.kill_and_restart()


# --- the database after the run -------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """One person's stories, their status, answers (decrypted) and quick picks."""

    statuses: list[str]
    answers: list[str]
    skipped: int
    choices: int


async def stored(tg: FakeTelegram, data_dir: Path, url: str) -> tuple[dict[int, Stored], int, int]:
    """Per person what is stored, plus the updates and deliveries still waiting."""
    services = await open_services(bot_settings(tg, data_dir, url), migrate=False)
    try:
        async with services.database.transaction() as session:
            stories = (await session.execute(select(Person.external_id, Story).join(Story))).all()
            answers = (await session.scalars(select(Answer))).all()
            choices = Counter((await session.scalars(select(Choice.story_id))).all())
            unhandled = await Inbox(session, services.cipher).unhandled(BOT_ID)
            waiting = await Outbox(session, services.cipher, BOT_ID).waiting()
        result: dict[int, Stored] = {}
        for person_id, story in stories:
            mine = [a for a in answers if a.story_id == story.id]
            previous = result.get(person_id, Stored([], [], 0, 0))
            result[person_id] = Stored(
                [*previous.statuses, story.status],
                previous.answers
                + [services.cipher.decrypt(a.text_encrypted) for a in mine if a.text_encrypted],
                previous.skipped + sum(a.skipped for a in mine),
                previous.choices + choices[story.id],
            )
        return result, unhandled, waiting
    finally:
        await services.close()


# --- the tests ------------------------------------------------------------------------


@pytest.mark.timeout(90)
async def test_a_reply_held_by_telegram_when_the_process_dies(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        x, y = people_of(tg, 2, think=0)
        tg.hold("sendMessage", x.user.chat_id, 4)
        async with Restarts(tg, bot_env(tg, tmp_path, database_url), tmp_path / LOG) as bot:
            await bot.wait_until_up()
            await x.user.send("/start")
            await asyncio.sleep(0.7)
            await y.user.send("/start")
            await asyncio.sleep(1.0)
            answered_before_kill = len(y.user.all_messages)
            await bot.kill_and_restart()
            killed = time.monotonic()
            await bot.wait_until_up()
            # X's sendMessage took effect, but its answer never came back: sent once more.
            await tg.wait_for(lambda: len(x.user.all_messages) == 2, 30, what="X's repeat")
            recovered = time.monotonic() - killed
            await tg.wait_until_idle(settle=1.0, timeout=30)
            tg.clear_delays()
            assert await bot.stop() == 0
        print(
            f"\n[{database_url.split(':')[0]}] Y answered before the kill: "
            f"{answered_before_kill}; X's reply repeated {recovered:.1f} s after the kill"
        )
        assert answered_before_kill == 1, "X's slow reply did not hold up Y's"
        assert len(y.user.all_messages) == 1, "Y's /start was handled and answered once"
        assert len(x.user.all_messages) == 2, "X's reply came again, once"
        assert all(ASKED in (m.text or "") for m in x.user.all_messages + y.user.all_messages)
        services = await open_services(bot_settings(tg, tmp_path, database_url), migrate=False)
        try:
            async with services.database.transaction() as session:
                rows = (await session.scalars(select(InboxUpdate))).all()
                versions = (await session.scalars(select(Person.version))).all()
        finally:
            await services.close()
        assert len(rows) == 2 and all(row.handled_at is not None for row in rows)
        assert versions == [1, 1], "each /start changed its person once (versions count steps)"
        assert_nothing_personal(bot.stderr(), private_words([x, y]))


@pytest.mark.timeout(180)
async def test_random_kills_lose_nothing_and_double_nothing(
    tmp_path: Path, database_url: str
) -> None:
    started = time.monotonic()
    async with FakeTelegram(token=TOKEN) as tg:
        people = people_of(tg, PEOPLE, think=1.0)
        env = bot_env(tg, tmp_path, database_url)
        async with Restarts(tg, env, tmp_path / LOG) as bot:

            async def pace(action: int) -> None:
                """The stories span all the kills: action n waits for kill n * KILLS / ACTIONS."""
                due = action * KILLS // ACTIONS
                await tg.wait_for(lambda: bot.kills >= due, 4 * REPLY_TIMEOUT, what="kills")

            for person in people:
                person.pace = pace
            telling = asyncio.gather(*(person.tell_story() for person in people))
            await kill_at_random(bot, random.Random(SEED), telling.done)
            killing_took = time.monotonic() - started
            await telling
            await tg.wait_until_idle(settle=1.0, timeout=30)
            assert await bot.stop() == 0
        took = time.monotonic() - started
        repeated = [repeats(p.user) for p in people]
        print(
            f"\n[{database_url.split(':')[0]}] kills: {bot.kills} (while leading: {bot.led}) "
            f"in {killing_took:.1f} s, start-up {statistics.mean(bot.startups):.2f} s on average; "
            f"updates handled: {sum(p.actions for p in people)}; "
            f"messages sent: {sum(len(p.user.all_messages) for p in people)}; "
            f"repeated: {sum(repeated)} (most in one chat: {max(repeated)}); "
            f"refused repeats: {dict(Counter((e.method, e.error_code) for e in tg.errors))}; "
            f"slowest answer: {max(p.slowest for p in people):.1f} s; total: {took:.1f} s"
        )
        assert bot.kills >= KILLS, "the people finished before all kills were done"
        assert all(p.actions == ACTIONS for p in people)
        answered = {a.query_id for a in tg.callback_answers}
        assert all(q in answered for p in people for q in p.queries), "every tap was answered"
        # A kill of the sender repeats what it sent and had not yet recorded: per chat at
        # most one delivery (up to two messages, when a card is saved).
        assert max(repeated) <= 2 * bot.led and sum(repeated) <= 2 * KILLS, "not much more"
        unexpected = [
            e for e in tg.errors if REPEATS_REFUSED.get(e.method, "?") not in e.description
        ]
        assert not unexpected, "Telegram refused nothing but repeated answers and edits"

        by_person, unhandled, waiting = await stored(tg, tmp_path, database_url)
        assert (unhandled, waiting) == (0, 0), "nothing left in the inbox or the outbox"
        assert sorted(by_person) == sorted(p.user.id for p in people), "one story each, none lost"
        for person in people:
            story = by_person[person.user.id]
            assert story.statuses == ["complete"], "exactly one story, and it is complete"
            assert sorted(story.answers) == sorted(person.words), "every answer stored once"
            assert (story.skipped, story.choices) == (1, 5)
        assert_nothing_personal(bot.stderr(), private_words(people))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.timeout(60)
async def test_a_second_process_on_the_same_sqlite_file_is_refused(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        env = bot_env(tg, tmp_path, database_url)
        first = await BotProcess(env, tmp_path / "first.stderr").start()
        try:
            await tg.wait_for(lambda: tg.calls, 30, what="the first process to start")
            second = await BotProcess(env, tmp_path / "second.stderr").start()
            assert await second.wait() == ALREADY_RUNNING_EXIT
            user = tg.user(7100, NAMES[0], language_code="en")
            await user.send("/start")
            assert ASKED in ((await user.wait_for_message(timeout=20)).text or "")
        finally:
            assert await first.stop() == 0
        refusal = second.stderr()
        assert "another leerverhaal process is running on leerverhaal.sqlite3" in refusal
        assert "use PostgreSQL for several" in refusal
        assert "Traceback" not in refusal
        assert_nothing_personal(first.stderr() + refusal, [NAMES[0]])
