"""Dates and times as people read and write them, in their language (Babel).

Writing: one style per language, English as in Britain: "30 Nov 2026" for a date,
"Monday 7 December" for a day to come (with its year when that is not this year),
"Monday 7 December, 10:00" for a moment, "14:05" for a time of day. Every date the bot
shows goes through here.

Reading: '2027-01-15', '15-1-2027', '15/01/2027', '31-12', '31/12', '15 januari', '31 dec'.
Numbers are read day first (as in the Netherlands and most of the world), never month
first, so '03/04/2027' is 3 April. Month names come from Babel, in the person's language
and in English. A date without a year is its next occurrence (today included).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache
from types import ModuleType
from typing import Literal
from zoneinfo import ZoneInfo

_LOCALES = {"en": "en_GB"}  # "30 Nov 2026", not the American "Nov 30, 2026"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?\.?$")
_NAMED = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?(?:\s+(\d{4}))?$")


def babel_dates() -> ModuleType:
    """``babel.dates``, imported on first use: Babel's import and locale data cost a
    command's start-up about 30 ms, and the greeting needs no date."""
    import babel.dates

    return babel.dates


def locale_of(language: str) -> str:
    """The Babel locale the bot writes a language in."""
    return _LOCALES.get(language, language)


def short_date(day: date, language: str) -> str:
    """A date: '30 Nov 2026', '30 nov 2026'."""
    return str(babel_dates().format_date(day, "medium", locale=locale_of(language)))


def day_text(day: date, language: str, today: date | None = None) -> str:
    """A day to come: 'Monday 7 December'; 'Friday 15 January 2027' in another year."""
    pattern = "EEEE d MMMM" if today is None or day.year == today.year else "EEEE d MMMM y"
    return str(babel_dates().format_date(day, pattern, locale=locale_of(language)))


def clock(at: datetime | time, zone: str | None = None) -> str:
    """A time of day, '09:30' (the same in every language the bot speaks)."""
    if isinstance(at, datetime) and zone is not None:
        at = at.astimezone(ZoneInfo(zone))
    return f"{at.hour:02d}:{at.minute:02d}"


def moment(at: datetime, zone: str, language: str, now: datetime | None = None) -> str:
    """An instant in the person's own time: 'Monday 7 December, 10:00'."""
    local = at.astimezone(ZoneInfo(zone))
    today = now.astimezone(ZoneInfo(zone)).date() if now is not None else None
    return f"{day_text(local.date(), language, today)}, {clock(local)}"


def local_time(now: datetime, zone: str, language: str) -> str:
    """The time and weekday in ``zone`` at the aware ``now``: '14:05, Thursday'.

    Raises ValueError for a naive ``now``, ZoneInfoNotFoundError for an unknown zone.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(zone))
    return str(babel_dates().format_datetime(local, "HH:mm, EEEE", locale=locale_of(language)))


def weekday_name(day: int, language: str, width: Literal["abbreviated", "wide"] = "wide") -> str:
    """The name of a weekday (0 = Monday): 'Monday', 'ma'."""
    return str(babel_dates().get_day_names(width, locale=locale_of(language))[day])


def month_text(day: date, language: str) -> str:
    """A month of a year: 'March 2026', 'maart 2026'."""
    return str(babel_dates().format_date(day, "LLLL y", locale=locale_of(language)))


@cache
def _months(language: str) -> dict[str, int]:
    """Wide and abbreviated month names (lower case) in ``language`` and English."""
    names: dict[str, int] = {}
    for locale in {language, "en"}:
        for width in ("wide", "abbreviated"):
            for number, name in babel_dates().get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    return names


def _next(today: date, month: int, day: int) -> date:
    """The next day-and-month from ``today`` on (31 December, or 29 February)."""
    for year in range(today.year, today.year + 8):  # 29 February comes within eight years
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise ValueError("no such day")


def parse_date(text: str, language: str, today: date) -> date | None:
    """The date in ``text``, or None when it is not one."""
    cleaned = " ".join(text.split()).lower()
    try:
        if match := _ISO.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_FIRST.match(cleaned):
            day, month = int(match[1]), int(match[2])
            if match[3]:
                return date(int(match[3]), month, day)
            return _next(today, month, day)
        if (match := _NAMED.match(cleaned)) and (named := _months(language).get(match[2])):
            if match[3]:
                return date(int(match[3]), named, int(match[1]))
            return _next(today, named, int(match[1]))
    except ValueError:  # 31 February and the like
        return None
    return None
