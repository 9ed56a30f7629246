"""The pair interview through the real runner on a real database (both kinds): the roles
the other way round (the inviter asks), a correction on the card, swapping roles after a
saved story, letters in the partner's language, an invitation that expires and is
deleted by retention, and a tip for every question in every language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.engine.conversation import Conversations
from bot.jobs.retention import RetentionJob
from flows.callbacks import Action, decode, encode
from flows.content.guide import QuestionKind, guide_for, guides
from flows.events import Command, Press
from flows.pair.data import LIFETIME, START, PairStatus
from flows.policy import Retention
from flows.replies import Letter, Outcome
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import PairInterview, Story
from tests.support.chat import ALICE, BOB, Chat, person_id
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EN, NL = guide_for("en"), guide_for("nl")
BOT = "lv_bot"


def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    conversations = Conversations(database, cipher, clock=clock)
    conversations.bot_username = BOT
    return conversations


def letter_to(outcome: Outcome | None, speaker_chat: int) -> Letter:
    assert outcome is not None
    [letter] = [item for item in outcome.letters if item.chat_id == speaker_chat]
    return letter


def data_of(outcome_or_letter: Outcome | Letter | None, action: Action) -> str:
    """The callback data of the one button of this action."""
    assert outcome_or_letter is not None
    found = [
        b.data
        for reply in outcome_or_letter.replies
        for row in reply.buttons
        for b in row
        if (pressed := decode(b.data)) is not None and pressed.action is action
    ]
    assert found, f"no {action.name} button"
    return found[0]


async def invite(chat: Chat, tells: str) -> str:
    """/pair, who tells: the start payload of the link."""
    await chat.send(Command("pair"))
    made = await chat.send(Press(encode(Action.PAIR_ROLE, tells)))
    assert made is not None
    link = made.replies[-1].text.splitlines()[-1]
    assert link.startswith(f"https://t.me/{BOT}?start={START}")
    return link.split("?start=", 1)[1]


async def test_the_inviter_asks_the_guest_corrects_the_card_and_they_swap(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    await bob.send(Press(encode(Action.LANGUAGE, "nl")))  # Bob speaks Dutch: his letters too
    payload = await invite(alice, "you")
    opened = await bob.send(Command("start", payload))
    assert opened is not None and opened.state.step is Step.PAIR_INVITED
    accepted = await bob.send(Press(data_of(opened, Action.PAIR_ACCEPT)))
    ready = letter_to(accepted, ALICE.chat_id or 0)
    assert ready.replies[0].text == EN.pair.accepted
    asked = await alice.send(Press(data_of(ready, Action.PAIR_START)))
    assert asked is not None and asked.state.step is Step.PAIR_ASKING
    pair = asked.state.pair or 0
    for question in EN.questions:  # every answer typed, or one pick and Done
        if question.kind is QuestionKind.TEXT:
            noted = await alice.say(f"words for {question.key}")
        else:
            option = next(iter(question.options))
            await alice.send(Press(encode(Action.PAIR_TOGGLE, pair, question.key, option)))
            noted = await alice.send(Press(encode(Action.PAIR_DONE, pair, question.key)))
        letter = letter_to(noted, BOB.chat_id or 0)
        assert letter.replies[0].text.startswith(("Genoteerd", "Overgeslagen"))
    assert noted is not None and noted.replies[-1].text == EN.pair.handed_over
    card = letter.replies[-1]
    assert card.text.endswith(NL.pair.review)

    correcting = await bob.send(Press(encode(Action.PAIR_CORRECT, pair, "change")))
    assert correcting is not None and correcting.state.step is Step.PAIR_CORRECTING
    corrected = await bob.say("mijn eigen woorden")
    assert corrected is not None and corrected.replies[-1].text.endswith(NL.pair.review)
    assert "mijn eigen woorden" in corrected.replies[-1].text, "the card again, corrected"
    assert not corrected.letters, "once the card is out, the interviewer is not involved"

    saved = await bob.send(Press(data_of(corrected, Action.PAIR_SAVE)))
    assert saved is not None and saved.replies[0].text == NL.pair.saved
    assert letter_to(saved, ALICE.chat_id or 0).replies[0].text == EN.pair.saved_note
    async with database.transaction() as session:
        owners = list(await session.scalars(select(Story.person_id)))
    assert owners == [await person_id(database, BOB)]

    swapped = await bob.send(Press(data_of(saved, Action.PAIR_SWAP)))
    assert swapped is not None and swapped.state.step is Step.PAIR_ASKING  # Bob asks now
    assert swapped.replies[-1].text.startswith("Vraag 1 van 7")
    assert letter_to(swapped, ALICE.chat_id or 0).replies[0].text == EN.pair.being_asked
    async with database.transaction() as session:
        [row] = list(await session.scalars(select(PairInterview)))
    assert row.status == PairStatus.ASKING.value and row.inviter_tells  # Alice tells now


async def test_an_invitation_expires_and_retention_deletes_it(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    payload = await invite(alice, "me")
    job = RetentionJob(database, Retention(), Outbox(), clock)
    assert (await job.run()).pairs == 0
    clock.advance(days=LIFETIME.days, seconds=1)
    opened = await bob.send(Command("start", payload))
    assert opened is not None and opened.replies[0].text == EN.pair.link_invalid
    assert (await job.run()).pairs == 1
    async with database.transaction() as session:
        assert list(await session.scalars(select(PairInterview))) == []


async def test_a_new_invitation_replaces_the_one_waiting(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    first = await invite(alice, "me")
    second = await invite(alice, "you")
    assert first != second
    old = await bob.send(Command("start", first))
    assert old is not None and old.replies[0].text == EN.pair.link_invalid
    async with database.transaction() as session:
        [row] = list(await session.scalars(select(PairInterview)))
    assert len(row.token_hash) == 64 and second.removeprefix(START) not in row.token_hash
    stopped = await alice.send(Command("stop"))  # withdraws it
    assert stopped is not None and stopped.replies[0].text == EN.pair.stopped


@pytest.mark.parametrize("language", sorted(guides()))
def test_every_question_has_a_tip(language: str) -> None:
    guide = guide_for(language)
    assert set(guide.pair.tips) == {question.key for question in guide.questions}
    assert all(tip.strip() for tip in guide.pair.tips.values())
