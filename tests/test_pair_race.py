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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Race:
    """Bob interviews Alice (``interviewed_by``) on the real runner; ``first`` names whose
    step commits first when both run at once."""

    alice: Chat
    bob: Chat
    pair: int
    ann: int  # Alice's person id (the person interviewed)
    ben: int  # Bob's (the interviewer)
    first: str
    database_url: str
    monkeypatch: pytest.MonkeyPatch

    @property
    def second(self) -> int:
        """The person id of the one whose step comes second."""
        return self.ann if self.first == "interviewer" else self.ben


@pytest.fixture(params=["interviewer", "interviewed"])
async def race(
    request: pytest.FixtureRequest,
    database: Database,
    database_url: str,
    cipher: TextCipher,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Race:
    conversations = runner(database, cipher, clock)
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)  # Bob asks, Alice tells
    ann, ben = await person_id(database, ALICE), await person_id(database, BOB)
    return Race(alice, bob, pair, ann, ben, request.param, database_url, monkeypatch)


async def at_once(
    race: Race, interviewer: Step, interviewed: Step
) -> tuple[Outcome, Outcome, Rendezvous | None]:
    """Run both people's steps at the same moment, ``race.first``'s leading; the outcomes
    as (the interviewer's, the interviewed's)."""
    steps = {race.ben: interviewer, race.ann: interviewed}
    order = [race.ben, race.ann] if race.first == "interviewer" else [race.ann, race.ben]
    meeting = None
    if race.database_url.startswith("postgresql"):
        meeting = Rendezvous(order[0])
        meeting.install(race.monkeypatch)
    leading = asyncio.create_task(steps[order[0]]())
    if meeting is not None:
        leading.add_done_callback(lambda _: meeting.first_done.set())
    following = asyncio.create_task(steps[order[1]]())
    await asyncio.gather(leading, following)
    race.monkeypatch.undo()
    by_interviewer, by_interviewed = (
        (leading.result(), following.result())
        if race.first == "interviewer"
        else (following.result(), leading.result())
    )
    assert by_interviewer is not None and by_interviewed is not None
    return by_interviewer, by_interviewed, meeting


def retried(meeting: Rendezvous | None, race: Race) -> None:
    """On PostgreSQL the one who came second read the pair again (its version was stale)."""
    if meeting is not None:
        assert meeting.readings[race.second] == 2, "decided again on the partner's change"


def texts(outcome: Outcome) -> list[str]:
    return [reply.text for reply in outcome.replies if not reply.delete]


async def test_an_answer_noted_while_the_person_interviewed_stops(
    race: Race, database: Database
) -> None:
    typed = 1  # the message id of Bob's answer (his first message)
    noted, stopped, meeting = await at_once(
        race, lambda: race.bob.say(OPENING), lambda: race.alice.send(Command("stop"))
    )

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
        assert bool(to_ann) == (race.first == "interviewer")
        retried(meeting, race)


async def test_a_pick_noted_while_the_person_interviewed_corrects(
    race: Race, database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    pair = race.pair
    await race.bob.say(OPENING)
    await race.alice.send(Press(encode(Action.PAIR_CORRECT, pair, "change")))
    ticked, corrected, meeting = await at_once(
        race,
        lambda: race.bob.send(Press(encode(Action.PAIR_TOGGLE, pair, "how", "feedback"))),
        lambda: race.alice.say(CORRECTED),
    )

    seen = await pair_seen(database, cipher, race.ann, pair, clock.now)
    assert seen.status is PairStatus.ASKING and seen.question == "how"
    assert seen.answers["change"].text == CORRECTED, "the correction is kept"
    assert seen.answers["how"].choices == ("feedback",), "and so is the pick, once"
    assert [r.text for r in letters_to(corrected, BOB.chat_id or 0)] == [
        PAIR.corrected_note.format(title=EN.opening.title)
    ]
    labels = [button.label for reply in ticked.replies for row in reply.buttons for button in row]
    assert "✅ Feedback" in labels, "the interviewer sees the pick"
    retried(meeting, race)


async def test_the_interviewer_stops_while_the_story_is_saved(
    race: Race, database: Database
) -> None:
    notes = await note_all(race.bob, race.pair)
    save = data_of(letter_to(notes, ALICE.chat_id or 0), Action.PAIR_SAVE)
    stopped, saved, meeting = await at_once(
        race, lambda: race.bob.send(Command("stop")), lambda: race.alice.send(Press(save))
    )

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
        assert (texts(stopped) == [PAIR.nothing_to_stop]) == (race.first == "interviewed")
        retried(meeting, race)
