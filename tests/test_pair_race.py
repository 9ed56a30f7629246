"""Two people of a pair interview acting at the same moment, through the real runner on
both databases: the interviewer notes an answer while the person interviewed stops, or
corrects another answer; the interviewer stops while the person interviewed saves.

On PostgreSQL the two steps really overlap: both read the pair row before either
writes (``Rendezvous``), then the one named first commits and the other finds its
version stale, is decided again on what the first did, and gets a kind answer. SQLite
lets one writer in at a time, so there the second simply comes after the first. Either
way nothing is lost, nothing is doubled, and the interviewer's chat keeps no answer.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from flows.callbacks import Action, encode
from flows.events import Command, Press
from flows.pair.data import PairNeeds, PairStatus, PairView
from flows.replies import Outcome
from storage.pairs import Pairs
from tests.support.chat import ALICE, BOB, Chat, person_id
from tests.support.pair_runner import (
    EN,
    data_of,
    deleted_in,
    interviewed_by,
    letter_to,
    letters_to,
    note_all,
    pair_rows,
    pair_seen,
    runner,
    stories_in,
)

if TYPE_CHECKING:
    from storage.crypto import TextCipher
    from storage.database import Database
    from tests.support.clock import FakeClock

PAIR = EN.pair
OPENING = "Chairing the Zwaluw meeting"
CORRECTED = "Chairing it in my own calm way"
FIRST = pytest.mark.parametrize("first", ["interviewer", "interviewed"])


class Rendezvous:
    """Holds each person's first reading of the pair until both have read it, then lets
    ``first`` decide, write and commit before the other goes on (PostgreSQL only: SQLite
    lets no second writer begin meanwhile). Counts every reading per person."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.both_read = asyncio.Barrier(2)
        self.first_done = asyncio.Event()
        self.readings: Counter[int] = Counter()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = Pairs.view

        async def view(
            pairs: Pairs, person: int, needs: PairNeeds, now: datetime
        ) -> PairView | None:
            found = await original(pairs, person, needs, now)
            self.readings[person] += 1
            if self.readings[person] == 1:
                await asyncio.wait_for(self.both_read.wait(), 20)
                if person != self.first:
                    await asyncio.wait_for(self.first_done.wait(), 20)
            return found

        monkeypatch.setattr(Pairs, "view", view)


Step = Callable[[], Awaitable[Outcome | None]]


async def at_once(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    first: tuple[int, Step],
    second: tuple[int, Step],
) -> tuple[Outcome, Outcome, Rendezvous | None]:
    """Run two people's steps at the same moment; the outcomes in the order given."""
    meeting = None
    if database_url.startswith("postgresql"):
        meeting = Rendezvous(first[0])
        meeting.install(monkeypatch)
    leading = asyncio.create_task(first[1]())
    if meeting is not None:
        leading.add_done_callback(lambda _: meeting.first_done.set())
    following = asyncio.create_task(second[1]())
    one, two = await asyncio.gather(leading, following)
    monkeypatch.undo()
    assert one is not None and two is not None
    return one, two, meeting


def retried(meeting: Rendezvous | None, person: int) -> None:
    """On PostgreSQL the one who came second read the pair again (its version was stale)."""
    if meeting is not None:
        assert meeting.readings[person] == 2, "decided again on the partner's change"


def texts(outcome: Outcome) -> list[str]:
    return [reply.text for reply in outcome.replies if not reply.delete]


