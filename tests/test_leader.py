"""The sender lease: one holder at a time, taken over when it runs out, never held blind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.engine.conversation import utc_now
from bot.engine.leader import Leadership
from storage.database import Database

LEASE, RENEW = 1.2, 0.3


def leadership(database: Database, holder: str) -> Leadership:
    return Leadership(database, utc_now, holder=holder, lease=LEASE, renew=RENEW)


async def test_one_holder_at_a_time_and_a_clean_handover(database: Database) -> None:
    first, second = leadership(database, "a"), leadership(database, "b")
    assert await first.try_hold() and first()
    assert not await second.try_hold() and not second()
    assert await first.try_hold()  # renewing is holding
    await first.give_up()
    assert not first()
    assert await second.try_hold() and second()


async def test_a_dead_holder_is_replaced_once_its_lease_ran_out(database: Database) -> None:
    first, second = leadership(database, "a"), leadership(database, "b")
    assert await first.try_hold()
    assert not await second.try_hold()
    await asyncio.sleep(LEASE + 0.1)  # the first never renews: it died
    assert await second.try_hold()


async def test_an_instance_that_cannot_renew_stops_counting_itself_leader_in_time(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before its lease could run out (and another take it), it no longer sends."""
    first, second = leadership(database, "a"), leadership(database, "b")
    assert await first.try_hold()

    @asynccontextmanager
    async def unreachable() -> AsyncIterator[Any]:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError())
        yield

    cut_off = Database.__new__(Database)
    monkeypatch.setattr(cut_off, "transaction", unreachable, raising=False)
    first.database = cut_off
    assert await first.try_hold()  # still surely held: renewed a moment ago
    await asyncio.sleep(LEASE - RENEW + 0.05)
    await first.try_hold()
    assert not first(), "it must stop before its lease could have run out"
    await asyncio.sleep(RENEW + 0.05)
    assert await second.try_hold() and second()


async def test_the_only_process_takes_the_lease_of_its_dead_predecessor(
    database: Database,
) -> None:
    first, second = leadership(database, "a"), leadership(database, "b")
    assert await first.try_hold()
    assert await second.try_hold(take_over=True)
    assert not await first.try_hold()
