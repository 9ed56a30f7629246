"""A document's blocks as chat messages: plain text, split to fit Telegram's 4096 limit.

The same blocks that make a PDF (``flows.documents.pdf``) read as a message: a heading
on its own line after a blank one, list items with a bullet, quotes indented. A text
longer than one message is split between lines, a line longer than a message between
words (inside a word only when it has no space); nothing is cut off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flows.documents.pdf import Block, BlockKind
from flows.render import MESSAGE_LIMIT, utf16_len


@dataclass(frozen=True)
class Layout:
    """How blocks read as text: what goes before each kind, and which kinds begin after a
    blank line (unless they come first)."""

    prefixes: Mapping[BlockKind, str]
    spaced: frozenset[BlockKind]


STORY = Layout(  # a growth story: paragraphs close together, headings set apart
    {
        BlockKind.TITLE: "",
        BlockKind.HEADING: "▸ ",
        BlockKind.TEXT: "",
        BlockKind.BULLET: "• ",
        BlockKind.QUOTE: "    ",
    },
    frozenset({BlockKind.HEADING}),
)


def message_text(blocks: Sequence[Block], layout: Layout = STORY) -> str:
    """The blocks as one plain text."""
    lines: list[str] = []
    for block in blocks:
        if block.kind in layout.spaced and lines:
            lines.append("")
        lines.append(layout.prefixes[block.kind] + block.text.strip())
    return "\n".join(lines).strip()


def message_parts(text: str, limit: int = MESSAGE_LIMIT) -> tuple[str, ...]:
    """The text in as few messages as it takes, each at most ``limit`` UTF-16 units."""
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joined = f"{current}\n{piece}" if current else piece
        if utf16_len(joined) <= limit:
            current = joined
            continue
        parts.append(current)
        current = piece
    if current.strip():
        parts.append(current)
    return tuple(part.strip("\n") for part in parts if part.strip())


def _pieces(text: str, limit: int) -> list[str]:
    """The text's lines, each line longer than ``limit`` broken into pieces that fit."""
    pieces: list[str] = []
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            head = _head(line, limit)
            pieces.append(head.rstrip())
            line = line[len(head) :].lstrip()
        pieces.append(line)
    return pieces


def _head(line: str, limit: int) -> str:
    """The longest start of ``line`` within ``limit``, ending at a space if there is one."""
    end = limit
    while utf16_len(line[:end]) > limit:
        end -= 1
    space = line.rfind(" ", 0, end + 1)
    return line[: space + 1] if space > 0 else line[:end]