@FIRST
async def test_an_answer_noted_while_the_person_interviewed_stops(
    database: Database,
    database_url: str,
    cipher: TextCipher,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    await interviewed_by(alice, bob)  # Bob asks, Alice tells
    ann, ben = await person_id(database, ALICE), await person_id(database, BOB)
    typed = 1  # the message id of Bob's answer (his first message)
    noting = (ben, lambda: bob.say(OPENING))
    stopping = (ann, lambda: alice.send(Command("stop")))
    order = (noting, stopping) if first == "interviewer" else (stopping, noting)
    one, two, meeting = await at_once(database_url, monkeypatch, *order)
    noted, stopped = (one, two) if first == "interviewer" else (two, one)

    assert await pair_rows(database) == [] and await stories_in(database) == 0
    assert texts(stopped) == [PAIR.stopped]
    to_ben = letters_to(stopped, BOB.chat_id or 0)
    assert PAIR.stopped_note in [r.text for r in to_ben]
    # whoever came first, Bob's typed answer does not stay in his chat
    assert typed in deleted_in(noted.replies) | deleted_in(to_ben)
    to_ann = [r.text for r in letters_to(noted, ALICE.chat_id or 0)]
    if to_ann:  # the answer came first: Alice saw it noted, once, then stopped
        assert len(to_ann) == 1 and OPENING in to_ann[0]
        assert texts(noted)[-1].startswith("Question 2 of 7")
    else:  # the stop came first: Bob is told kindly, and his words are deleted
        assert texts(noted) == [PAIR.ended] and deleted_in(noted.replies) == {typed}
    if meeting is not None:
        assert bool(to_ann) == (first == "interviewer")
        retried(meeting, ann if first == "interviewer" else ben)


@FIRST
async def test_a_pick_noted_while_the_person_interviewed_corrects(
    database: Database,
    database_url: str,
    cipher: TextCipher,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)
    ann, ben = await person_id(database, ALICE), await person_id(database, BOB)
    await bob.say(OPENING)
    await alice.send(Press(encode(Action.PAIR_CORRECT, pair, "change")))
    ticking = (ben, lambda: bob.send(Press(encode(Action.PAIR_TOGGLE, pair, "how", "feedback"))))
    correcting = (ann, lambda: alice.say(CORRECTED))
    order = (ticking, correcting) if first == "interviewer" else (correcting, ticking)
    one, two, meeting = await at_once(database_url, monkeypatch, *order)
    ticked, corrected = (one, two) if first == "interviewer" else (two, one)

    seen = await pair_seen(database, cipher, ann, pair, clock.now)
    assert seen.status is PairStatus.ASKING and seen.question == "how"
    assert seen.answers["change"].text == CORRECTED, "the correction is kept"
    assert seen.answers["how"].choices == ("feedback",), "and so is the pick, once"
    assert [r.text for r in letters_to(corrected, BOB.chat_id or 0)] == [
        PAIR.corrected_note.format(title=EN.opening.title)
    ]
    labels = [button.label for reply in ticked.replies for row in reply.buttons for button in row]
    assert "✅ Feedback" in labels, "the interviewer sees the pick"
    if meeting is not None:
        retried(meeting, ann if first == "interviewer" else ben)


@FIRST
async def test_the_interviewer_stops_while_the_story_is_saved(
    database: Database,
    database_url: str,
    cipher: TextCipher,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
) -> None:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)
    ann, ben = await person_id(database, ALICE), await person_id(database, BOB)
    save = data_of(letter_to(await note_all(bob, pair), ALICE.chat_id or 0), Action.PAIR_SAVE)
    stopping = (ben, lambda: bob.send(Command("stop")))
    saving = (ann, lambda: alice.send(Press(save)))
    order = (stopping, saving) if first == "interviewer" else (saving, stopping)
    one, two, meeting = await at_once(database_url, monkeypatch, *order)
    stopped, saved = (one, two) if first == "interviewer" else (two, one)

    if texts(stopped) == [PAIR.nothing_to_stop]:  # saved first: the story is hers, once
        assert await stories_in(database) == 1
        assert texts(saved)[0] == PAIR.saved and not letters_to(stopped, ALICE.chat_id or 0)
        [row] = await pair_rows(database)
        assert row.status == PairStatus.DONE.value and row.answers_encrypted is None
    else:  # stopped first: nothing stored, and the card's button says so kindly
        assert texts(stopped) == [PAIR.stopped] and await stories_in(database) == 0
        assert saved.notice == PAIR.ended and not saved.replies
        assert await pair_rows(database) == []
    if meeting is not None:
        assert (texts(stopped) == [PAIR.nothing_to_stop]) == (first == "interviewed")
        retried(meeting, ann if first == "interviewer" else ben)
