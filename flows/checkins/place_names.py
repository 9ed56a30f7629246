"""Comparing place names as people type them: without case, accents or punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# letters NFKD does not take apart, and apostrophes, which are dropped: "Sana'a" = "Sanaa"
_FOLD = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_APOSTROPHES = "'’‘ʼʻ`"
_SEPARATORS = re.compile(r"[\W_]+")
_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")


@cache
def _fold_table() -> dict[int, str | None]:
    """For str.translate after NFKD: _FOLD, and delete apostrophes and combining marks."""
    marks = (chr(point) for point in range(0x20000) if unicodedata.combining(chr(point)))
    return str.maketrans(_FOLD | dict.fromkeys((*_APOSTROPHES, *marks)))


def name_key(text: str) -> str:
    """A name as compared: no case, accents, apostrophes or punctuation ("'s-Gravenhage")."""
    if text.isascii():  # the same result, faster: over half of the names are ASCII
        text = text.lower().replace("'", "").replace("`", "")
        return _ASCII_SEPARATORS.sub(" ", text).strip()
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_fold_table())
    return _SEPARATORS.sub(" ", text).strip()


def presentable(name: str) -> bool:
    """Whether an alternate name can be shown as a place's name: written with capitals
    ("Den Haag"), or in a script without them ("北京"); not a lower-case transliteration."""
    return any(letter.isupper() for letter in name) or not any(letter.islower() for letter in name)
