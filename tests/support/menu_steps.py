"""Helpers for the learning menu's next-step tests: tell a story with chosen picks, and the
suggestion of one dish word for word."""

from __future__ import annotations

from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.menu.card import menu
from flows.menu.views import NextStepView, StepStatus
from flows.replies import Outcome, Reply
from flows.states import Step
from tests.support.checkin_harness import CheckinPerson

EN = guide_for("en")
W = EN.next_steps


def suggestion_text(dish: str, language: str = "en") -> str:
    """The offer of one dish after a story or a check-in, as the person reads it."""
    words = menu().in_language(language).dishes[dish]
    line = f"• {words.name}: {words.what} {words.asks}"
    return guide_for(language).next_steps.suggestion.format(dish=line)


def suggestion_buttons(language: str = "en") -> tuple[str, str, str]:
    """Its buttons, one a row: order this, something else, not now."""
    words = guide_for(language).next_steps
    return (words.order, words.something_else, words.not_now)


def tell_story(
    person: CheckinPerson, picks: dict[str, tuple[str, ...]], words: dict[str, str] | None = None
) -> Outcome:
    """/reflect, the opening answered, ``picks`` ticked and ``words`` typed, the rest
    skipped; confirmed. The outcome of the confirmation."""
    words = words or {}
    person.command("reflect")
    person.say("Writing short cables")
    while person.state.step is Step.QUESTION:
        story_id, key = person.state.story_id, person.state.question
        assert story_id is not None and key is not None
        for pick in picks.get(key, ()):
            person.press(encode(Action.TOGGLE, story_id, key, pick))
        if key in words:
            person.say(words[key])
        if picks.get(key) or key in words:
            person.press(encode(Action.DONE, story_id, key))
        else:
            person.press(encode(Action.SKIP, story_id, key))
    return person.tap(person.guide.texts.confirm)


def suggestions(outcome: Outcome) -> list[Reply]:
    """The replies that offer a dish (they carry an "Order this" button)."""
    return [r for r in outcome.replies if any(b.label == W.order for row in r.buttons for b in row)]


def rows_of(person: CheckinPerson, status: StepStatus | None = None) -> list[NextStepView]:
    """The person's stored next steps (with this status), in the order ordered."""
    return [
        row.step
        for row in person.world.next_steps.values()
        if row.owner == person.id and (status is None or row.status is status)
    ]


def status_of(person: CheckinPerson, step_id: int) -> StepStatus:
    return person.world.next_steps[step_id].status


def order_dish(person: CheckinPerson, dish_label: str, when: str = W.this_week) -> int:
    """/menu, "Choose a dish", the dish, when: its next step's id."""
    person.command("menu")
    person.tap(W.choose)
    person.tap(dish_label)
    step_id = person.state.next_step
    assert step_id is not None
    person.tap(when)
    return step_id
