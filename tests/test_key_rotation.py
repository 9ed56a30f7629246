"""Key rotation on a populated database, interrupted and rerun; private files and folders."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from bot.cli import main
from bot.engine.conversation import Conversations, Speaker
from bot.services import open_services
from bot.settings import load_settings
from flows.events import Text
from flows.views import StoryView
from storage import keys as key_store
from storage.crypto import EncryptionKeyError, TextCipher
from storage.database import Database
from storage.keys import KeyRing, needing_old_keys, rotate, rotation_complete
from storage.models import Answer, Story
from storage.repositories import Stories
from tests.support.chat import ALICE, Chat, tell_whole_story

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

PEOPLE = [Speaker("telegram", 3000 + n, 3000 + n, "en") for n in range(4)]
OLD_KEY = Fernet.generate_key()


@pytest.fixture
def cipher() -> TextCipher:
    """The cipher of the populated database: one known key."""
    return TextCipher((OLD_KEY,))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _key_files(root: Path) -> list[Path]:
    return list(root.rglob("secret.key"))


async def _populate(conversations: Conversations) -> None:
    for number, speaker in enumerate(PEOPLE):
        await tell_whole_story(Chat(conversations, speaker, first_update=1000 * (number + 1)))


async def _every_story(database: Database, cipher: TextCipher) -> dict[int, StoryView]:
    """Every story of everybody, decrypted with ``cipher``."""
    async with database.transaction() as session:
        rows = (await session.execute(select(Story.person_id, Story.id))).all()
        stories: dict[int, StoryView] = {}
        for person, story in rows:
            stories.update(await Stories(session, cipher).load(person, [story]))
        return stories


async def test_rotation_rereads_every_story_with_the_new_key_alone(
    conversations: Conversations, cipher: TextCipher
) -> None:
    database = conversations.database
    await database.check_key(cipher)
    await _populate(conversations)
    before = await _every_story(database, cipher)
    new_key = Fernet.generate_key()

    assert await rotation_complete(database, (OLD_KEY,))
    assert not await rotation_complete(database, (new_key, OLD_KEY))
    report = await rotate(database, (new_key, OLD_KEY), batch=5)  # several batches
    assert (report.rotated, report.current, report.changed) == (12, 0, 0) and report.complete

    only_new = TextCipher((new_key,))
    assert await _every_story(database, only_new) == before
    assert not await database.check_key(only_new)  # the key check was rotated too
    with pytest.raises(EncryptionKeyError):
        await database.check_key(TextCipher((OLD_KEY,)))
    assert await needing_old_keys(database, (new_key, OLD_KEY)) == 0
    again = await rotate(database, (new_key, OLD_KEY))
    assert (again.rotated, again.current) == (0, 12)


async def test_an_interrupted_rotation_is_rerun_safely(
    conversations: Conversations, cipher: TextCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = conversations.database
    await database.check_key(cipher)
    await _populate(conversations)
    before = await _every_story(database, cipher)
    keys = (Fernet.generate_key(), OLD_KEY)
    original, calls = KeyRing.rotate, 0

    def crashing(self: KeyRing, token: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 8:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C in the third batch
        return original(self, token)

    monkeypatch.setattr(KeyRing, "rotate", crashing)
    with pytest.raises(KeyboardInterrupt):
        await rotate(database, keys, batch=3)
    monkeypatch.setattr(KeyRing, "rotate", original)

    assert await needing_old_keys(database, keys) == 12 - 6 + 1  # two batches done, key check
    assert not await rotation_complete(database, keys)
    assert await _every_story(database, TextCipher(keys)) == before  # both keys still read
    report = await rotate(database, keys, batch=3)
    assert (report.rotated, report.current) == (6, 6) and report.complete
    assert await _every_story(database, TextCipher(keys[:1])) == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_answer_changed_during_rotation_is_not_overwritten(
    conversations: Conversations,
    cipher: TextCipher,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bot (with the old key) saves an answer while a batch is being rotated."""
    database = conversations.database
    await database.check_key(cipher)
    await _populate(conversations)
    keys = (Fernet.generate_key(), OLD_KEY)
    original = key_store._batches
    bot = Database(database_url)

    async def racing(*args: Any) -> AsyncIterator[Any]:
        async for session, rows in original(*args):
            async with bot.transaction() as other:
                await other.execute(
                    update(Answer)
                    .where(Answer.id == rows[0][0])
                    .values(text_encrypted=cipher.encrypt("changed meanwhile"))
                )
            yield session, rows

    monkeypatch.setattr(key_store, "_batches", racing)
    try:
        report = await rotate(database, keys, batch=100)
    finally:
        await bot.dispose()
    assert (report.rotated, report.changed, report.complete) == (11, 1, False)
    assert not await rotation_complete(database, keys)
    async with database.transaction() as session:
        tokens = list(await session.scalars(select(Answer.text_encrypted).order_by(Answer.id)))
    assert TextCipher(keys).decrypt(tokens[0]) == "changed meanwhile"
    monkeypatch.setattr(key_store, "_batches", original)
    assert (await rotate(database, keys)).complete


# --- the command line, with a key file ------------------------------------------------


async def test_keys_rotate_and_prune_from_the_command_line(
    clean_env: Path, clock: FakeClock
) -> None:
    """``leerverhaal keys rotate`` adds a key to the file and re-encrypts; rerun and prune."""
    services = await open_services(load_settings())
    try:
        await tell_whole_story(Chat(Conversations(services.database, services.cipher, clock)))
        before = await _every_story(services.database, services.cipher)
    finally:
        await services.close()
    key_file = clean_env / ".local" / "share" / "leerverhaal" / "secret.key"
    first = key_file.read_text().split()

    assert await asyncio.to_thread(main, ["keys", "rotate"]) == 0
    second = key_file.read_text().split()
    assert len(second) == 2 and second[1:] == first and _mode(key_file) == 0o600

    # An interrupted rotation: a new key was added, nothing re-encrypted yet.
    key_file.write_text("\n".join([Fernet.generate_key().decode(), *second]) + "\n")
    assert await asyncio.to_thread(main, ["keys", "rotate"]) == 0
    assert len(key_file.read_text().split()) == 3  # continued: no fourth key

    assert await asyncio.to_thread(main, ["keys", "prune"]) == 0
    assert len(key_file.read_text().split()) == 1 and _mode(key_file) == 0o600
    services = await open_services(load_settings())
    try:
        assert await _every_story(services.database, services.cipher) == before
    finally:
        await services.close()


async def test_keys_from_the_environment_are_never_written(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("LEERVERHAAL_ENCRYPTION__KEYS", old)
    services = await open_services(load_settings())
    await services.close()
    assert await asyncio.to_thread(main, ["keys", "rotate"]) == 2
    assert "put a new key first" in capsys.readouterr().out
    monkeypatch.setenv("LEERVERHAAL_ENCRYPTION__KEYS", f"{new},{old}")
    assert await asyncio.to_thread(main, ["keys", "rotate"]) == 0
    assert "Rotation complete" in capsys.readouterr().out
    assert _key_files(clean_env) == []


async def test_data_directory_key_file_and_database_are_owner_only(clean_env: Path) -> None:
    services = await open_services(load_settings())
    try:
        await Conversations(services.database, services.cipher).handle(ALICE, Text("hi"), 1)
    finally:
        await services.close()
    data_dir = clean_env / ".local" / "share" / "leerverhaal"
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "secret.key") == 0o600
    files = sorted(data_dir.glob("leerverhaal.sqlite3*"))
    assert files and {_mode(path) for path in files} == {0o600}
