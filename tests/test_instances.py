"""Three ``leerverhaal run --webhook`` instances on one PostgreSQL database.

Telegram's updates are spread round robin, so one person's consecutive updates reach
different instances: people who type every answer at once still get each question
once and in order, and each answer is stored once, at its question. The instance that
sends (it holds the "sender" lease) is killed with SIGKILL in the middle of it all:
another one takes the lease and sends within seconds, and every reply still arrives
(a message the killed sender had sent but not yet crossed off may come twice: counted
and bounded). Check-ins that fall due reach each person once, paced.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.checkins.schedule import CheckinRule
from storage.checkin_store import Checkins
from storage.repositories import People
from tests.support.dispatch import is_checkin
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import TOKEN
from tests.support.webhook import (
    INTERVIEW_SENDS,
    Instances,
    answered_again,
    answers_of,
    bot_processes,
    burst_interview,
    inbox,
    repeats,
    sender_pid,
    sends_by_chat,
    stored_answers,
)

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
INSTANCES = 3
TAKEOVER_LIMIT = 30.0  # seconds from the kill until another instance sends
CHECKIN_RATE = 10.0  # check-ins per second (checkins.per_second)
REPEAT_LIMIT = 2  # per chat: sent by the killed sender, not yet crossed off (at least once)


async def all_told(tg: FakeTelegram, instances: Instances, people: list[FakeUser]) -> None:
    """Every person's answers stored once, in order; every update handled."""
    for user in people:
        stored = await stored_answers(instances.database, instances.cipher, user.chat_id)
        assert stored == answers_of(user), user
    await tg.wait_webhook_idle(timeout=30)
    handled = await inbox(instances.database)
    assert sorted(handled) == sorted(set(tg.webhook_accepted))
    assert all(handled.values()), "every update was handled"
    assert tg.unanswered_callbacks == []


async def took_over(instances: Instances, killed: int) -> int:
    """Wait until another instance holds the sender lease; its process id."""
    deadline = time.monotonic() + TAKEOVER_LIMIT
    while time.monotonic() < deadline:
        holder = await sender_pid(instances.database)
        if holder not in (None, killed):
            return holder
        await asyncio.sleep(0.1)
    raise AssertionError(f"no instance took the sender lease within {TAKEOVER_LIMIT} s")


async def test_three_instances_share_people_and_one_replaces_a_killed_sender(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        FakeTelegram(token=TOKEN, webhook_retry_delay=0.3) as tg,
        bot_processes(tg, tmp_path, database_url, INSTANCES) as instances,
    ):
        tg.spread_webhook(instances.urls, by="round_robin")
        first = [tg.user(3000 + n, f"P{n}", language_code="en") for n in range(12)]
        await asyncio.gather(*(burst_interview(user) for user in first))
        await tg.wait_until_idle(settle=0.5)
        assert set(sends_by_chat(tg).values()) == {INTERVIEW_SENDS}
        assert set(repeats(first).values()) == {0}
        posts_by_url = {url: 0 for url in instances.urls}
        for attempt in tg.webhook_attempts:
            posts_by_url[attempt.url] += 1
        assert all(posts_by_url.values()), posts_by_url  # every instance took updates
        await all_told(tg, instances, first)

        victim = instances.by_pid(await sender_pid(instances.database))
        second = [tg.user(3100 + n, f"Q{n}", language_code="en") for n in range(8)]
        talking = asyncio.gather(*(burst_interview(user, timeout=60) for user in second))
        before = sum(sends_by_chat(tg).values())
        await tg.wait_for(lambda: sum(sends_by_chat(tg).values()) >= before + 2 * len(second))
        await victim.kill()
        killed = time.monotonic()
        await took_over(instances, victim.pid)
        leased = time.monotonic() - killed
        calls = len(tg.calls)
        await tg.wait_for(lambda: len(tg.calls) > calls, timeout=TAKEOVER_LIMIT)
        takeover = time.monotonic() - killed
        await talking
        await tg.wait_until_idle(settle=0.5)

        repeated = repeats(second)
        assert takeover < TAKEOVER_LIMIT
        assert max(repeated.values()) <= REPEAT_LIMIT
        counts = sends_by_chat(tg)
        assert {user.chat_id: counts[user.chat_id] - INTERVIEW_SENDS for user in second} == (
            repeated
        )
        await all_told(tg, instances, first + second)
        again = answered_again(tg)
        assert again <= len(second)
        print(
            f"\nsender killed: lease taken after {leased:.1f} s, a message sent after"
            f" {takeover:.1f} s; "
            f"{sum(repeated.values())} message(s) and {again} button answer(s)"
            f" repeated; webhook answers {dict(tg.webhook_statuses)}"
        )


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now (check-ins are sent 08:00-21:00)."""
    offset = (12 - now.hour + 12) % 24 - 12  # -12..11 hours from UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc signs are inverted


async def test_each_due_checkin_is_sent_once_by_three_instances(
    tmp_path: Path, database_url: str
) -> None:
    now = datetime.now(UTC)
    rule = CheckinRule(midday_zone(now), weekend=frozenset())
    async with FakeTelegram(token=TOKEN) as tg:
        people = [tg.user(4000 + n, f"R{n}", language_code="en") for n in range(40)]
        async with bot_processes(
            tg,
            tmp_path,
            database_url,
            INSTANCES,
            CHECKINS__TICK_SECONDS="1",
            CHECKINS__PER_SECOND=str(CHECKIN_RATE),
        ) as instances:
            async with instances.database.transaction() as session:
                for user in people:
                    person = await People(session).add("telegram", user.id, user.chat_id, "en", now)
                    await Checkins(session).save_rule(person.id, rule, now - timedelta(minutes=1))
            await tg.wait_for(
                lambda: len(sends_by_chat(tg)) == len(people), timeout=30, what="every check-in"
            )
            await tg.wait_until_idle(settle=1.5)
            assert all(bot.process.returncode is None for bot in instances.bots)
        assert sends_by_chat(tg) == {user.chat_id: 1 for user in people}
        assert all(is_checkin(user.all_messages[0]) for user in people)
        times = sorted(itertools.chain.from_iterable(tg.send_times.values()))
        rate = (len(times) - 1) / (times[-1] - times[0])
        busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
        assert rate <= CHECKIN_RATE * 1.05
        assert busiest <= CHECKIN_RATE + 1  # (+1: the pacer's first and eleventh of a second)
        print(f"\n{len(times)} check-ins at {rate:.1f}/s, at most {busiest} in one second")
    tg.assert_no_violations()
