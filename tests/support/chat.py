"""One person talking to the real runner (``Conversations``) on a real database.

``Chat`` is one person's side of the chat; ``begin`` and ``tell_whole_story`` walk it
through the interview; ``read_back`` reads what is committed through another connection,
``snapshot`` every row, and ``person_id`` the internal id behind a speaker.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text

from bot.engine.conversation import Conversations, Speaker
from flows.callbacks import Action, decode
from flows.content.guide import guide_for
from flows.events import Command, Event, Press, Text
from flows.replies import Outcome
from flows.states import State, Step
from flows.views import StoryView
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Person, Story
from storage.repositories import People, Stories
from tests.support.outcomes import all_buttons

GUIDE = guide_for("en")
TEXTS = GUIDE.texts
ALICE = Speaker("telegram", 1001, 1001, "en")
BOB = Speaker("telegram", 2002, 2002, "en")

CHANGE = "Ik zit het dinsdagoverleg nu rustig voor, ook als het schuurt"
WHO_WORDS = "Vooral Annemiek van de politieke afdeling"
HELPED_MOST = "Dat ik mocht meekijken in haar keuken"


def button(outcome: Outcome | None, action: Action, *args: str) -> str:
    """The callback data of a button the bot just showed, found by what it does."""
    shown = [b.data for b in all_buttons(outcome)]
    for data in shown:
        pressed = decode(data)
        if pressed is not None and pressed.action is action and pressed.args == args:
            return data
    raise AssertionError(f"no {action.name} {args} button among {shown}")


def asked(outcome: Outcome | None) -> str | None:
    """The question the bot is asking now, if any."""
    assert outcome is not None
    return outcome.state.question if outcome.state.step is Step.QUESTION else None


class Chat:
    """One person's side of the chat: numbers updates and messages like Telegram does."""

    def __init__(
        self, conversations: Conversations, speaker: Speaker = ALICE, first_update: int = 100
    ) -> None:
        self.conversations = conversations
        self.speaker = speaker
        self.updates: Iterator[int] = itertools.count(first_update)
        self.messages: Iterator[int] = itertools.count(1)
        self.last: Outcome | None = None

    async def send(self, event: Event) -> Outcome | None:
        self.last = await self.conversations.handle(self.speaker, event, next(self.updates))
        return self.last

    async def say(self, words: str) -> Outcome | None:
        return await self.send(Text(words, message_id=next(self.messages)))

    async def press(self, action: Action, *args: str) -> Outcome | None:
        return await self.send(Press(button(self.last, action, *args)))

    @property
    def story_id(self) -> int:
        assert self.last is not None and self.last.state.story_id is not None
        return self.last.state.story_id


async def begin(person: Chat) -> None:
    """/start, then 'Let's begin': the opening question is asked."""
    welcome = await person.send(Command("start"))
    greetings = (TEXTS.welcome.strip(), TEXTS.welcome_back)  # the long one only the first time
    assert welcome is not None and welcome.replies[0].text in greetings
    assert asked(await person.press(Action.BEGIN)) == "change"


async def tell_whole_story(person: Chat) -> int:
    """Answer every question with a mix of words, quick picks and a skip; confirm."""
    await begin(person)
    assert asked(await person.say(CHANGE)) == "how"
    await person.press(Action.TOGGLE, "how", "by_doing")
    await person.press(Action.TOGGLE, "how", "asking_colleague")
    assert asked(await person.press(Action.DONE, "how")) == "who"
    await person.press(Action.TOGGLE, "who", "colleague")
    assert asked(await person.say(WHO_WORDS)) == "who"  # typed words join the picks
    assert asked(await person.press(Action.DONE, "who")) == "resources"
    assert asked(await person.press(Action.SKIP, "resources")) == "obstacles"
    await person.press(Action.TOGGLE, "obstacles", "time_pressure")
    await person.press(Action.TOGGLE, "obstacles", "self_doubt")
    assert asked(await person.press(Action.DONE, "obstacles")) == "helped_most"
    assert asked(await person.say(HELPED_MOST)) == "next_step"
    await person.press(Action.TOGGLE, "next_step", "shadowing")
    review = await person.press(Action.DONE, "next_step")
    assert review is not None and review.state.step is Step.REVIEW
    story_id = person.story_id
    assert CHANGE in review.replies[0].text  # the card shows the story
    done = await person.send(Press(button(review, Action.CONFIRM)))
    assert done is not None and TEXTS.saved in done.replies[0].text  # the card ends with it
    assert done.state == State()
    return story_id


async def read_back(
    url: str, cipher: TextCipher, speaker: Speaker = ALICE
) -> tuple[Person, dict[int, StoryView]]:
    """What is committed, through a separate engine (so: another connection)."""
    reader = Database(url)
    try:
        async with reader.transaction() as session:
            person = await People(session).find(speaker.channel, speaker.external_id)
            assert person is not None
            ids = list(await session.scalars(select(Story.id).where(Story.person_id == person.id)))
            return person, await Stories(session, cipher).load(person.id, ids)
    finally:
        await reader.dispose()


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after."""
    tables = {
        "persons": "SELECT id, state, version, language FROM persons",
        "stories": "SELECT id, person_id, kind, status, updated_at, completed_at FROM stories",
        "answers": "SELECT story_id, question, text_encrypted, skipped, message_id FROM answers",
        "choices": "SELECT story_id, question, option FROM choices",
    }
    async with db.transaction() as session:
        return {
            name: sorted(tuple(row) for row in (await session.execute(text(query))).all())
            for name, query in tables.items()
        }


async def person_id(database: Database, speaker: Speaker) -> int:
    """The internal id of the person behind a speaker."""
    async with database.transaction() as session:
        person = await People(session).find(speaker.channel, speaker.external_id)
        assert person is not None
        return person.id
