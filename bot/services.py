"""Opening the database and the cipher from settings, in one place."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.log_privacy import keep_people_out_of_logs
from bot.settings import ConfigError, Settings
from flows.checkins.schedule import set_allowed_hours
from storage.crypto import EncryptionKeyError, TextCipher, load_keys
from storage.database import Database

log = logging.getLogger(__name__)
Program = Callable[[Settings, argparse.Namespace], int]  # what a command runs


class NotSetUp(ConfigError):
    """An operator command found no database to work on."""


@dataclass
class Services:
    """What every adapter needs: the database and the cipher for free text."""

    settings: Settings
    database: Database
    cipher: TextCipher
    notices: tuple[str, ...] = ()

    async def close(self) -> None:
        """Release database connections."""
        await self.database.dispose()


def owner_only(folder: Path) -> None:
    """Make our data directory readable by its owner alone (0700), even when it already was."""
    info = folder.stat()
    if not stat.S_IMODE(info.st_mode) & 0o077:
        return
    try:
        if info.st_uid != os.getuid():
            raise PermissionError
        folder.chmod(0o700)
    except PermissionError:
        log.warning("the data directory is open to other users: make it mode 0700 (chmod 700)")


def _no_database_file(settings: Settings) -> bool:
    """True when the database is a SQLite file that does not exist (yet)."""
    url = make_url(settings.database_url)
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").exists()


async def open_services(
    settings: Settings, *, migrate: bool = True, existing: bool = False, apart: bool = False
) -> Services:
    """Open the database, run migrations, load the keys and check that they fit.

    ``apart``: run a due migration in a child process (the long-running bot).
    ``existing``: an operator command that works on stored data; without a
    database it refuses (NotSetUp), and it never creates a key. The check-ins' allowed
    hours are set here too, for the whole process.
    """
    set_allowed_hours(settings.checkins.hours())
    refusal = NotSetUp(
        "there is no Leerverhaal database here yet: start the bot first "
        "(`leerverhaal run` or `leerverhaal chat`), or check the data directory and database url"
    )
    if existing and _no_database_file(settings):
        raise refusal
    data_dir = settings.data_dir.expanduser()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    owner_only(data_dir)
    database = Database(settings.database_url, echo=settings.database.echo)
    keep_people_out_of_logs()  # its loggers exist now; before its first statement
    notices: list[str] = []
    try:
        if existing and await database.current_revision() is None:
            raise refusal
        keys_env = settings.encryption.keys.get_secret_value() if settings.encryption.keys else None
        source = load_keys(keys_env, settings.key_file, create=not existing)
        if source.generated_file is not None:
            notices.append(
                f"Created a new encryption key in {source.generated_file} (readable only by you). "
                "Back it up: without it the stored stories cannot be read."
            )
        cipher = TextCipher(source.keys)
        if migrate:
            await (database.upgrade_apart() if apart else database.upgrade())
        try:
            await database.check_key(cipher)
        except EncryptionKeyError:
            if source.generated_file is None:
                raise
            source.generated_file.unlink()  # a new key cannot read what the lost one wrote
            raise EncryptionKeyError(
                f"there is no encryption key at {source.generated_file}, but this database "
                "holds text encrypted with one: restore that key file from your backup, or "
                "set LEERVERHAAL_ENCRYPTION__KEYS (see the README, 'Keys')"
            ) from None
    except BaseException:
        await database.dispose()
        raise
    return Services(settings, database, cipher, tuple(notices))


def with_services(
    handler: Callable[[Services, argparse.Namespace], Awaitable[int]],
    *,
    migrate: bool = False,
    existing: bool = False,
) -> Program:
    """A command that works on the database: ``handler`` gets the services, opened (and
    migrated when ``migrate``; ``existing``: stored data, refused without a database)."""

    async def serve(settings: Settings, args: argparse.Namespace) -> int:
        services = await open_services(settings, migrate=migrate or existing, existing=existing)
        for notice in services.notices:
            print(notice, file=sys.stderr)
        try:
            return await handler(services, args)
        finally:
            await services.close()

    def program(settings: Settings, args: argparse.Namespace) -> int:
        return asyncio.run(serve(settings, args))

    return program
