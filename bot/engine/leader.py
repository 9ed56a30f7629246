"""Leadership: which one of several instances polls Telegram, sends and runs the jobs.

A lease row in the database (``storage.leases``), renewed every ``renew`` seconds
and valid for ``lease``; when its holder dies, another instance takes it once it
ran out, so a new sender starts within ``lease + renew`` seconds. An instance
that cannot renew (database unreachable) stops counting itself leader before its
lease could have run out, so two instances never send at the same time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.database import Database
from storage.leases import Leases

log = logging.getLogger(__name__)
SENDER = "sender"


def instance_name() -> str:
    """A name for this process, unique among instances: host, process id, random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


class Leadership:
    """Holds (or waits for) one lease and says whether this instance has it."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        *,
        name: str = SENDER,
        holder: str | None = None,
        lease: float = 20.0,
        renew: float = 5.0,
    ) -> None:
        self.database = database
        self.clock = clock
        self.name = name
        self.holder = holder or instance_name()
        self.lease = lease
        self.renew = renew
        self._valid_until = 0.0  # monotonic: until when our lease surely holds
        self.changed = asyncio.Event()

    def __call__(self) -> bool:
        """True while this instance holds the lease."""
        return time.monotonic() < self._valid_until

    async def try_hold(self, *, take_over: bool = False) -> bool:
        """Take or renew the lease once; True when this instance holds it now.

        ``take_over``: whoever held it (only for the one process on a SQLite file).
        """
        was = self()
        started = time.monotonic()
        now = self.clock()
        try:
            async with self.database.transaction() as session:
                held = await Leases(session).hold(
                    self.name,
                    self.holder,
                    now,
                    now + timedelta(seconds=self.lease),
                    take_over=take_over,
                )
        except Exception as exc:
            log.warning("could not renew the %s lease (%s)", self.name, type(exc).__name__)
            held = self()  # what we hold runs out by itself, at the latest when it would
        else:
            # Counted from before the statement: the lease surely holds until then, less a margin.
            self._valid_until = started + self.lease - self.renew if held else 0.0
        if was != self():
            log.info("this instance %s the %s", "is now" if self() else "is no longer", self.name)
            self.changed.set()
        return held

    async def run(self) -> None:
        """Keep trying to take the lease, and renew it while held."""
        while True:
            await self.try_hold()
            await asyncio.sleep(self.renew if self() else self.renew / 2)

    async def wait_until_held(self) -> None:
        """Return once this instance holds the lease."""
        while not self():
            self.changed.clear()
            await self.changed.wait()

    async def give_up(self) -> None:
        """Let the lease go (a clean stop), so another instance takes over at once."""
        if not self():
            return
        self._valid_until = 0.0
        try:
            async with self.database.transaction() as session:
                await Leases(session).give_up(self.name, self.holder, self.clock())
        except Exception as exc:
            log.warning("could not give up the %s lease (%s)", self.name, type(exc).__name__)
