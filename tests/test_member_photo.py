"""The photo back to the team: members see their own team's windows once a facilitator
has seen them, under the facilitator's rules, with trends only between open windows;
everyone else, and every window not open to them, gets a short kind refusal.

Through the real runner on SQLite and PostgreSQL; the stories are seeded in storage.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode, encode_id
from flows.policy import PrivacyPolicy
from flows.teams.periods import Period, Span
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Membership, Person, PhotoShown, Team
from storage.team_store import Teams
from tests.support.outcomes import all_buttons, all_text
from tests.support.privacy import found_in_tables, traces_of
from tests.support.teams import (
    EN,
    TEAMS,
    Member,
    add_people,
    add_story,
    add_team,
    make_runner,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

JANUARY, FEBRUARY = datetime(2026, 1, 14, tzinfo=UTC), datetime(2026, 2, 11, tzinfo=UTC)
TIME = {"obstacles": ["time_pressure"], "how": ["by_doing"]}
OTHER = {"obstacles": ["self_doubt"], "how": ["feedback"]}


@dataclass
class Seeded:
    """A team: its id, its facilitator and its members, talking to the runner."""

    id: int
    facilitator: Member
    members: list[Member]


async def seed_team(
    runner: Conversations, name: str, first: int, january: int, february: int
) -> Seeded:
    """``february`` members (the first four of them ticked time pressure), of whom the
    first ``january`` also told a story in January (the first two with time pressure)."""
    database, cipher = runner.database, runner.cipher
    async with database.transaction() as session:
        team = await add_team(session, name, JANUARY)
        people = await add_people(session, february + 1, JANUARY, first=first)
        facilitator, members = people[0], people[1:]
        await Teams(session, cipher).add_facilitator(team, facilitator, JANUARY)
        for n, person in enumerate(members):
            session.add(Membership(person_id=person, team_id=team, joined_at=JANUARY))
            await add_story(session, person, team, FEBRUARY, TIME if n < 4 else OTHER)
            if n < january:
                await add_story(session, person, team, JANUARY, TIME if n < 2 else OTHER)
    ids = range(700_000 + first, 700_000 + first + february + 1)
    talking = [Member(runner, user_id) for user_id in ids]
    return Seeded(team, talking[0], talking[1:])


@pytest.fixture
def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    return make_runner(database, cipher, clock)  # 2 March 2026: January and February ended


async def look(facilitator: Member, team: int, period: str) -> str:
    """A facilitator's look at one window (the button their picker offers)."""
    return all_text(await facilitator.press_data(encode(Action.PHOTO_PERIOD, team, period)))


async def member_look(member: Member, team: int, period: str) -> str:
    return all_text(await member.press_data(encode(Action.MEMBER_PHOTO, team, period)))


async def shown(database: Database, team: int) -> set[str]:
    async with database.transaction() as session:
        rows = await session.scalars(select(PhotoShown.period).where(PhotoShown.team_id == team))
        return set(rows)


# --- members see ----------------------------------------------------------------------


async def test_a_member_sees_what_the_facilitator_saw_with_trends_only_between_open_windows(
    runner: Conversations,
) -> None:
    lima = await seed_team(runner, "Embassy Lima", 1, january=5, february=6)
    ann = lima.members[0]
    before = all_text(await ann.command("photo"))
    assert before.strip() == TEAMS.photo_none_shown.format(team="Embassy Lima")
    assert await shown(runner.database, lima.id) == set()

    seen = await lima.facilitator.press_data(encode(Action.PHOTO_PERIOD, lima.id, "2026-02"))
    facilitator_text = seen.replies[0].text
    assert "Time, work pressure — 4 of 6 (67%), was 2 of 5" in facilitator_text
    assert "Before, in January 2026: stories: 5" in facilitator_text
    assert await shown(runner.database, lima.id) == {"2026-02"}, "January was only compared"

    picker = await ann.command("photo")
    assert picker.replies[0].text == TEAMS.photo_member_pick.format(team="Embassy Lima")
    assert [b.label for b in all_buttons(picker)] == ["February 2026"]
    photo = await ann.press("February 2026")
    text, chart = photo.replies
    assert "Time, work pressure — 4 of 6 (67%)\n" in text.text, "January is not open to them"
    assert ", was " not in text.text and "Before, in" not in text.text
    assert chart.file is not None and chart.file.content().startswith(b"\x89PNG")
    assert not all_buttons(photo), "no session kit for a member"
    facilitator_chart = seen.replies[1].file
    assert facilitator_chart is not None and chart.file.source == facilitator_chart.source

    await look(lima.facilitator, lima.id, "2026-01")  # now January is open too
    assert await shown(runner.database, lima.id) == {"2026-01", "2026-02"}
    again = await ann.press_data(encode(Action.MEMBER_PHOTO, lima.id, "2026-02"))
    assert again.replies[0].text == facilitator_text, "the same photo, trends and all"
    labels = [b.label for b in all_buttons(await ann.command("photo"))]
    assert labels == ["February 2026", "January 2026"]


