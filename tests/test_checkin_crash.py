"""A dispatcher that dies between sending and recording: at least once, at most one repeat.

The test starts a second Python process (this module, run with ``-m``) on the same
database. It ticks a real ``CheckinDispatcher`` whose sender appends each chat id to a
file and kills the process (``os._exit``) at the n-th send, before the last batch is
marked as sent. The test process then ticks a dispatcher of its own on the same
simulated "now" (passed on the command line): nothing goes out while the dead
process's claims hold; after the lease everyone who was not marked gets exactly one
checkin, those who got one but were not marked get their one repeat, and nothing more.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.engine.conversation import Conversations
from bot.jobs.checkins import CheckinDispatcher, DispatchLimits
from flows.checkins.schedule import CheckinRule
from flows.replies import Outcome
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import CheckinSchedule, Person

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Amsterdam: everyone's slot
PEOPLE = 60
FIRST_CHAT = 6001
BATCH = 20  # three claims of 20: the crash comes in the third
CRASH_AT = 45  # the 45th send is the last one that happens
CRASHED = 17  # the worker's exit status when it "crashes" as planned
LIMITS = DispatchLimits(per_second=1000.0, batch=BATCH, lease=timedelta(minutes=5))


# --- the crashing worker (a separate process) -----------------------------------------


async def crashing_worker(url: str, now: datetime, log: Path, crash_at: int, key: bytes) -> None:
    """Tick once; the sender writes each chat id and dies at the ``crash_at``-th send."""
    database = Database(url)
    conversations = Conversations(database, TextCipher((key,)), clock=lambda: now)
    sent = 0

    async def send(chat_id: int, outcome: Outcome) -> None:
        nonlocal sent
        with log.open("a") as file:
            file.write(f"{chat_id}\n")
        sent += 1
        if sent >= crash_at:
            os._exit(CRASHED)  # no cleanup, no commit, like a power cut after sendMessage

    await CheckinDispatcher(conversations, send, LIMITS).tick()
    await database.dispose()


def main(argv: list[str]) -> None:
    url, now, log, crash_at, key = argv
    moment = datetime.fromisoformat(now)
    asyncio.run(crashing_worker(url, moment, Path(log), int(crash_at), key.encode()))


# --- the test -------------------------------------------------------------------------


async def set_up_people(database: Database) -> None:
    """PEOPLE people in Amsterdam whose check-in is due exactly at NOW."""
    rule = CheckinRule("Europe/Amsterdam")
    async with database.transaction() as session:
        for number in range(FIRST_CHAT, FIRST_CHAT + PEOPLE):
            person = Person(
                channel="telegram",
                external_id=number,
                chat_id=number,
                language="en",
                state="",
                version=0,
                created_at=NOW - timedelta(days=1),
                updated_at=NOW - timedelta(days=1),
            )
            session.add(person)
            await session.flush()
            session.add(
                CheckinSchedule(
                    person_id=person.id,
                    zone=rule.zone,
                    rhythm=rule.rhythm.value,
                    weekday=rule.weekday,
                    at_minute=rule.at.hour * 60 + rule.at.minute,
                    weekend="56",
                    next_checkin_at=NOW,
                    unanswered=0,
                    blocked=False,
                )
            )


async def run_crashing_worker(database_url: str, log: Path, key: bytes) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.test_checkin_crash",
        database_url,
        NOW.isoformat(),
        str(log),
        str(CRASH_AT),
        key.decode(),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == CRASHED, output.decode(errors="replace")[-3000:]
    return process.returncode


async def marked_chats(database: Database) -> set[int]:
    """Chats whose checkin was recorded as sent."""
    async with database.transaction() as session:
        chats = await session.scalars(
            select(Person.chat_id)
            .join(CheckinSchedule, CheckinSchedule.person_id == Person.id)
            .where(CheckinSchedule.last_checkin_at.is_not(None))
        )
        return {chat for chat in chats if chat is not None}


async def test_a_crash_between_send_and_record_repeats_at_most_once(
    database_url: str, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await set_up_people(database)
    everyone = set(range(FIRST_CHAT, FIRST_CHAT + PEOPLE))
    log = tmp_path / "sent-before-the-crash.txt"
    key = Fernet.generate_key()
    await run_crashing_worker(database_url, log, key)

    before_crash = Counter(int(line) for line in log.read_text().split())
    assert sum(before_crash.values()) == CRASH_AT
    assert max(before_crash.values()) == 1, "no one got two checkins from one process"
    marked = await marked_chats(database)
    assert marked <= set(before_crash), "only sent checkins are recorded"
    sent_not_marked = set(before_crash) - marked
    assert sent_not_marked, "the crash came after a send and before it was recorded"
    assert marked, "earlier batches were recorded before the crash"

    after_crash: Counter[int] = Counter()

    async def send(chat_id: int, outcome: Outcome) -> None:
        assert outcome.replies
        after_crash[chat_id] += 1

    conversations = Conversations(database, TextCipher((key,)), clock=clock)
    survivor = CheckinDispatcher(conversations, send, LIMITS)
    clock.now = NOW
    assert (await survivor.tick()).claimed == 0, "the dead process's claims still hold"
    clock.now = NOW + LIMITS.lease - timedelta(seconds=1)
    assert (await survivor.tick()).claimed == 0
    assert not after_crash

    clock.now = NOW + LIMITS.lease + timedelta(seconds=1)
    report = await survivor.tick()
    assert report.sent == PEOPLE - len(marked)
    assert set(after_crash) == everyone - marked
    assert max(after_crash.values()) == 1

    total = before_crash + after_crash
    assert set(total) == everyone, "nobody was lost"
    assert {chat for chat, n in total.items() if n == 2} == sent_not_marked
    assert max(total.values()) == 2, "at most one repeat"
    assert await marked_chats(database) == everyone

    for hours in (1, 24, 6 * 24):  # later ticks in the same week send nothing more
        clock.now = NOW + timedelta(hours=hours)
        assert (await survivor.tick()).claimed == 0
    assert sum(after_crash.values()) == PEOPLE - len(marked)


if __name__ == "__main__":
    main(sys.argv[1:])
