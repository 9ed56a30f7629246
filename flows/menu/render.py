"""The menu card as a message: courses in order, each dish one line with what it asks."""

from __future__ import annotations

from flows.menu.card import Dish, Menu
from flows.menu.team_card import TeamCard, TeamDish, default_card


def dish_line(menu: Menu, language: str, dish: Dish) -> str:
    """'• Spar with a colleague: Talk through ... One colleague, about 20 minutes.'"""
    dish_words = menu.in_language(language).dishes[dish.key]
    return f"• {dish_words.name}: {dish_words.what} {dish_words.asks}"


def team_dish_line(menu: Menu, language: str, dish: TeamDish) -> str:
    """A line of a team's card: a shipped dish in the language, an own one as written."""
    if dish.own:
        return f"• {dish.name}: {dish.what}" if dish.what else f"• {dish.name}"
    shipped = menu.card.dish(dish.key)
    assert shipped is not None, "team cards only hold shipped dishes (from_json)"
    return dish_line(menu, language, shipped)


def card_text(
    menu: Menu, language: str, card: TeamCard | None = None, team: str | None = None
) -> str:
    """The whole card in a language: the default one, or a team's as composed."""
    words = menu.in_language(language)
    card = card or default_card(menu)
    parts = [words.team_title.format(team=team) if team else words.title, words.intro]
    for course in menu.card.courses:
        if lines := [team_dish_line(menu, language, d) for d in card.visible(course)]:
            parts.append("\n".join([words.courses[course], *lines]))
    return "\n\n".join(parts)


def invitation_text(menu: Menu, language: str, dish: Dish, topic: str) -> str | None:
    """The invitation a person may forward to a colleague, about ``topic`` in their words."""
    invitation = menu.in_language(language).dishes[dish.key].invitation
    return invitation.replace("{topic}", topic) if invitation else None
