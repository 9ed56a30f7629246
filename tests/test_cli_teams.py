"""`leerverhaal team ...` and `leerverhaal photo ...` on a real database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.cli import main
from flows.teams.periods import Period, Span
from flows.teams.views import Role
from storage.crypto import TextCipher
from storage.database import Database
from storage.team_store import Teams
from tests.support.teams import TEAMS, add_people, add_story

MARCH = datetime(2026, 3, 10, tzinfo=UTC)
DECEMBER = datetime(2025, 12, 10, tzinfo=UTC)
CIPHER = TextCipher((Fernet.generate_key(),))  # only to look codes up: no text is read


@pytest.fixture
def cli_env(clean_env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line pointed at an empty test database; returns its URL."""
    monkeypatch.setenv("LEERVERHAAL_DATABASE__URL", database_url)
    return database_url


async def run(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_team_create_invite_revoke_and_facilitators(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("team", "create", "Embassy", "Madrid", "--bot", "lv_bot") == 0
    out = capsys.readouterr().out
    assert "created team 1: Embassy Madrid" in out
    member = re.search(r"https://t\.me/lv_bot\?start=j_([a-z2-7]{16})", out)
    assert member and re.search(r"/join [a-z2-7]{4}(-[a-z2-7]{4}){3}", out)

    assert await run("team", "invite", "Embassy Madrid", "--facilitator") == 0
    facilitator = re.search(r"start f_([a-z2-7]{16})", capsys.readouterr().out)
    assert facilitator, "without a bot name: the equivalent /start command"

    database = Database(cli_env)
    try:
        async with database.transaction() as session:
            teams = Teams(session, CIPHER)
            found = await teams.lookup(facilitator[1])
            assert found is not None and found.role is Role.FACILITATOR
            await add_people(session, 1, MARCH)  # Telegram id 700001 has talked to the bot
        assert await run("team", "list") == 0
        assert "1\tEmbassy Madrid\tmembers: 0\tfacilitators: 0\topen invites: 2" in (
            capsys.readouterr().out
        )
        assert await run("team", "facilitator", "1", "--add", "700001") == 0
        assert "now a facilitator of Embassy Madrid" in capsys.readouterr().out
        assert await run("team", "facilitator", "1", "--add", "12345") == 1
        assert await run("team", "facilitator", "1", "--remove", "700001") == 0
        assert "no longer a facilitator" in capsys.readouterr().out
        assert await run("team", "revoke", "1") == 0
        assert "revoked 2 invite(s)" in capsys.readouterr().out
        async with database.transaction() as session:
            assert await Teams(session, CIPHER).lookup(member[1]) is None
        assert await run("team", "revoke", "Nowhere") == 1
    finally:
        await database.dispose()


async def test_photo_files_obey_the_same_rules(
    cli_env: str, clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("team", "create", "Embassy Madrid") == 0
    database = Database(cli_env)
    try:
        async with database.transaction() as session:
            people = await add_people(session, 5, MARCH)
            for person in people[:4]:
                await add_story(session, person, 1, DECEMBER, {"how": ["by_doing"]})
                await add_story(session, person, 1, MARCH, {"how": ["by_doing"], "who": ["team"]})
            await add_story(session, people[4], 1, MARCH, {"how": ["feedback"]})
    finally:
        await database.dispose()
    capsys.readouterr()
    out = clean_env / "photo.json"
    assert (
        await run("photo", "1", "--period", "2025-12", "--format", "json", "--out", str(out)) == 1
    )
    assert "Fewer than 5 people" in capsys.readouterr().err and not out.exists()
    assert (
        await run("photo", "1", "--period", "2026-03", "--format", "json", "--out", str(out)) == 0
    )
    photo = json.loads(out.read_text(encoding="utf-8"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "a photo may hold quotes"
    assert (photo["period"], photo["stories"], photo["contributors"]) == ("2026-03", 5, 5)
    how = next(s for s in photo["sections"] if s["question"] == "how")
    assert how["asked"] == {"stories": 5, "checkins": 0}
    assert how["counts"] == [
        {"item": "By doing, trial and error", "count": 4, "share": 0.8},
        {"item": "Feedback", "count": 1, "share": 0.2},
    ]
    png = clean_env / "team-photo-1-2026-Q1.png"
    png.write_bytes(b"")
    png.chmod(0o644)  # an older photo, written before photos were private
    assert await run("photo", "Embassy Madrid", "--period", "2026-Q1", "--format", "png") == 0
    assert png.read_bytes().startswith(b"\x89PNG") and stat.S_IMODE(png.stat().st_mode) == 0o600
    assert await run("photo", "1", "--period", "2026-03", "--format", "csv") == 0
    rows = list(csv.reader(io.StringIO((clean_env / "team-photo-1-2026-03.csv").read_text())))
    withheld = ["Embassy Madrid", "2026-03", "who", TEAMS.photo_withheld, "", "", ""]
    assert withheld in rows, "4 of 5"
    assert await run("photo", "1", "--period", "2026-H1", "--format", "md", "--language", "nl") == 0
    markdown = (clean_env / "team-photo-1-2026-H1.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Teamfoto · Embassy Madrid · 1e halfjaar 2026")
    running = str(Period.containing(Span.YEAR, datetime.now(UTC)))
    for period in ("2026-03-01", "2026-01..2026-03", "2999-01", running):
        assert await run("photo", "1", "--period", period) == 2
