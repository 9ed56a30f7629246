"""The period of a growth story: the last 6 or 12 months, or since a typed date, up to today.

Days are UTC days, as everywhere the bot dates a story ("30 Nov 2026").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flows.dates import parse_date

MONTHS = ("6", "12")  # the periods offered as buttons


@dataclass(frozen=True)
class Period:
    """From ``start`` up to and including ``end`` (today)."""

    start: date
    end: date

    def holds(self, when: datetime) -> bool:
        """Whether a moment falls on one of the period's days."""
        return self.start <= when.date() <= self.end


def months_back(today: date, months: int) -> date:
    """The same day ``months`` earlier; the month's last day when it is shorter."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def from_button(months: str, today: date) -> Period | None:
    """The period a button names ("6" or "12"); None for anything else."""
    if months not in MONTHS:
        return None
    return Period(months_back(today, int(months)), today)


def day_code(day: date) -> str:
    """A day as a button carries it: '20260301' (a list's buttons name its first day)."""
    return day.strftime("%Y%m%d")


def typed_start(text: str, language: str, today: date) -> date | None:
    """The first day typed: "1 March", "1-3-2026", "2026-03-01"; None when it is no date.

    A day without a year is its latest occurrence up to today (``parse_date`` reads the
    next one, so it reads from a year ago); a date with a year may lie in the future,
    which the caller refuses kindly.
    """
    year_ago = months_back(today, 12) + timedelta(days=1)
    return parse_date(text, language, year_ago)
