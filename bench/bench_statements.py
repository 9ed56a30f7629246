"""Benchmark: the SQL statements one update costs, inbox and outbox included.

Usage (from the project root):
    .venv/bin/python bench/bench_statements.py [--databases sqlite,postgresql]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test]

Runs the real Application in this process (tests/support/telegram.running_bot, polling
the fake Bot API server) on a fresh SQLite file and on a throwaway PostgreSQL database
(created on the --postgres-url server, dropped afterwards). One person sends /start,
taps "English" (the language question), taps "begin", types the answer to the opening
question, taps an option and taps Done; for each of these updates, SQLAlchemy's
``before_cursor_execute`` on the bot's engine records every statement from the update's
arrival (getUpdates) until its outbox row is deleted after delivery and that deletion is
committed. Statements of the engine's periodic tasks (the sender's outbox poll,
recovery, the lease) that fall in the window are listed apart as background. COMMITs
(and on PostgreSQL the driver's BEGINs; the pool pings no connection) are round trips without
a statement event; they are listed in brackets. Each statement shows its first 80
characters, never its parameters. Counted: the statements other than BEGIN and COMMIT
(SQLite's BEGIN IMMEDIATE travels with a transaction's first statement, in the same trip
to the database thread: storage/sqlite_driver.py), and the transactions.
Target: at most 8 statements for a typed answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postgres_support import throwaway_postgres
from flows.content.guide import guide_for
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import TOKEN, bot_settings, running_bot

TARGET = 8
PER_UPDATE = frozenset({"polling", "lane", "chat", "sender-flush", "after-delivery"})
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TEXTS = guide_for("en").texts


@dataclass
class Executed:
    """One statement (or a bracketed round trip without one) and the task that ran it."""

    task: str
    text: str
    at: float

    @property
    def statement(self) -> bool:
        return not self.text.startswith("[")


@dataclass
class Recorder:
    """Everything the bot's engine executes while ``on``."""

    engine: AsyncEngine
    on: bool = False
    rows: list[Executed] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        sync = self.engine.sync_engine
        sqlite = sync.dialect.name == "sqlite"
        event.listen(sync, "before_cursor_execute", self._execute)
        event.listen(sync, "commit", lambda _c: self._note("[COMMIT]"))
        event.listen(sync, "rollback", lambda _c: self._note("[ROLLBACK]"))
        if not sqlite:  # (SQLite's BEGIN IMMEDIATE goes with the first statement)
            event.listen(sync, "begin", lambda _c: self._note("[BEGIN]"))

    def _execute(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self._note(" ".join(statement.split())[:80])

    def _note(self, text: str) -> None:
        if self.on:
            task = asyncio.current_task()
            self.rows.append(Executed(task.get_name() if task else "-", text, time.monotonic()))
            self.changed.set()

    def finished_after(self, moment: float) -> bool:
        """The outbox row was deleted after ``moment`` and that deletion committed."""
        deleted = False
        for row in self.rows:
            if row.at >= moment and row.text.startswith("DELETE FROM outbox"):
                deleted = True
            elif deleted and row.text == "[COMMIT]" and row.task == "sender-flush":
                return True
        return False


async def measure(
    tg: FakeTelegram,
    recorder: Recorder,
    act: Callable[[], Awaitable[Any]],
    reply: Callable[[], Awaitable[Any]],
) -> list[Executed]:
    """The statements of one update: from sending it until its outbox row is gone."""
    await tg.wait_until_idle(settle=0.3)
    recorder.rows, recorder.on = [], True
    try:
        await act()
        await reply()
        arrived = time.monotonic()
        async with asyncio.timeout(10):
            while not recorder.finished_after(arrived):
                recorder.changed.clear()
                await recorder.changed.wait()
    finally:
        recorder.on = False
    return recorder.rows


def report(label: str, rows: list[Executed]) -> int:
    """Print one update's statements; returns how many there were (BEGIN/COMMIT aside)."""
    mine = [row for row in rows if row.task in PER_UPDATE]
    background = [row for row in rows if row.task not in PER_UPDATE]
    statements = sum(row.statement and not row.text.startswith("BEGIN") for row in mine)
    transactions = sum(row.text in ("[COMMIT]", "[ROLLBACK]") for row in mine)
    print(
        f"\n{label}: {statements} statements in {transactions} transactions "
        f"({len(mine)} round trips with BEGIN and COMMIT)"
    )
    for number, row in enumerate(mine, 1):
        print(f"  {number:>2} {row.task:<14} {row.text}")
    for row in background:
        print(f"     {'(' + row.task + ')':<14} {row.text}   [background, not counted]")
    return statements


async def one_person(
    tg: FakeTelegram, recorder: Recorder, user: FakeUser
) -> list[tuple[str, list[Executed]]]:
    """/start, the language, begin, a typed answer, an option tap and Done, each measured."""
    steps: list[tuple[str, Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = [
        ("/start (a new person)", lambda: user.send("/start"), user.wait_for_message),
        ("tap 'English' (the language)", lambda: user.press_button("English"), user.wait_for_edit),
        ("tap 'begin'", lambda: user.press_button(TEXTS.begin), user.wait_for_message),
        (
            "typed answer (opening question)",
            lambda: user.send("Writing short cables for headquarters"),
            user.wait_for_message,
        ),
        ("option tap", lambda: user.press_button("Feedback"), user.wait_for_edit),
        ("tap 'Done'", lambda: user.press_button(TEXTS.done), user.wait_for_message),
    ]
    return [(label, await measure(tg, recorder, act, reply)) for label, act, reply in steps]


@contextlib.asynccontextmanager
async def database(name: str, postgres_url: str) -> AsyncIterator[str | None]:
    """None for SQLite (a file in the data directory), else a throwaway PostgreSQL database."""
    if name == "sqlite":
        yield None
        return
    async with throwaway_postgres(postgres_url) as url:
        yield url


async def run(databases: list[str], postgres_url: str) -> int:
    worst = 0
    for name in databases:
        with tempfile.TemporaryDirectory() as folder:
            async with database(name, postgres_url) as url, FakeTelegram(token=TOKEN) as tg:
                async with running_bot(bot_settings(tg, Path(folder), url)) as bot:
                    recorder = Recorder(bot.services.database.engine)
                    measured = await one_person(tg, recorder, tg.user(1001, "Ann"))
                tg.assert_no_violations()
        print(f"\n=== {name} ===")
        for label, rows in measured:
            count = report(f"{name}: {label}", rows)
            if label.startswith("typed answer"):
                worst = max(worst, count)
                print(f"  -> {count} statements for a typed answer (target <= {TARGET})")
    return 0 if worst <= TARGET else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LEERVERHAAL_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server where a throwaway database may be created and dropped",
    )
    args = parser.parse_args()
    return asyncio.run(run(args.databases.split(","), args.postgres_url))


if __name__ == "__main__":
    sys.exit(main())
