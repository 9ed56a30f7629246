"""PDF documents from blocks: valid, readable back, every script, long and odd input."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader

from flows.documents.pdf import Block, BlockKind, is_right_to_left, pdf_bytes

HEBREW = "שלום עולם, מה שלומך"
ARABIC = "مرحبا بالعالم"


def read(blocks: list[Block], *, title: str = "Groei", language: str = "nl") -> PdfReader:
    data = pdf_bytes(blocks, title=title, language=language)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    return PdfReader(io.BytesIO(data), strict=True)


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_every_kind_of_block_is_readable_back_with_its_accents() -> None:
    blocks = [
        Block(BlockKind.TITLE, "Mijn groeiverhaal"),
        Block(BlockKind.HEADING, "Wat ik beter ben gaan doen"),
        Block(BlockKind.TEXT, "Café, naïef, coördinatie, reçu, Ærø, Łódź, Ελλάδα, Москва"),
        Block(BlockKind.BULLET, "Door te doen, met vallen en opstaan"),
        Block(BlockKind.QUOTE, "“Ik durf nu eerder te vragen.”"),
    ]
    reader = read(blocks)
    text = text_of(reader)
    for block in blocks:
        assert block.text in text
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4


def test_the_metadata_holds_the_title_and_nothing_about_anyone() -> None:
    reader = read([Block(BlockKind.TEXT, "Anna de Vries")], title="Growth story", language="en")
    assert reader.metadata is not None
    assert reader.metadata.title == "Growth story"
    assert reader.metadata.author is None and reader.metadata.subject is None
    assert "Anna" not in str(dict(reader.metadata))
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize("words", [HEBREW, ARABIC, f"Sparren met {HEBREW} elke week"])
def test_right_to_left_text_comes_out_in_reading_order(words: str) -> None:
    """Shaped text: a reader gets the words in the order they were typed, not mirrored."""
    text = text_of(read([Block(BlockKind.TEXT, words), Block(BlockKind.BULLET, words)]))
    assert text.count(HEBREW if HEBREW in words else ARABIC) == 2


def test_a_right_to_left_block_is_aligned_right() -> None:
    starts: list[tuple[str, float]] = []
    reader = read([Block(BlockKind.TEXT, "Left"), Block(BlockKind.TEXT, HEBREW)])
    reader.pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: starts.append((text, tm[4]))
    )
    left = min(x for text, x in starts if "Left" in text)
    right = max(x for text, x in starts if text.strip() and "Left" not in text)
    assert right > left + 100
    assert is_right_to_left(f"  “{HEBREW}”") and not is_right_to_left(f"1. Left {HEBREW}")


def test_emoji_and_controls_never_break_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    text = text_of(read([Block(BlockKind.TEXT, "Sparren 👍🏽 ging\tgoed 🚀\r\nDank 🙏🏻!\x00")]))
    assert "Sparren ging goed" in text and "Dank !" in text
    assert "missing" not in caplog.text


def test_a_text_of_telegrams_full_length_is_all_there() -> None:
    long = " ".join(f"woord{n}" for n in range(600))[:4096]
    assert len(long) == 4096
    text = text_of(read([Block(BlockKind.TEXT, long), Block(BlockKind.QUOTE, "x" * 4096)]))
    assert squeezed(long) in squeezed(text)
    assert "x" * 4096 in squeezed(text)  # one word longer than a line is broken, not lost


def test_a_long_document_runs_onto_more_pages_in_order() -> None:
    blocks = [Block(BlockKind.HEADING, f"Verhaal {n}") for n in range(40)] + [
        Block(BlockKind.BULLET, f"Stap {n}: " + "met een collega sparren " * 6) for n in range(60)
    ]
    reader = read(blocks)
    assert len(reader.pages) >= 3
    text = text_of(reader)
    positions = [text.index(f"Verhaal {n}\n") for n in range(40)]
    assert positions == sorted(positions)
    assert all(f"Stap {n}:" in text for n in range(60))
    assert "Stap 59:" in reader.pages[-1].extract_text()


def test_an_empty_document_is_still_a_valid_pdf() -> None:
    assert len(read([]).pages) == 1
