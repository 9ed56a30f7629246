"""Pacing of the check-in dispatcher: the overall rate, and a gap between sends to one chat.

The ``Pacer`` runs on a virtual monotonic clock, given as its ``sleep`` and ``clock``. The
one test that measures real time is the pacing of 40 checkins at 20 per second through a
real ``CheckinDispatcher``.
"""

from __future__ import annotations

import time as real_time
from typing import TYPE_CHECKING, Any

import pytest

import bot.jobs.checkins as checkin_dispatch
from bot.engine.conversation import Conversations
from bot.engine.pacing import Pacer
from bot.jobs.checkins import CheckinDispatcher, DispatchLimits
from flows.checkins.schedule import CheckinRule
from storage.checkin_store import Checkins
from storage.database import Database
from storage.repositories import People
from tests.support.clock import VirtualTime
from tests.support.dispatch import TUESDAY_AMSTERDAM
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

# The fixture ``outbox`` (``tests.support.fixtures``).


# --- pacing ---------------------------------------------------------------------------


@pytest.fixture
def virtual() -> VirtualTime:
    return VirtualTime()


def paced(virtual: VirtualTime, per_second: float) -> Pacer:
    """A pacer on virtual time: its waits move the clock on instead of passing."""
    return Pacer(per_second, chat_gap=1.0, sleep=virtual.sleep, clock=virtual.monotonic)


async def test_pacer_spaces_sends_to_the_overall_rate(virtual: VirtualTime) -> None:
    pacer = paced(virtual, per_second=20)
    start = virtual.now
    times = []
    for chat in range(40):
        await pacer.wait(chat)
        times.append(virtual.now - start)
    assert times == pytest.approx([n * 0.05 for n in range(40)])
    for first in times:  # any one second holds at most 20 sends
        assert sum(1 for t in times if first <= t < first + 1.0 - 1e-6) <= 20


async def test_pacer_keeps_a_second_between_two_sends_to_one_chat(virtual: VirtualTime) -> None:
    pacer = paced(virtual, per_second=1000)
    start = virtual.now
    await pacer.wait(7)
    await pacer.wait(8)
    await pacer.wait(7)
    assert virtual.now - start == pytest.approx(1.0)
    virtual.now += 5
    before = virtual.now
    await pacer.wait(7)
    assert virtual.now == before, "after a pause nothing waits"


async def test_pacer_counts_the_gap_from_when_a_send_finished(virtual: VirtualTime) -> None:
    pacer = paced(virtual, per_second=1000)
    start = virtual.now
    await pacer.wait(7)
    virtual.now += 0.3  # the request took 0.3 s to reach Telegram and come back
    pacer.sent(7)
    await pacer.wait(7)
    assert virtual.now - start == pytest.approx(1.3)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_forty_due_checkins_at_twenty_a_second_take_about_two_seconds(
    conversations: Conversations, database: Database, outbox: Outbox, clock: FakeClock
) -> None:
    rule = CheckinRule("Europe/Amsterdam")
    async with database.transaction() as session:
        for number in range(5001, 5041):
            person = await People(session).add("telegram", number, number, "en", clock.now)
            await Checkins(session).save_rule(person.id, rule, TUESDAY_AMSTERDAM)
    dispatcher = CheckinDispatcher(conversations, outbox, DispatchLimits(per_second=20))
    clock.now = TUESDAY_AMSTERDAM
    started = real_time.monotonic()
    report = await dispatcher.tick()
    elapsed = real_time.monotonic() - started
    assert (report.claimed, report.sent) == (40, 40)
    assert len({s.chat_id for s in outbox.sent}) == 40
    assert 1.85 <= elapsed < 15, f"40 checkins at 20/s took {elapsed:.2f} s"
    spread = outbox.sent[-1].monotonic - outbox.sent[0].monotonic
    assert spread >= 1.85


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_next_chunk_is_decided_while_this_one_is_sent(
    conversations: Conversations,
    database: Database,
    outbox: Outbox,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deciding in the database must not leave gaps in the paced sending."""
    rule = CheckinRule("Europe/Amsterdam")
    people = 2 * checkin_dispatch.DECIDE_CHUNK + 1
    async with database.transaction() as session:
        for number in range(7001, 7001 + people):
            person = await People(session).add("telegram", number, number, "en", clock.now)
            await Checkins(session).save_rule(person.id, rule, TUESDAY_AMSTERDAM)
    events: list[str] = []
    decide = conversations.checkin_many

    async def recorded(person_ids: list[int]) -> Any:
        events.append(f"decide {len(person_ids)}")
        return await decide(person_ids)

    async def send(chat_id: int, outcome: Any) -> None:
        events.append("send")
        await outbox(chat_id, outcome)

    monkeypatch.setattr(conversations, "checkin_many", recorded)
    dispatcher = CheckinDispatcher(conversations, send, DispatchLimits(per_second=1000))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (people, people)
    decisions = [i for i, event in enumerate(events) if event.startswith("decide")]
    assert len(decisions) == 3
    sends = [i for i, event in enumerate(events) if event == "send"]
    # The second chunk is being decided before the first has been sent in full.
    assert decisions[1] < sends[checkin_dispatch.DECIDE_CHUNK - 1]
    assert len({s.chat_id for s in outbox.sent}) == people, "each once"
