"""Sending due check-ins: claim from the database, pace, send, mark sent.

A short periodic tick (PTB's JobQueue) claims due checkins in batches with a
lease, runs each through the flows (which may move it instead), sends it at
the configured overall rate and never twice to one chat within a second, and
only then marks it sent. Delivery is at-least-once: a crash between sending
and marking re-sends that one checkin once its lease has run out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.engine.conversation import Conversations
from bot.engine.delivery import Blocked, RateLimited, Rejected, Sender, Unreachable
from bot.engine.pacing import Pacer, Sleep
from bot.log_privacy import without_messages
from flows.replies import Outcome
from storage.checkin_store import Checkins, DueCheckin

log = logging.getLogger(__name__)
Decided = dict[int, tuple[int | None, Outcome]]  # person id -> (chat id, what to send)
DECIDE_CHUNK = 50  # checkins decided per transaction: short write locks on SQLite


@dataclass(frozen=True)
class DispatchLimits:
    """How fast and in what batches checkins go out."""

    per_second: float = 28.0
    batch: int = 200
    lease: timedelta = timedelta(minutes=5)
    concurrency: int = 8
    network_retries: int = 3
    chat_gap: float = 1.0  # seconds between two messages to one chat


class Result(StrEnum):
    """What became of one claimed checkin."""

    SENT = "sent"
    MOVED = "moved"
    NOWHERE = "nowhere"
    BLOCKED = "blocked"
    REFUSED = "refused"
    FAILED = "failed"


UNDELIVERED = frozenset({Result.BLOCKED, Result.REFUSED, Result.FAILED})


@dataclass
class TickReport:
    """What one tick did, in numbers (never who)."""

    claimed: int = 0
    sent: int = 0
    moved: int = 0
    blocked: int = 0
    failed: int = 0

    def count(self, result: Result) -> None:
        """Add one checkin's result."""
        if result is Result.SENT:
            self.sent += 1
        elif result in (Result.MOVED, Result.NOWHERE):
            self.moved += 1
        elif result is Result.BLOCKED:
            self.blocked += 1
        else:
            self.failed += 1


@dataclass
class CheckinDispatcher:
    """Claims due checkins and delivers them; one instance per process."""

    conversations: Conversations
    send: Sender
    limits: DispatchLimits = field(default_factory=DispatchLimits)
    sleep: Sleep = field(default=asyncio.sleep)  # the waits Telegram asks for, and backoff

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.limits.per_second, self.limits.chat_gap)
        self._lock = asyncio.Lock()

    async def tick(self) -> TickReport:
        """Claim and deliver batches until nothing is due; overlapping ticks wait."""
        report = TickReport()
        async with self._lock:
            while True:
                batch = await self._claim()
                if not batch:
                    break
                report.claimed += len(batch)
                await self._deliver_all(batch, report)
                if len(batch) < self.limits.batch:
                    break
        if report.claimed:
            log.info(
                "checkins: %d claimed, %d sent, %d moved, %d blocked, %d failed",
                report.claimed, report.sent, report.moved, report.blocked, report.failed,
            )  # fmt: skip
        return report

    async def _claim(self) -> list[DueCheckin]:
        now = self.conversations.clock()
        async with self.conversations.database.transaction() as session:
            return await Checkins(session).claim_due(now, self.limits.batch, self.limits.lease)

    async def _deliver_all(self, batch: list[DueCheckin], report: TickReport) -> None:
        """Decide a chunk in one transaction, send it concurrently, record it in one more.

        The next chunk is decided while this one is sent, and this one is recorded while
        the next is sent, so the database work leaves no gaps in the paced sending.
        """
        chunks = [
            [due.person_id for due in batch[first : first + DECIDE_CHUNK]]
            for first in range(0, len(batch), DECIDE_CHUNK)
        ]
        upcoming: asyncio.Task[Decided | None] | None = None
        recording: asyncio.Task[None] | None = None
        try:
            for index, chunk in enumerate(chunks):
                decided = await (upcoming or self._decide(chunk, report))
                upcoming = None
                if index + 1 < len(chunks):
                    upcoming = asyncio.create_task(self._decide(chunks[index + 1], report))
                if decided is not None:
                    results = await self._send_all(decided, report)
                    if recording is not None:
                        await recording
                    recording = asyncio.create_task(self._record(results, decided))
            if recording is not None:
                await recording
                recording = None
        finally:  # only after an error
            if upcoming is not None:
                upcoming.cancel()  # its claims run out and a later tick tries again
            if recording is not None:
                await asyncio.wait([recording])  # what went out is still marked sent

    async def _decide(self, chunk: list[int], report: TickReport) -> Decided | None:
        try:
            return await self.conversations.checkin_many(chunk)
        except Exception as exc:
            log.error("checkins: a batch failed, claims run out: %s", without_messages(exc))
            report.failed += len(chunk)
            return None

    async def _send_all(self, decided: Decided, report: TickReport) -> dict[int, Result]:
        gate = asyncio.Semaphore(self.limits.concurrency)
        results: dict[int, Result] = {}

        async def one(person_id: int, chat_id: int, outcome: Outcome) -> None:
            async with gate:
                results[person_id] = await self._send_with_retries(person_id, chat_id, outcome)

        async with asyncio.TaskGroup() as group:
            for person_id, (chat_id, outcome) in decided.items():
                if not outcome.replies:
                    results[person_id] = Result.MOVED  # the flows moved it to a better moment
                elif chat_id is None:
                    results[person_id] = Result.NOWHERE  # only ever used the terminal
                else:
                    group.create_task(one(person_id, chat_id, outcome))
        for result in results.values():
            report.count(result)
        return results

    async def _record(self, results: dict[int, Result], decided: Decided) -> None:
        """Mark sent checkins and give other claims back, in one transaction."""
        now = self.conversations.clock()
        async with self.conversations.database.transaction() as session:
            checkins = Checkins(session)
            for person_id, result in results.items():
                if result is Result.SENT:  # e.g. a slower rhythm, said in this checkin
                    await checkins.delivered(person_id, decided[person_id][1].effects)
            done = (Result.SENT, Result.REFUSED, Result.NOWHERE)
            sent = {p: r is Result.SENT for p, r in results.items() if r in done}
            if sent:
                await checkins.mark_sent_many(sent, now)
            for person_id, result in results.items():
                if result in (Result.MOVED, Result.BLOCKED):
                    await checkins.release(person_id, blocked=result is Result.BLOCKED)
        undelivered = [p for p, r in results.items() if r in UNDELIVERED]
        if undelivered:
            await self.conversations.undo_checkins(undelivered)

    async def _send_with_retries(self, person_id: int, chat_id: int, outcome: Outcome) -> Result:
        failures = 0
        while True:
            await self.pacer.wait(chat_id)
            try:
                await self.send(chat_id, outcome)
                self.pacer.sent(chat_id)
                return Result.SENT
            except RateLimited as exc:
                log.warning("checkins: Telegram asks to wait %.1f s", exc.retry_after)
                await self.sleep(exc.retry_after)
            except Blocked:
                log.info("checkins: person %d blocked the bot; checkins stop", person_id)
                return Result.BLOCKED
            except Rejected as exc:
                log.warning("checkins: Telegram refused a check-in: %s", without_messages(exc))
                return Result.REFUSED  # do not retry a message Telegram refuses
            except Unreachable as exc:
                failures += 1
                if failures > self.limits.network_retries:
                    log.warning("checkins: giving up for now (%s)", type(exc).__name__)
                    return Result.FAILED  # the lease runs out and a later tick tries again
                await self.sleep(0.5 * 2**failures)
