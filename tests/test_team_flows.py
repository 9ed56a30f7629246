"""Teams through the real runner: creating, joining, switching, leaving, invites, quotes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode
from flows.replies import Outcome
from flows.teams.effects import JoinFailed
from flows.teams.views import TeamRules
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Facilitator, Membership, Person, Story, Team
from storage.team_store import new_invite_code
from tests.support.outcomes import all_buttons, all_text, find_button
from tests.support.teams import ADMIN_ID, EN, TEAMS, Member, make_runner, new_team, tell_story

if TYPE_CHECKING:
    from tests.support.clock import FakeClock


@pytest.fixture
def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    """The runner with one admin, three tries per lock, and a known bot name."""
    rules = TeamRules(join_attempts=3, join_lock=timedelta(minutes=30))
    return make_runner(database, cipher, clock, rules)


async def count(database: Database, model: type[object], *where: object) -> int:
    async with database.transaction() as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


async def story_teams(database: Database) -> list[str | None]:
    async with database.transaction() as session:
        rows = await session.execute(
            select(Team.name).select_from(Story).outerjoin(Team).order_by(Story.created_at)
        )
        return [name for (name,) in rows]


# --- admins ---------------------------------------------------------------------------


async def test_an_admin_creates_a_team_with_two_invites(runner: Conversations) -> None:
    outcome = await Member(runner, ADMIN_ID).command("newteam", "  Embassy   Madrid ")
    created, member, facilitator = outcome.replies
    assert created.text == TEAMS.team_created.format(team="Embassy Madrid")
    code = re.search(r"start=j_([a-z2-7]{16})", member.text)
    assert code and f"/join {code[1][:4]}-{code[1][4:8]}-" in member.text
    assert "start=f_" in facilitator.text and "/join" not in facilitator.text
    assert await count(runner.database, Team) == 1


async def test_someone_else_cannot_create_teams_or_use_admin_buttons(
    runner: Conversations,
) -> None:
    await new_team(runner, "Embassy Madrid")
    ann = Member(runner, 1)
    refused = await ann.command("newteam", "Mine")
    assert all_text(refused).strip() == TEAMS.admin_only
    assert all_text(await ann.command("teams")).strip() == TEAMS.admin_only
    for data in (encode(Action.ADMIN_REVOKE, 1), encode(Action.ADMIN_INVITE, 1, "member")):
        pressed = await ann.press_data(data)
        assert pressed.notice == TEAMS.admin_only and pressed.replies == ()
    assert await count(runner.database, Team) == 1


async def test_newteam_needs_a_name(runner: Conversations) -> None:
    outcome = await Member(runner, ADMIN_ID).command("newteam", "   ")
    assert all_text(outcome).strip() == TEAMS.newteam_usage


# --- joining --------------------------------------------------------------------------


async def test_joining_by_link_shows_the_team_and_asks_first(runner: Conversations) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann = Member(runner, 1)
    asked = await ann.command("start", f"j_{code}")
    assert all_text(asked).strip() == TEAMS.join_confirm.format(team="Embassy Madrid")
    assert await count(runner.database, Membership) == 0, "nothing happens before confirming"
    joined = await ann.press(TEAMS.join_yes)
    assert joined.replies[0].text == TEAMS.joined.format(team="Embassy Madrid")
    assert joined.replies[0].edit
    shown = await ann.command("team")
    assert TEAMS.team_current.format(team="Embassy Madrid") in all_text(shown)
    assert [b.label for b in all_buttons(shown)] == [TEAMS.leave]


async def test_a_typed_code_may_have_dashes_spaces_and_capitals(runner: Conversations) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann = Member(runner, 1)
    typed = " ".join(code[i : i + 4] for i in range(0, 16, 4)).upper()
    asked = await ann.command("join", typed.replace(" ", "-", 1))
    await ann.press(TEAMS.join_yes)
    assert await count(runner.database, Membership) == 1
    again = await ann.command("team", code)
    assert all_text(again).strip() == TEAMS.already_member.format(team="Embassy Madrid")
    assert asked.replies[0].buttons


async def test_moving_post_switches_team_and_stories_keep_theirs(runner: Conversations) -> None:
    madrid, _ = await new_team(runner, "Embassy Madrid")
    rabat, _ = await new_team(runner, "Embassy Rabat")
    ann = Member(runner, 1)
    await tell_story(ann, "Before any team")
    await ann.command("join", madrid)
    await ann.press(TEAMS.join_yes)
    await tell_story(ann, "Chairing meetings in Spanish")
    asked = await ann.command("start", f"j_{rabat}")
    assert all_text(asked).strip() == TEAMS.join_switch.format(
        current="Embassy Madrid", team="Embassy Rabat"
    )
    await ann.press(TEAMS.join_yes)
    await tell_story(ann, "Reading Arabic headlines")
    assert await story_teams(runner.database) == [None, "Embassy Madrid", "Embassy Rabat"]
    assert await count(runner.database, Membership) == 1


async def confirm_draft(member: Member, story_id: int) -> Outcome:
    """Resume the draft with /reflect, skip the questions left, confirm the card."""
    outcome = await member.command("reflect")
    while (key := outcome.state.question) is not None:
        outcome = await member.press_data(encode(Action.SKIP, story_id, key))
    return await member.press_data(encode(Action.CONFIRM, story_id))


async def test_a_story_belongs_to_the_team_it_is_confirmed_in(runner: Conversations) -> None:
    madrid, _ = await new_team(runner, "Embassy Madrid")
    rabat, _ = await new_team(runner, "Embassy Rabat")
    ann = Member(runner, 1)
    await ann.command("reflect")
    story_id = ann.state.story_id
    assert story_id is not None
    await ann.say("Begun before joining, finished in Madrid")
    await ann.command("cancel")
    await ann.command("join", madrid)
    await ann.press(TEAMS.join_yes)
    confirmed = await confirm_draft(ann, story_id)
    assert TEAMS.quote_share in [b.label for b in all_buttons(confirmed)], "told in a team now"
    await ann.press(TEAMS.quote_keep)

    await ann.command("reflect")
    second = ann.state.story_id
    assert second is not None and second != story_id
    await ann.say("Begun in Madrid, finished in Rabat")
    await ann.command("start", f"j_{rabat}")
    await ann.press(TEAMS.join_yes)
    await confirm_draft(ann, second)
    assert await story_teams(runner.database) == ["Embassy Madrid", "Embassy Rabat"]


async def test_leaving_a_team_asks_once(runner: Conversations) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann = Member(runner, 1)
    await ann.command("join", code)
    await ann.press(TEAMS.join_yes)
    await ann.command("team")
    sure = await ann.press(TEAMS.leave)
    assert sure.replies[0].text == TEAMS.leave_sure.format(team="Embassy Madrid")
    left = await ann.press(TEAMS.leave_yes)
    assert left.replies[0].text == TEAMS.left.format(team="Embassy Madrid")
    assert await count(runner.database, Membership) == 0
    assert all_text(await ann.command("team")).startswith(TEAMS.team_none)


async def test_join_usage_without_a_code(runner: Conversations) -> None:
    assert all_text(await Member(runner, 1).command("join")).strip() == TEAMS.join_usage


# --- wrong codes ----------------------------------------------------------------------


async def test_wrong_codes_are_rate_limited_per_person(
    runner: Conversations, clock: FakeClock
) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann, bob = Member(runner, 1), Member(runner, 2)
    first = await ann.command("join", new_invite_code())
    assert all_text(first).strip() == TEAMS.code_invalid
    await ann.command("join", "not-a-code")
    locked = await ann.press_data(encode(Action.JOIN_YES, new_invite_code()))  # forged button
    assert all_text(locked).strip() == TEAMS.join_locked.format(minutes=30)
    assert next(e for e in locked.effects if isinstance(e, JoinFailed)).locked_until

    refused = await ann.command("join", code)  # even the right code, while locked
    assert all_text(refused).strip() == TEAMS.join_locked.format(minutes=30)
    assert refused.replies[0].buttons == ()
    assert all_text(await bob.command("join", code)).strip() == TEAMS.join_confirm.format(
        team="Embassy Madrid"
    ), "the lock is per person"

    clock.advance(minutes=31)
    await ann.command("join", code)
    await ann.press(TEAMS.join_yes)
    async with runner.database.transaction() as session:
        person = await session.scalar(select(Person).where(Person.external_id == 1))
        assert person is not None and person.join_failures == 0
        assert person.join_locked_until is None


async def test_revoked_and_replaced_codes_stop_working(runner: Conversations) -> None:
    code, facilitator_code = await new_team(runner, "Embassy Madrid")
    admin, ann = Member(runner, ADMIN_ID), Member(runner, 1)
    await admin.command("teams")
    menu = await admin.press("Embassy Madrid")
    assert [b.label for b in all_buttons(menu)] == [
        TEAMS.new_member_code,
        TEAMS.new_facilitator_link,
        TEAMS.revoke_codes,
    ]
    renewed = await admin.press(TEAMS.new_member_code)
    new_code = re.search(r"start=j_([a-z2-7]{16})", all_text(renewed))
    assert new_code
    assert all_text(await ann.command("join", code)).strip() == TEAMS.code_invalid
    assert TEAMS.join_yes in [b.label for b in all_buttons(await ann.command("join", new_code[1]))]
    await admin.command("teams")
    await admin.press("Embassy Madrid")
    revoked = await admin.press(TEAMS.revoke_codes)
    assert revoked.replies[0].text == TEAMS.codes_revoked.format(team="Embassy Madrid")
    pressed = await ann.press(TEAMS.join_yes)  # the confirmation shown before revoking
    assert all_text(pressed).strip() == TEAMS.code_invalid
    bob = Member(runner, 2)  # Ann has had her three tries
    assert (
        all_text(await bob.command("start", f"f_{facilitator_code}")).strip() == TEAMS.code_invalid
    )
    assert await count(runner.database, Membership) == 0


# --- facilitators ---------------------------------------------------------------------


async def test_a_facilitator_invite_works_once(runner: Conversations) -> None:
    _, code = await new_team(runner, "Embassy Madrid")
    fay, eve = Member(runner, 50), Member(runner, 51)
    asked = await fay.command("start", f"f_{code}")
    assert all_text(asked).strip() == TEAMS.facilitator_confirm.format(
        team="Embassy Madrid", size=5
    )
    done = await fay.press(TEAMS.facilitator_yes)
    introduction = TEAMS.facilitator_added.format(
        team="Embassy Madrid", size=5, delivery=TEAMS.facilitator_delivery_monthly
    )
    assert done.replies[0].text == introduction
    assert await count(runner.database, Facilitator) == 1
    assert await count(runner.database, Membership) == 0, "facilitating is not membership"
    assert all_text(await eve.command("start", f"f_{code}")).strip() == TEAMS.code_invalid
    shown = await fay.command("team")
    assert TEAMS.team_facilitates.format(teams="“Embassy Madrid”") in all_text(shown)


# --- quotes ---------------------------------------------------------------------------


async def test_sharing_a_quote_is_asked_defaults_to_no_and_can_be_withdrawn(
    runner: Conversations,
) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann = Member(runner, 1)
    await ann.command("join", code)
    await ann.press(TEAMS.join_yes)
    confirmed = await tell_story(ann, "Writing short   cables")
    offer = next(r for r in confirmed.replies if r.text.startswith(TEAMS.quote_offer[:20]))
    assert "“Writing short cables”" in offer.text
    assert [b.label for row in offer.buttons for b in row] == [TEAMS.quote_share, TEAMS.quote_keep]
    assert await released(runner.database) == [False], "nothing is shared unless asked"

    shared = await ann.press(TEAMS.quote_share)
    assert shared.replies[0].text == TEAMS.quote_shared and shared.replies[0].edit
    assert await released(runner.database) == [True]

    listing = await ann.command("stories")
    card = await ann.press_data(all_buttons(listing)[0].data)
    withdrawn = await ann.press_data(find_button(card, TEAMS.quote_withdraw).data)
    assert withdrawn.notice == TEAMS.quote_withdrawn
    assert TEAMS.quote_withdraw not in [b.label for b in all_buttons(withdrawn)]
    assert await released(runner.database) == [False]
    again = await ann.press_data(find_button(card, TEAMS.quote_withdraw).data)
    assert again.notice == EN.texts.stale_button and again.effects[:-1] == ()


async def released(database: Database) -> list[bool]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Story.quote_released)))


async def test_no_offer_to_share_outside_a_team(runner: Conversations) -> None:
    confirmed = await tell_story(Member(runner, 1), "Writing short cables")
    assert confirmed.replies[0].text.endswith(EN.texts.saved)  # the card, in place
    assert TEAMS.quote_share not in [b.label for b in all_buttons(confirmed)]


async def test_nobody_can_share_someone_elses_story(runner: Conversations) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann, bob = Member(runner, 1), Member(runner, 2)
    await ann.command("join", code)
    await ann.press(TEAMS.join_yes)
    confirmed = await tell_story(ann, "Writing short cables")
    share = find_button(confirmed, TEAMS.quote_share).data
    forged = await bob.press_data(share)
    assert forged.notice == EN.texts.story_not_found and forged.replies == ()
    assert await released(runner.database) == [False]


async def test_a_facilitator_of_two_teams_first_picks_the_team(runner: Conversations) -> None:
    _, madrid = await new_team(runner, "Embassy Madrid")
    _, rabat = await new_team(runner, "Embassy Rabat")
    fay = Member(runner, 50)
    for code in (madrid, rabat):
        await fay.command("start", f"f_{code}")
        await fay.press(TEAMS.facilitator_yes)
    picker = await fay.command("photo")
    assert picker.replies[0].text == TEAMS.photo_pick_team
    assert [b.label for b in all_buttons(picker)] == ["Embassy Madrid", "Embassy Rabat"]
    periods = await fay.press("Embassy Rabat")
    assert periods.replies[0].text == TEAMS.photo_pick_period.format(team="Embassy Rabat")
    assert periods.replies[0].edit
    # in March 2026, only windows that have ended
    assert [b.label for b in all_buttons(periods)] == [
        "February 2026", "January 2026", "Q4 2025", "Q3 2025",
        "H2 2025", "H1 2025", "2025", "2024", TEAMS.photo_members_yes,
    ]  # fmt: skip
