"""The check-in schedule store: settings, effects, claims with a lease, sent and released.

Runs on SQLite and PostgreSQL (the ``database`` fixture). The PostgreSQL-only tests
show that concurrent claimers skip each other's rows (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from flows.checkins.schedule import CheckinRule, Rhythm, next_checkin_at
from flows.replies import Effect, PersonActive, SetNextCheckin
from storage.checkin_store import Checkins, DueCheckin
from storage.crypto import TextCipher
from storage.database import Database
from storage.effects import apply_effects
from storage.models import CheckinSchedule, Person
from storage.repositories import People

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Amsterdam
LEASE = timedelta(minutes=5)
AMSTERDAM = CheckinRule("Europe/Amsterdam")  # Tuesdays at 10:00, weekend Sat-Sun
CIPHER = TextCipher((Fernet.generate_key(),))


async def add_person(database: Database, external_id: int, *, chat: bool = True) -> int:
    """A person (chat id = external id, or none); returns the internal id."""
    async with database.transaction() as session:
        chat_id = external_id if chat else None
        person = await People(session).add("telegram", external_id, chat_id, "en", NOW)
        return person.id


async def schedule(
    database: Database, person_id: int, next_at: datetime | None, rule: CheckinRule = AMSTERDAM
) -> None:
    """Save check-in settings with this next instant, as the flows would."""
    async with database.transaction() as session:
        await Checkins(session).save_rule(person_id, rule, next_at)


async def row(database: Database, person_id: int) -> CheckinSchedule | None:
    async with database.transaction() as session:
        return await session.get(CheckinSchedule, person_id)


async def claim(
    database: Database, now: datetime = NOW, limit: int = 100, lease: timedelta = LEASE
) -> list[DueCheckin]:
    async with database.transaction() as session:
        return await Checkins(session).claim_due(now, limit, lease)


async def mark_sent(database: Database, person_id: int, now: datetime = NOW) -> None:
    async with database.transaction() as session:
        await Checkins(session).mark_sent(person_id, now)


async def release(database: Database, person_id: int, *, blocked: bool = False) -> None:
    async with database.transaction() as session:
        await Checkins(session).release(person_id, blocked=blocked)


async def apply(database: Database, person_id: int, *effects: Effect) -> None:
    """Carry out a step's effects the way the runner does, at ``NOW``."""
    async with database.transaction() as session:
        person = await session.get_one(Person, person_id)
        await apply_effects(session, CIPHER, person, effects, NOW)


# --- settings and effects -------------------------------------------------------------


RULES = [
    CheckinRule(
        "Asia/Kathmandu",
        rhythm=Rhythm.BIWEEKLY,
        weekday=3,
        at=time(9, 30),
        weekend=frozenset({4, 5}),
        paused_until=date(2026, 4, 1),
    ),
    CheckinRule(
        "America/St_Johns", rhythm=Rhythm.MONTHLY, weekday=6, at=time(21), weekend=frozenset()
    ),
    CheckinRule(
        "Europe/Amsterdam", rhythm=Rhythm.OFF, weekday=0, at=time(8), weekend=frozenset({6})
    ),
    CheckinRule("UTC", weekend=frozenset({0, 1, 2, 3, 4, 5}), paused_until=date(9999, 12, 31)),
]


async def test_saved_rules_come_back_the_same(database: Database) -> None:
    next_at = datetime(2026, 3, 5, 3, 45, tzinfo=UTC)
    for number, rule in enumerate(RULES, start=1):
        person = await add_person(database, number)
        await schedule(database, person, next_at, rule)
        async with database.transaction() as session:
            view = await Checkins(session).view(person)
        assert view is not None
        assert view.rule == rule
        assert (view.rule.zone, view.rule.rhythm, view.rule.weekday) == (
            rule.zone,
            rule.rhythm,
            rule.weekday,
        )
        assert (view.rule.at, view.rule.weekend, view.rule.paused_until) == (
            rule.at,
            rule.weekend,
            rule.paused_until,
        )
        assert view.next_at == next_at and view.next_at.tzinfo is not None
        assert (view.last_at, view.unanswered) == (None, 0)


