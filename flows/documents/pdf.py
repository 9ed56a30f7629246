"""A document as PDF bytes: a list of blocks of text, laid out on A4 with fpdf2.

API::

    pdf_bytes(blocks: Sequence[Block], *, title: str, language: str) -> bytes

- ``Block(kind, text)``: ``BlockKind.TITLE`` (large, bold), ``HEADING`` (bold, space
  above), ``TEXT`` (a paragraph), ``BULLET`` (a list item, hanging bullet), ``QUOTE``
  (someone's own words, indented, grey). ``text`` may hold newlines; long lines wrap,
  long documents run onto more pages.
- ``title`` goes into the PDF's metadata only (viewers show it in their title bar): put
  a ``TITLE`` block to print it. ``language`` is the document's language ("nl", "en").
  No author, subject or keywords are written: nothing about the person.
- The font is DejaVu Sans (regular and bold, shipped in matplotlib's ``mpl-data``):
  accents, Greek, Cyrillic, Hebrew, Arabic. Text is shaped (uharfbuzz), so right-to-left
  words come out in the right order, and a block whose first letter is right-to-left is
  aligned right. Characters the font lacks (emoji) are left out, never a crash or a box.
- Pure apart from reading the fonts; fpdf2 is imported on the first call, so start-up
  does not pay for it.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from flows.documents.direction import RIGHT_TO_LEFT

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "DejaVu"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
MARGIN_MM = 20.0
BOTTOM_MM = 18.0
INDENT_MM = 7.0
TEXT_PT = 11.0
LINE_MM = 5.6
GREY = 90
SPACES = re.compile(r"[ \t]{2,}")


class BlockKind(StrEnum):
    """What a block is, which decides how it looks."""

    TITLE = "title"
    HEADING = "heading"
    TEXT = "text"
    BULLET = "bullet"
    QUOTE = "quote"


@dataclass(frozen=True)
class Block:
    """One block of a document: a title, heading, paragraph, list item or quote."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Document:
    """A PDF still to be laid out: what ``pdf_bytes`` needs, kept as plain data.

    A reply carries this rather than the bytes (``flows.replies.File.document``): the
    adapters lay it out when they send it, in a worker thread and after the step's
    transaction, so a long document holds up neither the event loop nor the database.
    """

    blocks: tuple[Block, ...]
    title: str
    language: str

    def render(self) -> bytes:
        """The PDF (about 0.1 s a page)."""
        return pdf_bytes(self.blocks, title=self.title, language=self.language)


@dataclass(frozen=True)
class _Look:
    size: float
    bold: bool
    before_mm: float
    after_mm: float
    indent_mm: float = 0.0
    grey: bool = False


LOOKS = {
    BlockKind.TITLE: _Look(size=18.0, bold=True, before_mm=0.0, after_mm=4.0),
    BlockKind.HEADING: _Look(size=13.0, bold=True, before_mm=5.0, after_mm=1.5),
    BlockKind.TEXT: _Look(size=TEXT_PT, bold=False, before_mm=0.0, after_mm=2.0),
    BlockKind.BULLET: _Look(size=TEXT_PT, bold=False, before_mm=0.0, after_mm=1.0),
    BlockKind.QUOTE: _Look(
        size=TEXT_PT, bold=False, before_mm=0.5, after_mm=2.0, indent_mm=INDENT_MM, grey=True
    ),
}


def font_folder() -> Path:
    """matplotlib's ``mpl-data/fonts/ttf``, found without importing matplotlib (slow)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: it ships the PDF's font")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def is_right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is written right to left."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("L", "R", "AL"):
            return direction in RIGHT_TO_LEFT
    return False


def printable(text: str, glyphs: frozenset[int]) -> str:
    """The text without characters the font has no glyph for (emoji, controls)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = "".join(c for c in text if c == "\n" or ord(c) in glyphs)
    return SPACES.sub(" ", kept) if len(kept) < len(text) else kept


def pdf_bytes(blocks: Sequence[Block], *, title: str, language: str) -> bytes:
    """The blocks as an A4 PDF, titled ``title`` in its metadata."""
    # here, not at the top: fpdf2 (with fontTools) is only needed when a PDF is made
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM_MM)
    folder = font_folder()
    pdf.add_font(FAMILY, "", str(folder / REGULAR))
    pdf.add_font(FAMILY, "B", str(folder / BOLD))
    pdf.set_fallback_fonts([FAMILY])  # bold lacks a few letters the regular face has
    regular = _glyphs(pdf, FAMILY.lower())
    glyphs = {False: regular, True: regular | _glyphs(pdf, FAMILY.lower() + "B")}
    pdf.set_text_shaping(True)
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("Leerverhaal")
    pdf.add_page()
    for block in blocks:
        look = LOOKS[block.kind]
        _write(pdf, block, look, printable(block.text, glyphs[look.bold]))
    return bytes(pdf.output())


def _glyphs(pdf: FPDF, key: str) -> frozenset[int]:
    """The code points a font added under ``key`` has glyphs for."""
    return frozenset(getattr(pdf.fonts[key], "cmap", None) or ())


def _write(pdf: FPDF, block: Block, look: _Look, text: str) -> None:
    """One block at the cursor: spacing, font, indent, bullet, alignment."""
    rtl = is_right_to_left(text)
    pdf.set_font(FAMILY, "B" if look.bold else "", look.size)
    pdf.set_text_color(GREY if look.grey else 0)
    if look.before_mm and pdf.get_y() > pdf.t_margin:
        pdf.ln(look.before_mm)
    height = LINE_MM * look.size / TEXT_PT
    if block.kind is BlockKind.HEADING and pdf.get_y() + 3 * height > pdf.page_break_trigger:
        pdf.add_page()  # a heading never stands alone at the foot of a page
    indent = look.indent_mm + (INDENT_MM if block.kind is BlockKind.BULLET else 0.0)
    width = pdf.epw - indent
    start = pdf.l_margin + (0.0 if rtl else indent)
    if block.kind is BlockKind.BULLET:
        y = pdf.get_y()
        if y + height > pdf.page_break_trigger:
            pdf.add_page()
            y = pdf.get_y()
        bullet_x = pdf.l_margin + pdf.epw - INDENT_MM if rtl else pdf.l_margin
        pdf.set_xy(bullet_x, y)
        pdf.cell(INDENT_MM, height, "•", align="C")
        pdf.set_xy(start, y)
    else:
        pdf.set_x(start)
    pdf.multi_cell(width, height, text, align="R" if rtl else "L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(look.after_mm)
