"""Helpers for the check-in dispatcher tests (``test_checkin_dispatch*.py``, repeats).

People set their check-ins up through the real runner (``/settings`` and a time-zone
button): :func:`enrol`. The dispatcher's ``tick()`` runs against a ``FakeClock`` that the
tests move on by hand, and sends to an ``Outbox`` (``tests.support.outbox``) that records
what would have gone to Telegram, or raises Telegram's errors. Its waits (Telegram's
retry_after, network backoff) go to a ``Sleeps`` that records them instead of waiting.

The fixtures built on these (``sleeps``, ``outbox``, ``dispatcher``) are in
``tests.support.fixtures``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from bot.engine.conversation import Conversations, Speaker
from bot.engine.pacing import Pacer, Sleep
from bot.jobs.checkins import CheckinDispatcher, DispatchLimits, TickReport
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.replies import SaveCheckinRule
from flows.states import State, Step, StoryKind
from storage.database import Database
from storage.models import CheckinSchedule, Person
from storage.repositories import People
from tests.support.clock import Sleeps, VirtualTime
from tests.support.outbox import Outbox, Sent

if TYPE_CHECKING:
    from tests.support.clock import FakeClock
    from tests.support.fake_telegram import BotMessage

EN = guide_for("en")
CHECKIN_PROMPTS = {
    EN.questionnaire(StoryKind.CHECKIN).opening.prompt,
    *EN.questionnaire(StoryKind.CHECKIN).opening.variants,
}
CHECKIN_BUTTONS = (
    EN.checkin.texts.later_today,
    EN.checkin.texts.tomorrow,
    EN.checkin.texts.skip_checkin,
)
FOLLOW_UP_BUTTONS = (EN.next_steps.did_it, EN.next_steps.not_yet, EN.next_steps.not_for_me)
SLOWED = EN.checkin.texts.slowed_down.format(rhythm=EN.settings.rhythm_biweekly)
FAST = DispatchLimits(per_second=1000.0, lease=timedelta(minutes=5))
ANN = Speaker("telegram", 1001, 1001, "en")
# The fake clock starts on Monday 2 March 2026, 09:00 UTC. Tuesdays at 10:00 local:
TUESDAY_AMSTERDAM = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # CET, UTC+1


# Claims, leases and what the flows store run on both databases (here and in
# test_checkin_store.py); error handling and timing, which do not depend on it, on SQLite.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# The dispatcher reads RetryAfter.retry_after, which PTB 22 (without PTB_TIMEDELTA) warns about.
RETRY_AFTER_WARNING = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def dispatcher_for(
    conversations: Conversations,
    outbox: Outbox,
    limits: DispatchLimits = FAST,
    sleep: Sleep | None = None,
) -> CheckinDispatcher:
    """A dispatcher that sends to ``outbox`` and never waits: its pacer runs on virtual
    time (pacing has tests of its own) and its other waits go to ``sleep``."""
    dispatcher = CheckinDispatcher(conversations, outbox, limits, sleep or Sleeps())
    virtual = VirtualTime()
    dispatcher.pacer = Pacer(
        limits.per_second, limits.chat_gap, sleep=virtual.sleep, clock=virtual.monotonic
    )
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
    assert saved is not None and any(isinstance(e, SaveCheckinRule) for e in saved.effects)
    return await person_id(conversations.database, who)


async def person_id(database: Database, who: Speaker) -> int:
    async with database.transaction() as session:
        person = await People(session).find(who.channel, who.external_id)
        assert person is not None
        return person.id


async def schedule_row(database: Database, person: int) -> CheckinSchedule:
    async with database.transaction() as session:
        row = await session.get(CheckinSchedule, person)
        assert row is not None
        return row


async def step_of(database: Database, person: int) -> Step:
    async with database.transaction() as session:
        stored = await session.get(Person, person)
        assert stored is not None
        return State.from_json(stored.state).step


async def run_until(
    dispatcher: CheckinDispatcher, clock: FakeClock, end: datetime, step: timedelta
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


def is_checkin(message: Sent | BotMessage) -> bool:
    """A check-in in English: one of its questions between the greeting and the hint to
    type, under the buttons for later today, tomorrow and skip (sent, or in a fake chat)."""
    if isinstance(message, Sent):
        labels = message.buttons
    else:
        labels = tuple(label for label, _ in message.buttons)
    question = (message.text or "").split("\n\n")[-2:-1]  # between greeting and hint
    return bool(question) and question[0] in CHECKIN_PROMPTS and labels == CHECKIN_BUTTONS


def is_follow_up(message: BotMessage, step: str) -> bool:
    """A check-in in English that first asks about the open next step ``step``: the greeting
    and "Last time: ... Did it happen?", under did it, not yet, not for me, then the
    check-in's own buttons."""
    asked = f"{EN.checkin.texts.checkin_greeting}\n\n{EN.next_steps.follow_up.format(step=step)}"
    labels = tuple(label for label, _ in message.buttons)
    return message.text == asked and labels == (*FOLLOW_UP_BUTTONS, *CHECKIN_BUTTONS)
