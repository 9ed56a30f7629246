"""Right-to-left words inside a left-to-right line (pure).

A person may write Hebrew or Arabic. A line that begins with their words and goes on
with ours, "שלום עולם (2 Mar 2026)", takes its direction from its first letter, so the
Unicode bidirectional algorithm (Telegram's apps, fpdf2) lays our date out right to left
as well: "(Mar 2026 2)". Left-to-right marks (U+200E, invisible, in DejaVu Sans) before
and after their words keep the line left to right and what follows in its order.
"""

from __future__ import annotations

import unicodedata

LRM = "\u200e"  # LEFT-TO-RIGHT MARK
RIGHT_TO_LEFT = frozenset({"R", "AL"})


def holds_right_to_left(text: str) -> bool:
    """Whether any letter of the text is written right to left."""
    return any(unicodedata.bidirectional(char) in RIGHT_TO_LEFT for char in text)


def set_apart(text: str) -> str:
    """The text between left-to-right marks when it holds right-to-left letters, so that
    a line going on after it keeps its order; any other text as it is."""
    return f"{LRM}{text}{LRM}" if holds_right_to_left(text) else text
