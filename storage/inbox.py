"""The inbox: updates as Telegram sent them, stored before Telegram is told they arrived.

An update is handled once: ``mark_handled`` runs in the transaction that stores
what the update changed, and only succeeds for an update that is not handled
yet and has no older unhandled update in its lane (one person's updates stay in
order, whichever instance handles them). The payload is encrypted: it holds
what the person wrote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.crypto import TextCipher
from storage.models import InboxUpdate


@dataclass(frozen=True)
class InboxKey:
    """An update's identity: which bot received it, and its update_id."""

    bot_id: int
    update_id: int


@dataclass(frozen=True)
class Received:
    """An update to handle: its key, its lane (the chat it came from) and its JSON.

    ``parsed``: the adapter's own object for it, when it has one at hand (not stored).
    """

    key: InboxKey
    lane: int | None
    data: dict[str, Any]
    parsed: object = field(default=None, compare=False, repr=False)


class NotYourTurn(Exception):
    """An older update of the same lane is still waiting: that one goes first."""


class Turn(StrEnum):
    """What ``mark_handled`` found."""

    HANDLED_NOW = "handled now"
    ALREADY = "already handled"
    NOT_YET = "an older update of the same lane comes first"


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    name = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql_insert if name == "postgresql" else sqlite_insert


async def first_time(session: AsyncSession, key: InboxKey, now: datetime) -> bool:
    """Remember an update as handled without storing it; False when it already was."""
    statement = (
        insert_for(session)(InboxUpdate)
        .values(bot_id=key.bot_id, update_id=key.update_id, received_at=now, handled_at=now)
        .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        .returning(InboxUpdate.update_id)
    )
    return (await session.scalar(statement)) is not None


# Built once: building a statement costs more CPU than running it (measured: marking an
# update handled took 0.79 ms of CPU with the statement built per call, 0.27 ms prebuilt).
_OLDER = aliased(InboxUpdate)
_MARK_HANDLED = (
    update(InboxUpdate)
    .where(
        InboxUpdate.bot_id == bindparam("bot"),
        InboxUpdate.update_id == bindparam("update"),
        InboxUpdate.handled_at.is_(None),
    )
    .values(handled_at=bindparam("now"), payload=None, lane=None, claimed_until=None)
    .execution_options(synchronize_session=False)
)
_MARK_HANDLED_IN_TURN = _MARK_HANDLED.where(
    ~exists().where(  # no older unhandled update of the same lane
        _OLDER.bot_id == bindparam("bot"),
        _OLDER.lane == bindparam("in_lane"),
        _OLDER.handled_at.is_(None),
        _OLDER.update_id < bindparam("update"),
    )
)


class Inbox:
    """Stores, claims and marks updates; flushes, never commits."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def store(
        self, received: Sequence[Received], now: datetime, claim_until: datetime | None
    ) -> list[Received]:
        """Store new updates (claimed by the caller until ``claim_until``); return the new ones.

        An update already stored (Telegram sent it again) is left as it is.
        """
        if not received:
            return []
        rows = [
            {
                "bot_id": item.key.bot_id,
                "update_id": item.key.update_id,
                "lane": item.lane,
                "payload": self.cipher.encrypt(json.dumps(item.data, separators=(",", ":"))),
                "received_at": now,
                "claimed_until": claim_until,
                "attempts": 0,
            }
            for item in received
        ]
        statement = (
            insert_for(self.session)(InboxUpdate)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
            .returning(InboxUpdate.update_id)
        )
        new = set((await self.session.scalars(statement)).all())
        return [item for item in received if item.key.update_id in new]

    async def claim(
        self,
        bot_id: int,
        now: datetime,
        until: datetime,
        limit: int,
        *,
        skip: Sequence[int] = (),
        ignore_leases: bool = False,
    ) -> list[Received]:
        """Claim unhandled updates nobody holds (all of them with ``ignore_leases``)."""
        query = (
            select(InboxUpdate)
            .where(InboxUpdate.bot_id == bot_id, InboxUpdate.handled_at.is_(None))
            .order_by(InboxUpdate.update_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if not ignore_leases:
            query = query.where(
                or_(InboxUpdate.claimed_until.is_(None), InboxUpdate.claimed_until < now)
            )
        if skip:
            query = query.where(InboxUpdate.update_id.not_in(list(skip)))
        rows = list((await self.session.scalars(query)).all())
        if not rows:
            return []
        await self.session.execute(
            update(InboxUpdate)
            .where(
                InboxUpdate.bot_id == bot_id,
                InboxUpdate.update_id.in_([row.update_id for row in rows]),
            )
            .values(claimed_until=until, attempts=InboxUpdate.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return [self._received(row) for row in rows if row.payload is not None]

    def _received(self, row: InboxUpdate) -> Received:
        assert row.payload is not None
        data = json.loads(self.cipher.decrypt(row.payload))
        return Received(InboxKey(row.bot_id, row.update_id), row.lane, data)

    async def mark_handled(self, key: InboxKey, lane: int | None, now: datetime) -> Turn:
        """Mark an update handled, forgetting its payload and lane, if it is its turn."""
        values = {"bot": key.bot_id, "update": key.update_id, "now": now}
        if lane is None:
            result = await self.session.execute(_MARK_HANDLED, values)
        else:
            result = await self.session.execute(_MARK_HANDLED_IN_TURN, values | {"in_lane": lane})
        if result.rowcount:  # type: ignore[attr-defined]
            return Turn.HANDLED_NOW
        row = (
            await self.session.execute(
                select(InboxUpdate.handled_at).where(
                    InboxUpdate.bot_id == key.bot_id, InboxUpdate.update_id == key.update_id
                )
            )
        ).first()
        if row is None or row.handled_at is not None:  # a missing key was handled long ago
            return Turn.ALREADY
        return Turn.NOT_YET

    async def release(self, keys: Sequence[InboxKey]) -> None:
        """Give claims back (an instance stopping), so another can take them at once."""
        for key in keys:
            await self.session.execute(
                update(InboxUpdate)
                .where(
                    InboxUpdate.bot_id == key.bot_id,
                    InboxUpdate.update_id == key.update_id,
                    InboxUpdate.handled_at.is_(None),
                )
                .values(claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def forget_before(self, cutoff: datetime) -> int:
        """Drop the keys of updates handled before ``cutoff``; returns how many."""
        result = await self.session.execute(
            delete(InboxUpdate).where(InboxUpdate.handled_at < cutoff)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def unhandled(self, bot_id: int | None = None) -> int:
        """How many updates wait to be handled (for health checks and tests)."""
        query = (
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )
        if bot_id is not None:
            query = query.where(InboxUpdate.bot_id == bot_id)
        return int(await self.session.scalar(query) or 0)
