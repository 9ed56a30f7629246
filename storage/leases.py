"""Leases: a role (the sender) that one instance holds at a time, for a while.

Works the same on SQLite and PostgreSQL: a row per role, taken over only when
its holder let it run out. The holder renews it well before it ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox import insert_for
from storage.models import Lease


class Leases:
    """Takes, renews and gives back leases; flushes, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hold(
        self, name: str, holder: str, now: datetime, until: datetime, *, take_over: bool = False
    ) -> bool:
        """Take or renew the lease ``name`` for ``holder``; False when someone else holds it.

        ``take_over``: take it whoever holds it (the only process on its database,
        whose predecessor cannot still be running).
        """
        await self.session.execute(
            insert_for(self.session)(Lease)
            .values(name=name, holder=holder, expires_at=until)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        result = await self.session.execute(
            update(Lease)
            .where(
                Lease.name == name,
                true() if take_over else or_(Lease.holder == holder, Lease.expires_at < now),
            )
            .values(holder=holder, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def give_up(self, name: str, holder: str, now: datetime) -> None:
        """Let the lease go at once, so another instance takes over without waiting."""
        await self.session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
