"""A team's own learning menu: hide, move up, own dishes; stored and brought up to date."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flows.menu.card import menu
from flows.menu.render import card_text
from flows.menu.team_card import (
    OWN_LIMIT,
    TeamCard,
    add_own,
    default_card,
    from_json,
    move_up,
    remove_own,
    toggle,
)
from storage.database import Database
from storage.team_menus import TeamMenus
from tests.support.teams import add_team

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def keys(card: TeamCard, course: str) -> list[str]:
    return [d.key or d.name for d in card.visible(course)]


def test_a_new_team_sees_the_default_card() -> None:
    card = default_card(menu())
    assert card_text(menu(), "en", card, "Embassy Lima").startswith(
        "The learning menu of “Embassy Lima”\n\nSmall things"
    )
    assert (
        card_text(menu(), "en", card, "X").split("\n\n")[2:]
        == card_text(menu(), "en").split("\n\n")[2:]
    )


def test_hide_move_up_and_an_own_dish_show_on_the_card() -> None:
    card = default_card(menu())
    small = keys(card, "small")
    card = toggle(card, 1)  # ask_feedback hidden
    card = move_up(move_up(card, 2), 1)  # time_tip above the hidden ask_feedback, then sparring
    added = add_own(card, "small", "  Lunch walk:  a walk with   someone from another team ")
    assert added is not None
    assert keys(added, "small") == ["time_tip", "sparring", "speed_coaching", "Lunch walk"]
    text = card_text(menu(), "en", added, "Embassy Lima")
    assert "• Lunch walk: a walk with someone from another team" in text
    assert "Ask for one piece of feedback" not in text
    assert text.index("One time-management idea") < text.index("Spar with a colleague")
    again = toggle(added, 2)  # ask_feedback, now third
    assert len(keys(again, "small")) == len(small) + 1, "shown again, plus the own dish"


def test_the_first_of_a_course_does_not_move_and_own_dishes_are_capped() -> None:
    card = default_card(menu())
    assert move_up(card, 0) == card
    first_medium = next(i for i, d in enumerate(card.dishes) if d.course == "medium")
    assert move_up(card, first_medium) == card, "never into another course"
    for n in range(OWN_LIMIT):
        grown = add_own(card, "large", f"Dish {n}")
        assert grown is not None
        card = grown
    assert add_own(card, "large", "One too many") is None
    assert add_own(default_card(menu()), "small", " :  ") is None
    assert add_own(default_card(menu()), "small", "x" * 61) is None, "never cut: refused"
    assert add_own(default_card(menu()), "small", "Walk: " + "y" * 201) is None
    assert add_own(default_card(menu()), "small", "x" * 61, name_limit=200) is not None
    own = len(card.dishes) - 1
    assert remove_own(card, own).dishes == card.dishes[:-1]
    assert remove_own(card, 0) == card, "a shipped dish is only hidden"


def test_stored_cards_follow_the_shipped_menu() -> None:
    raw = json.dumps(
        [
            {"key": "kitchen", "hidden": True},
            {"key": "no_longer_shipped"},
            {"name": "Book club", "what": "", "course": "large"},
            {"name": "Nowhere", "course": "brunch"},
            "not a dish",
        ]
    )
    card = from_json(menu(), raw)
    assert card.dishes[0].key == "kitchen" and card.dishes[0].hidden
    assert [d.name for d in card.dishes if d.own] == ["Book club"]
    assert {d.key for d in card.dishes if not d.own} == {d.key for d in menu().card.dishes}
    assert from_json(menu(), "{broken") == default_card(menu())
    assert from_json(menu(), card.to_json()) == card


@pytest.mark.parametrize("language", ["en", "nl"])
def test_an_own_dish_is_shown_as_written_in_every_language(language: str) -> None:
    card = add_own(default_card(menu()), "medium", "Koffie met de ambassadeur")
    assert card is not None
    assert "• Koffie met de ambassadeur\n" in card_text(menu(), language, card, "Lima") + "\n"


async def test_a_teams_card_is_stored_and_replaced(database: Database) -> None:
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Lima", NOW)
        assert await TeamMenus(session).card(team) == default_card(menu())
        card = toggle(default_card(menu()), 0)
        await TeamMenus(session).save(team, card, NOW)
    async with database.transaction() as session:
        assert await TeamMenus(session).card(team) == card
        grown = add_own(card, "small", "Lunch walk")
        assert grown is not None
        await TeamMenus(session).save(team, grown, NOW)
    async with database.transaction() as session:
        assert await TeamMenus(session).card(team) == grown
