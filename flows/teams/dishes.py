"""The learning menu in a team photo: how many chose each dish as their next step and
how many tried it, and how many named a dish of their own (pure; counts only).

Frozen months (``storage.photo_months``) keep, per month, a count per dish under
``CHOSEN`` and ``TRIED`` and who chose or tried it under the dish's own scope, so a
dish obeys the same disclosure rule as a question: it is shown only when enough
people chose or tried it in the window, nested windows included. A dish of their
own counts under ``OWN``, never with its words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.menu.card import menu

CHOSEN = "#chosen"  # counts: (CHOSEN, dish) next steps chosen in the month
TRIED = "#tried"  # counts: (TRIED, dish) next steps done in the month
OWN = "#own"  # the "dish" of someone's own next step
DISH_SCOPE = "#dish:"  # people: who chose or tried a dish in the month
QUESTIONS = (CHOSEN, TRIED)


def scope(dish: str) -> str:
    """The people scope of one dish ('#dish:sparring')."""
    return DISH_SCOPE + dish


@dataclass(frozen=True)
class DishCount:
    """One dish in a photo: its name in the reader's language, chosen and tried."""

    name: str
    chosen: int
    tried: int


def dish_counts(
    counts: Mapping[tuple[str, str], int], language: str, own_name: str
) -> tuple[DishCount, ...]:
    """The dishes in menu order (own dishes last), each with its counts; a dish nobody
    chose or tried, or no longer on the menu, is left out."""
    the_menu = menu()
    words = the_menu.in_language(language)
    keys = [dish.key for dish in the_menu.card.dishes] + [OWN]
    lines = []
    for key in keys:
        chosen, tried = counts.get((CHOSEN, key), 0), counts.get((TRIED, key), 0)
        if chosen or tried:
            name = own_name if key == OWN else words.dishes[key].name
            lines.append(DishCount(name, chosen, tried))
    return tuple(lines)
