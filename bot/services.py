"""Opening the database and the cipher from settings, in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.log_privacy import keep_people_out_of_logs
from bot.settings import Settings
from storage.crypto import TextCipher, load_keys
from storage.database import Database

log = logging.getLogger(__name__)


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


async def open_services(settings: Settings, *, migrate: bool = True) -> Services:
    """Load the keys, open the database, run migrations and check the key fits."""
    data_dir = settings.data_dir.expanduser()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys_env = settings.encryption.keys.get_secret_value() if settings.encryption.keys else None
    source = load_keys(keys_env, settings.key_file)
    notices: list[str] = []
    if source.generated_file is not None:
        notices.append(
            f"Created a new encryption key in {source.generated_file} (readable only by you). "
            "Back it up: without it the stored stories cannot be read."
        )
    cipher = TextCipher(source.keys)
    database = Database(settings.database_url, echo=settings.database.echo)
    keep_people_out_of_logs()  # its loggers exist now; before its first statement
    try:
        if migrate:
            await database.upgrade()
        await database.check_key(cipher)
    except BaseException:
        await database.dispose()
        raise
    return Services(settings, database, cipher, tuple(notices))
