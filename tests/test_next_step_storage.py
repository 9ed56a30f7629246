"""Next steps in storage, on SQLite and PostgreSQL: one open at a time, an own dish
encrypted at rest, the story's answer read back from the story, the runner loading the
open one, /export handing every one over, and /forget erasing them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from bot.engine.conversation import Conversations
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.menu.effects import OrderNextStep
from flows.menu.views import Due, StepStatus
from flows.replies import Outcome
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Membership, NextStep
from storage.next_steps import NextSteps
from storage.repositories import People
from tests.support.chat import ALICE, Chat, person_id, tell_whole_story
from tests.support.menu_steps import W
from tests.support.outcomes import find_button
from tests.support.teams import add_team

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWN = "Lunch with the consul's protocol officer"
P = guide_for("en").privacy


async def _new_person(database: Database) -> int:
    async with database.transaction() as session:
        return (await People(session).add("telegram", 1, 1, "en", NOW)).id


async def test_ordering_replaces_the_open_step_and_closing_keeps_it(
    database: Database, cipher: TextCipher
) -> None:
    who = await _new_person(database)
    async with database.transaction() as session:
        steps = NextSteps(session, cipher)
        await steps.order(who, OrderNextStep(11, "sparring"), NOW)
        await steps.set_due(who, 11, Due.WEEK)
        await steps.order(who, OrderNextStep(12, own_dish=OWN), NOW + timedelta(hours=1))
        await steps.asked(who, 12)
        await steps.asked(who, 12)
    async with database.transaction() as session:
        steps = NextSteps(session, cipher)
        opened = await steps.open(who)
        assert opened is not None
        assert (opened.id, opened.own_dish, opened.asked, opened.due) == (12, OWN, 2, Due.NONE)
        first, second = await steps.records(who)
        assert (first.step.id, first.step.dish, first.step.due) == (11, "sparring", Due.WEEK)
        assert first.status is StepStatus.REPLACED and first.closed_at is not None
        assert second.status is StepStatus.OPEN
        await steps.close(who, 12, StepStatus.DONE, NOW + timedelta(days=7))
        await steps.asked(who, 12)  # a closed step no longer changes
    async with database.transaction() as session:
        steps = NextSteps(session, cipher)
        assert await steps.open(who) is None
        _, done = await steps.records(who)
        assert done.status is StepStatus.DONE and done.step.asked == 2
        assert done.closed_at == NOW + timedelta(days=7)


async def test_an_own_dish_is_encrypted_at_rest(
    database: Database, database_url: str, cipher: TextCipher
) -> None:
    who = await _new_person(database)
    async with database.transaction() as session:
        await NextSteps(session, cipher).order(who, OrderNextStep(21, own_dish=OWN), NOW)
    async with database.transaction() as session:
        stored = await session.scalar(select(NextStep.own_dish_encrypted))
    assert stored is not None and OWN.encode() not in stored
    assert cipher.decrypt(stored) == OWN
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        assert files and all(b"consul" not in p.read_bytes() for p in files)


def _press(chat: Chat, label: str) -> Press:
    return Press(find_button(chat.last, label).data)


def _files(outcome: Outcome | None) -> tuple[str, dict[str, Any]]:
    assert outcome is not None
    readable, data = (reply.file for reply in outcome.replies[:2])
    assert readable is not None and data is not None
    return readable.data.decode(), json.loads(data.data)


async def test_through_the_runner_exported_for_them_and_forgotten(
    conversations: Conversations, cipher: TextCipher, clock: FakeClock
) -> None:
    database = conversations.database
    alice = Chat(conversations)
    story = await tell_whole_story(alice)  # its next step: shadowing, which is suggested
    await alice.send(_press(alice, W.not_now))
    who = await person_id(database, ALICE)
    async with database.transaction() as session:
        from_story = await NextSteps(session, cipher).open(who)
    assert from_story is not None and from_story.story_id == story
    assert from_story.story_choices == ("shadowing",) and from_story.dish == ""
    asked = await alice.send(Command("checkin"))  # the runner loads it: asked about first
    assert asked is not None and asked.replies[0].text == W.follow_up.format(
        step="Shadowing a colleague"
    )
    clock.advance(minutes=5)
    for label in (W.not_yet, W.choose_another, W.something_else):
        await alice.send(_press(alice, label))
    await alice.say(OWN)
    going_on = await alice.send(_press(alice, W.this_week))
    assert going_on is not None and going_on.state.question == "smoother"

    async with database.transaction() as session:  # as if Alice let her team see it
        own = await NextSteps(session, cipher).open(who)
        assert own is not None and not own.shared
        await NextSteps(session, cipher).share(who, own.id, True)
    markdown, data = _files(await alice.send(Command("export")))
    replaced, ordered = data["next_steps"]
    assert (replaced["shared_with_facilitators"], ordered["shared_with_facilitators"]) == (
        False,
        True,
    )
    assert f"{OWN} (for this week; open){W.file_shared}" in markdown
    assert (replaced["follows_up_story"], replaced["status"]) == (story, "replaced")
    assert replaced["asked"] == 1 and replaced["own_dish"] is None
    assert (ordered["own_dish"], ordered["when"], ordered["status"]) == (OWN, "week", "open")
    assert f"{OWN} (for this week; open)" in markdown
    assert "Shadowing a colleague (without a date; replaced by another)" in markdown

    forget = await alice.send(Command("forget"))
    await alice.send(Press(find_button(forget, P.forget_yes).data))
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(NextStep)) == 0


async def test_a_step_belongs_to_the_team_the_person_is_in_when_they_choose_it(
    database: Database, cipher: TextCipher
) -> None:
    who = await _new_person(database)
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Lima", NOW)
        await NextSteps(session, cipher).order(who, OrderNextStep(21, "sparring"), NOW)
        session.add(Membership(person_id=who, team_id=team, joined_at=NOW))
        await session.flush()
        await NextSteps(session, cipher).order(who, OrderNextStep(22, "kitchen"), NOW)
    async with database.transaction() as session:
        teams = dict((await session.execute(select(NextStep.id, NextStep.team_id))).all())
    assert teams == {21: None, 22: team}
