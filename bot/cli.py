"""The ``leerverhaal`` command: run the bot, chat in the terminal, manage the database.

Each command declares what it runs where it is declared (``set_defaults(program=...)``);
the commands on stored data are in ``cli_privacy`` and ``cli_teams``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot import cli_privacy, cli_teams
from bot.log_privacy import keep_people_out_of_logs
from bot.services import Program, Services, with_services
from bot.settings import ConfigError, Settings, load_settings
from storage.crypto import EncryptionKeyError

log = logging.getLogger("leerverhaal")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leerverhaal", description="A bot that helps people notice how they learn."
    )
    parser.add_argument("--config", help="TOML config file (default: ./leerverhaal.toml)")
    parser.set_defaults(quiet=False)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook", action="store_true", help="take updates by webhook (telegram.webhook.*)"
    )
    run.set_defaults(program=_run)
    chat = commands.add_parser("chat", help="tell a learning story in this terminal")
    chat.set_defaults(program=with_services(_chat, migrate=True), quiet=True)
    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate the database to the newest version")
    upgrade.set_defaults(program=with_services(_revision, migrate=True))
    current = db_commands.add_parser("current", help="show the database's migration version")
    current.set_defaults(program=with_services(_revision))
    down = db_commands.add_parser("downgrade", help="migrate down to a revision")
    down.add_argument("revision")
    down.set_defaults(program=with_services(_downgrade))
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
    # fontTools lists the glyphs of every PDF it subsets (which letters a person typed)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic", "fontTools", "fpdf"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    keep_people_out_of_logs()


def _run(settings: Settings, args: argparse.Namespace) -> int:
    """``run``: opens its own services (one process per SQLite file, migrations apart)."""
    from bot.telegram.app import run_bot

    return run_bot(settings, webhook=args.webhook)


async def _chat(services: Services, _args: argparse.Namespace) -> int:
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


async def _revision(services: Services, _args: argparse.Namespace) -> int:
    revision = await services.database.current_revision()
    print(f"database at revision {revision or '(empty)'}")
    return 0


async def _downgrade(services: Services, args: argparse.Namespace) -> int:
    await services.database.downgrade(args.revision)
    return await _revision(services, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``leerverhaal`` command."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        configure_logging(settings, quiet=args.quiet)
        program: Program = args.program
        return program(settings, args)
    except (ConfigError, EncryptionKeyError) as exc:
        print(f"leerverhaal: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
