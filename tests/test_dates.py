"""Typed dates (``flows.dates``): ISO, day first, and month names in two languages."""

from __future__ import annotations

from datetime import date

import pytest

from flows.dates import parse_date

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2027-01-15", "en", date(2027, 1, 15)),
        ("  2027-1-5 ", "nl", date(2027, 1, 5)),
        ("15-1-2027", "nl", date(2027, 1, 15)),
        ("15/01/2027", "en", date(2027, 1, 15)),
        ("03/04/2027", "en", date(2027, 4, 3)),  # day first, never month first
        ("15.01.2027", "nl", date(2027, 1, 15)),
        ("15 januari 2027", "nl", date(2027, 1, 15)),
        ("15 jan. 2027", "nl", date(2027, 1, 15)),
        ("15 January 2027", "en", date(2027, 1, 15)),
        ("15 January 2027", "nl", date(2027, 1, 15)),  # English names always work
        ("2 Mei", "nl", date(2027, 5, 2)),  # no year: the next 2 May
        ("28 november", "en", date(2026, 11, 28)),  # still to come this year
        ("27 Nov", "en", date(2026, 11, 27)),  # today counts
        ("26 november", "en", date(2027, 11, 26)),  # passed: next year
    ],
)
def test_dates_people_write(text: str, language: str, expected: date) -> None:
    assert parse_date(text, language, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "31-02-2027", "2027-13-01", "15 smarch 2027", "1/2", "12345", "15 mei mei"],
)
def test_what_is_not_a_date(text: str) -> None:
    assert parse_date(text, "nl", TODAY) is None
