"""The CSV photo holds what the chat and the other files hold, and nothing more."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from flows.content.guide import guide_for
from flows.teams.files import PhotoFormat, photo_file
from flows.teams.periods import Period, Span
from flows.teams.photo import assemble, photo_text
from flows.teams.views import OptionCount, PhotoData, TeamRef

EN, NL = guide_for("en"), guide_for("nl")
TEAM = TeamRef(48151, "Embassy Madrid")
QUOTE = "Chairing the Tuesday meeting, in French"
DATA = PhotoData(
    TEAM,
    Period(2026, Span.QUARTER, 3),
    disclosable=True,
    stories=6,
    checkins=3,
    contributors=7,
    counts=(
        OptionCount("how", "by_doing", 5),
        OptionCount("how", "feedback", 2),
        OptionCount("who", "manager", 4),  # withheld below: never shown
        OptionCount("obstacles", "time_pressure", 3),
        OptionCount("obstacles", "self_doubt", 1),
    ),
    withheld=frozenset({"who"}),
    quotes=(QUOTE,),
)


def csv_rows(data: PhotoData, language: str = "en") -> list[list[str]]:
    guide = guide_for(language)
    photo = assemble(guide, data, 5)
    assert photo is not None
    content = photo_file(guide, photo, str(data.period), PhotoFormat.CSV)
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_the_csv_holds_counts_a_marked_withheld_question_threads_and_quotes() -> None:
    team, period = "Embassy Madrid", "2026-Q3"
    assert csv_rows(DATA) == [
        ["team", "period", "section", "item", "count", "asked", "share"],
        [team, period, "totals", "stories", "6", "", ""],
        [team, period, "totals", "checkins", "3", "", ""],
        [team, period, "totals", "contributors", "7", "", ""],
        [team, period, "how", "By doing, trial and error", "5", "9", "0.556"],
        [team, period, "how", "Feedback", "2", "9", "0.222"],
        [team, period, "who", EN.teams.photo_withheld, "", "", ""],
        [team, period, "obstacles", "Time, work pressure", "3", "6", "0.5"],
        [team, period, "obstacles", "Doubting myself: “I should know this”", "1", "6", "0.167"],
        [team, period, "recurring", "By doing, trial and error", "", "", ""],
        [team, period, "recurring", "Time, work pressure", "", "", ""],
        [team, period, "quotes", QUOTE, "", "", ""],
    ]


def test_the_csv_holds_what_the_chat_message_holds() -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    text = photo_text(EN, photo)
    items = {row[3] for row in csv_rows(DATA)[1:] if row[2] not in ("totals", "quotes")}
    assert all(item in text for item in items)
    assert "My manager" not in text, "a withheld question shows no counts in either"


def test_the_withheld_mark_is_in_the_readers_language() -> None:
    rows = csv_rows(DATA, "nl")
    assert ["Embassy Madrid", "2026-Q3", "who", NL.teams.photo_withheld, "", "", ""] in rows
    assert ["Embassy Madrid", "2026-Q3", "recurring", "Tijd, werkdruk", "", "", ""] in rows
    assert NL.teams.photo_withheld != EN.teams.photo_withheld


def test_a_quote_cannot_become_a_spreadsheet_formula() -> None:
    typed = ('=HYPERLINK("https://example.org","more")', "+31 meetings", "@home", "-1 stress")
    rows = csv_rows(replace(DATA, quotes=typed))
    quotes = [row[3] for row in rows if row[2] == "quotes"]
    assert quotes == ["'" + quote for quote in typed]
