"""The nudge dispatcher in simulated time: who is nudged when, and what Telegram's errors do.

People set their check-ins up through the real runner (``/settings`` and a time-zone
button). The dispatcher's ``tick()`` runs against a ``FakeClock`` that the tests move on
by hand, and a fake sender that records what would have gone to Telegram, or raises
Telegram's errors. Sleeping inside the dispatcher (Telegram's retry_after, network
backoff) is recorded instead of waited for. The one test that measures real time is the
pacing of 40 nudges at 20 per second.
"""

from __future__ import annotations

import asyncio
import time as real_time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import bot.nudge_dispatch as nudge_dispatch
from bot.conversation import Conversations, Speaker
from bot.nudge_dispatch import DispatchLimits, NudgeDispatcher, Pacer, TickReport
from flows.callbacks import Action, decode, encode
from flows.events import Command, Press, Text
from flows.guide import guide_for
from flows.replies import Outcome, SaveNudgeRule
from flows.schedule import NudgeRule, Rhythm
from flows.states import State, Step, StoryKind
from storage.database import Database
from storage.models import NudgeSchedule, Person, Story
from storage.nudge_store import Nudges
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


# Claims, leases and what the flows store run on both databases here (and in
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
    """A pacer that never waits (pacing has tests of its own below)."""

    async def wait(self, chat_id: int) -> None:
        await asyncio.sleep(0)

    def sent(self, chat_id: int) -> None:
        pass


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    fake = Sleeps()
    monkeypatch.setattr(nudge_dispatch, "asyncio", fake)
    return fake


@pytest.fixture
def outbox(clock: FakeClock) -> Outbox:
    return Outbox(clock)


def dispatcher_for(
    conversations: Conversations, outbox: Outbox, limits: DispatchLimits = FAST
) -> NudgeDispatcher:
    dispatcher = NudgeDispatcher(conversations, outbox, limits)
    dispatcher.pacer = NoPacing()  # type: ignore[assignment]
    return dispatcher


@pytest.fixture
def dispatcher(conversations: Conversations, outbox: Outbox, sleeps: Sleeps) -> NudgeDispatcher:
    return dispatcher_for(conversations, outbox)


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
    return sent.text.split("\n\n")[-1] in CHECKIN_PROMPTS and sent.buttons == (
        EN.checkin.texts.later_today,
        EN.checkin.texts.tomorrow,
        EN.checkin.texts.skip_nudge,
    )


# --- when nudges go out ---------------------------------------------------------------


