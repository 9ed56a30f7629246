"""Answers longer than one Telegram message in a pair interview (``flows.pair.parts``):
Telegram's apps send them as parts, one right after another. Through the real runner on
both databases (the window in simulated time), and once through the fake Bot API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from flows.callbacks import Action, encode
from flows.events import Press
from flows.render import MESSAGE_LIMIT
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.chat import ALICE, BOB, Chat, person_id
from tests.support.fake_telegram import FakeTelegram
from tests.support.pair_runner import (
    EN,
    deleted_in,
    interviewed_by,
    letter_to,
    letters_to,
    note_all,
    pair_seen,
    runner,
)
from tests.support.pair_steps import PAIR, accept, invitation, message, question
from tests.support.telegram import TOKEN, bot_settings, running_bot

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

PART = ("Chairing the Zwaluw meeting in French, which I dreaded at first. " * 70)[:MESSAGE_LIMIT]
REST = "and writing the Kwikstaart minutes afterwards."


def words(*texts: str) -> list[str]:
    """The words of these messages, however they were split between messages."""
    return " ".join(texts).split()


async def test_the_interviewers_long_note_in_parts_is_one_answer(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)  # Bob asks, Alice tells
    ann = await person_id(database, ALICE)
    first = await bob.say(PART)  # message 1
    assert first is not None and first.state.question == "how"
    clock.advance(seconds=2)
    second = await bob.say(PART)  # message 2: also full, so a third may follow
    clock.advance(seconds=2)
    third = await bob.say(REST)  # message 3
    assert third is not None and [r.text for r in third.replies] == [PAIR.part_added]
    assert third.state.step is Step.PAIR_ASKING and third.state.question == "how", "Q2 waits"
    noted = letters_to(third, ALICE.chat_id or 0)
    whole = f"Noted · {EN.opening.title}\n{PART}\n{PART}\n{REST}"
    assert words(*(r.text for r in noted)) == words(whole), "she sees it whole, nothing cut"
    assert [bool(r.buttons) for r in noted] == [False] * (len(noted) - 1) + [True]
    assert second is not None and letters_to(second, ALICE.chat_id or 0)
    seen = await pair_seen(database, cipher, ann, pair, clock.now)
    assert seen.answers["change"].text == f"{PART}\n{PART}\n{REST}"
    assert "how" not in seen.answers

    clock.advance(seconds=11)  # later words answer the question asked
    await bob.send(Press(encode(Action.PAIR_TOGGLE, pair, "how", "feedback")))
    said = await bob.say("watching Ana")
    assert said is not None and said.replies[0].text == PAIR.words_added
    seen = await pair_seen(database, cipher, ann, pair, clock.now)
    assert seen.answers["how"].text == "watching Ana"
    assert seen.answers["change"].text.endswith(REST)

    await bob.send(Press(encode(Action.PAIR_DONE, pair, "how")))
    last = await note_all(bob, pair, start=2)
    assert last is not None and last.replies[-1].text == PAIR.handed_over
    assert {1, 2, 3} <= deleted_in(last.replies), "every part leaves his chat"


async def test_a_long_correction_in_parts_is_one_answer(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)
    ann = await person_id(database, ALICE)
    letter_to(await note_all(bob, pair), ALICE.chat_id or 0)  # the card is hers to confirm
    await alice.send(Press(encode(Action.PAIR_CORRECT, pair, "change")))
    await alice.say(PART)
    clock.advance(seconds=3)
    joined = await alice.say(REST)
    assert joined is not None and joined.replies[0].text == EN.texts.answer_continued
    shown = [r.text for r in joined.replies[1:-1]]  # her answer, whole; then the card
    whole = f"Changed ✓ · {EN.opening.title}\n{PART}\n{REST}"
    assert words(*shown) == words(whole) and joined.replies[-1].text.endswith(PAIR.review)
    assert not joined.letters, "the interviewer was told of the change once already"
    seen = await pair_seen(database, cipher, ann, pair, clock.now)
    assert seen.answers["change"].text == f"{PART}\n{REST}"
    clock.advance(seconds=11)
    later = await alice.say("hello")  # no longer part of it
    assert later is not None and not any(REST in r.text for r in later.replies)
    seen = await pair_seen(database, cipher, ann, pair, clock.now)
    assert seen.answers["change"].text == f"{PART}\n{REST}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_parts_through_telegram_reach_the_one_interviewed_whole(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)):
            ann, ben = tg.user(5801, "Ann", language_code="en"), tg.user(5802, "Ben")
            await accept(ben, await invitation(ann, PAIR.me_tell))
            await question(ben, 1)
            await ben.send(PART)  # what the app sends for one long text: two messages
            await ben.send(REST)
            await question(ben, 2)
            await message(ben, PAIR.part_added)
            await tg.wait_until_idle()
            texts = [m.text or "" for m in ann.messages]
            last = max(i for i, text in enumerate(texts) if text.startswith("Noted"))
            whole = f"Noted · {EN.opening.title}\n{PART}\n{REST}"
            assert words(*texts[last:]) == words(whole), "the joined answer, whole"
            assert [label for label, _ in ann.messages[-1].buttons] == [PAIR.correct]
        tg.assert_no_violations()
