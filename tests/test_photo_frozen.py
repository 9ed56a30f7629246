"""Ended windows are frozen: edits, deletions and erasures after a look never show.

Each test first reproduces what a facilitator could do before (compare two looks
at an ended month and read one person's change off the difference).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from flows.teams.effects import ShareQuote
from flows.teams.periods import Period, Span
from flows.teams.views import PhotoData, PhotoRules, TeamRef
from storage.crypto import TextCipher
from storage.database import Database
from storage.effects import apply_effects
from storage.erasure import erase_person
from storage.models import Choice, Person, PhotoMonthQuote, Story
from storage.repositories import Stories
from storage.team_photo_query import TeamPhotoQuery
from tests.support.teams import add_people, add_story, add_team

OCTOBER = Period(2026, Span.MONTH, 10)
Q4 = Period(2026, Span.QUARTER, 4)
IN_OCTOBER = datetime(2026, 10, 8, tzinfo=UTC)
IN_NOVEMBER = datetime(2026, 11, 9, tzinfo=UTC)
LOOKED_AT = datetime(2027, 1, 5, tzinfo=UTC)
PICKS = ["self_doubt", "self_doubt", "time_pressure", "no_one_to_ask", "no_one_to_ask", "other"]


async def seed(database: Database, cipher: TextCipher) -> tuple[TeamRef, list[int], list[int]]:
    """Six people with an October story each (one obstacle, a shared opening each), and
    six more in November."""
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Rabat", IN_OCTOBER)
        people = await add_people(session, 12, IN_OCTOBER)
        stories = [
            await add_story(
                session,
                person,
                team,
                IN_OCTOBER,
                {"obstacles": [pick], "how": ["by_doing"]},
                opening=f"Opening {n}",
                released=True,
                cipher=cipher,
            )
            for n, (person, pick) in enumerate(zip(people[:6], PICKS, strict=True))
        ]
        for person in people[6:]:
            await add_story(session, person, team, IN_NOVEMBER, {"how": ["feedback"]})
    return TeamRef(team, "Embassy Rabat"), people, stories


async def look(
    database: Database, cipher: TextCipher, team: TeamRef, period: Period = OCTOBER
) -> PhotoData:
    async with database.transaction() as session:
        rules = PhotoRules(minimum=5, quotes=10, opening_key="change")
        return await TeamPhotoQuery(session, cipher, rules).photo(team, period, LOOKED_AT)


def without_quotes(photo: PhotoData) -> PhotoData:
    return PhotoData(
        photo.team,
        photo.period,
        photo.disclosable,
        photo.stories,
        photo.checkins,
        photo.contributors,
        photo.counts,
        photo.withheld,
    )


async def test_an_edit_after_the_look_does_not_change_the_month(
    database: Database, cipher: TextCipher
) -> None:
    team, _, stories = await seed(database, cipher)
    before = await look(database, cipher, team)
    assert before.disclosable and len(before.quotes) == 6
    async with database.transaction() as session:  # the member swaps their pick
        await session.execute(
            update(Choice)
            .where(Choice.story_id == stories[2], Choice.question == "obstacles")
            .values(option="self_doubt")
        )
    after = await look(database, cipher, team)
    assert without_quotes(after) == without_quotes(before)


async def test_a_deleted_story_or_an_erased_person_does_not_change_the_month(
    database: Database, cipher: TextCipher
) -> None:
    team, people, stories = await seed(database, cipher)
    before = await look(database, cipher, team)
    async with database.transaction() as session:
        await Stories(session, cipher).delete(people[0], stories[0])
        await erase_person(session, people[1])
    after = await look(database, cipher, team)
    assert without_quotes(after) == without_quotes(before)
    assert sorted(after.quotes) == [f"Opening {n}" for n in range(2, 6)], "their quotes went"
    async with database.transaction() as session:
        assert await session.get(Person, people[1]) is None
        assert await session.get(Story, stories[0]) is None


async def test_a_larger_window_is_the_sum_of_its_frozen_months(
    database: Database, cipher: TextCipher
) -> None:
    """October seen, then an October person erased, then Q4 looked at for the first time:
    Q4 minus November must still be October as it was seen, not October without them."""
    team, people, _ = await seed(database, cipher)
    october = await look(database, cipher, team)
    async with database.transaction() as session:
        await erase_person(session, people[3])
    quarter = await look(database, cipher, team, Q4)
    november = await look(database, cipher, team, Period(2026, Span.MONTH, 11))
    assert (october.stories, november.stories, quarter.stories) == (6, 6, 12)
    assert quarter.contributors == 12
    by_doing = {(c.question, c.option): c.count for c in quarter.counts}
    assert by_doing[("how", "by_doing")] == 6 and by_doing[("how", "feedback")] == 6


async def test_a_withdrawn_quote_leaves_the_frozen_month(
    database: Database, cipher: TextCipher
) -> None:
    team, people, stories = await seed(database, cipher)
    assert "Opening 4" in (await look(database, cipher, team)).quotes
    async with database.transaction() as session:
        person = await session.get(Person, people[4])
        assert person is not None
        await apply_effects(session, cipher, person, [ShareQuote(stories[4], False)], LOOKED_AT)
    assert "Opening 4" not in (await look(database, cipher, team)).quotes
    async with database.transaction() as session:
        left = list(await session.scalars(select(PhotoMonthQuote.story_id)))
        assert stories[4] not in left and len(left) == 5


async def test_a_month_frozen_empty_stays_empty(database: Database, cipher: TextCipher) -> None:
    """A look at a month before any story of it was confirmed (a backdated row cannot
    appear later in practice; if one did, it would not change what was seen)."""
    team, _, _ = await seed(database, cipher)
    september = Period(2026, Span.MONTH, 9)
    assert not (await look(database, cipher, team, september)).disclosable
    async with database.transaction() as session:
        late = await add_people(session, 5, IN_OCTOBER, first=900)
        for person in late:
            await add_story(session, person, team.id, datetime(2026, 9, 20, tzinfo=UTC))
    assert not (await look(database, cipher, team, september)).disclosable
