"""A facilitator composes their team's learning menu through the real runner; members of
the team see it under /menu; nobody else can compose it, and stale buttons are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.menu.card import menu
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.outcomes import all_text, find_button, labels
from tests.support.teams import Member, accept, add_people, add_story, make_runner, new_team

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

WORDS = menu().in_language("en")
COMPOSE = WORDS.compose
STEPS = guide_for("en").next_steps
LIMA = COMPOSE.button.format(team="Embassy Lima")
IN_LAST_QUARTER = datetime(2025, 11, 12, tzinfo=UTC)  # the clock starts in March 2026


@pytest.fixture
def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    return make_runner(database, cipher, clock)


async def team_of_three(runner: Conversations) -> tuple[Member, Member, Member]:
    """A facilitator and a member of "Embassy Lima", and someone in no team."""
    member_code, facilitator_code = await new_team(runner, "Embassy Lima")
    facilitator, member, outsider = (Member(runner, n) for n in (11, 12, 13))
    for person in (facilitator, member, outsider):
        await person.command("language", "en")
    await accept(facilitator, f"f_{facilitator_code}")
    await accept(member, f"j_{member_code}")
    return facilitator, member, outsider


async def test_a_facilitator_hides_adds_and_the_member_sees_the_teams_card(
    runner: Conversations,
) -> None:
    facilitator, member, outsider = await team_of_three(runner)
    shown = await facilitator.command("menu")
    assert COMPOSE.button.format(team="Embassy Lima") in labels(shown.replies[0])
    composing = await facilitator.press(COMPOSE.button.format(team="Embassy Lima"))
    assert "1. Spar with a colleague" in all_text(composing)
    await facilitator.press(COMPOSE.hide)
    hidden = await facilitator.press("2. Ask for one piece of feedback")
    assert "2. Ask for one piece of feedback (hidden)" in all_text(hidden)
    await facilitator.press(COMPOSE.add)
    await facilitator.press(WORDS.courses["small"])
    added = await facilitator.say("Lunch walk: a walk with someone from another team")
    assert "5. Lunch walk" in all_text(added)
    card = all_text(await member.command("menu"))
    assert card.startswith("The learning menu of “Embassy Lima”")
    assert "• Lunch walk: a walk with someone from another team" in card
    assert "Ask for one piece of feedback" not in card
    assert not any(
        COMPOSE.button.split("“")[0] in label
        for label in labels((await member.command("menu")).replies[0])
    )
    default = all_text(await outsider.command("menu"))
    assert default.startswith("The learning menu\n") and "Lunch walk" not in default


async def test_a_member_or_an_outsider_cannot_compose_the_card(runner: Conversations) -> None:
    facilitator, member, outsider = await team_of_three(runner)
    composing = await facilitator.press_data(
        find_button(await facilitator.command("menu"), LIMA).data
    )
    team_button = composing.replies[0].buttons[0][0].data
    team = team_button.split("|")[1]
    for person in (member, outsider):
        refused = await person.press_data(team_button)
        assert refused.notice == COMPOSE.not_facilitator
        refused = await person.press_data(f"ma|{team}|hide|0")
        assert refused.notice == COMPOSE.not_facilitator
    assert "Ask for one piece" in all_text(await member.command("menu"))


async def test_a_stale_dish_number_and_an_empty_own_dish_are_answered_kindly(
    runner: Conversations,
) -> None:
    facilitator, _, _ = await team_of_three(runner)
    await facilitator.command("menu")
    composing = await facilitator.press(COMPOSE.button.format(team="Embassy Lima"))
    team = composing.replies[0].buttons[0][0].data.split("|")[1]
    stale = await facilitator.press_data(f"ma|{team}|hide|99")
    assert stale.notice and not stale.replies
    await facilitator.press_data(encode(Action.MENU_OWN_COURSE, int(team, 36), "large"))
    for refused_text in (" : ", "Long lunch " * 400):  # empty, or far over 60 characters
        refused = await facilitator.say(refused_text)
        assert [reply.text for reply in refused.replies] == [COMPOSE.own_refused]
        assert refused.state.step is Step.MENU_OWN, "still waiting for the dish: type again"
    added = await facilitator.say("Book club")
    assert "Book club" in all_text(added)


async def composed_after(runner: Conversations, database: Database, obstacles: list[str]) -> str:
    """A team's stories in the last ended quarter, one obstacle each; then the facilitator
    composes its card: what the compose view says."""
    facilitator, _, _ = await team_of_three(runner)
    shown = await facilitator.command("menu")
    team = int(find_button(shown, LIMA).data.split("|")[1], 36)
    async with database.transaction() as session:
        people = await add_people(session, len(obstacles), IN_LAST_QUARTER, first=500)
        for person, pick in zip(people, obstacles, strict=True):
            await add_story(session, person, team, IN_LAST_QUARTER, {"obstacles": [pick]})
    return all_text(await facilitator.press_data(encode(Action.MENU_COMPOSE, team)))


async def test_beside_the_card_the_teams_recurring_obstacles_suggest_a_dish(
    runner: Conversations, database: Database
) -> None:
    picks = ["time_pressure"] * 4 + ["self_doubt", "interruptions"]
    said = await composed_after(runner, database, picks)
    assert "What the team snapshot of Q4 2025 says:\n" in said
    assert "Time, work pressure: 4 of 6 → One time-management idea" in said
    assert "Doubting myself" not in said, "named once: not a recurring thread"


async def test_without_a_photo_that_may_be_shown_there_are_no_hints(
    runner: Conversations, database: Database
) -> None:
    said = await composed_after(runner, database, ["time_pressure"] * 4)  # below 5
    assert "team snapshot" not in said and "4 of 4" not in said


async def test_members_choose_their_next_step_from_their_teams_card(
    runner: Conversations,
) -> None:
    facilitator, member, outsider = await team_of_three(runner)
    await facilitator.command("menu")
    await facilitator.press(LIMA)
    await facilitator.press(COMPOSE.hide)
    await facilitator.press("1. Spar with a colleague")
    shown = await member.command("menu")
    choices = labels((await member.press_data(encode(Action.CHOOSE_DISH))).replies[0])
    assert "Spar with a colleague" not in choices and "Shadow a colleague" in choices
    assert shown.replies
    others = labels((await outsider.press_data(encode(Action.CHOOSE_DISH))).replies[0])
    assert "Spar with a colleague" in others


async def order_own_dish(person: Member, words: str) -> list[str]:
    """/menu, Choose a dish, Something else, ``words``, no date: what the bot said then."""
    await person.command("menu")
    await person.press_data(encode(Action.CHOOSE_DISH))
    await person.press(STEPS.something_else)
    await person.say(words)
    return [reply.text for reply in (await person.press(STEPS.no_date)).replies]


async def test_an_own_dish_shared_with_consent_goes_on_the_teams_card(
    runner: Conversations,
) -> None:
    facilitator, member, outsider = await team_of_three(runner)
    said = await order_own_dish(member, "Lunch walk: with someone from another section")
    assert said[-1] == STEPS.share_question.format(team="Embassy Lima")
    await member.press(STEPS.share_yes)
    assert member.last is not None
    assert all_text(member.last) == STEPS.shared.format(team="Embassy Lima") + "\n"
    assert STEPS.share_question.split("{")[0] not in " ".join(
        await order_own_dish(outsider, "Reading club")
    ), "nobody to share with outside a team"
    await facilitator.command("menu")
    composing = all_text(await facilitator.press(LIMA))
    assert f"{COMPOSE.shared}\n• Lunch walk: with someone from another section" in composing
    assert "Reading club" not in composing
    await facilitator.press(COMPOSE.adopt)
    await facilitator.press("Lunch walk: with someone from another section")
    adopted = await facilitator.press(WORDS.courses["medium"])
    assert "Lunch walk" in all_text(adopted)
    card = all_text(await member.command("menu"))
    assert "• Lunch walk: with someone from another section" in card


async def test_stop_sharing_takes_an_own_dish_back_from_the_facilitators(
    runner: Conversations,
) -> None:
    facilitator, member, _ = await team_of_three(runner)
    await order_own_dish(member, "Lunch walk")
    shared = await member.press(STEPS.share_yes)
    assert labels(shared.replies[0]) == [STEPS.stop_sharing]
    await facilitator.command("menu")
    assert "• Lunch walk" in all_text(await facilitator.press(LIMA))
    stopped = await member.press(STEPS.stop_sharing)
    assert all_text(stopped) == STEPS.kept_private + "\n"
    await facilitator.command("menu")
    assert "Lunch walk" not in all_text(await facilitator.press(LIMA))


async def test_an_own_dish_kept_private_is_never_shown(runner: Conversations) -> None:
    facilitator, member, _ = await team_of_three(runner)
    await order_own_dish(member, "Lunch walk")
    await member.press(STEPS.share_no)
    assert all_text(member.last) == STEPS.kept_private + "\n"
    await facilitator.command("menu")
    composing = await facilitator.press(LIMA)
    assert COMPOSE.shared not in all_text(composing) and "Lunch walk" not in all_text(composing)
    assert COMPOSE.adopt not in labels(composing.replies[0])
    team = find_button(await facilitator.command("menu"), LIMA).data.split("|")[1]
    forged = await facilitator.press_data(f"mj|{team}|1|small")
    assert forged.notice is not None and not forged.replies
