"""/menu: the learning menu card in the person's language; a story keeps its place."""

from __future__ import annotations

import pytest

from flows.menu.card import menu
from flows.menu.render import card_text
from flows.states import Step
from tests.support.checkin_harness import CheckinPerson
from tests.support.flow_harness import World

pytestmark = pytest.mark.dialogue


def test_menu_shows_the_card(person: CheckinPerson) -> None:
    outcome = person.command("menu")
    (reply,) = outcome.replies
    assert reply.text == card_text(menu(), "en")
    assert reply.text.startswith("The learning menu")
    assert "Spar with a colleague" in reply.text
    assert reply.buttons[0][0].label == "Choose a dish"  # to order one as a next step


def test_menu_in_dutch(world: World) -> None:
    dutch = world.person(language="nl")
    (reply,) = dutch.command("menu").replies
    assert reply.text.startswith("De leermenukaart")
    assert "Meelopen met een collega" in reply.text


def test_a_question_in_progress_keeps_its_place(person: CheckinPerson) -> None:
    asked = person.command("reflect")
    state = asked.state
    assert state.step is Step.QUESTION
    outcome = person.command("menu")
    card, question = outcome.replies
    assert card.text == card_text(menu(), "en")
    assert question.text == asked.replies[-1].text
    assert outcome.state == state
