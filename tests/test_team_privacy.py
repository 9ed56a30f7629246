"""The team photo's privacy rules, each tried the way someone would try to break it.

- below ``min_group_size`` contributors a facilitator learns only that more are needed;
- only a team's facilitators see its photo (members, other facilitators, forged or
  replayed buttons and former facilitators get a polite refusal and nothing else);
- a photo holds no names, ids, timestamps finer than the period, or words that were
  not explicitly shared.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode, encode_id
from flows.replies import Outcome
from flows.teams.views import Role
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Person, Story, Team
from storage.team_store import Teams
from tests.support.outcomes import all_buttons, all_text
from tests.support.teams import (
    EN,
    TEAMS,
    Member,
    accept,
    do_checkin,
    make_runner,
    new_team,
    tell_story,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

PRIVACY = EN.privacy
MARCH = "2026-03"  # the fake clock's month


@pytest.fixture
def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    return make_runner(database, cipher, clock)


async def team_with_facilitator(runner: Conversations, name: str, fid: int) -> tuple[str, Member]:
    member_code, facilitator_code = await new_team(runner, name)
    facilitator = Member(runner, fid)
    await accept(facilitator, f"f_{facilitator_code}")
    return member_code, facilitator


async def members_tell(runner: Conversations, code: str, ids: range) -> list[Member]:
    people = []
    for user_id in ids:
        member = Member(runner, user_id)
        await accept(member, f"j_{code}")
        await tell_story(member, f"Opening {user_id}", {"how": ["by_doing"]})
        people.append(member)
    return people


async def team_id(database: Database, name: str) -> int:
    async with database.transaction() as session:
        found = await session.scalar(select(Team.id).where(Team.name == name))
        assert found is not None
        return found


async def ask_photo(facilitator: Member, period_label: str = "March 2026") -> Outcome:
    """/photo and pick a period (their single team is picked for them)."""
    await facilitator.command("photo")
    return await facilitator.press(period_label)


async def ask_period(facilitator: Member, team: int, period: str) -> Outcome:
    """The button of an ended window the picker no longer offers (all ended ones are valid)."""
    return await facilitator.press_data(encode(Action.PHOTO_PERIOD, team, period))


def next_month(clock: FakeClock) -> None:
    """To the first morning of the next month: the month that ended may be looked at."""
    now = clock()
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    clock.now = now.replace(year=year, month=month, day=1, hour=9)


# --- the minimum ----------------------------------------------------------------------


async def test_below_the_minimum_only_that_more_people_are_needed(
    runner: Conversations, clock: FakeClock
) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    await members_tell(runner, code, range(1, 5))
    await tell_story(Member(runner, 1), "A second story by the same person")
    await do_checkin(Member(runner, 2), "Again better", ["feedback"])
    next_month(clock)

    hidden = await ask_photo(fay)
    (reply,) = hidden.replies
    assert reply.text == (
        "Fewer than 5 people from “Embassy Madrid” took part in March 2026, so the team "
        "snapshot for that period stays closed: that way nobody can be recognised."
    )
    assert reply.file is None
    assert re.findall(r"\d+", reply.text) == ["5", "2026"], "the minimum, and no count"

    for user_id in range(1, 5):  # in April the same four, a second story, and one more
        await tell_story(Member(runner, user_id), f"April {user_id}", {"how": ["by_doing"]})
    await tell_story(Member(runner, 1), "A second story by the same person")
    await do_checkin(Member(runner, 2), "Again better", ["feedback"])
    await members_tell(runner, code, range(5, 6))
    next_month(clock)
    assert all_text(await ask_photo(fay)).strip() == TEAMS.photo_not_enough.format(
        minimum=5, team="Embassy Madrid", period="March 2026"
    ), "March stays as it was"
    shown = await ask_photo(fay, "April 2026")
    text, chart = shown.replies
    assert "people who took part: 5" in text.text
    assert "Stories: 6 · check-ins: 1" in text.text
    assert chart.file is not None and chart.file.picture


async def test_a_quarter_that_would_single_out_a_month_stays_hidden(
    runner: Conversations, clock: FakeClock
) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    await members_tell(runner, code, range(1, 6))  # five people in March
    clock.advance(days=31)
    await members_tell(runner, code, range(11, 16))  # five others in April
    clock.advance(days=30)
    await members_tell(runner, code, range(21, 22))  # one more person in May
    clock.now = clock().replace(month=7, day=1)  # Q2 and H1 have ended
    april = await ask_period(fay, await team_id(runner.database, "Embassy Madrid"), "2026-04")
    assert "people who took part: 5" in all_text(april)
    for hidden in ("May 2026", "Q2 2026", "H1 2026"):
        # Q2 minus April, or H1 minus Q1 and April, would be the one May person.
        outcome = await ask_photo(fay, hidden)
        assert all_text(outcome).strip() == TEAMS.photo_not_enough.format(
            minimum=5, team="Embassy Madrid", period=hidden
        )
    # Q1 holds only March's five: Q1 minus March is empty, so it may be shown.
    assert "people who took part: 5" in all_text(await ask_photo(fay, "Q1 2026"))


async def test_one_storyteller_among_check_ins_is_not_singled_out(
    runner: Conversations, clock: FakeClock
) -> None:
    """Check-ins answer only "how": four of them and one story make five people, but
    who helped, what got in the way and the quote would all be that one person's."""
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    for user_id in range(1, 5):
        member = Member(runner, user_id)
        await accept(member, f"j_{code}")
        await do_checkin(member, f"Smoother {user_id}", ["feedback"])
    teller = Member(runner, 5)
    await accept(teller, f"j_{code}")
    picks = {"how": ["feedback"], "who": ["manager"], "obstacles": ["self_doubt"]}
    await tell_story(teller, "Chairing the meeting in French", picks)
    await teller.press(TEAMS.quote_share)
    next_month(clock)

    photo = all_text(await ask_photo(fay))
    assert "people who took part: 5" in photo
    assert "Feedback — 5 of 5 (100%)" in photo, "every one of the five answered how"
    for private in ("manager", "Doubting myself", "Chairing the meeting"):
        assert private not in photo
    assert photo.count(TEAMS.photo_withheld) == 2  # who was involved, what got in the way


