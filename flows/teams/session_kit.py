"""A session kit for a team meeting: the photo and the method's three conversation
questions, as a one-page PDF and as a message the facilitator forwards (pure).

In the method the photo was made with the team: the kit brings it back to them with
the questions that open the conversation ("Do you recognise this? Does your inspiration
lie there too? What would you like to try?"). It holds what the facilitator's photo
holds and nothing more (the same rules decide whether it may be made at all), shortened
so that it fits one page: each question's top items on one line, quotes cut short.
"""

from __future__ import annotations

from flows.content.guide import Guide
from flows.documents.message import Layout, message_text
from flows.documents.pdf import Block, BlockKind, Document
from flows.render import MESSAGE_LIMIT, fit
from flows.replies import File, Reply
from flows.teams.photo import (
    TeamPhoto,
    dish_lines,
    heading_text,
    previous_text,
    summary_text,
    trend_item_text,
)

TOP_ITEMS = 2  # per question, and of the dishes: the kit fits one page
TEAM_LIMIT = 40  # characters of the team's name in the kit's title (one line)
QUOTES = 3  # at most, whatever ``teams.quotes`` says
QUOTE_LIMIT = 120  # characters of a shared quote in the kit (at most two lines)
KIT = Layout(  # a message to forward: every paragraph and heading set apart
    {
        BlockKind.TITLE: "",
        BlockKind.HEADING: "▸ ",
        BlockKind.TEXT: "",
        BlockKind.BULLET: "  • ",
        BlockKind.QUOTE: "  ",
    },
    frozenset({BlockKind.HEADING, BlockKind.TEXT}),
)


def questions(guide: Guide) -> tuple[str, str, str]:
    """The method's three questions, in the guide's language."""
    texts = guide.teams
    return (texts.kit_recognise, texts.kit_inspiration, texts.kit_try)


def kit_blocks(guide: Guide, photo: TeamPhoto) -> list[Block]:
    """The kit as blocks: the photo's title and totals, each question's top items on one
    line (its recurring threads among them), shared quotes, then the three questions."""
    texts = guide.teams
    blocks = [
        Block(BlockKind.TITLE, title(guide, photo)),
        Block(BlockKind.TEXT, texts.kit_intro.format(period=photo.period)),
        Block(BlockKind.TEXT, summary_text(guide, photo)),
    ]
    if (before := previous_text(guide, photo)) is not None:
        blocks.append(Block(BlockKind.TEXT, before))
    lines = [
        _line(
            heading_text(guide, section),
            [trend_item_text(guide, photo, section, *item) for item in section.items],
        )
        for section in photo.sections
        if not section.withheld and section.items
    ]
    if photo.dishes:
        lines.append(_line(texts.photo_dishes, dish_lines(guide, photo)))
    blocks.append(Block(BlockKind.HEADING, texts.kit_snapshot))
    blocks += [Block(BlockKind.BULLET, line) for line in lines]
    if photo.quotes:
        blocks.append(Block(BlockKind.HEADING, texts.photo_quotes))
        blocks += [
            Block(BlockKind.QUOTE, f"“{fit(q, QUOTE_LIMIT)}”") for q in photo.quotes[:QUOTES]
        ]
    blocks.append(Block(BlockKind.HEADING, texts.kit_questions))
    blocks += [Block(BlockKind.BULLET, question) for question in questions(guide)]
    return blocks


def title(guide: Guide, photo: TeamPhoto) -> str:
    """'Our learning · Embassy Lima · February 2026' (a long team name cut short)."""
    team = fit(photo.team, TEAM_LIMIT)
    return guide.teams.kit_title.format(team=team, period=photo.period)


def _line(title: str, items: list[str]) -> str:
    """'How people learned (6 stories): By doing — 6 of 6 (100%) · Feedback — ...'."""
    return f"{title}: {' · '.join(items[:TOP_ITEMS])}"


def kit_text(blocks: list[Block]) -> str:
    """The same blocks as one chat message to forward."""
    return fit(message_text(blocks, KIT), MESSAGE_LIMIT)


def kit_replies(guide: Guide, photo: TeamPhoto, period: str) -> tuple[Reply, Reply]:
    """The message to forward, and the PDF (``period``: '2026-Q3', for its file name)."""
    blocks = kit_blocks(guide, photo)
    pdf = Document(tuple(blocks), title(guide, photo), guide.language)
    document = File(f"session-kit-{period}.pdf", b"", source=pdf)
    return Reply(kit_text(blocks)), Reply(guide.teams.kit_caption, file=document)
