"""A check-in asked again because its sending was never recorded: a marked reminder.

A sender that dies between sending a check-in and recording it leaves its claim
(``claimed_until``) to run out; the next claim asks again. That repeat says it is a
reminder and asks the very same question, even when it is moved to the next morning;
a check-in known not to have arrived (the network failed) is asked as before. First
through ``flows.dialogue`` (``checkin_harness``), then with the real dispatcher.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

import pytest
from telegram.error import NetworkError

from bot.engine.conversation import Conversations
from bot.jobs.checkins import CheckinDispatcher
from flows.callbacks import Action, encode
from flows.checkins.due import phrasing, undelivered
from flows.events import CheckinDue, Press
from flows.replies import SetNextCheckin
from flows.states import State, Step, StoryKind
from tests.support.checkin_harness import (
    RULE,
    CheckinPerson,
    CheckinWorld,
    assert_checkin,
    checkin_prompts,
    local,
)
from tests.support.dispatch import (
    ANN,
    EN,
    FAST,
    SQLITE_ONLY,
    TUESDAY_AMSTERDAM,
    dispatcher_for,
    enrol,
    is_checkin,
    schedule_row,
    utc,
)
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

C = EN.checkin.texts
PROMPTS = checkin_prompts()


# The whole dialogue; everybody here has the default check-in settings in Amsterdam.
pytestmark = pytest.mark.dialogue(scheduled=True)


def reminder_of(text: str, reminder: str = C.reminder) -> str:
    """A check-in asked again: the reminder line instead of the greeting, the rest as before."""
    return "\n\n".join([reminder, *text.split("\n\n")[1:]])


def question_of(text: str) -> str:
    """The question of a check-in's message (the part before the hint to type)."""
    return text.split("\n\n")[-2]


# --- the flow -------------------------------------------------------------------------------


