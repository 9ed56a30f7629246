"""Pair interviews through the real runner (``Conversations``) on a real database: the
invitation, a colleague accepting, the letters to the other chat, and what the pair row
holds (``tests/test_pair_flow.py``, ``test_pair_race.py``, ``test_pair_checkins.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.engine.conversation import Conversations
from flows.callbacks import Action, decode, encode
from flows.content.guide import QuestionKind, guide_for
from flows.events import Command, Press
from flows.pair.data import START, PairNeeds, PairView
from flows.replies import Letter, Outcome, Reply
from flows.states import Step
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import PairInterview, Story
from storage.pairs import Pairs
from tests.support.chat import Chat

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


def letters_to(outcome: Outcome | None, chat: int) -> tuple[Reply, ...]:
    """Every message an outcome sends to another person's chat (none: an empty tuple)."""
    assert outcome is not None
    return tuple(r for item in outcome.letters if item.chat_id == chat for r in item.replies)


def deleted_in(replies: tuple[Reply, ...]) -> set[int]:
    """The message ids these replies delete."""
    return {message for reply in replies for message in reply.delete}


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


async def interviewed_by(teller: Chat, asker: Chat) -> int:
    """The teller invites, the asker accepts and is asked the opening question: the pair."""
    payload = await invite(teller, "me")
    opened = await asker.send(Command("start", payload))
    accepted = await asker.send(Press(data_of(opened, Action.PAIR_ACCEPT)))
    assert accepted is not None and accepted.state.step is Step.PAIR_ASKING
    return accepted.state.pair or 0


async def note_all(asker: Chat, pair: int, *, start: int = 0) -> Outcome | None:
    """The asker notes every question from number ``start + 1`` on (typed, or the first
    pick and Done): the last step."""
    noted = None
    for question in EN.questions[start:]:
        if question.kind is QuestionKind.TEXT:
            noted = await asker.say(f"words for {question.key}")
        else:
            option = next(iter(question.options))
            await asker.send(Press(encode(Action.PAIR_TOGGLE, pair, question.key, option)))
            noted = await asker.send(Press(encode(Action.PAIR_DONE, pair, question.key)))
    return noted


async def pair_rows(database: Database) -> list[PairInterview]:
    async with database.transaction() as session:
        return list(await session.scalars(select(PairInterview)))


async def stories_in(database: Database) -> int:
    """How many stories are stored, of anyone."""
    async with database.transaction() as session:
        return len(list(await session.scalars(select(Story.id))))


async def pair_seen(
    database: Database, cipher: TextCipher, person: int, pair: int, now: datetime
) -> PairView:
    """The pair row as one of its people sees it at ``now`` (answers decrypted)."""
    async with database.transaction() as session:
        found = await Pairs(session, cipher).view(person, PairNeeds(pair_id=pair), now)
    assert found is not None
    return found
