"""Keys and encryption of free text: generation, precedence, rotation, the key check."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.fernet import Fernet

from bot.engine.conversation import Conversations, Speaker
from bot.services import open_services
from bot.settings import Settings, load_settings
from flows.events import Command
from flows.replies import CreateStory, SaveAnswer
from flows.states import StoryKind
from storage.crypto import EncryptionKeyError, TextCipher, load_keys
from storage.database import Database
from storage.effects import apply_effects
from storage.repositories import People

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

SECRET_PHRASE = "Ik durfde eindelijk te vragen hoe het protocol werkt"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generated_key_file_is_private(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "secret.key"
    source = load_keys(None, key_file)
    assert source.generated_file == key_file
    assert _mode(key_file) == 0o600
    assert _mode(key_file.parent) == 0o700
    assert key_file.read_text(encoding="ascii").strip().encode() == source.keys[0]
    Fernet(source.keys[0])  # a usable key

    again = load_keys(None, key_file)
    assert again.keys == source.keys
    assert again.generated_file is None


def test_no_key_and_no_permission_to_create(tmp_path: Path) -> None:
    with pytest.raises(EncryptionKeyError, match="no encryption key"):
        load_keys(None, tmp_path / "secret.key", create=False)
    assert not (tmp_path / "secret.key").exists()


def test_environment_keys_take_precedence(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    file_key, env_new, env_old = (Fernet.generate_key() for _ in range(3))
    key_file.write_bytes(file_key + b"\n")
    source = load_keys(f" {env_new.decode()} , {env_old.decode()} ", key_file)
    assert source.keys == (env_new, env_old)
    assert source.generated_file is None
    assert load_keys("  ", key_file).keys == (file_key,)  # blank env: the file


def test_environment_keys_never_write_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    load_keys(Fernet.generate_key().decode(), key_file)
    assert not key_file.exists()


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ=", Fernet.generate_key().decode()[:-2]])
def test_malformed_key_is_refused_clearly(tmp_path: Path, bad: str) -> None:
    with pytest.raises(EncryptionKeyError) as raised:
        load_keys(f"{Fernet.generate_key().decode()},{bad}", tmp_path / "secret.key")
    message = str(raised.value)
    assert "malformed" in message
    assert "32 url-safe base64-encoded bytes" in message
    assert bad not in message  # never echo a secret


def test_malformed_or_empty_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_text("garbage\n", encoding="ascii")
    with pytest.raises(EncryptionKeyError, match="malformed"):
        load_keys(None, key_file)
    key_file.write_text("\n\n", encoding="ascii")
    with pytest.raises(EncryptionKeyError, match="empty"):
        load_keys(None, key_file)


def test_rotated_key_still_decrypts_old_tokens() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = TextCipher((old,)).encrypt(SECRET_PHRASE)
    assert SECRET_PHRASE.encode() not in token

    rotated = TextCipher((new, old))
    assert rotated.decrypt(token) == SECRET_PHRASE
    fresh = rotated.encrypt("nieuw")
    assert TextCipher((new,)).decrypt(fresh) == "nieuw"  # encrypts with the newest
    with pytest.raises(EncryptionKeyError):
        TextCipher((old,)).decrypt(fresh)

    re_encrypted = rotated.rotate(token)
    assert TextCipher((new,)).decrypt(re_encrypted) == SECRET_PHRASE


def test_wrong_key_error_says_nothing_stored() -> None:
    token = TextCipher((Fernet.generate_key(),)).encrypt(SECRET_PHRASE)
    with pytest.raises(EncryptionKeyError) as raised:
        TextCipher((Fernet.generate_key(),)).decrypt(token)
    assert SECRET_PHRASE not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(EncryptionKeyError):
        TextCipher(())


async def test_check_key_accepts_its_key_and_rejects_another(
    database: Database, clock: FakeClock
) -> None:
    key = Fernet.generate_key()
    cipher = TextCipher((key,))
    assert await database.check_key(cipher) is True  # first use: the check is written
    assert await database.check_key(cipher) is False  # afterwards: only verified
    assert await database.check_key(TextCipher((Fernet.generate_key(), key))) is False

    # Someone's words are stored; then the bot comes back with the wrong key.
    async with database.transaction() as session:
        person = await People(session).add("terminal", 7, None, "nl", clock())
        await apply_effects(
            session,
            cipher,
            person,
            (CreateStory(42, StoryKind.STORY), SaveAnswer(42, "change", SECRET_PHRASE)),
            clock(),
        )

    with pytest.raises(EncryptionKeyError) as raised:
        await database.check_key(TextCipher((Fernet.generate_key(),)))
    message = str(raised.value)
    assert "does not match" in message
    assert SECRET_PHRASE not in message
    assert "leerverhaal-key-check" not in message


async def test_open_services_without_any_configuration(clean_env: Path) -> None:
    settings = load_settings()
    data_dir = clean_env / ".local" / "share" / "leerverhaal"
    assert settings.data_dir == data_dir

    services = await open_services(settings)
    try:
        assert len(services.notices) == 1
        assert str(data_dir / "secret.key") in services.notices[0]
        assert "Back it up" in services.notices[0]
        assert _mode(data_dir / "secret.key") == 0o600
        assert _mode(data_dir) == 0o700
        assert (data_dir / "leerverhaal.sqlite3").exists()
        outcome = await Conversations(services.database, services.cipher).handle(
            Speaker("terminal", 1, None, "en"), Command("start")
        )
        assert outcome is not None and outcome.replies
    finally:
        await services.close()

    again = await open_services(load_settings())
    try:
        assert again.notices == ()
        assert await again.database.current_revision() is not None
    finally:
        await again.close()


async def test_open_services_with_a_key_that_does_not_fit(clean_env: Path) -> None:
    first = await open_services(Settings(data_dir=clean_env / "data"))
    await first.close()
    (clean_env / "data" / "secret.key").write_text(Fernet.generate_key().decode() + "\n")
    with pytest.raises(EncryptionKeyError, match="does not match"):
        await open_services(Settings(data_dir=clean_env / "data"))


async def test_a_lost_key_file_is_said_and_not_replaced(clean_env: Path) -> None:
    first = await open_services(Settings(data_dir=clean_env / "data"))
    await first.close()
    key_file = clean_env / "data" / "secret.key"
    key_file.unlink()
    with pytest.raises(EncryptionKeyError, match=r"no encryption key at .*restore"):
        await open_services(Settings(data_dir=clean_env / "data"))
    assert not key_file.exists(), "no stray new key that would hide the lost one"
