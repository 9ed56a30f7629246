"""What Telegram's errors do to the check-in dispatcher, in simulated time.

RetryAfter is waited out (the sleep is recorded, not taken), a blocked bot stops nudging
until the person writes, network errors and timeouts back off and retry, a refused checkin
is neither retried nor counted nor logged with Telegram's words, and one person's
trouble does not hold up the others.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.engine.conversation import Conversations
from bot.jobs.checkins import CheckinDispatcher
from flows.events import Text
from flows.states import StoryKind
from storage.models import Story
from tests.support.clock import Sleeps
from tests.support.dispatch import (
    ANN,
    FAST,
    RETRY_AFTER_WARNING,
    SQLITE_ONLY,
    TUESDAY_AMSTERDAM,
    enrol,
    is_checkin,
    run_until,
    schedule_row,
    speaker,
)
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

# The fixtures ``sleeps``, ``outbox`` and ``dispatcher``.


# --- Telegram's errors ----------------------------------------------------------------


@RETRY_AFTER_WARNING
@SQLITE_ONLY
@pytest.mark.parametrize("retry_after", [7, timedelta(seconds=2.5)], ids=["int", "timedelta"])
async def test_retry_after_waits_then_sends_once(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    sleeps: Sleeps,
    retry_after: int | timedelta,
) -> None:
    person = await enrol(conversations)
    outbox.fail(ANN.chat_id or 0, RetryAfter(retry_after))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    seconds = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    assert sleeps.seconds == [seconds]
    assert (report.sent, report.failed, report.blocked) == (1, 0, 0)
    assert len(outbox.attempts) == 2 and len(outbox.sent) == 1
    row = await schedule_row(conversations.database, person)
    assert (row.last_checkin_at, row.claimed_until) == (TUESDAY_AMSTERDAM, None)


async def test_a_blocked_bot_stops_check_ins_until_the_person_writes(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    outbox.fail(1001, Forbidden("Forbidden: bot was blocked by the user"))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.blocked, report.sent) == (1, 1, 0)
    row = await schedule_row(conversations.database, person)
    assert (row.blocked, row.claimed_until, row.last_checkin_at) == (True, None, None)

    await run_until(dispatcher, clock, clock.now + timedelta(weeks=3), timedelta(hours=6))
    assert outbox.attempts == [1001], "no further attempt while blocked"

    await conversations.handle(ANN, Text("Hello again", message_id=5))
    row = await schedule_row(conversations.database, person)
    assert (row.blocked, row.unanswered) == (False, 0)
    assert (await dispatcher.tick()).claimed == 0, "not the check-in that waited meanwhile"
    # their next regular slot: Tuesday 31 March, 10:00 in Amsterdam (summer time)
    assert row.next_checkin_at == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
    clock.now = row.next_checkin_at
    assert (await dispatcher.tick()).claimed == 1, "check-ins resume"


@SQLITE_ONLY
async def test_after_a_failed_checkin_the_next_text_is_not_a_checkin_answer(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    outbox.fail(1001, Forbidden("Forbidden: bot was blocked by the user"))
    clock.now = TUESDAY_AMSTERDAM
    await dispatcher.tick()
    assert outbox.sent == []
    clock.advance(days=2)
    await conversations.handle(ANN, Text("Hello again", message_id=5))
    async with conversations.database.transaction() as session:
        kinds = (await session.scalars(select(Story.kind).where(Story.person_id == person))).all()
    assert StoryKind.CHECKIN.value not in kinds


async def test_network_errors_back_off_then_leave_it_to_a_later_tick(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    sleeps: Sleeps,
) -> None:
    person = await enrol(conversations)
    retries = FAST.network_retries
    outbox.fail(1001, *[NetworkError("boom") for _ in range(retries + 1)])
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.failed, report.sent) == (1, 1, 0)
    assert len(outbox.attempts) == retries + 1
    assert sleeps.seconds == [1.0, 2.0, 4.0][:retries], "backoff doubles"
    row = await schedule_row(conversations.database, person)
    assert row.claimed_until == TUESDAY_AMSTERDAM + FAST.lease, "the claim is kept"
    assert row.last_checkin_at is None

    clock.advance(minutes=4)
    assert (await dispatcher.tick()).claimed == 0
    assert len(outbox.attempts) == retries + 1
    clock.now = TUESDAY_AMSTERDAM + FAST.lease + timedelta(seconds=1)
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (1, 1)
    assert len(outbox.sent) == 1 and is_checkin(outbox.sent[0])
    row = await schedule_row(conversations.database, person)
    assert (row.last_checkin_at, row.unanswered) == (clock.now, 1)
    assert (await dispatcher.tick()).claimed == 0


@SQLITE_ONLY
@pytest.mark.parametrize("failures", [1, 3])
async def test_a_timeout_is_retried_within_the_tick(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    sleeps: Sleeps,
    failures: int,
) -> None:
    await enrol(conversations)
    outbox.fail(1001, *[TimedOut() for _ in range(failures)])
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.sent, report.failed) == (1, 0)
    assert len(outbox.sent) == 1
    assert sleeps.seconds == [1.0, 2.0, 4.0][:failures]


@SQLITE_ONLY
async def test_a_refused_checkin_is_not_retried_nor_counted(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    outbox.fail(1001, BadRequest("Bad Request: chat not found"))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.sent, report.failed) == (0, 1)
    assert (await dispatcher.tick()).claimed == 0
    row = await schedule_row(conversations.database, person)
    assert (row.next_checkin_at, row.unanswered) == (TUESDAY_AMSTERDAM + timedelta(days=7), 0)


@SQLITE_ONLY
async def test_a_refused_checkin_is_logged_without_telegrams_words(
    conversations: Conversations,
    dispatcher: CheckinDispatcher,
    outbox: Outbox,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await enrol(conversations)
    outbox.fail(1001, BadRequest("Bad Request: can't parse entities in ZZSECRET"))
    clock.now = TUESDAY_AMSTERDAM
    await dispatcher.tick()
    assert "BadRequest (message withheld)" in caplog.text
    assert "ZZSECRET" not in caplog.text


@RETRY_AFTER_WARNING
@SQLITE_ONLY
async def test_one_persons_trouble_does_not_hold_up_the_others(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    for number in (4001, 4002, 4003, 4004):
        await enrol(conversations, speaker(number))
    outbox.fail(4001, Forbidden("Forbidden: bot was blocked by the user"))
    outbox.fail(4002, *[NetworkError("boom") for _ in range(FAST.network_retries + 1)])
    outbox.fail(4003, RetryAfter(1))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent, report.blocked, report.failed) == (4, 2, 1, 1)
    assert sorted(s.chat_id for s in outbox.sent) == [4003, 4004]
