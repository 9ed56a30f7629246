"""Fakes and helpers for the nudge dispatcher tests (``test_nudge_dispatch*.py``).

People set their check-ins up through the real runner (``/settings`` and a time-zone
button): :func:`enrol`. The dispatcher's ``tick()`` runs against a ``FakeClock`` that the
tests move on by hand, and a fake sender (:class:`Outbox`) that records what would have
gone to Telegram, or raises Telegram's errors. Sleeping inside the dispatcher (Telegram's
retry_after, network backoff) is recorded by :class:`Sleeps` instead of waited for.

The fixtures built on these are in ``nudge_dispatch_fixtures.py``.
"""

from __future__ import annotations

import asyncio
import time as real_time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from bot.engine.conversation import Conversations, Speaker
from bot.jobs.checkins import DispatchLimits, NudgeDispatcher, TickReport
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.replies import Outcome, SaveNudgeRule
from flows.states import State, Step, StoryKind
from storage.database import Database
from storage.models import NudgeSchedule, Person
from storage.repositories import People

if TYPE_CHECKING:
    from tests.conftest import FakeClock

EN = guide_for("en")
CHECKIN_PROMPTS = {
    EN.questionnaire(StoryKind.CHECKIN).opening.prompt,
    *EN.questionnaire(StoryKind.CHECKIN).opening.variants,
}
SLOWED = EN.checkin.texts.slowed_down.format(rhythm=EN.settings.rhythm_biweekly)
FAST = DispatchLimits(per_second=1000.0, lease=timedelta(minutes=5))
ANN = Speaker("telegram", 1001, 1001, "en")
# The conftest clock starts on Monday 2 March 2026, 09:00 UTC. Tuesdays at 10:00 local:
TUESDAY_AMSTERDAM = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # CET, UTC+1


# Claims, leases and what the flows store run on both databases (here and in
# test_nudge_store.py); error handling and timing, which do not depend on it, on SQLite.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# The dispatcher reads RetryAfter.retry_after, which PTB 22 (without PTB_TIMEDELTA) warns about.
RETRY_AFTER_WARNING = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- fakes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One nudge that reached the fake Telegram."""

    chat_id: int
    text: str
    buttons: tuple[str, ...]
    data: tuple[str, ...]
    at: datetime


@dataclass
class Outbox:
    """The fake sender: records (chat id, text) and raises errors scripted per chat."""

    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)
    errors: dict[int, list[Exception]] = field(default_factory=dict)
    sent_monotonic: list[float] = field(default_factory=list)

    def fail(self, chat_id: int, *errors: Exception) -> None:
        """The next sends to this chat raise these errors, in order."""
        self.errors.setdefault(chat_id, []).extend(errors)

    async def __call__(self, chat_id: int, outcome: Outcome) -> None:
        self.attempts.append(chat_id)
        await asyncio.sleep(0)
        queued = self.errors.get(chat_id)
        if queued:
            raise queued.pop(0)
        [reply] = outcome.replies
        buttons = [button for row in reply.buttons for button in row]
        labels = tuple(button.label for button in buttons)
        data = tuple(button.data for button in buttons)
        self.sent.append(Sent(chat_id, reply.text, labels, data, self.clock()))
        self.sent_monotonic.append(real_time.monotonic())

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class Sleeps:
    """Stands in for the dispatcher module's ``asyncio``: records sleeps, does not wait."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)
        await asyncio.sleep(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


class NoPacing:
    """A pacer that never waits (pacing has tests of its own)."""

    async def wait(self, chat_id: int) -> None:
        await asyncio.sleep(0)

    def sent(self, chat_id: int) -> None:
        pass


def dispatcher_for(
    conversations: Conversations, outbox: Outbox, limits: DispatchLimits = FAST
) -> NudgeDispatcher:
    dispatcher = NudgeDispatcher(conversations, outbox, limits)
    dispatcher.pacer = NoPacing()  # type: ignore[assignment]
    return dispatcher


# --- helpers --------------------------------------------------------------------------


def speaker(number: int) -> Speaker:
    return Speaker("telegram", number, number, "en")


async def enrol(
    conversations: Conversations, who: Speaker = ANN, zone: str = "Europe/Amsterdam"
) -> int:
    """/settings, then the time-zone button: the default rule, Tuesdays at 10:00 local."""
    shown = await conversations.handle(who, Command("settings"))
    assert shown is not None and shown.state.step is Step.SETTINGS_ZONE
    saved = await conversations.handle(who, Press(encode(Action.SET_ZONE, zone)))
    assert saved is not None and any(isinstance(e, SaveNudgeRule) for e in saved.effects)
    return await person_id(conversations.database, who)


async def person_id(database: Database, who: Speaker) -> int:
    async with database.transaction() as session:
        person = await People(session).find(who.channel, who.external_id)
        assert person is not None
        return person.id


async def schedule_row(database: Database, person: int) -> NudgeSchedule:
    async with database.transaction() as session:
        row = await session.get(NudgeSchedule, person)
        assert row is not None
        return row


async def step_of(database: Database, person: int) -> Step:
    async with database.transaction() as session:
        stored = await session.get(Person, person)
        assert stored is not None
        return State.from_json(stored.state).step


async def run_until(
    dispatcher: NudgeDispatcher, clock: FakeClock, end: datetime, step: timedelta
) -> TickReport:
    """Tick every ``step`` of simulated time up to and including ``end``; sum the reports."""
    total = TickReport()
    while True:
        report = await dispatcher.tick()
        for name, value in vars(report).items():
            setattr(total, name, getattr(total, name) + value)
        if clock.now >= end:
            return total
        clock.now = min(clock.now + step, end)


def is_nudge(sent: Sent) -> bool:
    question = sent.text.split("\n\n")[-2:-1]  # between the greeting and the hint to type
    return question[0] in CHECKIN_PROMPTS and sent.buttons == (
        EN.checkin.texts.later_today,
        EN.checkin.texts.tomorrow,
        EN.checkin.texts.skip_nudge,
    )
