"""The learning menu's content: complete in every language, rules that name real things,
and the one dish matched to what a person told."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest

from flows.content.guide import guides
from flows.menu.card import MENU_DIR, MenuError, build_menu, menu
from flows.menu.matching import suggestion
from flows.menu.render import card_text, invitation_text
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, StoryView


def _shipped() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    card = tomllib.loads((MENU_DIR / "card.toml").read_text(encoding="utf-8"))
    words = {
        path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in MENU_DIR.glob("*.toml")
        if path.name != "card.toml"
    }
    return card, words


def _story(**picks: tuple[str, ...]) -> StoryView:
    answers = {question: AnswerView(None, options) for question, options in picks.items()}
    return StoryView(1, StoryKind.STORY, StoryStatus.COMPLETE, datetime.now(UTC), answers)


def test_the_shipped_card_is_complete_in_every_language() -> None:
    shipped = menu()
    assert set(shipped.words) == set(guides()) == {"en", "nl"}
    for language in shipped.words:
        text = card_text(shipped, language)
        for dish in shipped.card.dishes:
            assert shipped.words[language].dishes[dish.key].name in text
    english = card_text(shipped, "en")
    starters, mains, desserts = (english.index(c) for c in ("Starters", "Mains", "Desserts"))
    assert starters < english.index("Spar with a colleague") < mains
    assert mains < english.index("Look in each other's kitchen") < desserts
    assert desserts < english.index("Peer consultation")
    assert "Bij elkaar in de keuken kijken" in card_text(shipped, "nl")


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (lambda c, w: c["rules"].append({"when": "obstacles.self_doubt", "dish": "yoga"}), "yoga"),
        (
            lambda c, w: c["rules"].append({"when": "obstacles.boredom", "dish": "sparring"}),
            "boredom",
        ),
        (lambda c, w: w["nl"]["dishes"].pop("kitchen"), "nl: the dishes differ"),
        (lambda c, w: w["en"]["dishes"]["sparring"].pop("invitation"), "sparring needs"),
        (lambda c, w: w["en"]["dishes"]["sparring"].update(invitation="Spar?"), "{topic}"),
        (lambda c, w: w.pop("nl"), "menu languages"),
        (lambda c, w: c["dishes"].append(dict(c["dishes"][0])), "twice"),
    ],
)
def test_a_broken_card_is_refused_with_what_is_wrong(break_it: Any, complaint: str) -> None:
    card, words = copy.deepcopy(_shipped())
    break_it(card, words)
    with pytest.raises(MenuError, match=complaint.replace("{", r"\{").replace("}", r"\}")):
        build_menu(card, words, guides())


@pytest.mark.parametrize(
    ("picks", "dish"),
    [
        ({"obstacles": ("self_doubt",)}, "sparring"),
        ({"obstacles": ("time_pressure",)}, "time_tip"),
        ({"obstacles": ("nobody_to_ask",)}, "shadowing"),
        ({"obstacles": ("new_post_context",)}, "kitchen"),
        ({"obstacles": ("self_doubt",), "next_step": ("course",)}, "course"),  # their own first
        ({"how": ("watching",)}, "shadowing"),
    ],
)
def test_one_dish_fits_what_the_person_told(picks: dict[str, tuple[str, ...]], dish: str) -> None:
    found = suggestion(menu().card, _story(**picks))
    assert found is not None and found.key == dish


def test_no_dish_when_nothing_is_needed_now_or_nothing_fits() -> None:
    card = menu().card
    told = {"obstacles": ("self_doubt",), "next_step": ("nothing_now",)}
    assert suggestion(card, _story(**told)) is None
    assert suggestion(card, _story(how=("by_doing",))) is None


def test_an_invitation_carries_the_topic_and_only_dishes_with_someone_have_one() -> None:
    shipped = menu()
    sparring, time_tip = shipped.card.dish("sparring"), shipped.card.dish("time_tip")
    assert sparring is not None and time_tip is not None
    text = invitation_text(shipped, "en", sparring, "chairing meetings in French")
    assert text == (
        "Would you spar with me for 20 minutes about chairing meetings in French? "
        "I'd value your view."
    )
    assert invitation_text(shipped, "nl", time_tip, "x") is None
