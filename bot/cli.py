"""The ``leerverhaal`` command: run the bot, chat in the terminal, manage the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot import cli_privacy, cli_teams
from bot.log_privacy import keep_people_out_of_logs
from bot.services import Services, open_services
from bot.settings import ConfigError, Settings, load_settings
from storage.crypto import EncryptionKeyError

log = logging.getLogger("leerverhaal")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leerverhaal", description="A bot that helps people notice how they learn."
    )
    parser.add_argument("--config", help="TOML config file (default: ./leerverhaal.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook", action="store_true", help="take updates by webhook (telegram.webhook.*)"
    )
    commands.add_parser("chat", help="tell a learning story in this terminal")
    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the newest version")
    db_commands.add_parser("current", help="show the database's migration version")
    down = db_commands.add_parser("downgrade", help="migrate down to a revision")
    down.add_argument("revision")
    cli_privacy.add_commands(commands)
    cli_teams.add_commands(commands)
    return parser


def configure_logging(settings: Settings, *, quiet: bool = False) -> None:
    """Log to stderr; the terminal chat only shows warnings unless asked for more."""
    level = logging.getLevelName(settings.logging.level)
    if quiet and settings.logging.level == "INFO":
        level = logging.WARNING
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    keep_people_out_of_logs()


async def _with_services(settings: Settings, args: argparse.Namespace) -> int:
    # stored data: migrated first, never created
    existing = args.command in cli_privacy.COMMANDS | cli_teams.ON_STORED_DATA
    migrate = (
        existing
        or args.command in ("run", "chat", "team")
        or (args.command == "db" and args.db_command == "upgrade")
    )
    services = await open_services(settings, migrate=migrate, existing=existing)
    for notice in services.notices:
        print(notice, file=sys.stderr)
    try:
        return await _dispatch(services, args)
    finally:
        await services.close()


async def _dispatch(services: Services, args: argparse.Namespace) -> int:
    if args.command == "chat":
        from bot.engine.conversation import Conversations
        from bot.terminal import TerminalChat, stdin_reader

        files = services.settings.data_dir.expanduser() / "files"
        policy = services.settings.privacy.policy()
        rules = services.settings.teams.rules()
        conversations = Conversations(
            services.database, services.cipher, policy=policy, team_rules=rules
        )
        chat = TerminalChat(conversations, files=files)
        await chat.run(stdin_reader())
        return 0
    if args.command in cli_privacy.COMMANDS:
        return await cli_privacy.dispatch(services, args)
    if args.command in cli_teams.COMMANDS:
        return await cli_teams.dispatch(services, args)
    if args.command == "db":
        if args.db_command == "downgrade":
            await services.database.downgrade(args.revision)
        revision = await services.database.current_revision()
        print(f"database at revision {revision or '(empty)'}")
        return 0
    raise AssertionError(f"unhandled command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``leerverhaal`` command."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        configure_logging(settings, quiet=args.command == "chat")
        if args.command == "run":
            from bot.telegram.app import run_bot

            return run_bot(settings, webhook=args.webhook)
        return asyncio.run(_with_services(settings, args))
    except (ConfigError, EncryptionKeyError) as exc:
        print(f"leerverhaal: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
