"""Team storage on SQLite and PostgreSQL: the photo counted in SQL, invites kept as hashes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from flows.states import StoryKind
from flows.teams.effects import BecomeFacilitator
from flows.teams.periods import Period, Span
from flows.teams.photo import ANYTHING, FrozenWindow
from flows.teams.views import OptionCount, PhotoData, PhotoRules, Role, TeamRef
from storage.crypto import TextCipher
from storage.database import Database
from storage.effects import apply_effects
from storage.models import Facilitator, Person, PhotoMonth, TeamInvite
from storage.photo_months import PhotoMonths
from storage.repositories import StaleDecision
from storage.team_photo_query import TeamPhotoQuery
from storage.team_store import Teams, code_hash, new_invite_code
from tests.support.teams import add_people, add_story, add_team

NOW = datetime(2026, 10, 15, 12, tzinfo=UTC)
Q3 = Period(2026, Span.QUARTER, 3)
JULY = datetime(2026, 7, 10, tzinfo=UTC)
AUGUST = datetime(2026, 8, 10, tzinfo=UTC)
SEPTEMBER = datetime(2026, 9, 10, tzinfo=UTC)


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """Every query the database runs inside the block (not BEGIN and the like)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = " ".join(str(args[2]).split())
        if statement.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def seed_q3(database: Database, cipher: TextCipher) -> tuple[TeamRef, list[int]]:
    """Six people in a team; stories in and around Q3 2026, hand-counted below."""
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Madrid", NOW)
        other = await add_team(session, "Embassy Rabat", NOW)
        p = await add_people(session, 7, NOW)
        # counted (Q3, team, confirmed):
        await add_story(session, p[0], team, JULY, {"how": ["by_doing", "feedback"]})
        await add_story(session, p[0], team, AUGUST, {"how": ["by_doing"], "who": ["colleague"]})
        await add_story(session, p[1], team, JULY, {"how": ["by_doing"], "who": ["manager"]})
        await add_story(session, p[2], team, SEPTEMBER, {"obstacles": ["time_pressure"]})
        await add_story(session, p[3], team, SEPTEMBER, {"obstacles": ["time_pressure"]})
        await add_story(session, p[4], team, AUGUST, {"how": ["feedback"]}, kind=StoryKind.CHECKIN)
        await add_story(session, p[5], team, datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC))
        # not counted:
        await add_story(session, p[6], team, None, {"how": ["by_doing"]})  # a draft
        await add_story(session, p[6], team, Q3.end, {"how": ["by_doing"]})  # October
        await add_story(session, p[6], team, Q3.start - timedelta(seconds=1), {"how": ["coaching"]})
        await add_story(session, p[6], other, JULY, {"how": ["by_doing"]})  # another team
        await add_story(session, p[6], None, JULY, {"how": ["by_doing"]})  # no team
    return TeamRef(team, "Embassy Madrid"), p


async def tokens(session: AsyncSession, ids: list[int]) -> list[str]:
    """The photo tokens of these people, in the same order."""
    found = {row[0]: row[1] for row in await session.execute(select(Person.id, Person.photo_token))}
    return [found[i] for i in ids]


async def look(
    database: Database, cipher: TextCipher, team: TeamRef, period: Period = Q3, **rules: Any
) -> PhotoData:
    """The photo a facilitator would see now."""
    given = {"minimum": 5, "quotes": 3, "opening_key": "change"} | rules
    async with database.transaction() as session:
        return await TeamPhotoQuery(session, cipher, PhotoRules(**given)).photo(team, period, NOW)


async def frozen(database: Database, cipher: TextCipher, team: TeamRef) -> FrozenWindow:
    async with database.transaction() as session:
        return await PhotoMonths(session, cipher).read(team.id, Q3)


