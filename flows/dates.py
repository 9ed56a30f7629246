"""Reading a date a person typed: '2027-01-15', '15-1-2027', '15/01/2027', '15 januari'.

Numbers are read day first (as in the Netherlands and most of the world), never
month first, so '03/04/2027' is 3 April. Month names come from Babel, in the
person's language and in English. A date without a year is its next occurrence.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from babel.dates import get_month_names

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?(?:\s+(\d{4}))?$")


@cache
def _months(language: str) -> dict[str, int]:
    """Wide and abbreviated month names (lower case) in ``language`` and English."""
    names: dict[str, int] = {}
    for locale in {language, "en"}:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    return names


def parse_date(text: str, language: str, today: date) -> date | None:
    """The date in ``text``, or None when it is not one."""
    cleaned = " ".join(text.split()).lower()
    try:
        if match := _ISO.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_FIRST.match(cleaned):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if (match := _NAMED.match(cleaned)) and (month := _months(language).get(match[2])):
            day = int(match[1])
            if match[3]:
                return date(int(match[3]), month, day)
            this_year = date(today.year, month, day)
            return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:  # 31 February and the like
        return None
    return None
