"""Models and repositories on SQLite and PostgreSQL: encryption, upserts, ownership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.replies import CompleteStory, CreateStory, DeleteStory, Effect, SaveAnswer, SetLanguage
from flows.states import State, Step, StoryKind, StoryStatus
from flows.views import AnswerView, EditedAnswer
from storage.crypto import TextCipher
from storage.database import Database
from storage.effects import apply_effects
from storage.models import Answer, Choice, Person, Story
from storage.repositories import People, Stories

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

PHRASE = "Zebravink-protocol: ik vraag nu eerst de lokale collega om raad"
OTHER_PHRASE = "Something only the other person wrote"


async def _person(db: Database, external_id: int, now: datetime, language: str = "en") -> Person:
    async with db.transaction() as session:
        return await People(session).add("telegram", external_id, external_id * 10, language, now)


async def _apply(
    db: Database, cipher: TextCipher, person: Person, now: datetime, *effects: Effect
) -> None:
    async with db.transaction() as session:
        await apply_effects(session, cipher, person, effects, now)


async def _count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- people ---------------------------------------------------------------------------


async def test_person_is_created_with_a_fresh_conversation(
    database: Database, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    async with database.transaction() as session:
        found = await People(session).find("telegram", 1001, lock=True)
        assert found is not None
        assert found.id == person.id
        assert (found.chat_id, found.language, found.version) == (10010, "en", 0)
        assert State.from_json(found.state) == State()
        assert found.created_at == clock() and found.created_at.tzinfo is not None
        assert await People(session).find("telegram", 1002) is None
        assert await People(session).find("terminal", 1001) is None


async def test_one_person_per_channel_id(database: Database, clock: FakeClock) -> None:
    await _person(database, 1001, clock())
    with pytest.raises(IntegrityError):
        await _person(database, 1001, clock())
    async with database.transaction() as session:
        await People(session).add("terminal", 1001, None, "nl", clock())  # other channel: fine
        assert await _count(session, Person) == 2


async def test_save_state_checks_the_version(database: Database, clock: FakeClock) -> None:
    person = await _person(database, 1001, clock())
    moved = State(step=Step.WELCOME)
    async with database.transaction() as session:
        people = People(session)
        assert await people.save_state(person, moved, 0, clock()) is True
        assert await people.save_state(person, State(), 0, clock()) is False  # stale
    async with database.transaction() as session:
        stored = await People(session).find("telegram", 1001)
        assert stored is not None
        assert (State.from_json(stored.state), stored.version) == (moved, 1)


def test_a_state_saved_under_the_old_step_name_still_loads() -> None:
    """Before check-ins had one word the step was stored as "nudged"; it loads as asked."""
    legacy = State(step=Step.CHECKIN_ASKED).to_json().replace('"checkin_asked"', '"nudged"')
    assert '"nudged"' in legacy
    assert State.from_json(legacy).step is Step.CHECKIN_ASKED
    assert '"checkin_asked"' in State.from_json(legacy).to_json()


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetimes"):
        await _person(database, 1001, datetime(2026, 1, 1, 12, 0))


async def test_times_come_back_in_utc(database: Database) -> None:
    amsterdam = datetime(2026, 7, 1, 14, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    await _person(database, 1001, amsterdam)
    async with database.transaction() as session:
        found = await People(session).find("telegram", 1001)
        assert found is not None
        assert found.created_at == amsterdam
        assert found.created_at.utcoffset() == timedelta(0)


# --- answers --------------------------------------------------------------------------


async def test_free_text_is_stored_encrypted(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    await _apply(
        database,
        cipher,
        person,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "change", PHRASE, message_id=77),
        SaveAnswer(11, "how", "één keer fout, daarna goed", ("by_doing",)),
    )
    async with database.transaction() as session:
        rows = (await session.execute(text("SELECT question, text_encrypted FROM answers"))).all()
        assert {question for question, _ in rows} == {"change", "how"}
        for _question, raw in rows:
            raw_bytes = bytes(raw)
            assert PHRASE.encode() not in raw_bytes
            assert "één keer".encode() not in raw_bytes
            assert b"Zebravink" not in raw_bytes
        views = await Stories(session, cipher).load(person.id, [11])
    answers = views[11].answers
    assert answers["change"] == AnswerView(PHRASE, (), False)
    assert answers["how"] == AnswerView("één keer fout, daarna goed", ("by_doing",), False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_file_never_contains_the_words(
    database: Database, cipher: TextCipher, clock: FakeClock, tmp_path: Path
) -> None:
    person = await _person(database, 1001, clock())
    await _apply(
        database,
        cipher,
        person,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "change", PHRASE),
        SaveAnswer(11, "helped_most", PHRASE + " (herhaald)"),
    )
    await _apply(database, cipher, person, clock(), SaveAnswer(11, "change", PHRASE + "!"))

    def everything_on_disk() -> bytes:
        files = sorted(tmp_path.glob("leerverhaal.sqlite3*"))
        assert files, "the SQLite file should exist"
        return b"".join(path.read_bytes() for path in files)

    needle = b"Zebravink"
    assert needle not in everything_on_disk()  # file, WAL and shared memory while open
    await database.dispose()
    assert needle not in everything_on_disk()  # and after checkpointing


async def test_choices_are_plain_option_keys(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    await _apply(
        database,
        cipher,
        person,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "obstacles", None, ("time_pressure", "self_doubt")),
        SaveAnswer(11, "next_step", None, (), skipped=True),
    )
    async with database.transaction() as session:
        rows = (await session.execute(text("SELECT story_id, question, option FROM choices"))).all()
        assert sorted(tuple(r) for r in rows) == [
            (11, "obstacles", "self_doubt"),
            (11, "obstacles", "time_pressure"),
        ]
        skipped = await session.scalar(select(Answer).where(Answer.question == "next_step"))
        assert skipped is not None
        assert skipped.skipped is True and skipped.text_encrypted is None


async def test_saving_the_same_answer_twice_keeps_one_row(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    first = SaveAnswer(11, "who", "mijn buurvrouw", ("colleague", "manager"), message_id=5)
    await _apply(database, cipher, person, clock(), CreateStory(11, StoryKind.STORY), first)
    await _apply(database, cipher, person, clock(), first)  # a repeat is harmless
    later = clock.advance(minutes=3)
    await _apply(database, cipher, person, later, SaveAnswer(11, "who", "het team", ("team",)))
    async with database.transaction() as session:
        assert await _count(session, Answer) == 1
        assert await _count(session, Choice) == 1
        answer = await session.scalar(select(Answer))
        assert answer is not None
        assert answer.message_id == 5  # kept when the new save has none
        assert answer.updated_at == later
        story = await session.get(Story, 11)
        assert story is not None and story.updated_at < later, "an answer's time is its own"
        views = await Stories(session, cipher).load(person.id, [11])
    assert views[11].answers["who"] == AnswerView("het team", ("team",), False)
    joined = SaveAnswer(11, "who", "het team\nen meer", ("team",), detach_message=True)
    await _apply(database, cipher, person, clock(), joined)
    async with database.transaction() as session:
        assert await session.scalar(select(Answer.message_id)) is None, "no message is it now"


async def test_complete_and_set_language(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    await _apply(database, cipher, person, clock(), CreateStory(11, StoryKind.CHECKIN))
    done = clock.advance(hours=1)
    async with database.transaction() as session:
        stored = await People(session).find("telegram", 1001)
        assert stored is not None
        await apply_effects(session, cipher, stored, (CompleteStory(11), SetLanguage("nl")), done)
    async with database.transaction() as session:
        story = await session.get(Story, 11)
        assert story is not None
        assert (story.kind, story.status, story.completed_at) == ("checkin", "complete", done)
        stored = await People(session).find("telegram", 1001)
        assert stored is not None and stored.language == "nl"


async def test_delete_removes_story_answers_and_choices(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    keep = (CreateStory(12, StoryKind.STORY), SaveAnswer(12, "how", "ander", ("feedback",)))
    await _apply(
        database,
        cipher,
        person,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "change", PHRASE),
        SaveAnswer(11, "how", None, ("by_doing", "watching")),
        *keep,
    )
    await _apply(database, cipher, person, clock(), DeleteStory(11))
    async with database.transaction() as session:
        assert list(await session.scalars(select(Story.id))) == [12]
        assert list(await session.scalars(select(Answer.story_id))) == [12]
        assert list(await session.scalars(select(Choice.story_id))) == [12]


async def test_deleting_a_person_cascades(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    person = await _person(database, 1001, clock())
    await _apply(
        database,
        cipher,
        person,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "how", PHRASE, ("by_doing",)),
    )
    async with database.transaction() as session:
        await session.execute(delete(Person).where(Person.id == person.id))
    async with database.transaction() as session:
        for model in (Story, Answer, Choice):
            assert await _count(session, model) == 0, model.__name__


# --- ownership ------------------------------------------------------------------------


async def _two_people_with_stories(
    db: Database, cipher: TextCipher, clock: FakeClock
) -> tuple[Person, Person]:
    alice = await _person(db, 1001, clock())
    bob = await _person(db, 2002, clock())
    await _apply(
        db,
        cipher,
        alice,
        clock(),
        CreateStory(11, StoryKind.STORY),
        SaveAnswer(11, "change", PHRASE, message_id=300),
        SaveAnswer(11, "how", None, ("feedback",)),
    )
    await _apply(
        db,
        cipher,
        bob,
        clock(),
        CreateStory(22, StoryKind.STORY),
        SaveAnswer(22, "change", OTHER_PHRASE, message_id=301),
    )
    return alice, bob


async def test_load_never_returns_another_persons_story(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice, bob = await _two_people_with_stories(database, cipher, clock)
    async with database.transaction() as session:
        stories = Stories(session, cipher)
        assert set(await stories.load(alice.id, [11, 22, 999])) == {11}
        assert set(await stories.load(bob.id, [11, 22])) == {22}
        assert await stories.load(bob.id, [11]) == {}
        assert await stories.load(bob.id, []) == {}
        bobs = await stories.load(bob.id, [11, 22])
    assert bobs[22].answers["change"].text == OTHER_PHRASE
    assert "how" not in bobs[22].answers  # Alice's choices never leak into Bob's view


async def test_writes_into_another_persons_story_are_ignored(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice, bob = await _two_people_with_stories(database, cipher, clock)
    await _apply(
        database,
        cipher,
        bob,
        clock.advance(minutes=5),
        SaveAnswer(11, "change", "overwritten by Bob"),
        SaveAnswer(11, "who", None, ("team",)),
        CompleteStory(11),
        DeleteStory(11),
    )
    async with database.transaction() as session:
        story = await session.get(Story, 11)
        assert story is not None
        assert (story.status, story.updated_at) == ("draft", clock() - timedelta(minutes=5))
        alices = await Stories(session, cipher).load(alice.id, [11])
        assert alices[11].answers == {
            "change": AnswerView(PHRASE),
            "how": AnswerView(None, ("feedback",)),
        }


async def test_headers_newest_first_with_titles(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice, _bob = await _two_people_with_stories(database, cipher, clock)
    await _apply(
        database,
        cipher,
        alice,
        clock.advance(days=2),
        CreateStory(13, StoryKind.STORY),
        SaveAnswer(13, "change", "Nieuwste verhaal"),
        CompleteStory(13),
    )
    await _apply(database, cipher, alice, clock.advance(days=1), CreateStory(5, StoryKind.CHECKIN))
    async with database.transaction() as session:
        headers = await Stories(session, cipher).headers(alice.id, ("change",))
    assert [(h.id, h.kind, h.status, h.title) for h in headers] == [
        (5, StoryKind.CHECKIN, StoryStatus.DRAFT, None),
        (13, StoryKind.STORY, StoryStatus.COMPLETE, "Nieuwste verhaal"),
        (11, StoryKind.STORY, StoryStatus.DRAFT, PHRASE),
    ]
    assert headers[0].created_at == clock()


async def test_find_answer_by_message_is_scoped_to_the_person(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice, bob = await _two_people_with_stories(database, cipher, clock)
    async with database.transaction() as session:
        stories = Stories(session, cipher)
        assert await stories.find_answer_by_message(alice.id, 300) == EditedAnswer(11, "change")
        assert await stories.find_answer_by_message(bob.id, 301) == EditedAnswer(22, "change")
        assert await stories.find_answer_by_message(bob.id, 300) is None
        assert await stories.find_answer_by_message(alice.id, 301) is None
        assert await stories.find_answer_by_message(alice.id, 12345) is None