async def test_without_settings_nothing_is_created(database: Database) -> None:
    person = await add_person(database, 1)
    await apply(database, person, SetNextCheckin(NOW), PersonActive())
    async with database.transaction() as session:
        assert await Checkins(session).view(person) is None
    await mark_sent(database, person)
    await release(database, person, blocked=True)
    assert await row(database, person) is None


async def test_saving_again_replaces_the_rule_and_resets_the_count(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    await mark_sent(database, person)
    assert (stored := await row(database, person)) is not None and stored.unanswered == 1
    later = NOW + timedelta(days=1)
    await schedule(database, person, later, RULES[0])
    stored = await row(database, person)
    assert stored is not None
    assert (stored.zone, stored.rhythm, stored.weekend) == ("Asia/Kathmandu", "biweekly", "45")
    assert (stored.next_checkin_at, stored.unanswered) == (later, 0)
    assert stored.last_checkin_at == NOW, "the last checkin is history, not a setting"


async def test_set_next_checkin_moves_or_clears_the_next_one(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    moved = NOW + timedelta(hours=3)
    await apply(database, person, SetNextCheckin(moved))
    assert (stored := await row(database, person)) is not None
    assert stored.next_checkin_at == moved and stored.zone == "Europe/Amsterdam"
    await apply(database, person, SetNextCheckin(None))
    assert (stored := await row(database, person)) is not None and stored.next_checkin_at is None
    assert await claim(database, NOW + timedelta(days=365)) == []


async def test_person_active_clears_unanswered_and_blocked(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    await mark_sent(database, person)
    await mark_sent(database, person, NOW + timedelta(days=7))
    await release(database, person, blocked=True)
    stored = await row(database, person)
    assert stored is not None and (stored.unanswered, stored.blocked) == (2, True)
    await apply(database, person, PersonActive())
    stored = await row(database, person)
    assert stored is not None and (stored.unanswered, stored.blocked) == (0, False)


# --- claims ---------------------------------------------------------------------------


async def test_claim_takes_only_due_unblocked_unclaimed_rows_earliest_first(
    database: Database,
) -> None:
    people = {name: await add_person(database, 100 + n) for n, name in enumerate("abcdefgh")}
    # Created in an order that differs from the due order, so ids do not give it away.
    await schedule(database, people["a"], NOW - timedelta(hours=1))
    await schedule(database, people["b"], NOW - timedelta(hours=3))
    await schedule(database, people["c"], NOW)  # due exactly now
    await schedule(database, people["d"], NOW + timedelta(seconds=1))  # not yet
    await schedule(database, people["e"], NOW - timedelta(days=9))
    await release(database, people["e"], blocked=True)  # blocked: never
    await schedule(database, people["f"], None)  # check-ins off
    await schedule(database, people["g"], NOW - timedelta(hours=2))
    async with database.transaction() as session:  # someone else holds a live claim
        stored = await session.get(CheckinSchedule, people["g"])
        assert stored is not None
        stored.claimed_until = NOW + timedelta(minutes=1)
    # "h" has no settings at all.

    first = await claim(database, limit=2)
    assert {d.person_id for d in first} == {people["b"], people["a"]}, "the two earliest"
    assert {d.chat_id for d in first} == {101, 100}
    for due in first:
        stored = await row(database, due.person_id)
        assert stored is not None and stored.claimed_until == NOW + LEASE

    rest = await claim(database, limit=10)
    assert [d.person_id for d in rest] == [people["c"]]
    assert await claim(database, limit=10) == []


async def test_a_claim_holds_for_the_lease_and_then_comes_back(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW - timedelta(minutes=1))
    assert [d.person_id for d in await claim(database)] == [person]
    assert await claim(database, NOW + timedelta(minutes=4)) == []
    assert await claim(database, NOW + LEASE) == [], "the lease runs up to and including its end"
    again = await claim(database, NOW + LEASE + timedelta(seconds=1))
    assert [d.person_id for d in again] == [person]
    stored = await row(database, person)
    assert stored is not None and stored.claimed_until == NOW + 2 * LEASE + timedelta(seconds=1)


async def test_a_person_without_a_chat_is_claimed_with_none(database: Database) -> None:
    person = await add_person(database, 7, chat=False)
    await schedule(database, person, NOW)
    assert await claim(database) == [DueCheckin(person, None)]


async def test_mark_sent_counts_plans_the_next_and_frees_the_claim(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    await claim(database)
    sent_at = NOW + timedelta(seconds=20)
    await mark_sent(database, person, sent_at)
    stored = await row(database, person)
    assert stored is not None
    assert stored.last_checkin_at == sent_at
    assert stored.unanswered == 1
    assert stored.claimed_until is None
    expected = next_checkin_at(AMSTERDAM, now=sent_at, last_checkin=sent_at)
    assert stored.next_checkin_at == expected == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert await claim(database, sent_at + LEASE * 2) == [], "the next one is a week away"
    await mark_sent(database, person, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    stored = await row(database, person)
    assert stored is not None and stored.unanswered == 2


async def test_mark_sent_uses_the_stored_rule(database: Database) -> None:
    person = await add_person(database, 1)
    rule = CheckinRule("Asia/Kathmandu", rhythm=Rhythm.BIWEEKLY, weekday=3, at=time(9, 30))
    await schedule(database, person, NOW, rule)
    await mark_sent(database, person)
    stored = await row(database, person)
    # Sent on Tuesday 3 March, 14:45 in Kathmandu, for the slot of Thursday 26 February:
    # the next fortnightly slot is Thursday 12 March.
    assert stored is not None
    assert stored.next_checkin_at == datetime(2026, 3, 12, 3, 45, tzinfo=UTC)


async def test_release_gives_the_claim_back_at_once(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    await claim(database)
    await release(database, person)
    assert [d.person_id for d in await claim(database)] == [person]


async def test_a_blocked_person_is_not_claimed_until_they_are_active(database: Database) -> None:
    person = await add_person(database, 1)
    await schedule(database, person, NOW)
    await claim(database)
    await release(database, person, blocked=True)
    stored = await row(database, person)
    assert stored is not None and stored.blocked and stored.claimed_until is None
    assert await claim(database, NOW + timedelta(days=60)) == []
    async with database.transaction() as session:
        assert await Checkins(session).due_count(NOW + timedelta(days=60)) == 0
    await apply(database, person, PersonActive())  # they write at NOW: due at the next slot
    assert await claim(database) == []
    assert [d.person_id for d in await claim(database, NOW + timedelta(days=7))] == [person]


async def test_due_count_counts_due_unblocked_rows(database: Database) -> None:
    for n, at in enumerate([NOW - timedelta(days=1), NOW, NOW + timedelta(minutes=1), None]):
        await schedule(database, await add_person(database, n + 1), at)
    async with database.transaction() as session:
        assert await Checkins(session).due_count(NOW) == 2


# --- concurrent claimers (PostgreSQL) -------------------------------------------------


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_open_claim_is_skipped_not_waited_for(database: Database) -> None:
    people = [await add_person(database, 200 + n) for n in range(6)]
    for n, person in enumerate(people):
        await schedule(database, person, NOW - timedelta(minutes=n))
    async with database.transaction() as first:
        mine = await Checkins(first).claim_due(NOW, 3, LEASE)
        # The first transaction is still open and holds its rows locked.
        theirs = await asyncio.wait_for(claim(database, limit=10), timeout=5)
    assert len(mine) == 3 and len(theirs) == 3
    assert {d.person_id for d in mine} | {d.person_id for d in theirs} == set(people)
    assert {d.person_id for d in mine} == set(people[3:]), "the most overdue went first"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_concurrent_claimers_never_claim_the_same_person(database: Database) -> None:
    people = [await add_person(database, 300 + n) for n in range(30)]
    for n, person in enumerate(people):
        await schedule(database, person, NOW - timedelta(seconds=n))

    async def claimer() -> list[int]:
        async with database.transaction() as session:
            claimed = await Checkins(session).claim_due(NOW, 4, LEASE)
            await asyncio.sleep(0.05)  # hold the row locks while the others claim
            return [d.person_id for d in claimed]

    claimed: list[int] = []
    for _ in range(10):
        rounds = await asyncio.gather(claimer(), claimer(), claimer())
        claimed += [person for batch in rounds for person in batch]
    assert len(claimed) == len(set(claimed)), "a person was claimed twice"
    assert set(claimed) == set(people)
    rows = []
    async with database.transaction() as session:
        rows = (await session.scalars(select(CheckinSchedule.claimed_until))).all()
    assert set(rows) == {NOW + LEASE}
