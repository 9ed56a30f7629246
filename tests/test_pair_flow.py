"""The pair interview through the real runner on a real database (both kinds): the roles
the other way round (the inviter asks), a correction on the card, swapping roles after a
saved story (from either side), letters in the partner's language, /forget in the middle
on either side, an invitation that expires and is deleted by retention, and a tip for
every question in every language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.jobs.retention import RetentionJob
from flows.callbacks import Action, encode
from flows.content.guide import QuestionKind, guide_for, guides
from flows.events import Command, Edited, Press
from flows.pair.data import LIFETIME, START, PairStatus
from flows.policy import Retention
from flows.replies import ForgetPerson
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import PairInterview, Story
from tests.support.chat import ALICE, BOB, Chat, person_id
from tests.support.outbox import Outbox
from tests.support.pair_runner import (
    EN,
    NL,
    data_of,
    deleted_in,
    interviewed_by,
    invite,
    letter_to,
    letters_to,
    note_all,
    pair_rows,
    pair_seen,
    runner,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock


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


async def test_the_interviewer_swaps_after_the_saved_story_and_tells_his_own(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)  # Alice tells, Bob asks
    card = letter_to(await note_all(bob, pair), ALICE.chat_id or 0)
    saved = await alice.send(Press(data_of(card, Action.PAIR_SAVE)))
    thanks = letter_to(saved, BOB.chat_id or 0)
    assert thanks.replies[0].text == EN.pair.saved_note

    swapped = await bob.send(Press(data_of(thanks, Action.PAIR_SWAP)))  # "Now you interview me"
    assert swapped is not None and swapped.state.step is Step.IDLE, "he tells: he waits"
    assert [(r.text, r.edit) for r in swapped.replies] == [(EN.pair.being_asked, True)]
    ready = letter_to(swapped, ALICE.chat_id or 0)
    assert ready.replies[0].text == EN.pair.swap_ready, "not “accepted your invitation”"
    late = await alice.send(Press(data_of(saved, Action.PAIR_SWAP)))  # hers, pressed after
    assert late is not None and late.notice == EN.pair.swapped and not late.replies
    asked = await alice.send(Press(data_of(ready, Action.PAIR_START)))
    assert asked is not None and asked.state.step is Step.PAIR_ASKING
    assert asked.replies[-1].text.startswith("Question 1 of 7")

    his_card = letter_to(await note_all(alice, pair), BOB.chat_id or 0)
    await bob.send(Press(data_of(his_card, Action.PAIR_SAVE)))
    async with database.transaction() as session:
        owners = sorted(await session.scalars(select(Story.person_id)))
        [row] = list(await session.scalars(select(PairInterview)))
    ann, ben = await person_id(database, ALICE), await person_id(database, BOB)
    assert owners == sorted([ann, ben]), "one story each, each the teller's"
    assert row.status == PairStatus.DONE.value and not row.inviter_tells
    assert row.answers_encrypted is None


@pytest.mark.parametrize("who", ["interviewed", "interviewer"])
async def test_forgetting_in_the_middle_tells_the_partner_and_deletes_the_copies(
    database: Database, cipher: TextCipher, clock: FakeClock, who: str
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    await interviewed_by(alice, bob)  # Alice tells, Bob asks
    await bob.say("Chairing the weekly meeting")  # message 1 of his chat holds her answer
    leaving, staying = (alice, BOB) if who == "interviewed" else (bob, ALICE)
    await leaving.send(Command("forget"))
    gone = await leaving.send(Press(encode(Action.FORGET_YES, "0")))
    assert gone is not None and any(isinstance(e, ForgetPerson) for e in gone.effects)
    told = letters_to(gone, staying.chat_id or 0)
    assert told[-1].text == EN.pair.stopped_note
    bobs_chat = told if who == "interviewed" else gone.replies
    assert deleted_in(tuple(bobs_chat)) == {1}, "the interviewer's copies go"
    assert await pair_rows(database) == []


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


async def test_an_edited_note_is_answered_and_changes_nothing(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    """The interviewer edits the message he noted: the note keeps what was sent, he is
    told that the one who tells can correct it, and the interview goes on."""
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)
    noted = await bob.say("Chairing the Monday meeting")
    assert noted is not None and noted.state.step is Step.PAIR_ASKING
    edited = await bob.send(Edited("Something else entirely", 1))
    assert edited is not None and edited.state == noted.state
    assert [r.text for r in edited.replies] == [EN.pair.edit_not_noted]
    assert not edited.letters, "the one who tells hears nothing of it"
    seen = await pair_seen(database, cipher, await person_id(database, ALICE), pair, clock.now)
    assert seen.answers[EN.opening.key].text == "Chairing the Monday meeting"
