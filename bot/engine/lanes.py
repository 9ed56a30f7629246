"""Lanes: one person's updates strictly in order, different people's at the same time.

Each lane (a chat) has a queue kept in update order and at most one task working
on it; at most ``concurrency`` updates are handled at once over all lanes. An
update whose handling fails for a passing reason (the database locked or
unreachable) is tried again with backoff, without limit: it is stored, so
nothing is lost by waiting. One that keeps failing otherwise is given up after
``attempts`` tries (``on_poison``), so one broken update never blocks a person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from bot.engine.queues import KeyedQueues
from bot.log_privacy import without_messages
from storage.database import is_transient
from storage.inbox import InboxKey, NotYourTurn, Received

log = logging.getLogger(__name__)
Handler = Callable[[Received], Awaitable[None]]
Poison = Callable[[Received], Awaitable[None]]
LaneKey = tuple[int, int]  # (bot id, chat id), or (bot id, -update id) for an update without chat
MAX_BACKOFF = 5.0


def _lane(item: Received) -> LaneKey:
    if item.lane is None:
        return (item.key.bot_id, -item.key.update_id)
    return (item.key.bot_id, item.lane)


def _order(item: Received) -> int:
    return item.key.update_id


class Lanes:
    """Runs a handler over received updates, lane by lane."""

    def __init__(
        self, handle: Handler, on_poison: Poison, *, concurrency: int = 32, attempts: int = 3
    ) -> None:
        self.handle = handle
        self.on_poison = on_poison
        self.attempts = attempts
        self._gate = asyncio.Semaphore(concurrency)
        self._queues: KeyedQueues[LaneKey, Received] = KeyedQueues(self._run, _order, "lane")
        self._held: set[InboxKey] = set()

    @property
    def held(self) -> frozenset[InboxKey]:
        """Updates waiting or being handled here (recovery leaves them alone)."""
        return frozenset(self._held)

    def submit(self, items: Iterable[Received]) -> None:
        """Queue updates; each lane keeps update order, whatever order they come in."""
        for item in items:
            if item.key in self._held:
                continue
            self._held.add(item.key)
            self._queues.put(_lane(item), item)

    def idle(self, item: Received) -> bool:
        """Whether nothing of this update's lane waits or is being handled here."""
        return item.key not in self._held and not self._queues.has(_lane(item))

    async def stop(self) -> list[InboxKey]:
        """Stop handling; returns the updates that were still waiting here."""
        left = list(self._held)
        await self._queues.stop()
        self._held.clear()
        return left

    async def _run(self, _lane: LaneKey, queue: list[Received]) -> None:
        while queue:
            item = queue[0]
            if await self._handle(item):
                queue.remove(item)
                self._held.discard(item.key)

    async def _handle(self, item: Received) -> bool:
        """Handle one update; False when an older one of its lane has to go first."""
        failures = 0
        backoff = 0.05
        while True:
            try:
                async with self._gate:
                    await self.handle(item)
                return True
            except NotYourTurn:
                await asyncio.sleep(backoff)
                return False  # the lane looks again at what comes first
            except Exception as exc:
                if is_transient(exc):
                    log.warning("storage unavailable, will retry an update: %s", type(exc).__name__)
                else:
                    failures += 1
                    log.error(
                        "error while handling an update (try %d): %s",
                        failures,
                        without_messages(exc),
                    )
                    if failures >= self.attempts:
                        await self._give_up(item)
                        return True
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _give_up(self, item: Received) -> None:
        """Settle a broken update (the person is told something went wrong)."""
        backoff = 0.1
        while True:
            try:
                await self.on_poison(item)
                return
            except Exception as exc:
                log.error("could not settle a broken update: %s", without_messages(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