def test_a_check_in_asked_again_before_it_was_recorded_is_a_marked_reminder(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    first = person.send(CheckinDue())  # decided and perhaps sent; the sender died before recording
    asked = world.now
    world.advance(minutes=5, seconds=1)  # its lease ran out: the dispatcher decides again
    again = person.send(CheckinDue())
    reply = assert_checkin(again, world.now)
    assert reply.text == reminder_of(first.replies[0].text)
    assert again.state == State(step=Step.CHECKIN_ASKED, asked_at=asked)
    person.mark_sent()
    following = person.due_at_next()
    asked = assert_checkin(following, person.world.now).text
    assert asked.startswith(C.checkin_greeting), "a new check-in again"


def test_a_reminder_carries_what_the_first_one_said(person: CheckinPerson) -> None:
    for _ in range(3):
        person.due_at_next()
    assert person.checkin is not None and person.checkin.next_at is not None
    person.world.now = person.checkin.next_at
    first = person.send(CheckinDue())
    slowed = C.slowed_down.format(rhythm=EN.settings.rhythm_biweekly)
    assert first.replies[0].text.split("\n\n")[1] == slowed
    person.world.advance(minutes=6)
    again = person.send(CheckinDue())
    assert again.replies[0].text == reminder_of(first.replies[0].text)
    assert again.effects == first.effects  # the slower rhythm still waits for the delivery


def test_a_reminder_moved_to_the_next_morning_asks_the_same_question(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    rule = replace(RULE, weekend=frozenset(), at=time(21))
    person.set_schedule(rule)
    world.now = local(date(2026, 3, 7), 21)
    first = person.send(CheckinDue())  # never recorded
    world.advance(minutes=5, seconds=1)  # 21:05 is too late for the repeat
    moved = person.send(CheckinDue())
    assert moved.replies == ()
    assert moved.effects == (SetNextCheckin(local(date(2026, 3, 8), 7)),)
    world.now = local(date(2026, 3, 8), 7)
    again = person.send(CheckinDue())
    assert again.replies[0].text == reminder_of(first.replies[0].text)
    opening = EN.questionnaire(StoryKind.CHECKIN).opening
    fresh = phrasing(opening, rule, world.now)
    assert fresh != question_of(first.replies[0].text), "not a fresh phrasing"


def test_a_check_in_that_never_arrived_is_asked_afresh(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    first = person.send(CheckinDue())
    person.state = undelivered(person.state)  # Telegram refused it or the network failed
    world.advance(minutes=6)
    again = person.send(CheckinDue())
    assert again.replies[0].text == first.replies[0].text
    assert again.state == State(step=Step.CHECKIN_ASKED, asked_at=world.now)


def test_a_dutch_reminder(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    person.set_schedule(RULE)
    first = person.send(CheckinDue())
    world.advance(minutes=6)
    again = person.send(CheckinDue())
    reminder = "Een herinnering, voor het geval mijn vorige bericht je niet bereikte:"
    assert again.replies[0].text == reminder_of(first.replies[0].text, reminder)


# --- the dispatcher -------------------------------------------------------------------------


def dies_before_recording(
    conversations: Conversations, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> CheckinDispatcher:
    """A dispatcher whose process dies right after sending: nothing is recorded."""
    dispatcher = dispatcher_for(conversations, outbox)

    async def never(*_: object) -> None:
        return None

    monkeypatch.setattr(dispatcher, "_record", never)
    return dispatcher


async def test_a_check_in_resent_after_its_lease_is_a_marked_reminder(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM
    dead = dies_before_recording(conversations, outbox, monkeypatch)
    assert (await dead.tick()).sent == 1
    row = await schedule_row(conversations.database, person)
    # The claim was never given back: a later claim is a second try.
    assert (row.claimed_until, row.last_checkin_at) == (TUESDAY_AMSTERDAM + FAST.lease, None)

    clock.now = TUESDAY_AMSTERDAM + FAST.lease - timedelta(seconds=1)
    assert (await dispatcher.tick()).claimed == 0, "the claim still holds"
    clock.now = TUESDAY_AMSTERDAM + FAST.lease + timedelta(seconds=1)
    assert (await dispatcher.tick()).sent == 1
    first, again = outbox.sent
    assert is_checkin(first) and question_of(first.text) in PROMPTS
    assert again.text == reminder_of(first.text)
    assert is_checkin(again) and again.buttons == first.buttons
    row = await schedule_row(conversations.database, person)
    assert (row.last_checkin_at, row.unanswered, row.claimed_until) == (clock.now, 1, None)

    clock.now = TUESDAY_AMSTERDAM + timedelta(weeks=1)
    assert (await dispatcher.tick()).sent == 1
    assert outbox.sent[-1].text.startswith(C.checkin_greeting), "next week's is a new one"


@SQLITE_ONLY
async def test_a_repeat_moved_to_the_morning_is_still_a_reminder(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = await enrol(conversations)
    saved = await conversations.handle(ANN, Press(encode(Action.SET_TIME, "2100")))
    assert saved is not None
    slot = utc(2026, 3, 3, 20, 0)  # Tuesday 21:00 in Amsterdam
    assert (await schedule_row(conversations.database, person)).next_checkin_at == slot
    clock.now = slot
    assert (await dies_before_recording(conversations, outbox, monkeypatch).tick()).sent == 1
    clock.now = slot + FAST.lease + timedelta(seconds=1)  # 21:05: too late to ask again
    report = await dispatcher.tick()
    assert (report.claimed, report.moved, report.sent) == (1, 1, 0)
    morning = utc(2026, 3, 4, 6, 0)  # Wednesday 07:00
    row = await schedule_row(conversations.database, person)
    assert (row.next_checkin_at, row.claimed_until) == (morning, None)
    clock.now = morning
    assert (await dispatcher.tick()).sent == 1
    first, again = outbox.sent
    assert again.text == reminder_of(first.text)


@SQLITE_ONLY
async def test_after_a_network_failure_the_retry_is_no_reminder(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM
    outbox.fail(ANN.chat_id or 0, *[NetworkError("down") for _ in range(FAST.network_retries + 1)])
    assert (await dispatcher.tick()).failed == 1
    assert outbox.sent == []
    clock.now += FAST.lease + timedelta(seconds=1)
    assert (await dispatcher.tick()).sent == 1
    [sent] = outbox.sent
    assert sent.text.startswith(C.checkin_greeting), "nothing arrived before: a new check-in"
