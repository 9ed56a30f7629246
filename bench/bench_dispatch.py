"""Benchmark: dispatch many due check-ins against the fake Bot API server.

Usage (from the project root):
    .venv/bin/python bench/bench_dispatch.py [--people 100000] [--rate 200] [--database-url URL]

Creates ``--people`` people whose check-in is due now (SQLite file in a temporary
folder unless a URL is given), starts the fake Bot API server on 127.0.0.1 and the
real Application's checkin dispatcher, and ticks until nothing is due. Reports the
achieved rate against the configured one (target >= 95 %), duplicates and losses
(target: zero of each), and the smallest gap between two messages to one chat.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.jobs.checkins import CheckinDispatcher
from bot.services import open_services
from bot.settings import CheckinSettings, DatabaseSettings, Settings, TelegramSettings
from bot.telegram.app import DISPATCHER, build_application
from flows.states import State
from storage.models import CheckinSchedule, Person
from tests.support.fake_telegram import FakeTelegram

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday, 10:00 UTC
FIRST_USER = 10_000_000


async def populate(services: object, people: int) -> None:
    """People and schedules in bulk: all due now, in UTC, Tuesdays at 10:00."""
    database = services.database  # type: ignore[attr-defined]
    state = State().to_json()
    async with database.transaction() as session:
        for start in range(0, people, 5_000):
            ids = range(start, min(start + 5_000, people))
            await session.execute(
                insert(Person),
                [
                    {
                        "id": i + 1, "channel": "telegram", "external_id": FIRST_USER + i,
                        "chat_id": FIRST_USER + i, "language": "en", "state": state,
                        "version": 0, "created_at": NOW, "updated_at": NOW,
                    }
                    for i in ids
                ],
            )  # fmt: skip
            await session.execute(
                insert(CheckinSchedule),
                [
                    {
                        "person_id": i + 1, "zone": "UTC", "rhythm": "weekly", "weekday": 1,
                        "at_minute": 600, "weekend": "56", "next_checkin_at": NOW,
                        "unanswered": 0, "blocked": False,
                    }
                    for i in ids
                ],
            )  # fmt: skip


def serve_fake_telegram(people: int, connection: Connection) -> None:
    """In a separate process (Telegram is not in the bot's process either)."""

    async def serve() -> None:
        async with FakeTelegram(token="123:BENCH", settle=0.05) as tg:
            for i in range(people):
                tg.user(FIRST_USER + i)
            connection.send((tg.token, tg.base_url, tg.base_file_url))
            await asyncio.to_thread(connection.recv)  # the bench is done
            sent = [c.params.get("chat_id") for c in tg.calls if c.method == "sendMessage"]
            received = Counter(sent)
            gaps = min((tg.min_interval(chat) for chat in received), default=float("inf"))
            connection.send((received, gaps, len(tg.violations)))

    asyncio.run(serve())


async def run(people: int, rate: float, database_url: str | None, data_dir: Path) -> int:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve_fake_telegram, args=(people, child), daemon=True
    )
    server.start()
    token, base_url, base_file_url = await asyncio.to_thread(parent.recv)
    settings = Settings(
        data_dir=data_dir,
        telegram=TelegramSettings(
            token=SecretStr(token),
            base_url=base_url,
            base_file_url=base_file_url,
            max_messages_per_second=rate * 2,
        ),
        database=DatabaseSettings(url=SecretStr(database_url) if database_url else None),
        checkins=CheckinSettings(per_second=rate, batch_size=500, tick_seconds=3600),
    )
    services = await open_services(settings)
    await populate(services, people)
    app = build_application(settings, services, clock=lambda: NOW)
    await app.initialize()
    dispatcher: CheckinDispatcher = app.bot_data[DISPATCHER]
    started = time.perf_counter()
    totals = Counter[str]()
    while True:
        report = await dispatcher.tick()
        totals.update(vars(report))
        if not report.claimed:
            break
    elapsed = time.perf_counter() - started
    await app.shutdown()
    await services.close()
    parent.send("done")
    received, gaps, violations = await asyncio.to_thread(parent.recv)
    server.join(timeout=10)

    duplicates = sum(n - 1 for n in received.values() if n > 1)
    lost = people - len(received)
    achieved = totals["sent"] / elapsed
    print(f"people: {people}, configured rate: {rate:.0f}/s")
    print(f"sent: {totals['sent']} in {elapsed:.1f} s = {achieved:.1f}/s "
          f"({100 * achieved / rate:.1f} % of the rate; target >= 95 %)")  # fmt: skip
    print(f"duplicates: {duplicates}, lost: {lost}, failed: {totals['failed']}")
    print(f"smallest gap between two messages to one chat: {gaps} s; API violations: {violations}")
    ok = achieved >= 0.95 * rate and duplicates == 0 and lost == 0 and violations == 0
    print("OK" if ok else "BELOW TARGET")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=150.0, help="checkins per second to aim for")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(run(args.people, args.rate, args.database_url, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
