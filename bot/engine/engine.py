"""The engine: received updates in, through the lanes and the flows, replies out.

``receive`` commits updates to the inbox before the caller tells Telegram they
arrived (the next getUpdates offset, or a webhook's 200). The lanes then hand
each update to the adapter's handler, which runs the step with a ``Ticket``: the
update is marked handled and the replies are put in the outbox in the step's
own transaction. Updates that a crash or another instance left behind are
claimed again once their lease has run out (on SQLite, where only one process
runs, at once on start).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.lanes import Lanes
from bot.engine.leader import Leadership
from bot.engine.pacing import Pacer
from bot.engine.sender import OnBlocked, Records, Sender, SendLimits, SendPart
from bot.log_privacy import without_messages
from flows.replies import Outcome
from storage.crypto import TextCipher
from storage.database import Database, is_transient
from storage.inbox import Inbox, InboxKey, NotYourTurn, Received, Turn
from storage.outbox import Delivery, Outbox, Pending

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Handler = Callable[[Received], Awaitable[None]]
DeliverIf = Callable[[AsyncSession, datetime], Awaitable[bool]]
PoisonReply = Callable[[Received], Delivery | None]
AFTER_DELIVERY_WAIT = 60.0  # seconds an after-delivery task waits for the delivery at most


@dataclass(frozen=True)
class EngineLimits:
    """How many updates at once, and how long claims last."""

    concurrency: int = 16
    claim: timedelta = timedelta(seconds=30)
    recover_seconds: float = 2.0
    batch: int = 100
    attempts: int = 3
    lease_seconds: float = 20.0
    renew_seconds: float = 5.0
    send: SendLimits = field(default_factory=SendLimits)


class Ticket:
    """One update's bookkeeping inside the transaction of its step."""

    def __init__(
        self, engine: Engine, received: Received, make: Callable[[Outcome], Delivery]
    ) -> None:
        self.engine = engine
        self.received = received
        self.make = make
        self.pending: Pending | None = None
        self.letters: list[Pending] = []  # to other chats (a pair interview's partner)

    async def begin(self, session: AsyncSession, now: datetime) -> Turn:
        """Mark the update handled, if it is its turn and it was not yet."""
        return await self.engine.mark(session, self.received, now)

    async def finish(self, session: AsyncSession, outcome: Outcome, now: datetime) -> None:
        """Put the step's replies in the outbox, and its letters to other chats."""
        self.pending = await self.engine.store_delivery(session, self.make(outcome), now)
        self.letters = []  # (a step decided again stores them again)
        for letter in outcome.letters:
            stored = await self.engine.store_delivery(
                session, Delivery(letter.chat_id, letter.replies), now
            )
            if stored is not None:
                self.letters.append(stored)

    def hand_over(self) -> asyncio.Future[None] | None:
        """After the commit: hand the replies to this instance's sender.

        Returns a future done once they were delivered here (None when another
        instance sends them, or there is nothing to send).
        """
        self.engine.confirm(self.received)
        for letter in self.letters:
            self.engine.hand_over(letter)
        if self.pending is None or not self.engine.leadership():
            return None
        delivered = self.engine.sender.when_sent(self.pending.id)
        self.engine.hand_over(self.pending)
        return delivered


