"""The runner under duplicate, overtaken and concurrent updates: each applied exactly once.

A repeated update is ignored, one overtaken by a later one is still applied, and two
updates of one person at the same time (or a first contact from two at once) are both
applied once; on PostgreSQL the version check catches a lost update without the row lock.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.engine import conversation
from bot.engine.conversation import Conversations, Speaker
from flows.callbacks import Action, encode
from flows.events import Command, Press, Text
from flows.views import AnswerView
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Person
from storage.repositories import People
from tests.support.chat import ALICE, CHANGE, Chat, asked, begin, button, read_back, snapshot

# --- duplicates -----------------------------------------------------------------------


async def test_a_duplicate_update_is_ignored(
    conversations: Conversations, database: Database, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await conversations.handle(ALICE, Text(CHANGE, message_id=9), update_id=500)
    before = await snapshot(database)

    assert await conversations.handle(ALICE, Text(CHANGE, message_id=9), update_id=500) is None
    assert await snapshot(database) == before

    toggle = Press(encode(Action.TOGGLE, person.story_id, "how", "feedback"))
    assert await conversations.handle(ALICE, toggle, update_id=501) is not None
    assert await conversations.handle(ALICE, toggle, update_id=501) is None  # not toggled back
    stored, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answers == {
        "change": AnswerView(CHANGE),
        "how": AnswerView(None, ("feedback",)),
    }
    ((_, _, version_before, _),) = before["persons"]
    assert stored.version == version_before + 1


async def test_an_update_overtaken_by_a_later_one_is_still_applied(
    conversations: Conversations, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.say(CHANGE)
    story = person.story_id
    # Telegram sent 600 then 601; another worker happened to store 601 first.
    late = Press(encode(Action.TOGGLE, story, "how", "feedback"))
    early = Press(encode(Action.TOGGLE, story, "how", "coaching"))
    assert await conversations.handle(ALICE, late, update_id=601) is not None
    assert await conversations.handle(ALICE, early, update_id=600) is not None
    _, stories = await read_back(database_url, cipher)
    assert set(stories[story].answer("how").choices) == {"feedback", "coaching"}


# --- two updates of one person at the same time ---------------------------------------


async def test_concurrent_updates_are_both_applied_once(
    conversations: Conversations, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.say(CHANGE)
    story = person.story_id
    options = ["by_doing", "watching", "feedback", "coaching"]
    presses = [Press(button(person.last, Action.TOGGLE, "how", o)) for o in options]
    version = (await read_back(database_url, cipher))[0].version

    outcomes = await asyncio.gather(*(conversations.handle(ALICE, p) for p in presses))
    assert all(o is not None for o in outcomes)
    stored, stories = await read_back(database_url, cipher)
    assert set(stories[story].answer("how").choices) == set(options)  # none lost, none twice
    assert stored.version == version + len(options)

    # A text and a press at once: in either order each is applied exactly once.
    late_toggle = Press(encode(Action.TOGGLE, story, "how", "course_reading"))
    said, toggled = await asyncio.gather(
        conversations.handle(ALICE, Text("door te doen", message_id=70)),
        conversations.handle(ALICE, late_toggle),
    )
    # Typed words keep a quick-pick question open: whichever came first, both are kept.
    assert asked(said) == "how" and toggled is not None and toggled.notice is None
    _, stories = await read_back(database_url, cipher)
    how = stories[story].answer("how")
    assert how.text == "door te doen"
    assert set(how.choices) == {*options, "course_reading"}
    assert "who" not in stories[story].answers


async def test_first_contact_from_two_updates_at_once(
    conversations: Conversations, database: Database
) -> None:
    newcomer = Speaker("telegram", 3003, 3003, "nl")
    outcomes = await asyncio.gather(
        conversations.handle(newcomer, Command("start"), update_id=1),
        conversations.handle(newcomer, Command("help"), update_id=None),
    )
    assert all(o is not None for o in outcomes)
    rows = (await snapshot(database))["persons"]
    assert len(rows) == 1  # one person, not two
    assert rows[0][2] == 2  # and both updates counted on it


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_version_check_catches_a_lost_update_without_the_row_lock(
    conversations: Conversations,
    database_url: str,
    cipher: TextCipher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both updates read the same version before either writes; one must retry."""
    person = Chat(conversations)
    await begin(person)
    await person.say(CHANGE)
    presses = [
        Press(button(person.last, Action.TOGGLE, "how", o)) for o in ("feedback", "coaching")
    ]

    find = People.find
    save_state = People.save_state
    both_read = asyncio.Barrier(2)
    results: list[bool] = []
    attempts: list[int] = []

    async def find_without_lock(self: People, *args: Any, lock: bool = False) -> Person | None:
        return await find(self, *args, lock=False)

    async def racing_apply(session: Any, cipher: Any, person_row: Person, *args: Any) -> Any:
        attempts.append(person_row.version)
        if len(attempts) <= 2:  # the first attempt of each: wait until both have read
            await asyncio.wait_for(both_read.wait(), timeout=5)
        return await apply(session, cipher, person_row, *args)

    async def counting_save_state(self: People, *args: Any, **kwargs: Any) -> bool:
        saved = await save_state(self, *args, **kwargs)
        results.append(saved)
        return saved

    apply = conversation.apply_effects
    monkeypatch.setattr(People, "find", find_without_lock)
    monkeypatch.setattr(conversation, "apply_effects", racing_apply)
    monkeypatch.setattr(People, "save_state", counting_save_state)

    await asyncio.gather(*(conversations.handle(ALICE, p) for p in presses))
    assert attempts[0] == attempts[1], "both first attempts read the same version"
    assert results == [True, False, True], "the stale write is refused, then retried"
    _, stories = await read_back(database_url, cipher)
    assert set(stories[person.story_id].answer("how").choices) == {"feedback", "coaching"}
