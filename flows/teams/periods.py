"""Fixed calendar windows for team photos: a month, a quarter, a half-year or a year.

A photo is only ever asked for one of these windows (in UTC), never for an
arbitrary date range, so that two requests cannot be chosen to differ by one
person. Windows nest (year > half-years > quarters > months); the rule that
stops a nested window from being subtracted is in ``flows.teams.photo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Span(StrEnum):
    """How long a window is."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


MONTHS_IN: dict[Span, int] = {Span.MONTH: 1, Span.QUARTER: 3, Span.HALF: 6, Span.YEAR: 12}
_CHILD: dict[Span, Span] = {Span.YEAR: Span.HALF, Span.HALF: Span.QUARTER, Span.QUARTER: Span.MONTH}
_PATTERNS: tuple[tuple[re.Pattern[str], Span], ...] = (
    (re.compile(r"^(\d{4})$"), Span.YEAR),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), Span.MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE), Span.QUARTER),
    (re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE), Span.HALF),
)
FIRST_YEAR = 2000
LAST_YEAR = 2999


@dataclass(frozen=True)
class Period:
    """One calendar window: ``index`` counts from 1 within the year (month 1-12, Q1-Q4...)."""

    year: int
    span: Span
    index: int = 1

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValueError("year out of range")
        if not 1 <= self.index <= 12 // MONTHS_IN[self.span]:
            raise ValueError(f"no {self.span} number {self.index}")

    @classmethod
    def containing(cls, span: Span, when: datetime) -> Period:
        """The window of this span that holds an instant (read in UTC)."""
        moment = when.astimezone(UTC)
        return cls(moment.year, span, (moment.month - 1) // MONTHS_IN[span] + 1)

    @property
    def months(self) -> tuple[int, ...]:
        """The month numbers (1-12) this window covers."""
        size = MONTHS_IN[self.span]
        first = (self.index - 1) * size + 1
        return tuple(range(first, first + size))

    @property
    def start(self) -> datetime:
        """The first instant of the window (UTC)."""
        return datetime(self.year, self.months[0], 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the window (UTC)."""
        last = self.months[-1]
        if last == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, last + 1, 1, tzinfo=UTC)

    def children(self) -> tuple[Period, ...]:
        """The next smaller windows that make up this one (none for a month)."""
        child = _CHILD.get(self.span)
        if child is None:
            return ()
        per_child = MONTHS_IN[child]
        first = (self.months[0] - 1) // per_child + 1
        return tuple(
            Period(self.year, child, first + i) for i in range(MONTHS_IN[self.span] // per_child)
        )

    @property
    def count(self) -> int:
        """How many windows of this span a year has."""
        return 12 // MONTHS_IN[self.span]

    def previous(self) -> Period:
        """The window of the same span just before this one."""
        if self.index > 1:
            return Period(self.year, self.span, self.index - 1)
        return Period(self.year - 1, self.span, self.count)

    def __str__(self) -> str:
        match self.span:
            case Span.MONTH:
                return f"{self.year}-{self.index:02d}"
            case Span.QUARTER:
                return f"{self.year}-Q{self.index}"
            case Span.HALF:
                return f"{self.year}-H{self.index}"
        return str(self.year)


def parse_period(text: str) -> Period | None:
    """'2026-07', '2026-Q3', '2026-H2' or '2026' as a Period; None for anything else."""
    cleaned = text.strip()
    for pattern, span in _PATTERNS:
        match = pattern.match(cleaned)
        if match is None:
            continue
        index = int(match[2]) if span is not Span.YEAR else 1
        try:
            return Period(int(match[1]), span, index)
        except ValueError:
            return None
    return None


def ended_periods(now: datetime) -> tuple[Period, ...]:
    """What a facilitator is offered: the last two ended windows of every span.

    Only ended windows: two looks at a running one could differ by one person. The
    month that just ended is offered from the first moment of the next (UTC).
    """
    offered: list[Period] = []
    for span in Span:
        last = Period.containing(span, now).previous()
        offered += [last, last.previous()]
    return tuple(offered)
