"""The menu card as a message: courses in order, each dish one line with what it asks."""

from __future__ import annotations

from flows.menu.card import Dish, Menu


def dish_line(menu: Menu, language: str, dish: Dish) -> str:
    """'• Spar with a colleague: Talk through ... One colleague, about 20 minutes.'"""
    dish_words = menu.in_language(language).dishes[dish.key]
    return f"• {dish_words.name}: {dish_words.what} {dish_words.asks}"


def card_text(menu: Menu, language: str) -> str:
    """The whole card in a language."""
    words = menu.in_language(language)
    parts = [words.title, words.intro]
    for course in menu.card.courses:
        lines = [dish_line(menu, language, d) for d in menu.card.dishes if d.course == course]
        parts.append("\n".join([words.courses[course], *lines]))
    return "\n\n".join(parts)


def invitation_text(menu: Menu, language: str, dish: Dish, topic: str) -> str | None:
    """The invitation a person may forward to a colleague, about ``topic`` in their words."""
    invitation = menu.in_language(language).dishes[dish.key].invitation
    return invitation.replace("{topic}", topic) if invitation else None
