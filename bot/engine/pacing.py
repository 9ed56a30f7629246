"""Pacing sends: an overall rate, and a gap between two messages to one chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Spaces sends to an overall rate and keeps a gap between sends to one chat."""

    def __init__(
        self,
        per_second: float,
        chat_gap: float = 1.0,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``sleep`` waits and ``clock`` tells monotonic seconds (tests pass virtual ones)."""
        self.interval = 1.0 / per_second
        self.chat_gap = chat_gap
        self._sleep = sleep
        self._clock = clock
        self._next = 0.0
        self._last_by_chat: dict[int, float] = {}

    async def wait(self, chat_id: int, *, chat_gap: float | None = None) -> None:
        """Return when a message to this chat may be sent (``chat_gap`` overrides the gap)."""
        now = self._clock()
        gap = self.chat_gap if chat_gap is None else chat_gap
        slot = max(self._next, now, self._last_by_chat.get(chat_id, -1e9) + gap)
        self._next = max(self._next, now) + self.interval
        self._last_by_chat[chat_id] = slot
        if len(self._last_by_chat) > 50_000:
            horizon = now - self.chat_gap
            self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > horizon}
        if slot > now:
            await self._sleep(slot - now)

    def sent(self, chat_id: int) -> None:
        """A message to this chat has just gone out: the gap to the next counts from now."""
        now = self._clock()
        self._last_by_chat[chat_id] = max(self._last_by_chat.get(chat_id, now), now)
