"""The sender: delivers the outbox, one chat in order, chats side by side.

Replies decided by this instance are handed over in memory the moment their
transaction commits; replies stored by other instances (or left by a crash) are
claimed from the outbox by the instance that holds the sender lease. What
Telegram answers (as ``bot.engine.delivery``'s errors) decides what happens
next, for that chat only:

- 429: this chat waits ``retry_after``; other chats keep flowing.
- 403 (blocked): the person is marked unreachable, the chat's replies are dropped.
- 400: that part is refused for good and skipped ("message is not modified" is done).
- A timeout: the message may have arrived. It is sent once more; a second timeout
  counts as delivered. So a slow Bot API causes at most one repeat.
- Network errors: retried with backoff up to ``retry_cap`` seconds apart, given up
  after ``give_up_after`` (Telegram itself forgets undelivered updates after a day).

A delivery leaves the outbox once sent. A crash between sending and deleting
sends that delivery again after the restart (at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.delivery import (
    Blocked,
    DeliveryError,
    RateLimited,
    Rejected,
    TimedOut,
    Unreachable,
)
from bot.engine.pacing import Pacer
from bot.engine.queues import KeyedQueues
from bot.log_privacy import without_messages
from flows.replies import Outcome
from storage.crypto import TextCipher
from storage.database import Database, is_transient
from storage.outbox import Delivery, Outbox, Pending

log = logging.getLogger(__name__)
REPEAT = {1: "sending it once more", 2: "counted as delivered"}
SendPart = Callable[[Delivery, int], Awaitable[None]]
OnBlocked = Callable[[int], Awaitable[None]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SendLimits:
    """How the sender paces and retries."""

    claim: timedelta = timedelta(seconds=60)
    poll_seconds: float = 0.2
    idle_poll_seconds: float = 5.0
    batch: int = 200
    retry_cap: float = 5.0
    give_up_after: timedelta = timedelta(hours=24)
    flush_seconds: float = 0.05


@dataclass(frozen=True)
class Records:
    """Deliveries to record: delivered (or dropped) ids, and parts sent of unfinished ones."""

    settled: list[int]
    progress: dict[int, int]

    def __bool__(self) -> bool:
        return bool(self.settled or self.progress)


def _by_id(pending: Pending) -> int:
    return pending.id


class Sender:
    """Delivers outbox rows; sends only while ``is_leader()`` says this instance may."""

    def __init__(
        self,
        database: Database,
        cipher: TextCipher,
        bot_id: int,
        send_part: SendPart,
        pacer: Pacer,
        *,
        clock: Clock,
        is_leader: Callable[[], bool],
        on_blocked: OnBlocked,
        limits: SendLimits | None = None,
    ) -> None:
        self.database = database
        self.cipher = cipher
        self.bot_id = bot_id
        self.send_part = send_part
        self.pacer = pacer
        self.clock = clock
        self.is_leader = is_leader
        self.on_blocked = on_blocked
        self.limits = limits or SendLimits()
        self._chats: KeyedQueues[int, Pending] = KeyedQueues(self._run_chat, _by_id, "chat")
        self._held: dict[int, int] = {}  # delivery id -> chat
        self.caught_up = False  # holds everything left in the outbox since it became sender
        self.exclusive = False  # the only process on its database (set by the engine)
        self._settled: dict[int, None] = {}  # delivered (or dropped), not yet recorded
        self._unrecorded = asyncio.Event()  # set while deliveries wait to be recorded
        self._progress: dict[int, int] = {}
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._wake = asyncio.Event()

    def outbox(self, session: AsyncSession) -> Outbox:
        """The outbox of this bot in a session."""
        return Outbox(session, self.cipher, self.bot_id)

    # --- taking work ---------------------------------------------------------------------

    def submit(self, pending: Iterable[Pending]) -> None:
        """Deliveries to send, each chat's in the order they were stored."""
        for item in pending:
            if item.id in self._held:
                continue
            self._held[item.id] = item.delivery.chat_id
            self._chats.put(item.delivery.chat_id, item)

    def held_for(self, chat_id: int) -> list[int]:
        """The deliveries to this chat in this sender's hands (until recorded as sent)."""
        return [pending_id for pending_id, chat in self._held.items() if chat == chat_id]

    def when_sent(self, pending_id: int) -> asyncio.Future[None]:
        """A future that is done once this instance delivered (or dropped) that delivery."""
        return self._waiters.setdefault(pending_id, asyncio.get_running_loop().create_future())

    def _finished(self, pending_id: int) -> None:
        waiter = self._waiters.pop(pending_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def checkin(self) -> None:
        """A reply was stored without being handed over: look now, not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Claim what others stored (or a crash left) while this instance is the sender.

        On becoming the sender it also takes what its predecessor had claimed (only
        the sender claims, and that one has stopped), so each chat's replies stay in
        order and none waits for a dead instance's claim to run out.
        """
        self.caught_up = False
        while True:
            if not self.is_leader():
                self.caught_up = False
            else:
                try:
                    claimed = await self._claim(take_over=not self.caught_up)
                except Exception as exc:
                    claimed = []
                    if not is_transient(exc):
                        log.error("could not read the outbox: %s", without_messages(exc))
                else:
                    self.caught_up = self.caught_up or len(claimed) < self.limits.batch
                self.submit(claimed)
                if len(claimed) >= self.limits.batch:
                    continue
            self._wake.clear()
            # The only process on its database stores nothing it does not hand over at
            # once (else it wakes us): looking now and then is enough.
            alone = self.exclusive and self.caught_up
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(),
                    self.limits.idle_poll_seconds if alone else self.limits.poll_seconds,
                )

    async def flush(self) -> None:
        """Record deliveries ``flush_seconds`` after they were made, unless a transaction
        storing new updates recorded them first; asleep while nothing waits (backing off
        while the database does not answer)."""
        backoff: float | None = None
        while True:
            await self._unrecorded.wait()
            await asyncio.sleep(backoff or self.limits.flush_seconds)
            self._unrecorded.clear()
            recorded = await self.settle()
            backoff = None if recorded else min(2 * (backoff or self.limits.flush_seconds), 2.0)

    async def settle(self) -> bool:
        """Record what waits now, in a transaction of its own (kept for later on failure)."""
        records = self.take_records()
        if not records:
            return True
        try:
            async with self.database.transaction() as session:
                await self.record(session, records)
        except Exception as exc:
            log.warning("could not record deliveries yet: %s", type(exc).__name__)
            self._unrecorded.set()
            return False
        self.recorded(records)
        return True

    def take_records(self) -> Records:
        """What waits to be recorded, for some transaction to record.

        It keeps waiting until that transaction committed (``recorded``): should the
        transaction stall (a lock, an outage), the flush records it meanwhile in its own
        (the taker records it last, after whatever may stall, so no row lock of the taker
        holds the flush up; recording twice does no harm).
        """
        return Records(list(self._settled), dict(self._progress))

    async def record_along(self, session: AsyncSession) -> Records:
        """In another transaction, as its last work: record what waits (``recorded`` once
        that transaction committed)."""
        records = self.take_records()
        if records:
            await self.record(session, records)
        return records

    async def record(self, session: AsyncSession, records: Records) -> None:
        """In the caller's transaction: delete delivered rows, remember partial progress."""
        outbox = self.outbox(session)
        await outbox.done(records.settled)
        for pending_id, parts in records.progress.items():
            await outbox.progress(pending_id, parts)

    def recorded(self, records: Records) -> None:
        """After the commit: those no longer wait, and are no longer held."""
        for pending_id in records.settled:
            self._settled.pop(pending_id, None)
            self._held.pop(pending_id, None)
        for pending_id, parts in records.progress.items():
            if self._progress.get(pending_id) == parts:  # (not a newer one)
                del self._progress[pending_id]

    async def stop(self) -> None:
        """Stop sending; record what went out and give the rest back to the outbox."""
        left = [pending.id for pending in self._chats.queued()]
        await self._chats.stop()
        await self.settle()
        self._held.clear()
        if left:
            try:
                async with self.database.transaction() as session:
                    await self.outbox(session).release(left)
            except Exception as exc:
                log.warning("could not give back claims (%s); they run out", type(exc).__name__)

    async def _claim(self, *, take_over: bool = False) -> list[Pending]:
        now = self.clock()
        async with self.database.transaction() as session:
            return await self.outbox(session).claim(
                now,
                now + self.limits.claim,
                self.limits.batch,
                skip=list(self._held),
                take_over=take_over,
            )

    async def send_now(self, chat_id: int, outcome: Outcome) -> None:
        """For jobs that keep their own records (check-ins, photos, retention notices).

        Paced with everything else; a timeout is repeated once, then counted as
        delivered; any other failure is raised (a ``bot.engine.delivery`` error).
        """
        delivery = Delivery(chat_id, outcome.replies)
        for part in range(1, delivery.parts):
            for attempt in (1, 2):
                await self.pacer.wait(chat_id, chat_gap=0)
                try:
                    await self.send_part(delivery, part)
                    break
                except TimedOut:
                    log.warning("a message timed out (%d); %s", attempt, REPEAT[attempt])

    # --- delivering ----------------------------------------------------------------------

    async def _run_chat(self, chat_id: int, queue: list[Pending]) -> None:
        try:
            while queue:
                if not self.is_leader():
                    return  # another instance sends from now on; our claims run out
                pending = queue[0]
                delivered = await self._deliver(pending)
                if delivered:
                    queue.remove(pending)  # (an older one may have been sorted in meanwhile)
                    self._settled[pending.id] = None
                    self._unrecorded.set()
                    self._finished(pending.id)
                else:  # blocked: nothing more reaches this chat
                    self._settled.update(dict.fromkeys(p.id for p in queue))
                    self._unrecorded.set()
                    for dropped in queue:
                        self._finished(dropped.id)
                    queue.clear()
                    await self.on_blocked(chat_id)
        finally:  # what is left (leadership lost): another instance's claim takes it
            for pending in queue:
                self._held.pop(pending.id, None)

    async def _deliver(self, pending: Pending) -> bool:
        """Send every part not yet sent; False when the person blocked the bot."""
        delivery = pending.delivery
        part = max(pending.sent_parts, 0 if delivery.query_id else 1)
        timed_out_at: int | None = None
        failures = 0
        while part < delivery.parts:
            if part > 0:  # answering a button press is no message: not paced (nor by PTB's)
                await self.pacer.wait(delivery.chat_id, chat_gap=0)
            try:
                await self.send_part(delivery, part)
            except RateLimited as exc:
                log.warning("Telegram asks one chat to wait %.1f s", exc.retry_after)
                await asyncio.sleep(exc.retry_after)
                continue
            except Blocked:
                log.info("a chat blocked the bot; its replies are dropped")
                return False
            except TimedOut:
                if timed_out_at == part:
                    log.warning("a message timed out twice; counted as delivered")
                    part += 1
                    continue
                timed_out_at = part
                failures += 1
            except Rejected as exc:
                log.warning("Telegram refused a message: %s", without_messages(exc))
                part += 1
                continue
            except Unreachable as exc:
                failures += 1
                log.warning("network error while sending (%s); retrying", type(exc).__name__)
            except DeliveryError as exc:
                log.error("Telegram refused a message: %s", without_messages(exc))
                part += 1
                continue
            else:
                part += 1
                failures = 0
                continue
            if self.clock() - pending.created_at > self.limits.give_up_after:
                log.error("gave up a reply after %s of failures", self.limits.give_up_after)
                return True
            if failures == 1 and part > pending.sent_parts:
                self._progress[pending.id] = part
                self._unrecorded.set()
            await asyncio.sleep(min(self.limits.retry_cap, 0.25 * 2**failures))
        return True
