"""Key rotation: every encrypted value re-encrypted under the newest key, in batches.

The encrypted columns are found in the models by name (``*_encrypted``), and
the key check in ``settings`` is rotated too. Rotation is idempotent and can be
rerun after an interruption: a value already under the newest key is skipped,
each batch is its own transaction, and a value is only replaced if it did not
change meanwhile, so a newer answer is never overwritten with an older one.
The key check is rotated last: once it is under the newest key, the rotation
is complete. Until then the older keys still decrypt everything.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import KEY_CHECK, EncryptionKeyError, write_private
from storage.database import Database
from storage.models import Base, Setting

BATCH = 500
ENCRYPTED_SUFFIX = "_encrypted"


@dataclass
class RotationReport:
    """What one rotation pass did, in numbers."""

    rotated: int = 0
    current: int = 0  # already under the newest key
    changed: int = 0  # changed while this pass ran: rerun to rotate them
    complete: bool = False  # the key check, rotated last, is under the newest key


class KeyRing:
    """The keys, newest first: tells whether a value needs the older ones, and rotates it."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        if not keys:
            raise EncryptionKeyError("at least one encryption key is needed")
        self._newest = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])

    def is_current(self, token: bytes) -> bool:
        """True when the newest key alone decrypts this value."""
        try:
            self._newest.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """The value re-encrypted under the newest key."""
        try:
            return self._all.rotate(token)
        except InvalidToken:
            raise EncryptionKeyError("a stored value cannot be decrypted with these keys") from None


def encrypted_columns() -> list[tuple[Table, Column[object], Column[object]]]:
    """(table, its single-column primary key, an encrypted column) for every encrypted column."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith(ENCRYPTED_SUFFIX):
                (key,) = table.primary_key.columns
                found.append((table, key, column))
    return found


async def _key_check(database: Database) -> bytes | None:
    async with database.transaction() as session:
        value = await session.scalar(select(Setting.value).where(Setting.key == KEY_CHECK))
    return value.encode("ascii") if value else None


async def rotation_complete(database: Database, keys: tuple[bytes, ...]) -> bool:
    """True when the last rotation finished (or nothing was ever encrypted)."""
    check = await _key_check(database)
    return check is None or KeyRing(keys).is_current(check)


Rows = list[tuple[object, bytes]]


async def _batches(
    database: Database, key: Column[object], column: Column[object], batch: int
) -> AsyncIterator[tuple[AsyncSession, Rows]]:
    """(session, rows of key and value) in key order, one transaction per batch."""
    last: object = None
    while True:
        async with database.transaction() as session:
            query = select(key, column).where(column.is_not(None)).order_by(key).limit(batch)
            if last is not None:
                query = query.where(key > last)
            rows = [(row_key, _bytes(token)) for row_key, token in await session.execute(query)]
            if rows:
                yield session, rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _bytes(token: object) -> bytes:
    assert isinstance(token, bytes), "encrypted columns hold bytes"
    return token


async def rotate(database: Database, keys: tuple[bytes, ...], batch: int = BATCH) -> RotationReport:
    """Re-encrypt every value under ``keys[0]``; rerun safely until ``complete``."""
    ring, report = KeyRing(keys), RotationReport()
    for table, key, column in encrypted_columns():
        async for session, rows in _batches(database, key, column, batch):
            for row_key, token in rows:
                if ring.is_current(token):
                    report.current += 1
                    continue
                swapped = await session.execute(
                    update(table)
                    .where(key == row_key, column == token)
                    .values({column.key: ring.rotate(token)})
                )
                if swapped.rowcount:  # type: ignore[attr-defined]
                    report.rotated += 1
                else:
                    report.changed += 1
    if not report.changed:
        await _rotate_key_check(database, ring)
        report.complete = True
    return report


async def _rotate_key_check(database: Database, ring: KeyRing) -> None:
    async with database.transaction() as session:
        stored = await session.get(Setting, KEY_CHECK)
        if stored is not None and not ring.is_current(stored.value.encode("ascii")):
            stored.value = ring.rotate(stored.value.encode("ascii")).decode("ascii")


async def needing_old_keys(database: Database, keys: tuple[bytes, ...]) -> int:
    """How many stored values the newest key alone cannot decrypt (0: old keys can go)."""
    ring = KeyRing(keys)
    check = await _key_check(database)
    count = int(check is not None and not ring.is_current(check))
    for _table, key, column in encrypted_columns():
        async for _session, rows in _batches(database, key, column, BATCH):
            count += sum(1 for _, token in rows if not ring.is_current(token))
    return count


def write_keys(key_file: Path, keys: tuple[bytes, ...]) -> None:
    """Replace the key file atomically (owner-only), newest key first."""
    temporary = key_file.with_name(key_file.name + ".new")
    write_private(temporary, "".join(key.decode("ascii") + "\n" for key in keys))
    os.replace(temporary, key_file)


def add_key(key_file: Path, keys: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """Put a freshly generated key first in the key file; returns the new key list."""
    extended = (Fernet.generate_key(), *keys)
    write_keys(key_file, extended)
    return extended
