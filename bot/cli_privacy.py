"""Operator commands for people's data: key rotation, an export on request, retention.

leerverhaal keys rotate [--no-new-key]   re-encrypt all stored text with a new key
leerverhaal keys prune                   drop older keys once no value needs them
leerverhaal export-person --telegram-id N [--out DIR]
leerverhaal retention run [--dry-run]

Each works on stored data: without a database it refuses, and it never creates a key.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.engine.conversation import utc_now
from bot.jobs.retention import RetentionJob
from bot.services import Services, with_services
from bot.settings import Settings
from flows.content.guide import guide_for
from flows.privacy import export as export_render
from storage.crypto import load_keys, write_private
from storage.export import gather
from storage.keys import add_key, needing_old_keys, rotate, rotation_complete, write_keys
from storage.repositories import People
from storage.retention import ExpiringStories

NEW_KEY_HINT = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the commands on the ``leerverhaal`` parser."""
    keys = commands.add_parser("keys", help="encryption keys").add_subparsers(
        dest="keys_command", required=True
    )
    rotate_command = keys.add_parser(
        "rotate", help="add a new key and re-encrypt all stored text with it (stop the bot first)"
    )
    rotate_command.add_argument(
        "--no-new-key", action="store_true", help="re-encrypt with the newest key already there"
    )
    rotate_command.set_defaults(program=with_services(_rotate, existing=True))
    prune = keys.add_parser("prune", help="remove older keys once no stored value needs them")
    prune.set_defaults(program=with_services(_prune, existing=True))
    export = commands.add_parser("export-person", help="export one person's data, on request")
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--telegram-id", type=int, help="their Telegram user id")
    who.add_argument("--person", type=int, help="their internal number, as in the logs")
    export.add_argument("--out", type=Path, default=Path(), help="folder for the two files")
    export.set_defaults(program=with_services(_export_person, existing=True))
    retention = commands.add_parser("retention", help="stories past privacy.retention_*")
    run = retention.add_subparsers(dest="retention_command", required=True).add_parser(
        "run", help="tell people ahead and delete expired stories, now"
    )
    run.add_argument("--dry-run", action="store_true", help="only count, change nothing")
    run.set_defaults(program=with_services(_retention, existing=True))


def _configured_keys(settings: Settings) -> tuple[tuple[bytes, ...], Path | None]:
    """The keys, newest first, and the key file they came from (None: the environment)."""
    env = settings.encryption.keys.get_secret_value() if settings.encryption.keys else None
    source = load_keys(env, settings.key_file, create=False)
    from_env = bool(env and env.strip())
    return source.keys, None if from_env else settings.key_file


async def _rotate(services: Services, args: argparse.Namespace) -> int:
    new_key = not args.no_new_key
    keys, key_file = _configured_keys(services.settings)
    database = services.database
    if new_key and await rotation_complete(database, keys):
        if key_file is None:
            print(
                "The keys come from LEERVERHAAL_ENCRYPTION__KEYS: put a new key first "
                f"(make one with: {NEW_KEY_HINT}), then run `leerverhaal keys rotate` again."
            )
            return 2
        keys = add_key(key_file, keys)
        print(f"Added a new key at the top of {key_file}.")
    elif new_key:
        print("Continuing an unfinished rotation with the newest key.")
    report = await rotate(database, keys)
    print(f"Re-encrypted {report.rotated} values; {report.current} already used the newest key.")
    if not report.complete:
        print(f"{report.changed} values changed meanwhile: run `leerverhaal keys rotate` again.")
        return 1
    print("Rotation complete. `leerverhaal keys prune` removes the older keys.")
    return 0


async def _prune(services: Services, _args: argparse.Namespace) -> int:
    keys, key_file = _configured_keys(services.settings)
    if len(keys) == 1:
        print("There is only one key: nothing to prune.")
        return 0
    still = await needing_old_keys(services.database, keys)
    if still:
        print(
            f"{still} values still need an older key: run `leerverhaal keys rotate --no-new-key`."
        )
        return 1
    if key_file is None:
        print("No value needs the older keys: remove them from LEERVERHAAL_ENCRYPTION__KEYS.")
        return 0
    write_keys(key_file, keys[:1])
    print(f"Removed {len(keys) - 1} older keys from {key_file}.")
    return 0


async def _export_person(services: Services, args: argparse.Namespace) -> int:
    async with services.database.transaction() as session:
        people = People(session)
        if args.telegram_id is not None:
            person = await people.find("telegram", args.telegram_id)
        else:
            person = await people.get(args.person)
        if person is None:
            print("Nobody with that id is stored.")
            return 1
        record = await gather(session, services.cipher, person)
    for file in export_render.files(record, guide_for(record.language), utc_now()):
        path = args.out / file.filename
        write_private(path, file.data)
        print(f"Wrote {path} (readable only by you).")
    return 0


async def _retention(services: Services, args: argparse.Namespace) -> int:
    retention = services.settings.privacy.policy().retention
    cutoffs = retention.cutoffs(utc_now())
    if cutoffs is None:
        print("No retention period is set: stories are kept until people delete them.")
        return 0
    if args.dry_run:
        async with services.database.transaction() as session:
            tell, delete = await ExpiringStories(session).pending(cutoffs)
        print(f"A run now would tell {tell} people and delete {delete} stories.")
        return 0
    from bot.telegram.replies import telegram_sender  # here: most commands never talk to Telegram

    async with telegram_sender(services.settings) as send:
        report = await RetentionJob(services.database, retention, send).run()
    unreachable = f" ({report.unreachable} could not be reached)" if report.unreachable else ""
    cards = f" and {report.cards} invitation cards" if report.cards else ""
    cards += f" and {report.pairs} pair interviews" if report.pairs else ""
    print(f"Told {report.told} people{unreachable}; deleted {report.deleted} stories{cards}.")
    return 0
