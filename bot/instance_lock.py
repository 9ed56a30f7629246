"""One bot process per SQLite file: a second ``leerverhaal run`` is refused, clearly.

SQLite has one writer at a time and no way to share the sender between
processes; several instances need PostgreSQL. The lock is an OS file lock next
to the database, released by the OS when the process ends, even when killed.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import ConfigError, Settings


class AlreadyRunning(ConfigError):
    """Another bot process runs on this SQLite database."""


@contextmanager
def single_process(settings: Settings) -> Iterator[bool]:
    """Hold the SQLite file's lock while the block runs; nothing to hold on PostgreSQL.

    Yields True when this process is now the only one on its database.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield False
        return
    path = Path(url.database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another leerverhaal process is running on {path.name}: run one bot process "
                "per SQLite database, or use PostgreSQL for several (see docs/DEPLOY.md)"
            ) from None
        yield True
    finally:
        os.close(descriptor)