async def test_forget_before_a_month_is_seen_leaves_no_trace_in_it(
    runner: Conversations, clock: FakeClock
) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    members = await members_tell(runner, code, range(1, 7))  # six people, "by doing"
    await members[0].command("forget")
    await members[0].press(PRIVACY.forget_yes)
    next_month(clock)
    shown = all_text(await ask_photo(fay))
    assert "people who took part: 5" in shown and "By doing, trial and error — 5" in shown


async def test_an_ended_month_once_seen_does_not_show_a_later_forget(
    runner: Conversations, clock: FakeClock
) -> None:
    """Comparing two looks would show exactly the picks of whoever left in between; the
    month stays as first seen, and only a quote its author took back disappears."""
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    members = await members_tell(runner, code, range(1, 7))
    await tell_story(members[0], "Writing shorter cables", {"obstacles": ["self_doubt"]})
    await members[0].press(TEAMS.quote_share)
    next_month(clock)
    before = all_text(await ask_photo(fay))
    assert "“Writing shorter cables”" in before and "people who took part: 6" in before
    await members[0].command("forget")
    await members[0].press(PRIVACY.forget_yes)
    after = all_text(await ask_photo(fay))
    assert after == before.replace("\n  “Writing shorter cables”", "").replace(
        f"\n\n{TEAMS.photo_quotes}", ""
    )
    async with runner.database.transaction() as session:
        gone = await session.scalar(select(Person.id).where(Person.external_id == 1))
        assert gone is None, "the person's own rows are erased all the same"


# --- who may see it -------------------------------------------------------------------


async def test_only_the_teams_facilitators_get_its_photo(
    runner: Conversations, clock: FakeClock
) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    _, rob = await team_with_facilitator(runner, "Embassy Rabat", 60)
    ann, *_ = await members_tell(runner, code, range(1, 6))
    next_month(clock)
    madrid = await team_id(runner.database, "Embassy Madrid")
    photo_button = encode(Action.PHOTO_PERIOD, madrid, MARCH)
    assert all_text(await ask_photo(fay)).count("Embassy Madrid") >= 1

    def refused(outcome: Outcome) -> None:
        said = all_text(outcome)
        assert TEAMS.photo_not_facilitator in said
        assert "Embassy Madrid" not in said and all(r.file is None for r in outcome.replies)
        assert outcome.replies == () or outcome.replies[0].text == TEAMS.photo_not_facilitator

    member_picker = await ann.command("photo")  # a member: only the windows open to them
    assert {b.data.split("|")[0] for b in all_buttons(member_picker)} == {"pm"}
    refused(await ann.press_data(photo_button))  # a member with a facilitator's button
    refused(await rob.press_data(photo_button))  # a facilitator of another team
    refused(await rob.press_data(encode(Action.PHOTO_TEAM, madrid)))
    rob_picker = await rob.command("photo")
    assert "Embassy Madrid" not in all_text(rob_picker)
    assert all(str(madrid) not in b.data.split("|")[1:2] for b in all_buttons(rob_picker))
    refused(await rob.press_data(f"pp|{encode_id(madrid)}|{MARCH}"))

    async with runner.database.transaction() as session:
        fay_id = await session.scalar(select(Person.id).where(Person.external_id == 50))
        assert fay_id is not None
        assert await Teams(session, runner.cipher).remove_facilitator(madrid, fay_id)
    refused(await fay.press_data(photo_button))  # a former facilitator replaying her button


