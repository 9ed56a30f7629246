"""Work queues by key: each key's items kept in order, one task per key at a time.

The lanes (one per chat, of updates) and the sender (one per chat, of replies)
both need this: a queue per key that stays sorted whatever order items come in,
and a task that works through it while it has items.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class KeyedQueues(Generic[K, T]):
    """Queues by key; ``work(key, queue)`` runs while its queue has items."""

    def __init__(
        self, work: Callable[[K, list[T]], Awaitable[None]], order: Callable[[T], int], name: str
    ) -> None:
        self._work = work
        self._order = order
        self._name = name
        self._queues: dict[K, list[T]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def put(self, key: K, item: T) -> None:
        """Queue an item in its key's order; start that key's task when it has none."""
        queue = self._queues.get(key)
        if queue is not None:
            bisect.insort(queue, item, key=self._order)
            return
        self._queues[key] = [item]
        task = asyncio.create_task(self._run(key), name=self._name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def has(self, key: K) -> bool:
        """Whether this key has a queue (items waiting or being worked on)."""
        return key in self._queues

    def queued(self) -> list[T]:
        """Every item still queued (the one being worked on included)."""
        return [item for queue in self._queues.values() for item in queue]

    async def stop(self) -> None:
        """Cancel every task; the queues are dropped."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._queues.clear()

    async def _run(self, key: K) -> None:
        try:
            await self._work(key, self._queues[key])
        finally:
            self._queues.pop(key, None)
