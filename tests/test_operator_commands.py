"""Operator commands on a data directory that is empty, old or too open."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.conversation import Conversations
from bot.services import open_services
from bot.settings import load_settings
from tests.support.chat import ALICE, Chat, tell_whole_story

OPERATOR_COMMANDS = [
    ["keys", "rotate"],
    ["keys", "prune"],
    ["export-person", "--person", "1"],
    ["retention", "run"],
    ["photo", "1", "--period", "2026-01"],
]


def _found(root: Path, pattern: str) -> list[Path]:
    return list(root.rglob(pattern))


def _data_dir(home: Path) -> Path:
    return home / ".local" / "share" / "leerverhaal"


@pytest.mark.parametrize("command", OPERATOR_COMMANDS, ids=" ".join)
async def test_operator_commands_refuse_an_empty_data_directory_in_one_line(
    clean_env: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert await asyncio.to_thread(main, command) == 2
    errors = capsys.readouterr().err
    assert errors.startswith("leerverhaal: there is no Leerverhaal database here yet")
    assert errors.count("\n") == 1 and "Traceback" not in errors
    assert _found(clean_env, "secret.key") == []  # no key for data that does not exist
    assert _found(clean_env, "*.sqlite3*") == []


async def test_operator_commands_migrate_an_older_database_first(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = await open_services(load_settings())
    try:
        await tell_whole_story(Chat(Conversations(services.database, services.cipher)))
        await services.database.downgrade("0003")
    finally:
        await services.close()
    out = clean_env / "request"
    argv = ["export-person", "--telegram-id", str(ALICE.external_id), "--out", str(out)]
    assert await asyncio.to_thread(main, argv) == 0
    assert "Traceback" not in capsys.readouterr().err
    [data] = out.glob("*.json")
    assert json.loads(data.read_text(encoding="utf-8"))["person"]["id"] == ALICE.external_id


async def test_an_existing_data_directory_is_made_owner_only(clean_env: Path) -> None:
    data_dir = _data_dir(clean_env)
    data_dir.mkdir(parents=True)
    data_dir.chmod(0o755)  # made by hand, before the first start
    services = await open_services(load_settings())
    await services.close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
