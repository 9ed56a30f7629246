"""/growth in the terminal chat: the PDF is written for the person alone, and /forget
deletes it with the exports."""

from __future__ import annotations

import io
import stat
from io import StringIO
from pathlib import Path

from pypdf import PdfReader

from bot.engine.conversation import Conversations
from bot.terminal import TerminalChat
from flows.content.guide import guide_for
from tests.support.terminal import CHANGE, HELPED_MOST, INTERVIEW, lines

G = guide_for("en").growth
LAST_12_MONTHS = "2"  # the period's buttons: 6 months, 12 months, since a date, not now
MAKE = "2"  # the list's buttons: the one story, then make, then not now


async def test_the_growth_story_is_written_to_a_file_only_its_owner_reads(
    conversations: Conversations, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    out = StringIO()
    chat = TerminalChat(conversations, out=out, language="en", files=files)
    await chat.run(lines([*INTERVIEW, "/growth", LAST_12_MONTHS, MAKE]))
    [pdf] = [path for path in files.iterdir() if path.suffix == ".pdf"]
    assert pdf.name == "leerverhaal-growth-2026-03-02.pdf"
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert CHANGE in text and f"“{HELPED_MOST}”" in text
    shown = out.getvalue()
    assert f"{G.caption}\n  [{pdf}]" in shown
    assert G.title in shown and CHANGE in shown  # the message, too

    await TerminalChat(conversations, out=StringIO(), language="en", files=files).run(
        lines(["/forget", "1"])
    )
    assert list(files.iterdir()) == []
