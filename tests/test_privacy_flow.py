"""/privacy, /export and /forget through the runner and real storage, step by step."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.engine.conversation import Conversations, Speaker
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.policy import PrivacyPolicy, Retention
from flows.replies import PersonActive
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Membership, Person, Story, Team
from tests.support.chat import (
    ALICE,
    BOB,
    CHANGE,
    HELPED_MOST,
    WHO_WORDS,
    Chat,
    begin,
    button,
    person_id,
    snapshot,
    tell_whole_story,
)
from tests.support.outcomes import texts
from tests.support.privacy import checkin, found_in_tables, join_team, schedule_checkins, traces_of

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EN, NL = guide_for("en"), guide_for("nl")
P = EN.privacy


async def stored_stories(database: Database) -> dict[int, int]:
    """Story count per person id."""
    async with database.transaction() as session:
        rows = await session.execute(
            select(Story.person_id, func.count()).group_by(Story.person_id)
        )
        return {who: count for who, count in rows}


# --- /privacy -------------------------------------------------------------------------


async def test_privacy_says_what_is_kept_for_how_long_and_who_sees_what(
    conversations: Conversations,
) -> None:
    shown = await Chat(conversations).send(Command("privacy"))
    assert shown is not None
    [reply] = shown.replies
    assert reply.text.startswith("What I keep about you")
    assert "at least 5 people" in reply.text
    assert "Where: in this bot's database, on the server of whoever runs the bot" in reply.text
    assert "your stories are kept until you delete them." in reply.text
    assert "/export" in reply.text and "/forget" in reply.text
    assert [b.label for row in reply.buttons for b in row] == [P.export_button, P.forget_button]


async def test_privacy_in_dutch_with_a_retention_period(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    policy = PrivacyPolicy(min_group_size=6, retention=Retention(years=5))
    runner = Conversations(database, cipher, clock=clock, policy=policy)
    dutch = Chat(runner, Speaker("telegram", 4004, 4004, "nl"))
    shown = await dutch.send(Command("privacy"))
    [text] = texts(shown)
    assert text.startswith("Wat ik over je bewaar")
    assert "minstens 6 mensen" in text
    assert "Waar: in de database van deze bot, op de server van wie de bot beheert" in text
    assert "verhalen worden verwijderd 5 jaar nadat je eraan begon" in text


async def test_privacy_in_the_middle_of_a_story_shows_where_we_were(
    conversations: Conversations,
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.say(CHANGE)
    shown = await person.send(Command("privacy"))
    assert shown is not None and shown.state.question == "how"
    assert "How did you learn it?" in texts(shown)[1]


# --- /forget --------------------------------------------------------------------------


async def test_forget_asks_once_saying_how_much_goes(conversations: Conversations) -> None:
    person = Chat(conversations)
    await tell_whole_story(person)
    await checkin(person, "Briefings go smoother")
    await tell_whole_story(person)
    asked = await person.send(Command("forget"))
    assert texts(asked) == [P.forget_sure.format(stories="2 stories and 1 check-in")]
    assert button(asked, Action.FORGET_YES, "3")
    assert button(asked, Action.FORGET_NO)
    assert await stored_stories(conversations.database) == {
        await person_id(conversations.database, ALICE): 3
    }


async def test_cancelling_forget_keeps_everything_and_goes_on_with_the_story(
    conversations: Conversations,
) -> None:
    person = Chat(conversations)
    await tell_whole_story(person)
    await begin(person)
    await person.say(CHANGE)
    before = await snapshot(conversations.database)
    asked = await person.send(Command("forget"))
    assert texts(asked) == [P.forget_sure.format(stories="2 stories")]
    kept = await person.press(Action.FORGET_NO)
    assert kept is not None and kept.replies[0].text == P.forget_cancelled
    assert kept.replies[0].edit
    assert "How did you learn it?" in kept.replies[1].text
    after = await snapshot(conversations.database)
    assert {k: v for k, v in after.items() if k != "persons"} == {
        k: v for k, v in before.items() if k != "persons"
    }
    assert kept.state.step is Step.QUESTION and kept.state.question == "how"


async def test_forget_erases_everything_and_a_later_message_starts_afresh(
    conversations: Conversations, clock: FakeClock
) -> None:
    database = conversations.database
    alice, bob = Chat(conversations), Chat(conversations, BOB, first_update=900)
    await tell_whole_story(alice)
    await checkin(alice, "Briefings go smoother")
    await tell_whole_story(bob)
    alice_id = await person_id(database, ALICE)
    team = await join_team(database, alice_id, clock())
    await schedule_checkins(database, alice_id, clock())
    traces = await traces_of(database, ALICE)
    bob_before = await traces_of(database, BOB)

    await alice.send(Command("forget"))
    gone = await alice.press(Action.FORGET_YES, "2")
    assert texts(gone) == [P.forgotten]
    assert await found_in_tables(database, traces) == []
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.get(Team, team) is not None  # the team is not Alice's
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0
    assert await traces_of(database, BOB) == bob_before

    listing = await alice.send(Command("stories"))
    assert texts(listing) == [EN.texts.stories_empty]
    fresh = await alice.send(Command("start"))
    assert texts(fresh) == [EN.texts.welcome.strip()]


async def test_forget_when_the_stories_changed_meanwhile_asks_again(
    conversations: Conversations,
) -> None:
    person = Chat(conversations)
    await tell_whole_story(person)
    asked = await person.send(Command("forget"))
    stale = button(asked, Action.FORGET_YES, "1")
    await checkin(person, "Briefings go smoother")
    again = await person.send(Press(stale))
    assert again is not None and again.notice == P.forget_changed
    assert texts(again) == [P.forget_sure.format(stories="1 story and 1 check-in")]
    assert again.replies[0].edit
    assert button(again, Action.FORGET_YES, "2")
    assert again.effects == (PersonActive(),)
    assert sum((await stored_stories(conversations.database)).values()) == 2


async def test_forget_without_stories_still_deletes_the_settings(
    conversations: Conversations,
) -> None:
    person = Chat(conversations)
    asked = await person.send(Command("forget"))
    assert texts(asked) == [P.forget_sure_nothing]
    gone = await person.press(Action.FORGET_YES, "0")
    assert texts(gone) == [P.forgotten]
    async with conversations.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


# --- one story ------------------------------------------------------------------------


async def test_delete_one_saved_story_from_its_card(conversations: Conversations) -> None:
    person = Chat(conversations)
    first = await tell_whole_story(person)
    second = await tell_whole_story(person)
    await person.send(Command("stories"))
    shown = await person.send(Press(encode(Action.CARD, first)))
    assert shown is not None
    assert [b.label for row in shown.replies[0].buttons for b in row] == [
        EN.texts.change,
        EN.texts.to_list,
        P.delete_story,
    ]
    sure = await person.press(Action.DISCARD)
    assert texts(sure) == [P.delete_sure]
    gone = await person.press(Action.DISCARD_YES)
    assert texts(gone) == [P.deleted]
    async with conversations.database.transaction() as session:
        left = list(await session.scalars(select(Story.id)))
    assert left == [second]


async def test_deleting_one_story_can_be_cancelled(conversations: Conversations) -> None:
    person = Chat(conversations)
    story = await tell_whole_story(person)
    await person.send(Press(encode(Action.CARD, story)))
    await person.press(Action.DISCARD)
    back = await person.press(Action.CARD)
    assert back is not None and CHANGE in back.replies[0].text
    assert sum((await stored_stories(conversations.database)).values()) == 1


# --- /export --------------------------------------------------------------------------


async def test_export_sends_a_readable_file_and_a_json_file(
    conversations: Conversations, clock: FakeClock
) -> None:
    person = Chat(conversations)
    story = await tell_whole_story(person)
    clock.advance(days=1)
    await checkin(person, "Briefings go smoother")
    clock.advance(days=1)
    await begin(person)
    exported = await person.send(Command("export"))
    assert exported is not None
    readable, data, question = exported.replies
    assert (readable.text, data.text) == (P.export_caption, P.export_json_caption)
    assert readable.file is not None and data.file is not None
    assert readable.file.filename == "leerverhaal-2026-03-04.md"
    assert data.file.filename == "leerverhaal-2026-03-04.json"
    assert EN.opening.prompt in question.text  # and the story under way goes on

    markdown = readable.file.data.decode()
    for words in (CHANGE, WHO_WORDS, HELPED_MOST, "Briefings go smoother"):
        assert f"> {words}" in markdown
    assert "By doing, trial and error · Asking or sparring with a colleague" in markdown
    assert "Doubting myself: “I should know this”" in markdown
    assert "Account: telegram, id 1001" in markdown

    exported_json = json.loads(data.file.data)
    assert exported_json["person"]["id"] == ALICE.external_id
    kinds = [(s["kind"], s["status"]) for s in exported_json["stories"]]
    assert kinds == [("story", "complete"), ("checkin", "complete"), ("story", "draft")]
    first = exported_json["stories"][0]
    assert first["id"] == story
    assert [a["question"] for a in first["answers"]] == [q.key for q in EN.questions]
    how = first["answers"][1]
    assert how["choices"] == [
        {"key": "by_doing", "label": "By doing, trial and error"},
        {"key": "asking_colleague", "label": "Asking or sparring with a colleague"},
    ]
    assert first["answers"][3] == {
        "question": "resources",
        "title": EN.question("resources").title,  # type: ignore[union-attr]
        "text": None,
        "choices": [],
        "skipped": True,
    }