async def test_the_photo_matches_hand_counted_fixtures(
    database: Database, cipher: TextCipher
) -> None:
    team, people = await seed_q3(database, cipher)
    photo = await look(database, cipher, team, minimum=2)
    window = await frozen(database, cipher, team)
    async with database.transaction() as session:
        p = await tokens(session, people)
    assert window.scope(ANYTHING) == {
        7: frozenset({p[0], p[1]}),
        8: frozenset({p[0], p[4]}),
        9: frozenset({p[2], p[3], p[5]}),
    }
    assert photo.disclosable
    assert (photo.stories, photo.checkins, photo.contributors) == (6, 1, 6)
    assert set(photo.counts) == {
        OptionCount("how", "by_doing", 3),
        OptionCount("how", "feedback", 2),
        OptionCount("who", "colleague", 1),
        OptionCount("who", "manager", 1),
        OptionCount("obstacles", "time_pressure", 2),
    }


async def test_a_question_too_few_people_answered_is_withheld(
    database: Database, cipher: TextCipher
) -> None:
    """Six people took part, but only p0, p1 and p4 answered "how", p0 and p1 "who"."""
    team, people = await seed_q3(database, cipher)
    at_three = await look(database, cipher, team, minimum=3)
    at_five = await look(database, cipher, team, minimum=5)
    window = await frozen(database, cipher, team)
    async with database.transaction() as session:
        p = await tokens(session, people)
    assert window.scope("how") == {7: frozenset({p[0], p[1]}), 8: frozenset({p[0], p[4]})}
    assert at_three.withheld == {"who", "obstacles"}
    assert set(at_three.counts) == {
        OptionCount("how", "by_doing", 3),
        OptionCount("how", "feedback", 2),
    }
    assert at_five.disclosable and at_five.withheld == {"how", "who", "obstacles"}
    assert at_five.counts == ()


async def test_months_are_counted_once_in_sql_then_read_as_aggregates(
    database: Database, cipher: TextCipher
) -> None:
    """The first look counts each month with GROUP BY; every later look, of a quarter or
    of a half-year, reads the one row its frozen months worked out to."""
    team, _ = await seed_q3(database, cipher)
    with statements(database) as first:
        await look(database, cipher, team, quotes=0)
    choices = [s for s in first if re.search(r"\bFROM choices\b", s)]
    assert len(choices) == 2 * 3, "who picked what, and the counts: per month of Q3"
    assert any("GROUP BY choices.question, choices.option" in s for s in choices)
    with statements(database) as quarter:
        await look(database, cipher, team, quotes=0)
    first_half = Period(2026, Span.HALF, 1)
    await look(database, cipher, team, first_half, quotes=0)  # frozen first
    with statements(database) as year:
        await look(database, cipher, team, first_half, quotes=0)
    for seen in (quarter, year):
        assert not [s for s in seen if re.search(r"\bFROM (stories|choices|answers)\b", s)]
    assert len(year) == len(quarter) == 1, "what the window worked out to, kept in one row"


async def test_a_window_that_may_not_be_shown_carries_no_numbers(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        team = await add_team(session, "Small", NOW)
        for person in await add_people(session, 4, NOW):
            await add_story(session, person, team, JULY, {"how": ["by_doing"]})
    photo = await look(database, cipher, TeamRef(team, "Small"))
    assert not photo.disclosable
    assert (photo.stories, photo.checkins, photo.contributors, photo.counts) == (0, 0, 0, ())


async def test_a_running_window_is_never_counted(database: Database, cipher: TextCipher) -> None:
    team, _ = await seed_q3(database, cipher)
    photo = await look(database, cipher, team, Period(2026, Span.QUARTER, 4), minimum=1)
    assert not photo.disclosable and photo.counts == ()
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(PhotoMonth)) == 0


