"""The session kit for a team meeting: the photo and the method's three questions, as a
message to forward and a one-page PDF (read back with pypdf)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from flows.content.guide import QuestionKind, guide_for
from flows.replies import Reply
from flows.teams.photo import TeamPhoto, assemble
from flows.teams.session_kit import kit_replies, questions
from flows.teams.views import OptionCount, TeamRef
from tests.test_photo_trends import BEFORE, NOW

EN, NL = guide_for("en"), guide_for("nl")
QUESTIONS = (
    "Do you recognise this?",
    "Does your inspiration lie there too?",
    "What would you like to try?",
)


def photo_of(guide_language: str = "en", **changes: object) -> TeamPhoto:
    guide = guide_for(guide_language)
    photo = assemble(guide, replace(NOW, **changes), 5, BEFORE)  # type: ignore[arg-type]
    assert photo is not None
    return photo


def pdf_text(reply: Reply) -> tuple[PdfReader, str]:
    assert reply.file is not None and not reply.file.picture
    assert reply.file.filename == "session-kit-2026-02.pdf"
    reader = PdfReader(io.BytesIO(reply.file.content()), strict=True)
    return reader, " ".join("\n".join(p.extract_text() for p in reader.pages).split())


def test_the_kit_is_a_message_and_a_valid_one_page_pdf_with_the_questions() -> None:
    quotes = ("Chairing the Tuesday meeting in French",)
    message, document = kit_replies(EN, photo_of(quotes=quotes), "2026-02")
    assert questions(EN) == QUESTIONS
    for question in QUESTIONS:
        assert f"  • {question}" in message.text
    assert message.text.startswith("Our learning · Embassy Lima · February 2026\n")
    assert (
        "  • What got in the way (6 stories): Time, work pressure — 4 of 6 (67%), was 2 of 5"
        " · Doubting myself: “I should know this” — 1 of 6 (17%), was 0 of 5\n"
    ) in message.text
    assert "“Chairing the Tuesday meeting in French”" in message.text
    assert message.file is None and document.text == EN.teams.kit_caption
    reader, text = pdf_text(document)
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == "Our learning · Embassy Lima · February 2026"
    for words in (*QUESTIONS, "February 2026", "Embassy Lima", "4 of 6 (67%), was 2 of 5"):
        assert words in text, words
    assert "Chairing the Tuesday meeting in French" in text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_fullest_photo_still_fits_one_page(language: str) -> None:
    """Every option of every question counted, with trends, five long quotes and the
    widest team name of 120 letters: the kit keeps one page and all its questions."""
    guide = guide_for(language)
    counts = tuple(
        OptionCount(question.key, option, 6 - n % 5)
        for question in guide.questions
        if question.kind is QuestionKind.CHOICES
        for n, option in enumerate(question.options)
    )
    quotes = tuple("A long shared opening answer, " * 10 for _ in range(5))
    team = TeamRef(NOW.team.id, "W" * 120)
    photo = photo_of(language, counts=counts + NOW.counts[3:], quotes=quotes, team=team)
    message, document = kit_replies(guide, photo, "2026-02")
    reader, text = pdf_text(document)
    assert len(reader.pages) == 1
    assert all(question in text for question in questions(guide))
    assert text.count("A long shared opening answer") < 3 * 10, "quotes cut short"
    assert message.text.count("“A long shared") == 3


def test_the_kit_in_dutch() -> None:
    message, document = kit_replies(NL, photo_of("nl"), "2026-02")
    for question in ("Herken je dit?", "Ligt jouw inspiratie daar ook?", "Wat zou je willen"):
        assert question in message.text
    _, text = pdf_text(document)
    assert "februari 2026" in text and "Herken je dit?" in text
