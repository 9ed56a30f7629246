"""Time for tests: a wall clock moved by hand, a recorder of sleeps, a virtual monotonic clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


class FakeClock:
    """A clock for ``Conversations(clock=...)``: stands still until advanced."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move on by ``timedelta(**delta)`` and return the new time."""
        self.now += timedelta(**delta)
        return self.now


class Sleeps:
    """A ``sleep`` that records how long it was asked to wait and only yields to the loop."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        await asyncio.sleep(0)


class VirtualTime:
    """A monotonic clock (``monotonic``) and a ``sleep`` that moves it on instead of waiting."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)
