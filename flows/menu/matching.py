"""One dish that fits what a person told: never more than one, and none when they said
nothing is needed now. The rules are content data (``flows/content/menu/card.toml``)."""

from __future__ import annotations

from flows.menu.card import Card, Dish
from flows.views import StoryView


def suggestion(card: Card, story: StoryView) -> Dish | None:
    """The dish of the first rule whose option the person picked, if any."""
    for rule in card.rules:
        if rule.option in story.answer(rule.question).choices:
            return card.dish(rule.dish) if rule.dish else None
    return None