async def test_only_fixed_windows_that_have_ended(runner: Conversations) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    await members_tell(runner, code, range(1, 6))
    madrid = await team_id(runner.database, "Embassy Madrid")
    offered = [b.label for b in all_buttons(await fay.command("photo"))]
    assert offered[:3] == ["February 2026", "January 2026", "Q4 2025"], "only ended windows"
    for period in ("2026-03", "2026-Q1", "2026", "2026-04", "2027", "2026-03-01", "2026-W10", "x"):
        outcome = await fay.press_data(f"pp|{encode_id(madrid)}|{period}")
        assert outcome.notice == EN.texts.invalid_button and outcome.replies == ()


# --- what a photo holds ---------------------------------------------------------------


async def test_a_photo_holds_no_names_ids_times_or_unshared_words(
    runner: Conversations, clock: FakeClock
) -> None:
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    secrets = []
    for user_id in range(4_200_101, 4_200_107):
        member = Member(runner, user_id)
        await accept(member, f"j_{code}")
        words = {"who": f"WHO-{user_id}", "helped_most": f"HELPED-{user_id}"}
        secrets += [f"UNSHARED-{user_id}", *words.values()]
        confirmed = await tell_story(
            member, f"UNSHARED-{user_id}", {"who": ["colleague"]}, words=words
        )
        if user_id == 4_200_101:
            await member.press_data(
                next(b.data for b in all_buttons(confirmed) if b.label == TEAMS.quote_share)
            )
    await do_checkin(Member(runner, 4_200_101), "CHECKIN-WORDS", ["feedback"])
    secrets.append("CHECKIN-WORDS")
    next_month(clock)

    photo = await ask_photo(fay)
    _, chart = photo.replies
    said = all_text(photo) + (chart.file.filename if chart.file else "")
    assert "“UNSHARED-4200101”" in said, "the one shared opening is quoted"
    for secret in secrets:
        if secret != "UNSHARED-4200101":
            assert secret not in said
    async with runner.database.transaction() as session:
        story_ids = list(await session.scalars(select(Story.id)))
    for value in [*story_ids, *(encode_id(i) for i in story_ids), *range(4_200_101, 4_200_107)]:
        assert str(value) not in said.replace("UNSHARED-4200101", ""), value
    assert not re.search(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\b(Mon|Tue|2 Mar)", said)
    assert [b.label for b in all_buttons(photo)] == [TEAMS.kit_button]  # nothing else


# --- one person, one role -------------------------------------------------------------


async def test_nobody_is_both_member_and_facilitator_of_one_team(
    runner: Conversations, clock: FakeClock
) -> None:
    """Otherwise a facilitator counts toward the minimum of the photo they see: with
    three accounts of their own and one real member, every count of 1 is that member's."""
    member_code, facilitator_code = await new_team(runner, "Embassy Madrid")
    fay = Member(runner, 50)
    await accept(fay, f"f_{facilitator_code}")
    await fay.command("start", f"j_{member_code}")
    assert all_text(fay.last).strip() == TEAMS.facilitator_cannot_join.format(team="Embassy Madrid")
    ann = Member(runner, 1)
    await accept(ann, f"j_{member_code}")
    madrid = await team_id(runner.database, "Embassy Madrid")
    async with runner.database.transaction() as session:
        code = await Teams(session, runner.cipher).new_invite(madrid, Role.FACILITATOR, clock())
    said = await ann.command("start", f"f_{code}")
    assert all_text(said).strip() == TEAMS.member_cannot_facilitate.format(team="Embassy Madrid")
    assert TEAMS.facilitator_yes not in [b.label for b in all_buttons(said)]
    async with runner.database.transaction() as session:
        assert (
            await Teams(session, runner.cipher).facilitated_by(
                (await session.scalar(select(Person.id).where(Person.external_id == 1))) or 0
            )
            == ()
        )


async def test_facilitators_never_count_toward_the_minimum(
    runner: Conversations, clock: FakeClock
) -> None:
    """A facilitator who told stories as a member before (or was made one by an operator)
    is left out of the photo: four members and a facilitator are not five people."""
    code, fay = await team_with_facilitator(runner, "Embassy Madrid", 50)
    members = await members_tell(runner, code, range(1, 6))
    madrid = await team_id(runner.database, "Embassy Madrid")
    async with runner.database.transaction() as session:
        first = await session.scalar(select(Person.id).where(Person.external_id == 1))
        assert first is not None
        await Teams(session, runner.cipher).add_facilitator(madrid, first, clock())
    assert members
    next_month(clock)
    assert all_text(await ask_photo(fay)).strip() == TEAMS.photo_not_enough.format(
        minimum=5, team="Embassy Madrid", period="March 2026"
    )
