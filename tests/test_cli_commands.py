"""Every ``leerverhaal`` command declares what it runs where it is declared."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from bot.cli import _parser


def _leaves(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, object]]:
    """Each command without subcommands, with the program it declared (or None)."""
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not commands:
        yield path.strip(), parser.get_default("program")
        return
    for name, child in commands[0].choices.items():
        yield from _leaves(child, f"{path} {name}")


def test_every_command_declares_its_program() -> None:
    leaves = dict(_leaves(_parser()))
    assert {"run", "chat", "db upgrade", "keys rotate", "team list", "photo"} <= set(leaves)
    assert [name for name, program in leaves.items() if not callable(program)] == []


def test_only_the_terminal_chat_is_quiet() -> None:
    parser = _parser()
    assert parser.parse_args(["chat"]).quiet
    assert not parser.parse_args(["db", "current"]).quiet
