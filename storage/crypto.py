"""Encryption of free text at rest, with key rotation (Fernet / MultiFernet).

Keys come from the environment (``LEERVERHAAL_ENCRYPTION__KEYS``, newest first,
comma-separated) or from a key file (one key per line, newest first). On first
run without either, a key file is generated with owner-only permissions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_CHECK = "leerverhaal-key-check"


class EncryptionKeyError(Exception):
    """The encryption key is missing, malformed, or does not fit the stored data."""


@dataclass(frozen=True)
class KeySource:
    """Where the keys were found, for a one-line notice at start-up."""

    keys: tuple[bytes, ...]
    generated_file: Path | None = None


def _parse(lines: list[str]) -> tuple[bytes, ...]:
    keys = tuple(line.strip().encode() for line in lines if line.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise EncryptionKeyError(
                "an encryption key is malformed: expected 32 url-safe base64-encoded bytes"
            ) from exc
    return keys


def write_private(path: Path, content: str | bytes) -> None:
    """Write a file that only its owner can read (0600), creating its folder (0700).

    Text is written as ASCII (keys); bytes as they are (an export).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = content.encode("ascii") if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def load_keys(env_keys: str | None, key_file: Path, *, create: bool = True) -> KeySource:
    """Find the keys: environment first, then the key file; generate one if allowed."""
    if env_keys and env_keys.strip():
        return KeySource(_parse(env_keys.split(",")))
    if key_file.exists():
        keys = _parse(key_file.read_text(encoding="ascii").splitlines())
        if not keys:
            raise EncryptionKeyError(f"the key file {key_file.name} is empty")
        return KeySource(keys)
    if not create:
        raise EncryptionKeyError(
            "no encryption key: set LEERVERHAAL_ENCRYPTION__KEYS or a key file"
        )
    key = Fernet.generate_key()
    write_private(key_file, key.decode() + "\n")
    return KeySource((key,), generated_file=key_file)


class TextCipher:
    """Encrypts with the newest key; decrypts with any of them."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        if not keys:
            raise EncryptionKeyError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._hash_key = hashlib.sha256(b"leerverhaal-fingerprint:" + keys[0]).digest()

    def fingerprint(self, value: str) -> str:
        """A keyed hash (HMAC-SHA256, from the newest key) of a value not kept in the clear."""
        return hmac.new(self._hash_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, text: str) -> bytes:
        """Encrypt a person's words."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt; raises EncryptionKeyError (without any content) when no key fits."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise EncryptionKeyError(
                "stored text cannot be decrypted with the configured keys"
            ) from None

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt a token under the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise EncryptionKeyError(
                "stored text cannot be decrypted with the configured keys"
            ) from None