async def test_only_released_openings_of_the_window_are_quoted(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Madrid", NOW)
        other = await add_team(session, "Elsewhere", NOW)
        p = await add_people(session, 6, NOW)
        for i in range(5):
            await add_story(
                session, p[i], team, JULY, opening=f"shared {i}", released=True, cipher=cipher
            )
        await add_story(session, p[5], team, JULY, opening="kept", cipher=cipher)
        await add_story(session, p[5], team, Q3.end, opening="late", released=True, cipher=cipher)
        await add_story(session, p[5], other, JULY, opening="other", released=True, cipher=cipher)
        await add_story(
            session,
            p[5],
            team,
            JULY,
            opening="check-in words",
            released=True,
            cipher=cipher,
            kind=StoryKind.CHECKIN,
        )
    ref = TeamRef(team, "Embassy Madrid")
    three = (await look(database, cipher, ref, quotes=3)).quotes
    every = (await look(database, cipher, ref, quotes=10)).quotes
    assert len(three) == 3 and set(three) <= {f"shared {i}" for i in range(5)}
    assert sorted(every) == [f"shared {i}" for i in range(5)]


async def test_invite_codes_are_random_and_only_their_hash_is_stored(
    database: Database, cipher: TextCipher
) -> None:
    codes = {new_invite_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[a-z2-7]{16}", c) for c in codes), "16 base32 letters: 80 bits"
    async with database.transaction() as session:
        teams = Teams(session, cipher)
        team = await teams.create("Embassy Madrid", NOW)
        member = await teams.new_invite(team.id, Role.MEMBER, NOW)
        facilitator = await teams.new_invite(team.id, Role.FACILITATOR, NOW)
    async with database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM team_invites"))).all())
    assert member not in dump and facilitator not in dump
    assert code_hash(member) in dump
    async with database.transaction() as session:
        teams = Teams(session, cipher)
        found = await teams.lookup(member)
        assert found is not None and found.team == team and found.role is Role.MEMBER
        assert await teams.lookup(new_invite_code()) is None
        renewed = await teams.new_invite(team.id, Role.MEMBER, NOW)
        assert await teams.lookup(member) is None, "a new member code replaces the old one"
        assert await teams.lookup(facilitator) is not None
        assert await teams.revoke(team.id, NOW) == 2
        assert await teams.lookup(renewed) is None and await teams.lookup(facilitator) is None
        open_rows = await session.scalars(select(TeamInvite).where(TeamInvite.revoked_at.is_(None)))
        assert list(open_rows) == []


async def test_team_list_counts_members_facilitators_and_open_invites(
    database: Database, cipher: TextCipher
) -> None:
    async with database.transaction() as session:
        teams = Teams(session, cipher)
        team = await teams.create("Embassy Madrid", NOW)
        empty = await teams.create("Embassy Rabat", NOW)
        await teams.new_invite(team.id, Role.MEMBER, NOW)
        people = await add_people(session, 2, NOW)
        assert await teams.add_facilitator(team.id, people[0], NOW)
        assert not await teams.add_facilitator(team.id, people[0], NOW)
        summaries = await teams.summaries()
        assert [(s.team, s.members, s.facilitators, s.open_invites) for s in summaries] == [
            (team, 0, 1, 1),
            (empty, 0, 0, 0),
        ]
        assert await teams.find(str(team.id)) == team
        assert await teams.find("Embassy Rabat") == empty
        assert await teams.find("Nowhere") is None
        assert await teams.remove_facilitator(team.id, people[0])
        assert not await teams.remove_facilitator(team.id, people[0])


async def test_a_facilitator_code_used_meanwhile_makes_the_step_decide_again(
    database: Database, cipher: TextCipher
) -> None:
    """Two people confirm one facilitator invite at the same moment: only one becomes it."""
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Madrid", NOW)
        first, second = await add_people(session, 2, NOW)
        code = await Teams(session, cipher).new_invite(team, Role.FACILITATOR, NOW)
    effect = BecomeFacilitator(team, code)
    async with database.transaction() as session:
        await apply_effects(session, cipher, await session.get_one(Person, first), [effect], NOW)
    with pytest.raises(StaleDecision):
        async with database.transaction() as session:
            person = await session.get_one(Person, second)
            await apply_effects(session, cipher, person, [effect], NOW)
    async with database.transaction() as session:
        facilitators = list(await session.scalars(select(Facilitator.person_id)))
    assert facilitators == [first]
