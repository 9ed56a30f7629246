"""The learning menu in a team photo: dishes chosen and tried, and own dishes, each shown
only when enough people chose or tried it; facilitators and other months left out;
frozen like the rest of the month."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import count

from sqlalchemy import update

from flows.content.guide import guide_for
from flows.teams.dishes import CHOSEN, OWN, TRIED
from flows.teams.files import PhotoFormat, photo_file
from flows.teams.periods import Period, Span
from flows.teams.photo import assemble, photo_text
from flows.teams.views import PhotoData, PhotoRules, TeamRef
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Facilitator, NextStep
from storage.team_photo_query import TeamPhotoQuery
from tests.support.teams import add_people, add_story, add_team

OCTOBER = Period(2026, Span.MONTH, 10)
IN_OCTOBER = datetime(2026, 10, 8, tzinfo=UTC)
LATE_OCTOBER = datetime(2026, 10, 31, 23, 59, tzinfo=UTC)
IN_NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
LOOKED_AT = datetime(2027, 1, 5, tzinfo=UTC)
_ids = count(9_000_000)


def step(
    person: int, team: int, dish: str, *, done: datetime | None = None, **kw: object
) -> NextStep:
    """A next step chosen in October (unless ``ordered_at`` says otherwise)."""
    values: dict[str, object] = {
        "id": next(_ids),
        "person_id": person,
        "team_id": team,
        "dish": dish,
        "due": "",
        "status": "done" if done else "open",
        "asked": 0,
        "ordered_at": IN_OCTOBER,
        "closed_at": done,
    }
    return NextStep(**(values | kw))


async def seed(database: Database) -> tuple[TeamRef, list[int]]:
    """Eight people with an October story; seven of them choose next steps."""
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Lima", IN_OCTOBER)
        people = await add_people(session, 9, IN_OCTOBER)
        for person in people[:8]:
            await add_story(session, person, team, IN_OCTOBER, {"how": ["by_doing"]})
        session.add(Facilitator(person_id=people[8], team_id=team, added_at=IN_OCTOBER))
        session.add_all(
            [step(p, team, "sparring") for p in people[:2]]
            + [step(p, team, "sparring", done=LATE_OCTOBER) for p in people[2:5]]
            + [step(people[5], team, "time_tip"), step(people[6], team, "time_tip")]
            + [step(p, team, "", own_dish_encrypted=b"x") for p in people[:5]]
            + [step(people[8], team, "sparring")]  # the facilitator's own: never counted
            + [step(people[7], team, "sparring", ordered_at=IN_NOVEMBER)]  # not October
            + [step(people[7], team, "", story_id=None)]  # a story's wish, not a dish
            + [step(people[7], None, "sparring")]  # chosen outside any team
        )
    return TeamRef(team, "Embassy Lima"), people


async def look(database: Database, cipher: TextCipher, team: TeamRef) -> PhotoData:
    async with database.transaction() as session:
        rules = PhotoRules(minimum=5, quotes=0, opening_key="change")
        return await TeamPhotoQuery(session, cipher, rules).photo(team, OCTOBER, LOOKED_AT)


async def test_dishes_enough_people_chose_are_counted_chosen_and_tried(
    database: Database, cipher: TextCipher
) -> None:
    team, _ = await seed(database)
    data = await look(database, cipher, team)
    dish_counts = {
        (c.question, c.option): c.count for c in data.counts if c.question in (CHOSEN, TRIED)
    }
    assert dish_counts == {(CHOSEN, "sparring"): 5, (TRIED, "sparring"): 3, (CHOSEN, OWN): 5}
    photo = assemble(guide_for("en"), data, 5)
    assert photo is not None
    text = photo_text(guide_for("en"), photo)
    assert "▸ Next steps from the learning menu" in text
    assert "Spar with a colleague — chosen 5, tried 3" in text
    assert "A dish of their own — chosen 5, tried 0" in text
    assert "time-management" not in text, "two people only: not shown"
    nl = photo_text(guide_for("nl"), assemble(guide_for("nl"), data, 5) or photo)
    assert "Een eigen gerecht — gekozen 5, geprobeerd 0" in nl
    made = {f: photo_file(guide_for("en"), photo, "2026-10", f) for f in PhotoFormat}
    files = {f: raw.decode() for f, raw in made.items() if f is not PhotoFormat.PNG}
    assert "- Spar with a colleague — chosen 5, tried 3" in files[PhotoFormat.MD]
    assert "Embassy Lima,2026-10,dishes_tried,Spar with a colleague,3,," in files[PhotoFormat.CSV]
    assert json.loads(files[PhotoFormat.JSON])["dishes"] == [
        {"dish": "Spar with a colleague", "chosen": 5, "tried": 3},
        {"dish": "A dish of their own", "chosen": 5, "tried": 0},
    ]


async def test_a_step_done_after_the_look_does_not_change_the_month(
    database: Database, cipher: TextCipher
) -> None:
    team, _ = await seed(database)
    before = await look(database, cipher, team)
    async with database.transaction() as session:
        await session.execute(update(NextStep).values(status="done", closed_at=LATE_OCTOBER))
    assert await look(database, cipher, team) == before


async def test_without_enough_people_no_dish_is_shown(
    database: Database, cipher: TextCipher
) -> None:
    team, _ = await seed(database)
    async with database.transaction() as session:
        await session.execute(
            update(NextStep).where(NextStep.dish == "sparring").values(dish="kitchen")
        )
        await session.execute(update(NextStep).where(NextStep.dish == "").values(dish="course"))
    data = await look(database, cipher, team)
    dish_counts = {c.option: c.count for c in data.counts if c.question in (CHOSEN, TRIED)}
    assert dish_counts.keys() == {"kitchen", "course"}
    async with database.transaction() as session:  # a fresh team where only four chose
        other = await add_team(session, "Embassy Quito", IN_OCTOBER)
        people = await add_people(session, 6, IN_OCTOBER, first=100)
        for person in people:
            await add_story(session, person, other, IN_OCTOBER, {"how": ["by_doing"]})
        session.add_all([step(p, other, "kitchen") for p in people[:4]])
    data = await look(database, cipher, TeamRef(other, "Embassy Quito"))
    assert data.disclosable
    assert not [c for c in data.counts if c.question in (CHOSEN, TRIED)]
