"""The check-in dispatcher in simulated time: who is asked when, and what happens unanswered.

Due checkins go out once at their local slot, overdue ones wait for the allowed hours,
someone in the middle of a story is asked tomorrow, a long queue goes out in batches;
three unanswered checkins slow the rhythm down, and a decided checkin puts the person in the
asked step. Telegram's errors are in ``test_checkin_dispatch_errors.py``, pacing in
``test_checkin_dispatch_pacing.py``; the helpers in ``tests.support.dispatch``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from telegram.error import NetworkError

from bot.engine.conversation import Conversations, Speaker
from bot.jobs.checkins import CheckinDispatcher, DispatchLimits
from flows.callbacks import Action, decode, encode
from flows.checkins.schedule import Rhythm
from flows.events import Command, Press, Text
from flows.states import State, Step
from storage.models import Person
from tests.support.chat import person_id
from tests.support.dispatch import (
    ANN,
    EN,
    FAST,
    SLOWED,
    SQLITE_ONLY,
    TUESDAY_AMSTERDAM,
    dispatcher_for,
    enrol,
    is_checkin,
    run_until,
    schedule_row,
    speaker,
    step_of,
    utc,
)
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

# The fixtures ``sleeps``, ``outbox`` and ``dispatcher``.


# --- when checkins go out ---------------------------------------------------------------


async def test_each_due_checkin_goes_out_once_at_its_slot(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    zones = {  # zone, this Tuesday at 10:00 local and the next one, in UTC
        2001: ("Europe/Amsterdam", utc(2026, 3, 3, 9, 0), utc(2026, 3, 10, 9, 0)),
        2002: ("Asia/Kathmandu", utc(2026, 3, 3, 4, 15), utc(2026, 3, 10, 4, 15)),
        2003: ("America/New_York", utc(2026, 3, 3, 15, 0), utc(2026, 3, 10, 14, 0)),  # EDT
        2004: ("Asia/Tokyo", utc(2026, 3, 3, 1, 0), utc(2026, 3, 10, 1, 0)),
    }
    for number, (zone, _, _) in zones.items():
        await enrol(conversations, speaker(number), zone)
    step = timedelta(hours=1)  # Kathmandu's slot (04:15 UTC) falls between two ticks
    await run_until(dispatcher, clock, clock.now + timedelta(days=7), step)
    assert sorted(s.chat_id for s in outbox.sent) == sorted(zones), "one checkin each"
    for number, (_, slot, next_slot) in zones.items():
        [sent] = outbox.to(number)
        assert slot <= sent.at < slot + step
        assert is_checkin(sent)
        person = await person_id(conversations.database, speaker(number))
        row = await schedule_row(conversations.database, person)
        assert row.next_checkin_at == next_slot
        assert (row.last_checkin_at, row.unanswered, row.claimed_until) == (sent.at, 1, None)


@SQLITE_ONLY
async def test_nothing_goes_out_before_it_is_due(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    await enrol(conversations)
    assert (await dispatcher.tick()).claimed == 0
    clock.now = TUESDAY_AMSTERDAM - timedelta(seconds=1)
    assert (await dispatcher.tick()).claimed == 0
    assert outbox.attempts == []
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (1, 1)
    assert len(outbox.sent) == 1
    assert (await dispatcher.tick()).claimed == 0
    clock.advance(hours=12)
    assert (await dispatcher.tick()).claimed == 0
    assert len(outbox.sent) == 1


async def test_after_five_weeks_of_downtime_one_checkin_not_five(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    clock.advance(weeks=5)  # Monday 6 April, 11:00 in Amsterdam (CEST)
    for _ in range(3):
        await dispatcher.tick()
    assert len(outbox.sent) == 1 and outbox.sent[0].at == clock.now
    row = await schedule_row(conversations.database, person)
    assert row.next_checkin_at == utc(2026, 4, 14, 8, 0), "a week on, Tuesday 10:00 CEST"
    await run_until(dispatcher, clock, utc(2026, 4, 14, 7, 59), timedelta(hours=1))
    assert len(outbox.sent) == 1


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("landing", "morning"),
    [
        (utc(2026, 4, 7, 21, 0), utc(2026, 4, 8, 5, 0)),  # Tuesday 23:00 -> Wednesday 07:00
        (utc(2026, 4, 8, 4, 0), utc(2026, 4, 8, 5, 0)),  # Wednesday 06:00 -> 07:00
        (utc(2026, 4, 10, 21, 0), utc(2026, 4, 13, 5, 0)),  # Friday 23:00 -> Monday 07:00
    ],
    ids=["late-evening", "early-morning", "before-the-weekend"],
)
async def test_an_overdue_checkin_waits_for_allowed_hours(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    landing: datetime,
    morning: datetime,
) -> None:
    person = await enrol(conversations)
    clock.now = landing
    report = await dispatcher.tick()
    assert (report.claimed, report.moved, report.sent) == (1, 1, 0)
    assert outbox.attempts == []
    row = await schedule_row(conversations.database, person)
    assert (row.next_checkin_at, row.claimed_until) == (morning, None)
    await run_until(dispatcher, clock, morning - timedelta(seconds=1), timedelta(minutes=30))
    assert outbox.attempts == []
    clock.now = morning
    await dispatcher.tick()
    await dispatcher.tick()
    assert [s.at for s in outbox.sent] == [morning]


async def test_someone_in_the_middle_of_a_story_is_asked_tomorrow(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM - timedelta(hours=1)
    started = await conversations.handle(ANN, Command("reflect"))
    assert started is not None and started.state.step is Step.QUESTION
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.moved, report.sent) == (1, 1, 0)
    assert outbox.attempts == []
    row = await schedule_row(conversations.database, person)
    assert row.next_checkin_at == TUESDAY_AMSTERDAM + timedelta(days=1)
    assert await step_of(conversations.database, person) is Step.QUESTION, "the story goes on"
    assert (await dispatcher.tick()).claimed == 0
    # Holding the check-in back is not the person acting: a day later the story is left.
    clock.now = TUESDAY_AMSTERDAM + timedelta(days=1)
    assert (await dispatcher.tick()).sent == 1
    assert [s.at for s in outbox.sent] == [clock.now] and is_checkin(outbox.sent[0])


@pytest.mark.parametrize("step", ["reflect", "review", "settings"])
async def test_a_draft_left_13_hours_ago_no_longer_holds_the_checkin_back(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    step: str,
) -> None:
    person = await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM - timedelta(hours=13)  # Monday 21:00 in Amsterdam
    left = await leave_half_way(conversations, step)
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (1, 1)
    assert [s.at for s in outbox.sent] == [TUESDAY_AMSTERDAM] and is_checkin(outbox.sent[0])
    assert await step_of(conversations.database, person) is Step.CHECKIN_ASKED
    async with conversations.database.transaction() as session:
        stored = await session.get(Person, person)
        assert stored is not None
        assert State.from_json(stored.state).draft_id == left.draft_id, "the draft is kept"
        assert stored.updated_at == TUESDAY_AMSTERDAM - timedelta(hours=13), "not an act"


async def leave_half_way(conversations: Conversations, step: str) -> State:
    """Start a story (or a settings page) and leave it there; the state it was left in."""
    if step == "settings":
        shown = await conversations.handle(ANN, Press(encode(Action.SETTINGS_PAGE, "time")))
        assert shown is not None and shown.state.step is Step.SETTINGS_TIME
        return shown.state
    outcome = await conversations.handle(ANN, Command("reflect"))
    if step == "review":
        for _ in range(10):
            assert outcome is not None
            if outcome.state.step is Step.REVIEW:
                break
            asked = outcome.state
            outcome = await conversations.handle(ANN, Text("Writing shorter notes"))
            if outcome is not None and outcome.state.question == asked.question:
                # typed words keep a quick-pick question open until Done
                done = encode(Action.DONE, asked.story_id or 0, asked.question or "")
                outcome = await conversations.handle(ANN, Press(done))
    assert outcome is not None and outcome.state.step is STEPS[step]
    return outcome.state


STEPS = {"reflect": Step.QUESTION, "review": Step.REVIEW}


@SQLITE_ONLY
async def test_a_long_queue_goes_out_in_several_batches_in_one_tick(
    conversations: Conversations, outbox: Outbox, clock: FakeClock
) -> None:
    limits = DispatchLimits(per_second=1000.0, batch=3)
    dispatcher = dispatcher_for(conversations, outbox, limits)
    for number in range(3001, 3008):
        await enrol(conversations, speaker(number))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (7, 7)
    assert sorted(s.chat_id for s in outbox.sent) == list(range(3001, 3008))


@SQLITE_ONLY
async def test_someone_without_a_chat_is_planned_on_without_a_message(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    terminal = Speaker("terminal", 1, None, "en")
    person = await enrol(conversations, terminal)
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent, report.moved) == (1, 0, 1)
    assert outbox.attempts == []
    row = await schedule_row(conversations.database, person)
    assert row.next_checkin_at == TUESDAY_AMSTERDAM + timedelta(days=7)


# --- unanswered checkins ----------------------------------------------------------------


async def test_three_unanswered_checkins_slow_the_rhythm_down(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    slots = [TUESDAY_AMSTERDAM + timedelta(weeks=n) for n in range(4)]
    for slot in slots:
        clock.now = slot
        await dispatcher.tick()
    assert [s.at for s in outbox.sent] == slots
    assert all(SLOWED not in s.text for s in outbox.sent[:3])
    assert outbox.sent[3].text.split("\n\n")[1] == SLOWED  # after the greeting
    assert is_checkin(outbox.sent[3])
    row = await schedule_row(conversations.database, person)
    assert row.rhythm == Rhythm.BIWEEKLY.value
    fourth = slots[3]
    # 29 March: summer time in Amsterdam, so 10:00 local is 08:00 UTC from then on.
    assert row.next_checkin_at == fourth + timedelta(days=14) - timedelta(hours=1)
    assert row.unanswered == 1, "the count starts again at the slower rhythm"
    await run_until(dispatcher, clock, fourth + timedelta(days=13), timedelta(hours=12))
    assert len(outbox.sent) == 4, "no checkin in the week in between"


async def test_a_slower_rhythm_only_comes_with_the_checkin_that_says_so(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    for week in range(3):
        clock.now = TUESDAY_AMSTERDAM + timedelta(weeks=week)
        await dispatcher.tick()
    clock.now = TUESDAY_AMSTERDAM + timedelta(weeks=3)
    outbox.fail(ANN.chat_id, *[NetworkError("down") for _ in range(FAST.network_retries + 1)])
    await dispatcher.tick()
    assert len(outbox.sent) == 3, "the fourth checkin did not arrive"
    row = await schedule_row(conversations.database, person)
    assert (row.rhythm, row.unanswered) == (Rhythm.WEEKLY.value, 3), "nothing changed yet"
    clock.now += FAST.lease + timedelta(minutes=1)  # its claim ran out: tried again
    await dispatcher.tick()
    assert len(outbox.sent) == 4 and outbox.sent[3].text.split("\n\n")[1] == SLOWED
    row = await schedule_row(conversations.database, person)
    assert (row.rhythm, row.unanswered) == (Rhythm.BIWEEKLY.value, 1)


@SQLITE_ONLY
async def test_a_tap_on_a_checkin_counts_as_an_answer(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    for week in range(4):
        clock.now = TUESDAY_AMSTERDAM + timedelta(weeks=week)
        await dispatcher.tick()
        if week == 2:  # "Skip this one" on the third checkin
            [skip] = [d for d in outbox.sent[-1].data if decode(d).action is Action.SKIP_CHECKIN]
            skipped = await conversations.handle(ANN, Press(skip))
            assert skipped is not None and skipped.replies[0].text == EN.checkin.texts.skipped
    assert len(outbox.sent) == 4
    assert all(SLOWED not in s.text for s in outbox.sent)
    row = await schedule_row(conversations.database, person)
    assert row.rhythm == Rhythm.WEEKLY.value


@SQLITE_ONLY
async def test_a_person_whose_checkin_is_decided_is_in_the_asked_step(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM
    await dispatcher.tick()
    assert await step_of(conversations.database, person) is Step.CHECKIN_ASKED
    answered = await conversations.handle(ANN, Text("Saying no sooner", message_id=9))
    assert answered is not None and answered.state.step is Step.QUESTION
    row = await schedule_row(conversations.database, person)
    assert row.unanswered == 0
