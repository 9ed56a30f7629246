"""The runner: a whole interview, every answer committed before ``handle`` returns, restarts.

Duplicates and races are in ``test_conversations_races.py``, edits and forgeries in
``test_conversations_edits.py``; the helpers they share are in ``tests.support.chat``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from bot.engine.conversation import Conversations
from flows.callbacks import Action
from flows.events import Command
from flows.states import State, StoryStatus
from flows.views import AnswerView
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import InboxUpdate, Story
from tests.support.chat import (
    CHANGE,
    HELPED_MOST,
    TEXTS,
    WHO_WORDS,
    Chat,
    asked,
    begin,
    read_back,
    tell_whole_story,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EXPECTED = {
    "change": AnswerView(CHANGE),
    "how": AnswerView(None, ("by_doing", "asking_colleague")),
    "who": AnswerView(WHO_WORDS, ("colleague",)),
    "resources": AnswerView(None, (), skipped=True),
    "obstacles": AnswerView(None, ("time_pressure", "self_doubt")),
    "helped_most": AnswerView(HELPED_MOST),
    "next_step": AnswerView(None, ("shadowing",)),
}


def normalised(answers: dict[str, AnswerView]) -> dict[str, Any]:
    """Answers with the choices as sets: storage keeps no order among them."""
    return {key: (a.text, set(a.choices), a.skipped) for key, a in answers.items()}


# --- a whole interview ----------------------------------------------------------------


async def test_full_interview_stores_a_complete_story(
    conversations: Conversations, database_url: str, cipher: TextCipher, clock: FakeClock
) -> None:
    person = Chat(conversations)
    story_id = await tell_whole_story(person)
    stored_person, stories = await read_back(database_url, cipher)
    assert list(stories) == [story_id]
    story = stories[story_id]
    assert story.status is StoryStatus.COMPLETE
    assert normalised(story.answers) == normalised(EXPECTED)
    assert State.from_json(stored_person.state) == State()
    async with conversations.database.transaction() as session:
        handled = await session.scalar(select(func.count()).select_from(InboxUpdate))
    assert handled == next(person.updates) - 100  # one per update, numbered from 100

    async with conversations.database.transaction() as session:
        row = await session.get(Story, story_id)
        assert row is not None and row.completed_at == clock()

    listing = await person.send(Command("stories"))
    assert listing is not None
    assert CHANGE[:20] in listing.replies[0].buttons[0][0].label


async def test_every_answer_is_committed_before_handle_returns(
    conversations: Conversations, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.say(CHANGE)
    _, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answers == {"change": AnswerView(CHANGE)}

    await person.press(Action.TOGGLE, "how", "feedback")
    _, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answer("how") == AnswerView(None, ("feedback",))

    await person.press(Action.DONE, "how")
    await person.press(Action.SKIP, "who")
    stored, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answer("who") == AnswerView(None, (), skipped=True)
    assert State.from_json(stored.state).question == "resources"


async def test_a_restart_continues_at_the_same_question(
    database_url: str, cipher: TextCipher, clock: FakeClock
) -> None:
    first = Database(database_url)
    await first.upgrade()
    person = Chat(Conversations(first, cipher, clock=clock))
    await begin(person)
    await person.say(CHANGE)
    await person.press(Action.TOGGLE, "how", "watching")
    await first.dispose()  # the bot stops

    second = Database(database_url)  # and starts again: nothing is in memory any more
    try:
        clock.advance(hours=5)
        person.conversations = Conversations(second, cipher, clock=clock)
        again = await person.send(Command("start"))
        assert again is not None
        assert again.replies[0].text == TEXTS.in_progress
        assert asked(again) == "how"
        assert "✅ Watching someone" in [b.label for row in again.replies[1].buttons for b in row]
        assert asked(await person.press(Action.DONE, "how")) == "who"
        _, stories = await read_back(database_url, cipher)
        assert normalised(stories[person.story_id].answers) == normalised(
            {"change": AnswerView(CHANGE), "how": AnswerView(None, ("watching",))}
        )
    finally:
        await second.dispose()
