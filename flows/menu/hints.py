"""Beside a team's card, what its latest team photo says: the recurring obstacles and
wishes, each with the dish the matching rules suggest for it (pure; counts only).

"Time pressure: 4 of 6 → One time-management idea". Only a photo that may be shown
is ever used (``flows.teams.photo.assemble``), so the hints obey the same minimum.
"""

from __future__ import annotations

from datetime import datetime

from flows.content.guide import Guide
from flows.menu.card import Menu
from flows.teams.periods import Period, Span
from flows.teams.photo import assemble, period_label
from flows.teams.views import PhotoData

QUESTIONS = ("obstacles", "next_step")  # what got in the way, what would help next
PER_QUESTION = 2
RECURRING = 2  # named in at least two stories or check-ins


def hint_periods(now: datetime) -> tuple[Period, ...]:
    """Where hints come from, the first that may be shown: the last ended quarter, then
    the last ended month."""
    return tuple(Period.containing(span, now).previous() for span in (Span.QUARTER, Span.MONTH))


def hint_lines(guide: Guide, menu: Menu, photo: PhotoData, minimum: int) -> list[str]:
    """The heading and one line per recurring obstacle or wish (none: an empty list)."""
    shown = assemble(guide, photo, minimum)
    if shown is None:
        return []
    words = menu.in_language(guide.language)
    rules = {rule.when: rule.dish for rule in menu.card.rules}
    lines = []
    for section in shown.sections:
        if section.key not in QUESTIONS or section.withheld:
            continue
        question = guide.question(section.key)
        by_label = {label: key for key, label in question.options.items()} if question else {}
        for label, count in section.items[:PER_QUESTION]:
            if count < RECURRING:
                continue
            dish = rules.get(f"{section.key}.{by_label.get(label, '')}", "")
            line = words.compose.hint_count.format(label=label, count=count, asked=section.asked)
            lines.append(f"{line} → {words.dishes[dish].name}" if dish else line)
    if not lines:
        return []
    return [words.compose.hint_heading.format(period=period_label(guide, photo.period)), *lines]
