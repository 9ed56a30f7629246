"""Dates (``flows.dates``): read as people type them, written in one style per language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from flows.dates import (
    clock,
    day_text,
    local_time,
    moment,
    month_text,
    parse_date,
    short_date,
    weekday_name,
)

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
        # day and month without a year: their next occurrence
        ("31-12", "nl", date(2026, 12, 31)),
        ("31/12", "en", date(2026, 12, 31)),
        ("31.12.", "nl", date(2026, 12, 31)),
        ("31 dec", "en", date(2026, 12, 31)),
        ("31 dec.", "nl", date(2026, 12, 31)),
        ("1/2", "en", date(2027, 2, 1)),
        ("27-11", "en", date(2026, 11, 27)),  # today
        ("26-11", "en", date(2027, 11, 26)),  # passed: next year
        ("29-2", "en", date(2028, 2, 29)),  # the next 29 February
    ],
)
def test_dates_people_write(text: str, language: str, expected: date) -> None:
    assert parse_date(text, language, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "31-02-2027",
        "2027-13-01",
        "15 smarch 2027",
        "12345",
        "15 mei mei",
        "31-02",
        "13/13",
        "0-1",
    ],
)
def test_what_is_not_a_date(text: str) -> None:
    assert parse_date(text, "nl", TODAY) is None


@pytest.mark.parametrize(
    ("language", "short", "day", "other_year", "month"),
    [
        ("en", "30 Nov 2026", "Monday 7 December", "Friday 15 January 2027", "November 2026"),
        ("nl", "30 nov 2026", "maandag 7 december", "vrijdag 15 januari 2027", "november 2026"),
    ],
)
def test_one_style_per_language(
    language: str, short: str, day: str, other_year: str, month: str
) -> None:
    assert short_date(date(2026, 11, 30), language) == short
    assert day_text(date(2026, 12, 7), language, TODAY) == day
    assert day_text(date(2027, 1, 15), language, TODAY) == other_year
    assert month_text(date(2026, 11, 1), language) == month


def test_moments_and_times_in_the_persons_zone() -> None:
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert moment(at, "Europe/Amsterdam", "en") == "Monday 7 December, 10:00"
    assert moment(at, "Asia/Kathmandu", "nl") == "maandag 7 december, 14:45"
    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    later = datetime(2027, 1, 5, 9, tzinfo=UTC)
    assert moment(later, "Europe/Amsterdam", "en", now) == "Tuesday 5 January 2027, 10:00"
    assert clock(at, "America/Sao_Paulo") == "06:00"
    assert clock(time(7, 30)) == "07:30"
    assert local_time(at, "Europe/Madrid", "nl") == "10:00, maandag"
    assert weekday_name(5, "en", "abbreviated") == "Sat"
    assert weekday_name(0, "nl") == "maandag"


def test_no_american_dates_anywhere() -> None:
    assert "Nov 30" not in short_date(date(2026, 11, 30), "en")
    assert "December 7" not in day_text(date(2026, 12, 7), "en")