async def test_each_due_nudge_goes_out_once_at_its_slot(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
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
    assert sorted(s.chat_id for s in outbox.sent) == sorted(zones), "one nudge each"
    for number, (_, slot, next_slot) in zones.items():
        [sent] = outbox.to(number)
        assert slot <= sent.at < slot + step
        assert is_nudge(sent)
        person = await person_id(conversations.database, speaker(number))
        row = await schedule_row(conversations.database, person)
        assert row.next_nudge_at == next_slot
        assert (row.last_nudge_at, row.unanswered, row.claimed_until) == (sent.at, 1, None)


@SQLITE_ONLY
async def test_nothing_goes_out_before_it_is_due(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
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


async def test_after_five_weeks_of_downtime_one_nudge_not_five(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    clock.advance(weeks=5)  # Monday 6 April, 11:00 in Amsterdam (CEST)
    for _ in range(3):
        await dispatcher.tick()
    assert len(outbox.sent) == 1 and outbox.sent[0].at == clock.now
    row = await schedule_row(conversations.database, person)
    assert row.next_nudge_at == utc(2026, 4, 14, 8, 0), "a week on, Tuesday 10:00 CEST"
    await run_until(dispatcher, clock, utc(2026, 4, 14, 7, 59), timedelta(hours=1))
    assert len(outbox.sent) == 1


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("landing", "morning"),
    [
        (utc(2026, 4, 7, 21, 0), utc(2026, 4, 8, 6, 0)),  # Tuesday 23:00 -> Wednesday 08:00
        (utc(2026, 4, 8, 4, 0), utc(2026, 4, 8, 6, 0)),  # Wednesday 06:00 -> 08:00
        (utc(2026, 4, 10, 21, 0), utc(2026, 4, 13, 6, 0)),  # Friday 23:00 -> Monday 08:00
    ],
    ids=["late-evening", "early-morning", "before-the-weekend"],
)
async def test_an_overdue_nudge_waits_for_allowed_hours(
    conversations: Conversations,
    dispatcher: NudgeDispatcher,
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
    assert (row.next_nudge_at, row.claimed_until) == (morning, None)
    await run_until(dispatcher, clock, morning - timedelta(seconds=1), timedelta(minutes=30))
    assert outbox.attempts == []
    clock.now = morning
    await dispatcher.tick()
    await dispatcher.tick()
    assert [s.at for s in outbox.sent] == [morning]


async def test_someone_in_the_middle_of_a_story_is_asked_tomorrow(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    started = await conversations.handle(ANN, Command("reflect"))
    assert started is not None and started.state.step is Step.QUESTION
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.moved, report.sent) == (1, 1, 0)
    assert outbox.attempts == []
    row = await schedule_row(conversations.database, person)
    assert row.next_nudge_at == TUESDAY_AMSTERDAM + timedelta(days=1)
    assert await step_of(conversations.database, person) is Step.QUESTION, "the story goes on"
    assert (await dispatcher.tick()).claimed == 0


@SQLITE_ONLY
async def test_a_long_queue_goes_out_in_several_batches_in_one_tick(
    conversations: Conversations, outbox: Outbox, clock: FakeClock, sleeps: Sleeps
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
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    terminal = Speaker("terminal", 1, None, "en")
    person = await enrol(conversations, terminal)
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.sent, report.moved) == (1, 0, 1)
    assert outbox.attempts == []
    row = await schedule_row(conversations.database, person)
    assert row.next_nudge_at == TUESDAY_AMSTERDAM + timedelta(days=7)


# --- Telegram's errors ----------------------------------------------------------------


@RETRY_AFTER_WARNING
@SQLITE_ONLY
@pytest.mark.parametrize("retry_after", [7, timedelta(seconds=2.5)], ids=["int", "timedelta"])
async def test_retry_after_waits_then_sends_once(
    conversations: Conversations,
    dispatcher: NudgeDispatcher,
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
    assert (row.last_nudge_at, row.claimed_until) == (TUESDAY_AMSTERDAM, None)


async def test_a_blocked_bot_stops_nudging_until_the_person_writes(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    outbox.fail(1001, Forbidden("Forbidden: bot was blocked by the user"))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.blocked, report.sent) == (1, 1, 0)
    row = await schedule_row(conversations.database, person)
    assert (row.blocked, row.claimed_until, row.last_nudge_at) == (True, None, None)

    await run_until(dispatcher, clock, clock.now + timedelta(weeks=3), timedelta(hours=6))
    assert outbox.attempts == [1001], "no further attempt while blocked"

    await conversations.handle(ANN, Text("Hello again", message_id=5))
    row = await schedule_row(conversations.database, person)
    assert (row.blocked, row.unanswered) == (False, 0)
    assert (await dispatcher.tick()).claimed == 1, "nudging resumes"


@SQLITE_ONLY
async def test_after_a_failed_nudge_the_next_text_is_not_a_checkin_answer(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
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
    dispatcher: NudgeDispatcher,
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
    assert row.last_nudge_at is None

    clock.advance(minutes=4)
    assert (await dispatcher.tick()).claimed == 0
    assert len(outbox.attempts) == retries + 1
    clock.now = TUESDAY_AMSTERDAM + FAST.lease + timedelta(seconds=1)
    report = await dispatcher.tick()
    assert (report.claimed, report.sent) == (1, 1)
    assert len(outbox.sent) == 1 and is_nudge(outbox.sent[0])
    row = await schedule_row(conversations.database, person)
    assert (row.last_nudge_at, row.unanswered) == (clock.now, 1)
    assert (await dispatcher.tick()).claimed == 0


@SQLITE_ONLY
@pytest.mark.parametrize("failures", [1, 3])
async def test_a_timeout_is_retried_within_the_tick(
    conversations: Conversations,
    dispatcher: NudgeDispatcher,
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
async def test_a_refused_nudge_is_not_retried_nor_counted(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    outbox.fail(1001, BadRequest("Bad Request: chat not found"))
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.sent, report.failed) == (0, 1)
    assert (await dispatcher.tick()).claimed == 0
    row = await schedule_row(conversations.database, person)
    assert (row.next_nudge_at, row.unanswered) == (TUESDAY_AMSTERDAM + timedelta(days=7), 0)


@SQLITE_ONLY
async def test_a_refused_nudge_is_logged_without_telegrams_words(
    conversations: Conversations,
    dispatcher: NudgeDispatcher,
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
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
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


# --- unanswered nudges ----------------------------------------------------------------


async def test_three_unanswered_nudges_slow_the_rhythm_down(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    slots = [TUESDAY_AMSTERDAM + timedelta(weeks=n) for n in range(4)]
    for slot in slots:
        clock.now = slot
        await dispatcher.tick()
    assert [s.at for s in outbox.sent] == slots
    assert all(SLOWED not in s.text for s in outbox.sent[:3])
    assert outbox.sent[3].text.startswith(SLOWED)
    assert is_nudge(outbox.sent[3])
    row = await schedule_row(conversations.database, person)
    assert row.rhythm == Rhythm.BIWEEKLY.value
    fourth = slots[3]
    # 29 March: summer time in Amsterdam, so 10:00 local is 08:00 UTC from then on.
    assert row.next_nudge_at == fourth + timedelta(days=14) - timedelta(hours=1)
    assert row.unanswered == 1, "the count starts again at the slower rhythm"
    await run_until(dispatcher, clock, fourth + timedelta(days=13), timedelta(hours=12))
    assert len(outbox.sent) == 4, "no nudge in the week in between"


@SQLITE_ONLY
async def test_a_tap_on_a_nudge_counts_as_an_answer(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    for week in range(4):
        clock.now = TUESDAY_AMSTERDAM + timedelta(weeks=week)
        await dispatcher.tick()
        if week == 2:  # "Skip this one" on the third nudge
            [skip] = [d for d in outbox.sent[-1].data if decode(d).action is Action.SKIP_NUDGE]
            skipped = await conversations.handle(ANN, Press(skip))
            assert skipped is not None and skipped.replies[0].text == EN.checkin.texts.skipped
    assert len(outbox.sent) == 4
    assert all(SLOWED not in s.text for s in outbox.sent)
    row = await schedule_row(conversations.database, person)
    assert row.rhythm == Rhythm.WEEKLY.value


# --- pacing ---------------------------------------------------------------------------


class VirtualTime:
    """A monotonic clock and a sleep that moves it on (for the Pacer alone)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.time = SimpleNamespace(monotonic=lambda: self.now)

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


@pytest.fixture
def virtual(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    fake = VirtualTime()
    monkeypatch.setattr(nudge_dispatch, "asyncio", fake)
    monkeypatch.setattr(nudge_dispatch, "time", fake.time)
    return fake


async def test_pacer_spaces_sends_to_the_overall_rate(virtual: VirtualTime) -> None:
    pacer = Pacer(per_second=20, chat_gap=1.0)
    start = virtual.now
    times = []
    for chat in range(40):
        await pacer.wait(chat)
        times.append(virtual.now - start)
    assert times == pytest.approx([n * 0.05 for n in range(40)])
    for first in times:  # any one second holds at most 20 sends
        assert sum(1 for t in times if first <= t < first + 1.0 - 1e-6) <= 20


async def test_pacer_keeps_a_second_between_two_sends_to_one_chat(virtual: VirtualTime) -> None:
    pacer = Pacer(per_second=1000, chat_gap=1.0)
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
    pacer = Pacer(per_second=1000, chat_gap=1.0)
    start = virtual.now
    await pacer.wait(7)
    virtual.now += 0.3  # the request took 0.3 s to reach Telegram and come back
    pacer.sent(7)
    await pacer.wait(7)
    assert virtual.now - start == pytest.approx(1.3)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_forty_due_nudges_at_twenty_a_second_take_about_two_seconds(
    conversations: Conversations, database: Database, outbox: Outbox, clock: FakeClock
) -> None:
    rule = NudgeRule("Europe/Amsterdam")
    async with database.transaction() as session:
        for number in range(5001, 5041):
            person = await People(session).add("telegram", number, number, "en", clock.now)
            await Nudges(session).apply(person.id, [SaveNudgeRule(rule, TUESDAY_AMSTERDAM)])
    dispatcher = NudgeDispatcher(conversations, outbox, DispatchLimits(per_second=20))
    clock.now = TUESDAY_AMSTERDAM
    started = real_time.monotonic()
    report = await dispatcher.tick()
    elapsed = real_time.monotonic() - started
    assert (report.claimed, report.sent) == (40, 40)
    assert len({s.chat_id for s in outbox.sent}) == 40
    assert 1.85 <= elapsed < 15, f"40 nudges at 20/s took {elapsed:.2f} s"
    spread = outbox.sent_monotonic[-1] - outbox.sent_monotonic[0]
    assert spread >= 1.85


@SQLITE_ONLY
async def test_a_person_whose_nudge_is_decided_is_in_the_nudged_step(
    conversations: Conversations, dispatcher: NudgeDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    person = await enrol(conversations)
    clock.now = TUESDAY_AMSTERDAM
    await dispatcher.tick()
    assert await step_of(conversations.database, person) is Step.NUDGED
    answered = await conversations.handle(ANN, Text("Saying no sooner", message_id=9))
    assert answered is not None and answered.state.step is Step.QUESTION
    row = await schedule_row(conversations.database, person)
    assert row.unanswered == 0
