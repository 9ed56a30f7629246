"""Erasure is real: every table scanned, other people untouched, the SQLite file vacuumed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, func, select, update

from bot.engine import conversation
from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode
from flows.events import Command, Press
from storage.database import Database
from storage.erasure import delete_rows, erase_person
from storage.models import Base, CheckinSchedule, Membership, PhotoDelivery, Story, Team
from storage.repositories import People
from tests.support.chat import ALICE, BOB, CHANGE, Chat, begin, person_id, tell_whole_story
from tests.support.privacy import (
    checkin,
    found_in_tables,
    join_team,
    release_quote,
    schedule_checkins,
    traces_of,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock


async def _two_people_in_one_team(conversations: Conversations, clock: FakeClock) -> int:
    """Alice and Bob, each with a story and a check-in, both in one team; the team's id."""
    database = conversations.database
    alice, bob = Chat(conversations), Chat(conversations, BOB, first_update=900)
    released = await tell_whole_story(alice)
    await checkin(alice, "Briefings go smoother")
    await tell_whole_story(bob)
    await checkin(bob, "Cables go faster")
    team = await join_team(database, await person_id(database, ALICE), clock())
    bob_id = await person_id(database, BOB)
    async with database.transaction() as session:
        session.add(Membership(person_id=bob_id, team_id=team, joined_at=clock()))
        await session.execute(update(Story).where(Story.person_id == bob_id).values(team_id=team))
    await release_quote(database, released)
    for who in (ALICE, BOB):
        await schedule_checkins(database, await person_id(database, who), clock())
    return team


async def test_erasing_a_person_leaves_no_row_that_refers_to_them(
    conversations: Conversations, clock: FakeClock
) -> None:
    database = conversations.database
    team = await _two_people_in_one_team(conversations, clock)
    alice, bob = await traces_of(database, ALICE), await traces_of(database, BOB)
    assert len(await found_in_tables(database, alice)) > 10  # the scan finds them before

    async with database.transaction() as session:
        assert await erase_person(session, alice.person_id) == 2

    assert await found_in_tables(database, alice) == []
    assert await traces_of(database, BOB) == bob
    async with database.transaction() as session:
        team_stories = await session.scalar(
            select(func.count()).select_from(Story).where(Story.team_id == team)
        )
        schedules = list(await session.scalars(select(CheckinSchedule.person_id)))
        photos = await session.scalar(select(func.count()).select_from(PhotoDelivery))
    assert team_stories == 2  # only Bob's contributions count for the team from now on
    assert schedules == [bob.person_id]
    assert photos == 0  # Alice's deliveries as a facilitator went with her


async def test_rows_of_others_that_point_at_deleted_rows_are_kept(
    conversations: Conversations, clock: FakeClock
) -> None:
    """``ondelete="SET NULL"``: deleting a team keeps the stories told in it."""
    team = await _two_people_in_one_team(conversations, clock)
    async with conversations.database.transaction() as session:
        teams = Base.metadata.tables[Team.__tablename__]
        assert await delete_rows(session, teams, Team.id == team) == 1
        stories = (await session.execute(select(Story.team_id))).scalars().all()
        members = await session.scalar(select(func.count()).select_from(Membership))
    assert len(stories) == 4 and set(stories) == {None}
    assert members == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_forget_vacuums_the_sqlite_file(
    conversations: Conversations, database: Database, tmp_path: Path
) -> None:
    def on_disk() -> bytes:
        return b"".join(path.read_bytes() for path in sorted(tmp_path.glob("*.sqlite3*")))

    async with database.engine.connect() as connection:
        secure = await connection.exec_driver_sql("PRAGMA secure_delete")
        assert secure.scalar() == 1  # deleted rows are overwritten, on every SQLite build
    # Without secure delete (some builds' default), deleted bytes stay in free space
    # until VACUUM: prove that the VACUUM after /forget alone removes them.
    await database.engine.dispose()
    event.listen(database.engine.sync_engine, "connect", _insecure_delete)

    person = Chat(conversations)
    await tell_whole_story(person)
    await Chat(conversations, BOB, first_update=900).say("hello")
    tokens = (await traces_of(database, ALICE)).tokens
    assert tokens and all(token in on_disk() for token in tokens)

    await person.send(Command("forget"))
    await conversations.after_reply(await person.press(Action.FORGET_YES, "1"))
    await database.dispose()  # close every connection: nothing is held in memory
    assert not any(token in on_disk() for token in tokens)


def _insecure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=OFF")
    cursor.close()


async def test_an_erased_persons_id_is_never_given_to_someone_new(
    database: Database, clock: FakeClock
) -> None:
    """Log lines and ``export-person --person N`` never come to point at someone else."""
    async with database.transaction() as session:
        first = (await People(session).add("telegram", 1, 1, "en", clock())).id
    async with database.transaction() as session:
        await erase_person(session, first)
    async with database.transaction() as session:
        second = (await People(session).add("telegram", 2, 2, "en", clock())).id
    assert second != first


async def test_vacuum_runs_after_forget_only_never_for_one_story(
    conversations: Conversations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A discarded draft or a deleted story is overwritten by secure_delete: no VACUUM."""
    vacuums: list[Database] = []

    async def vacuum(database: Database) -> None:
        vacuums.append(database)

    monkeypatch.setattr(conversation, "reclaim_space", vacuum)
    alice = Chat(conversations)
    await begin(alice)
    await alice.say(CHANGE)
    draft = alice.story_id
    for data in (encode(Action.DISCARD, draft), encode(Action.DISCARD_YES, draft)):
        outcome = await alice.send(Press(data))
        await conversations.after_reply(outcome)
    assert outcome is not None and outcome.effects and vacuums == []
    await tell_whole_story(alice)
    await alice.send(Command("forget"))
    gone = await alice.press(Action.FORGET_YES, "1")
    assert vacuums == []  # not before the reply went out
    await conversations.after_reply(gone)
    assert vacuums == [conversations.database]
