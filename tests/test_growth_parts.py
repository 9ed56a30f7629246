"""The parts of /growth that need no database: its periods, and long texts as messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.documents.message import message_parts, message_text
from flows.documents.pdf import Block, BlockKind
from flows.growth.period import Period, from_button, months_back, typed_start
from flows.render import MESSAGE_LIMIT, utf16_len

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (date(2026, 11, 30), 6, date(2026, 5, 30)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),  # February is shorter
        (date(2028, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 15), 12, date(2025, 3, 15)),
        (date(2026, 1, 31), 1, date(2025, 12, 31)),
    ],
)
def test_months_back_keeps_the_day_where_the_month_has_it(
    today: date, months: int, expected: date
) -> None:
    assert months_back(today, months) == expected


def test_a_period_is_whole_days_up_to_and_including_today() -> None:
    period = from_button("6", TODAY)
    assert period == Period(date(2026, 5, 30), TODAY)
    assert period.holds(datetime(2026, 5, 30, 0, 0, tzinfo=UTC))
    assert period.holds(datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    assert not period.holds(datetime(2026, 5, 29, 23, 59, tzinfo=UTC))
    assert from_button("7", TODAY) is None and from_button("", TODAY) is None


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("1 March", "en", date(2026, 3, 1)),  # without a year: the last one, not the next
        ("1 maart", "nl", date(2026, 3, 1)),
        ("30 nov", "en", TODAY),
        ("1 December", "en", date(2025, 12, 1)),
        ("1-12", "nl", date(2025, 12, 1)),
        ("2024-02-29", "en", date(2024, 2, 29)),
        ("15-01-2099", "en", date(2099, 1, 15)),  # a year given: refused later as future
        ("last spring", "en", None),
        ("31-02-2026", "en", None),
    ],
)
def test_a_typed_start_reads_as_the_past(typed: str, language: str, expected: date) -> None:
    assert typed_start(typed, language, TODAY) == expected


def test_blocks_read_as_plain_text() -> None:
    blocks = [
        Block(BlockKind.TITLE, "My growth story"),
        Block(BlockKind.TEXT, "From 1 Jan to 2 Feb"),
        Block(BlockKind.HEADING, "How I learned it"),
        Block(BlockKind.BULLET, "Feedback (2 times)"),
        Block(BlockKind.QUOTE, "“By asking”"),
    ]
    assert message_text(blocks) == (
        "My growth story\nFrom 1 Jan to 2 Feb\n\n▸ How I learned it\n• Feedback (2 times)\n"
        "    “By asking”"
    )


def test_a_short_text_is_one_message() -> None:
    assert message_parts("Hello\n\nthere") == ("Hello\n\nthere",)


def test_a_long_text_splits_between_lines_and_keeps_every_word() -> None:
    lines = [f"line {n} " + "x" * 90 for n in range(120)]
    parts = message_parts("\n".join(lines))
    assert len(parts) == 3 and all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(parts).split("\n") == lines  # whole lines, in order


def test_one_line_longer_than_a_message_splits_between_words_then_inside_one() -> None:
    words = " ".join(f"w{n}" for n in range(2000))
    parts = message_parts(words)
    assert all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    assert " ".join(parts).split() == words.split()
    glued = "🙂" * 5000  # two UTF-16 units each, and no space anywhere
    parts = message_parts(glued)
    assert [utf16_len(p) for p in parts] == [4096, 4096, 1808] and "".join(parts) == glued


@given(st.text(alphabet=st.sampled_from("ab 🙂\n"), max_size=12000), st.integers(8, 200))
def test_every_part_fits_and_nothing_but_line_ends_is_lost(text: str, limit: int) -> None:
    parts = message_parts(text, limit)
    assert all(0 < utf16_len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