async def test_a_window_below_the_minimum_is_never_opened_nor_shown(
    runner: Conversations,
) -> None:
    small = await seed_team(runner, "Embassy Quito", 100, january=0, february=4)
    closed = await look(small.facilitator, small.id, "2026-02")
    assert closed.strip() == TEAMS.photo_not_enough.format(
        minimum=5, team="Embassy Quito", period="February 2026"
    )
    assert await shown(runner.database, small.id) == set()
    member = small.members[0]
    assert all_text(await member.command("photo")).strip() == TEAMS.photo_none_shown.format(
        team="Embassy Quito"
    )
    refused = await member.press_data(encode(Action.MEMBER_PHOTO, small.id, "2026-02"))
    assert refused.replies == () and refused.notice == TEAMS.photo_not_shown


async def test_a_window_seen_under_a_lower_minimum_stays_closed_to_members(
    runner: Conversations, database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    """Open once (five people), then the installation asks for six: the members' look is
    worked out under the rules of now, and says only that it stays closed."""
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    await look(lima.facilitator, lima.id, "2026-02")
    assert await shown(database, lima.id) == {"2026-02"}
    stricter = make_runner(database, cipher, clock)
    stricter.policy = PrivacyPolicy(min_group_size=6)
    member = Member(stricter, lima.members[0].speaker.external_id)
    said = await member_look(member, lima.id, "2026-02")
    assert said.strip() == TEAMS.photo_not_enough.format(
        minimum=6, team="Embassy Lima", period="February 2026"
    )


# --- who is refused -------------------------------------------------------------------


async def test_members_of_another_team_and_people_in_no_team_are_refused(
    runner: Conversations,
) -> None:
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    quito = await seed_team(runner, "Embassy Quito", 100, january=0, february=5)
    await look(lima.facilitator, lima.id, "2026-02")
    await look(quito.facilitator, quito.id, "2026-02")
    bo = quito.members[0]
    for data in (
        encode(Action.MEMBER_PHOTO, lima.id, "2026-02"),
        encode(Action.MEMBER_PHOTO_TEAM, lima.id),
    ):
        outcome = await bo.press_data(data)
        assert outcome.replies == () and outcome.notice == TEAMS.photo_other_team
    own = await bo.command("photo")
    assert "Embassy Lima" not in all_text(own) and "Embassy Quito" in all_text(own)

    async with runner.database.transaction() as session:
        await add_people(session, 1, JANUARY, first=500)  # in no team
    nobody = Member(runner, 700_500)
    assert all_text(await nobody.command("photo")).strip() == TEAMS.photo_no_team
    forged = await nobody.press_data(encode(Action.MEMBER_PHOTO, lima.id, "2026-02"))
    assert forged.replies == () and forged.notice == TEAMS.photo_other_team
    kit = await lima.members[0].press_data(encode(Action.SESSION_KIT, lima.id, "2026-02"))
    assert kit.replies == () and kit.notice == TEAMS.photo_not_facilitator, "facilitators only"


async def test_stale_and_forged_period_buttons_are_refused(runner: Conversations) -> None:
    lima = await seed_team(runner, "Embassy Lima", 1, january=5, february=5)
    await look(lima.facilitator, lima.id, "2026-02")
    ann = lima.members[0]
    for period, notice in (
        ("2026-01", TEAMS.photo_not_shown),  # ended and may be shown, but not seen yet
        ("2026-Q1", EN.texts.invalid_button),  # still running
        ("2026-03", EN.texts.invalid_button),
        ("2026-13", EN.texts.invalid_button),
        ("x", EN.texts.invalid_button),
    ):
        outcome = await ann.press_data(f"pm|{encode_id(lima.id)}|{period}")
        assert outcome.replies == () and outcome.notice == notice, period
    await ann.command("team")
    await ann.press(TEAMS.leave)
    await ann.press(TEAMS.leave_yes)
    gone = await ann.press_data(encode(Action.MEMBER_PHOTO, lima.id, "2026-02"))
    assert gone.replies == () and gone.notice == TEAMS.photo_other_team, "after leaving"


# --- the facilitator decides ------------------------------------------------------------


async def test_the_facilitator_decides_whether_members_see_it(runner: Conversations) -> None:
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    fay, ann = lima.facilitator, lima.members[0]
    await look(fay, lima.id, "2026-02")
    picker = await fay.command("photo")
    assert all_buttons(picker)[-1].label == TEAMS.photo_members_yes
    hidden = await fay.press(TEAMS.photo_members_yes)
    assert hidden.notice == TEAMS.photo_members_off.format(team="Embassy Lima")
    assert hidden.replies[0].edit and all_buttons(hidden)[-1].label == TEAMS.photo_members_no
    async with runner.database.transaction() as session:
        assert (
            await session.scalar(select(Team.members_see_photo).where(Team.id == lima.id)) is False
        )

    closed = TEAMS.photo_members_closed.format(team="Embassy Lima")
    assert all_text(await ann.command("photo")).strip() == closed
    refused = await ann.press_data(encode(Action.MEMBER_PHOTO, lima.id, "2026-02"))
    assert refused.replies == () and refused.notice == closed
    forged = await ann.press_data(encode(Action.PHOTO_MEMBERS, lima.id, "y"))
    assert forged.notice == TEAMS.photo_not_facilitator, "a member cannot open it"
    assert all_text(await ann.command("photo")).strip() == closed

    shown_again = await fay.press(TEAMS.photo_members_no)
    assert shown_again.notice == TEAMS.photo_members_on.format(team="Embassy Lima")
    assert "Stories: 5" in await member_look(ann, lima.id, "2026-02")


async def test_a_facilitator_of_one_team_sees_their_own_team_as_a_member(
    runner: Conversations,
) -> None:
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    quito = await seed_team(runner, "Embassy Quito", 100, january=0, february=5)
    await look(lima.facilitator, lima.id, "2026-02")
    ann = lima.members[0]
    async with runner.database.transaction() as session:
        person = await session.scalar(
            select(Person.id).where(Person.external_id == ann.speaker.external_id)
        )
        assert person is not None
        await Teams(session, runner.cipher).add_facilitator(quito.id, person, JANUARY)
    picker = await ann.command("photo")
    assert picker.replies[0].text == TEAMS.photo_pick_team
    own = TEAMS.photo_own_team.format(team="Embassy Lima")
    assert [b.label for b in all_buttons(picker)] == ["Embassy Quito", own]
    periods = await ann.press(own)
    assert periods.replies[0].edit
    assert [b.label for b in all_buttons(periods)] == ["February 2026"]
    assert "Stories: 5" in all_text(await ann.press("February 2026"))


async def test_storage_opens_a_window_only_for_the_teams_facilitator(
    runner: Conversations, database: Database, cipher: TextCipher
) -> None:
    """Checked again where it is stored: an effect from anyone else changes nothing."""
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    quito = await seed_team(runner, "Embassy Quito", 100, january=0, february=5)
    february = Period(2026, Span.MONTH, 2)
    async with database.transaction() as session:
        outsider = await session.scalar(
            select(Person.id).where(Person.external_id == quito.facilitator.speaker.external_id)
        )
        assert outsider is not None
        teams = Teams(session, cipher)
        await teams.photo_seen(outsider, lima.id, february)
        await teams.let_members_see(outsider, lima.id, False)
    assert await shown(database, lima.id) == set()
    async with database.transaction() as session:
        assert await session.scalar(select(Team.members_see_photo).where(Team.id == lima.id))


async def test_members_see_only_quotes_shared_knowing_members_may_read_them(
    runner: Conversations,
) -> None:
    """A quote shared when only facilitators were named stays with the facilitators; one
    shared after the offer said the team may see it reaches the members too. Withdrawn,
    it leaves both."""
    database, cipher = runner.database, runner.cipher
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Accra", JANUARY)
        people = await add_people(session, 7, JANUARY, first=300)
        await Teams(session, cipher).add_facilitator(team, people[0], JANUARY)
        stories = []
        for n, person in enumerate(people[1:]):
            session.add(Membership(person_id=person, team_id=team, joined_at=JANUARY))
            opening = ("Old consent words", "New consent words")[n] if n < 2 else None
            released = n == 0
            story = await add_story(
                session, person, team, FEBRUARY, TIME, opening=opening, released=released,
                cipher=cipher,
            )  # fmt: skip
            stories.append(story)
        await Teams(session, cipher).share_quote(people[2], stories[1], True)
    ids = range(700_300, 700_307)
    facilitator, ann = Member(runner, ids[0]), Member(runner, ids[1])
    seen = await look(facilitator, team, "2026-02")
    assert "Old consent words" in seen and "New consent words" in seen
    member = await member_look(ann, team, "2026-02")
    assert "New consent words" in member and "Old consent words" not in member
    async with database.transaction() as session:
        await Teams(session, cipher).share_quote(people[2], stories[1], False)
    assert "New consent words" not in await member_look(ann, team, "2026-02")
    assert "New consent words" not in await look(facilitator, team, "2026-02")


async def test_the_session_kit_holds_only_quotes_shared_knowing_the_team_may_read_them(
    runner: Conversations,
) -> None:
    """The kit is made to be forwarded to the team: a quote its author shared with the
    facilitators alone stays out of it (the facilitator's own photo still shows it)."""
    database, cipher = runner.database, runner.cipher
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Accra", JANUARY)
        people = await add_people(session, 6, JANUARY, first=400)
        await Teams(session, cipher).add_facilitator(team, people[0], JANUARY)
        for n, person in enumerate(people[1:]):
            session.add(Membership(person_id=person, team_id=team, joined_at=JANUARY))
            opening = ("For facilitators only", "For the whole team")[n] if n < 2 else None
            await add_story(
                session, person, team, FEBRUARY, TIME, opening=opening, released=n < 2,
                for_members=n == 1, cipher=cipher,
            )  # fmt: skip
    facilitator = Member(runner, 700_400)
    assert "For facilitators only" in await look(facilitator, team, "2026-02")
    kit = await facilitator.press_data(encode(Action.SESSION_KIT, team, "2026-02"))
    message, document = kit.replies
    assert document.file is not None
    assert "For the whole team" in message.text
    assert "For facilitators only" not in message.text
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document.file.content())).pages)
    assert "For the whole team" in text and "For facilitators only" not in text


async def test_no_trace_of_the_facilitators_look_outlives_their_forget(
    runner: Conversations, clock: FakeClock
) -> None:
    """What opens a window to the team is that it was seen, not when or by whom: the row
    keeps the window's own end, and after the facilitator's /forget the members still see
    it while nothing anywhere points to that facilitator."""
    lima = await seed_team(runner, "Embassy Lima", 1, january=0, february=5)
    clock.advance(hours=7, minutes=13)
    await look(lima.facilitator, lima.id, "2026-02")
    async with runner.database.transaction() as session:
        [when] = await session.scalars(select(PhotoShown.shown_at))
    assert when == datetime(2026, 3, 1, tzinfo=UTC), "the window's end, not the moment seen"
    traces = await traces_of(runner.database, lima.facilitator.speaker)
    await lima.facilitator.command("forget")
    assert (await lima.facilitator.press(EN.privacy.forget_yes)).replies
    assert await found_in_tables(runner.database, traces) == []
    assert "Stories: 5" in await member_look(lima.members[0], lima.id, "2026-02")
