"""Photo periods: fixed calendar windows only, never an arbitrary range."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.teams.periods import Period, Span, ended_periods, parse_period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026-07", Period(2026, Span.MONTH, 7)),
        ("2026-Q3", Period(2026, Span.QUARTER, 3)),
        ("2026-q1", Period(2026, Span.QUARTER, 1)),
        ("2026-H2", Period(2026, Span.HALF, 2)),
        ("2026", Period(2026, Span.YEAR)),
        (" 2026-12 ", Period(2026, Span.MONTH, 12)),
    ],
)
def test_fixed_windows_parse_and_print_back(text: str, period: Period) -> None:
    assert parse_period(text) == period
    assert parse_period(str(period)) == period


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-01..2026-07-15",  # an arbitrary range
        "2026-07-01",  # a day
        "2026-W30",  # a week
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "26-07",
        "2026-7",
        "1999",
        "",
        "2026-Q3; DROP TABLE stories",
    ],
)
def test_anything_but_a_fixed_window_is_refused(text: str) -> None:
    assert parse_period(text) is None


def test_windows_cover_whole_months_in_utc() -> None:
    q4 = Period(2026, Span.QUARTER, 4)
    assert q4.start == datetime(2026, 10, 1, tzinfo=UTC)
    assert q4.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert Period(2026, Span.MONTH, 2).end == datetime(2026, 3, 1, tzinfo=UTC)
    assert Period(2026, Span.HALF, 1).months == (1, 2, 3, 4, 5, 6)


def test_windows_nest_year_half_quarter_month() -> None:
    year = Period(2026, Span.YEAR)
    assert [str(p) for p in year.children()] == ["2026-H1", "2026-H2"]
    assert [str(p) for p in Period(2026, Span.HALF, 2).children()] == ["2026-Q3", "2026-Q4"]
    assert [str(p) for p in Period(2026, Span.QUARTER, 3).children()] == [
        "2026-07",
        "2026-08",
        "2026-09",
    ]
    assert Period(2026, Span.MONTH, 9).children() == ()


def test_containing_and_previous_cross_the_year() -> None:
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert str(Period.containing(Span.QUARTER, new_year).previous()) == "2026-Q4"
    assert str(Period.containing(Span.MONTH, new_year).previous()) == "2026-12"
    assert str(Period.containing(Span.YEAR, new_year).previous()) == "2026"


def test_facilitators_are_offered_the_last_two_ended_windows_of_every_span() -> None:
    offered = [str(p) for p in ended_periods(datetime(2026, 8, 15, tzinfo=UTC))]
    assert offered == [
        "2026-07",
        "2026-06",
        "2026-Q2",
        "2026-Q1",
        "2026-H1",
        "2025-H2",
        "2025",
        "2024",
    ]
    first_moment = [str(p) for p in ended_periods(datetime(2026, 7, 1, tzinfo=UTC))]
    assert first_moment[:3] == ["2026-06", "2026-05", "2026-Q2"], "there from its first day"