class Engine:
    """Inbox, lanes, outbox and sender of one bot, in one process."""

    def __init__(
        self,
        database: Database,
        cipher: TextCipher,
        bot_id: int,
        *,
        clock: Clock,
        send_part: SendPart,
        on_blocked: OnBlocked,
        pacer: Pacer,
        limits: EngineLimits | None = None,
    ) -> None:
        self.database = database
        self.cipher = cipher
        self.bot_id = bot_id
        self.clock = clock
        self.limits = limits or EngineLimits()
        self.leadership = Leadership(
            database, clock, lease=self.limits.lease_seconds, renew=self.limits.renew_seconds
        )
        self.sender = Sender(
            database,
            cipher,
            bot_id,
            send_part,
            pacer,
            clock=clock,
            is_leader=self.leadership,
            on_blocked=on_blocked,
            limits=self.limits.send,
        )
        self.handler: Handler | None = None
        self.poison_reply: PoisonReply = lambda _received: None
        self.lanes = Lanes(
            self._handle, self._poison, concurrency=self.limits.concurrency,
            attempts=self.limits.attempts,
        )  # fmt: skip
        self._tasks: list[asyncio.Task[None]] = []
        self._taken: dict[InboxKey, Records] = {}  # recorded by a lone update's step

    # --- updates in ------------------------------------------------------------------------

    async def receive(self, received: Sequence[Received], *, at_once: bool = False) -> None:
        """Commit updates to the inbox, then queue the new ones. Raises when storing failed.

        What the sender delivered meanwhile is recorded in the same transaction: under
        load the sender then needs no transaction of its own. ``at_once`` (the one
        polling loop: never two such calls at a time): a lone update whose chat has
        nothing waiting is handled right away, and stored, as handled, by its step's
        own transaction; should that fail, it goes the usual way.
        """
        if at_once and len(received) == 1 and await self._handle_at_once(received[0]):
            return
        now = self.clock()
        async with self.database.transaction() as session:
            new = await Inbox(session, self.cipher).store(received, now, now + self.limits.claim)
            records = await self.sender.record_along(session)  # (last: see take_records)
        self.sender.recorded(records)
        self.lanes.submit(new)

    async def recover(self, *, ignore_leases: bool = False) -> int:
        """Claim updates left unhandled (a crash, another instance); returns how many."""
        now = self.clock()
        async with self.database.transaction() as session:
            claimed = await Inbox(session, self.cipher).claim(
                self.bot_id,
                now,
                now + self.limits.claim,
                self.limits.batch,
                skip=[key.update_id for key in self.lanes.held if key.bot_id == self.bot_id],
                ignore_leases=ignore_leases,
            )
        if claimed:
            log.info("claimed %d updates left unhandled", len(claimed))
        self.lanes.submit(claimed)
        return len(claimed)

    async def _handle_at_once(self, received: Received) -> bool:
        """Handle an update before storing it; False when it has to go the usual way."""
        if self.handler is None or not self.lanes.idle(received):
            return False
        try:
            await self.handler(dataclasses.replace(received, stored=False))
        except NotYourTurn:
            return False
        except Exception as exc:
            log.warning("an update goes the usual way after: %s", type(exc).__name__)
            return False
        finally:
            self._taken.pop(received.key, None)  # (recorded only if confirmed)
        return True

    async def mark(self, session: AsyncSession, received: Received, now: datetime) -> Turn:
        """In the step's transaction: mark the update handled, if it is its turn.

        An update handled before it was stored is stored now, as handled, together with
        what the sender delivered meanwhile (as ``receive`` would have).
        """
        inbox = Inbox(session, self.cipher)
        if received.stored:
            return await inbox.mark_handled(received.key, received.lane, now)
        turn = await inbox.take_fresh(received.key, received.lane, now)
        # (after the inbox, which may wait for a lock: see Sender.take_records; a step
        # decided again takes them anew)
        self._taken[received.key] = await self.sender.record_along(session)
        return turn

    def confirm(self, received: Received) -> None:
        """After the commit of the update's step: what it recorded is recorded."""
        taken = self._taken.pop(received.key, None)
        if taken is not None:
            self.sender.recorded(taken)

    def ticket(self, received: Received, make: Callable[[Outcome], Delivery]) -> Ticket:
        """The bookkeeping for one update's step."""
        return Ticket(self, received, make)

    async def settle(
        self, received: Received, delivery: Delivery | None, deliver_if: DeliverIf | None = None
    ) -> None:
        """Mark an update handled that needs no step, with what to say (if anything).

        ``deliver_if``: decides in the same transaction whether to say it after all.
        """
        now = self.clock()
        pending = None
        async with self.database.transaction() as session:
            turn = await self.mark(session, received, now)
            if turn is Turn.NOT_YET:
                raise NotYourTurn
            if turn is Turn.HANDLED_NOW and delivery is not None:
                wanted = deliver_if is None or await deliver_if(session, now)
                pending = await self.store_delivery(session, delivery, now) if wanted else None
        self.confirm(received)
        if pending is not None:
            self.hand_over(pending)

    async def _handle(self, received: Received) -> None:
        assert self.handler is not None, "the adapter sets Engine.handler"
        await self.handler(received)

    async def _poison(self, received: Received) -> None:
        log.error("an update could not be handled; the person is told something went wrong")
        await self.settle(received, self.poison_reply(received))

    # --- replies out -----------------------------------------------------------------------

    async def store_delivery(
        self, session: AsyncSession, delivery: Delivery, now: datetime
    ) -> Pending | None:
        """Put a delivery in the outbox, claimed for our sender when we are the sender.

        Not while an earlier delivery to the chat waits that our sender does not hold
        (stored by another instance, or claimed by a crashed sender): the sender's next
        claim takes them all, in order.
        """
        if not delivery.replies and delivery.query_id is None:
            return None
        outbox = Outbox(session, self.cipher, self.bot_id)
        if not self.leadership():
            return await outbox.add(delivery, now, None)
        claim = now + self.limits.send.claim
        if self.sender.exclusive and self.sender.caught_up:  # nobody else stores replies
            return await outbox.add(delivery, now, claim)
        held = self.sender.held_for(delivery.chat_id)
        return await outbox.add(delivery, now, claim, unless_waiting_besides=held)

    def after(self, delivered: asyncio.Future[None] | None, then: Awaitable[None]) -> None:
        """Run ``then`` once a delivery went out (or at once), without holding up the lane."""

        async def later() -> None:
            if delivered is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(delivered), AFTER_DELIVERY_WAIT)
            await then

        task = asyncio.create_task(later(), name="after-delivery")
        self._tasks.append(task)
        task.add_done_callback(self._tasks.remove)

    def hand_over(self, pending: Pending) -> None:
        """After the commit: our sender sends it now, or the sender's claim finds it."""
        if self.leadership() and pending.claimed:
            self.sender.submit([pending])
        else:
            self.sender.checkin()  # ours, if we are the sender, finds it at once

    # --- running ---------------------------------------------------------------------------

    async def start(self, *, exclusive: bool) -> None:
        """Start leadership, sender and recovery.

        ``exclusive``: the only process on its database (a SQLite file whose lock this
        process holds): the lease and the claims of a crashed predecessor are taken at once.
        """
        self.sender.exclusive = exclusive
        await self.leadership.try_hold(take_over=exclusive)
        if exclusive:
            with contextlib.suppress(Exception):
                while await self.recover(ignore_leases=True) >= self.limits.batch:
                    pass
        self._tasks = [
            asyncio.create_task(self.leadership.run(), name="leadership"),
            asyncio.create_task(self.sender.run(), name="sender"),
            asyncio.create_task(self.sender.flush(), name="sender-flush"),
            asyncio.create_task(self._recover_forever(), name="recovery"),
        ]

    async def _recover_forever(self) -> None:
        while True:  # at once on start too: a crashed predecessor's claims may have run out
            try:
                await self.recover()
            except Exception as exc:
                if not is_transient(exc):
                    log.error("could not claim waiting updates: %s", without_messages(exc))
            await asyncio.sleep(self.limits.recover_seconds)

    async def stop(self) -> None:
        """Stop: what is still waiting stays in the database for the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        left = await self.lanes.stop()
        await self.sender.stop()
        if left:
            with contextlib.suppress(Exception):
                async with self.database.transaction() as session:
                    await Inbox(session, self.cipher).release(left)
        await self.leadership.give_up()
