"""The runner: events in, every answer committed, restarts, duplicates, races, forgeries."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, text

from bot.conversation import Conversations, Speaker
from flows.callbacks import Action, decode, encode
from flows.events import Command, Edited, Event, Press, Text
from flows.guide import guide_for
from flows.replies import Outcome, PersonActive
from flows.states import State, Step, StoryStatus
from flows.views import AnswerView, StoryView
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import HandledUpdate, Person, Story
from storage.repositories import People, Stories

if TYPE_CHECKING:
    from tests.conftest import FakeClock

GUIDE = guide_for("en")
TEXTS = GUIDE.texts
ALICE = Speaker("telegram", 1001, 1001, "en")
BOB = Speaker("telegram", 2002, 2002, "en")

CHANGE = "Ik zit het dinsdagoverleg nu rustig voor, ook als het schuurt"
WHO_WORDS = "Vooral Annemiek van de politieke afdeling"
HELPED_MOST = "Dat ik mocht meekijken in haar keuken"


# --- helpers --------------------------------------------------------------------------


def button(outcome: Outcome | None, action: Action, *args: str) -> str:
    """The callback data of a button the bot just showed, found by what it does."""
    assert outcome is not None, "the update was not handled"
    shown = [b.data for r in outcome.replies for row in r.buttons for b in row]
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
    assert welcome is not None and welcome.replies[0].text == TEXTS.welcome.strip()
    assert asked(await person.press(Action.BEGIN)) == "change"


async def tell_whole_story(person: Chat) -> int:
    """Answer every question with a mix of words, quick picks and a skip; confirm."""
    await begin(person)
    assert asked(await person.say(CHANGE)) == "how"
    await person.press(Action.TOGGLE, "how", "by_doing")
    await person.press(Action.TOGGLE, "how", "asking_colleague")
    assert asked(await person.press(Action.DONE, "how")) == "who"
    await person.press(Action.TOGGLE, "who", "colleague")
    assert asked(await person.say(WHO_WORDS)) == "resources"
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
    assert done is not None and done.replies[1].text == TEXTS.saved
    assert done.state == State()
    return story_id


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
        handled = await session.scalar(select(func.count()).select_from(HandledUpdate))
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
    assert asked(said) == "who" and toggled is not None
    _, stories = await read_back(database_url, cipher)
    how = stories[story].answer("how")
    assert how.text == "door te doen"
    assert "who" not in stories[story].answers
    if toggled.notice == TEXTS.stale_button:  # the text came first and moved on
        assert set(how.choices) == set(options)
        assert toggled.effects == (PersonActive(),)
    else:  # the toggle came first; the text kept its choice
        assert set(how.choices) == {*options, "course_reading"}


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

    async def racing_apply(self: Stories, person_row: Person, effects: Any, now: Any) -> None:
        attempts.append(person_row.version)
        if len(attempts) <= 2:  # the first attempt of each: wait until both have read
            await asyncio.wait_for(both_read.wait(), timeout=5)
        await apply(self, person_row, effects, now)

    async def counting_save_state(self: People, *args: Any, **kwargs: Any) -> bool:
        saved = await save_state(self, *args, **kwargs)
        results.append(saved)
        return saved

    apply = Stories.apply
    monkeypatch.setattr(People, "find", find_without_lock)
    monkeypatch.setattr(Stories, "apply", racing_apply)
    monkeypatch.setattr(People, "save_state", counting_save_state)

    await asyncio.gather(*(conversations.handle(ALICE, p) for p in presses))
    assert attempts[0] == attempts[1], "both first attempts read the same version"
    assert results == [True, False, True], "the stale write is refused, then retried"
    _, stories = await read_back(database_url, cipher)
    assert set(stories[person.story_id].answer("how").choices) == {"feedback", "coaching"}


# --- edits and forgeries --------------------------------------------------------------


async def test_an_edited_message_updates_the_stored_answer(
    conversations: Conversations, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.send(Text("Ik zit het overleg voor", message_id=41))
    await person.press(Action.TOGGLE, "how", "feedback")
    await person.send(Text("door feedback van Joost", message_id=42))

    edited = await person.send(Edited(CHANGE, message_id=41))
    assert edited is not None
    assert edited.replies[0].text == TEXTS.edit_saved.format(question=GUIDE.questions[0].title)
    assert asked(edited) == "who"  # the interview stays where it was
    await person.send(Edited("door feedback van Joost en Ria", message_id=42))

    unrelated = await person.send(Edited("iets anders", message_id=999))
    assert unrelated is not None and unrelated.replies[0].text == TEXTS.edit_not_an_answer

    _, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answers == {
        "change": AnswerView(CHANGE),
        "how": AnswerView("door feedback van Joost en Ria", ("feedback",)),
    }


async def test_forged_presses_on_someone_elses_story_change_nothing(
    conversations: Conversations, database: Database
) -> None:
    alice = Chat(conversations)
    await begin(alice)
    await alice.send(Text(CHANGE, message_id=7))
    await alice.press(Action.TOGGLE, "how", "feedback")
    story = alice.story_id
    bob = Chat(conversations, BOB, first_update=900)
    await bob.send(Command("start"))
    before = await snapshot(database)

    forged = [
        encode(Action.CONFIRM, story),
        encode(Action.DISCARD_YES, story),
        encode(Action.FRESH, story),
        encode(Action.RESUME, story),
        encode(Action.CARD, story),
        encode(Action.EDIT, story, "change"),
        encode(Action.CHANGE, story),
        encode(Action.TOGGLE, story, "how", "coaching"),
        encode(Action.DONE, story, "how"),
        encode(Action.SKIP, story, "how"),
        encode(Action.BACK, story, "how"),
    ]
    for data in forged:
        outcome = await bob.send(Press(data))
        assert outcome is not None
        assert outcome.effects == (PersonActive(),)
        assert outcome.notice in (TEXTS.story_not_found, TEXTS.invalid_button)
        assert all(CHANGE not in reply.text for reply in outcome.replies)
    peek = await bob.send(Edited("overgenomen", message_id=7))
    assert peek is not None and peek.replies[0].text == TEXTS.edit_not_an_answer

    after = await snapshot(database)
    assert after["stories"] == before["stories"]
    assert after["answers"] == before["answers"]
    assert after["choices"] == before["choices"]
    alice_before, bob_before = before["persons"]  # sorted by id: Alice came first
    alice_after, bob_after = after["persons"]
    assert alice_after == alice_before  # Alice's conversation is untouched
    assert bob_after[1] == bob_before[1]  # and Bob's state did not move either
