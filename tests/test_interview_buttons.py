"""Buttons that must not act: stale, from an older story, forged, or naming a story that is
not the person's own."""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.states import Step, StoryStatus
from tests.support.flow_harness import KEYS, Person, T, World, assert_refused

# Buttons that name a story and nothing else.
STORY_ACTIONS = (
    Action.CONFIRM,
    Action.CHANGE,
    Action.CARD,
    Action.DISCARD,
    Action.DISCARD_YES,
    Action.RESUME,
    Action.FRESH,
    Action.FRESH_YES,
)


# --- stale, old, forged and foreign buttons ---------------------------------------------


@pytest.mark.parametrize("action", [Action.DONE, Action.SKIP, Action.BACK])
def test_button_of_an_earlier_question_is_stale(person: Person, action: Action) -> None:
    story_id = person.to_question("how")
    old = encode(action, story_id, "how")
    toggle = encode(Action.TOGGLE, story_id, "how", "feedback")
    person.tap(T.done)
    before, stored = person.state, repr(person.story().answers)
    for data in (old, toggle):
        assert_refused(person.press(data), before, T.stale_button)
    assert repr(person.story().answers) == stored


def test_question_button_after_the_card_is_stale(person: Person) -> None:
    story_id = person.to_question(KEYS[-1])
    done = person.button(T.done).data
    person.tap(T.done)
    before = person.state
    assert before.step is Step.REVIEW
    assert_refused(person.press(done), before, T.stale_button)
    toggle = encode(Action.TOGGLE, story_id, KEYS[-1], "time")
    assert_refused(person.press(toggle), before, T.stale_button)


def test_buttons_of_a_completed_story(person: Person) -> None:
    old = person.complete_story()
    person.begin()
    before = person.state
    for data in (
        encode(Action.TOGGLE, old, "how", "feedback"),
        encode(Action.SKIP, old, KEYS[-1]),
        encode(Action.DONE, old, KEYS[-1]),
    ):
        assert_refused(person.press(data), before, T.stale_button)
    assert_refused(person.press(encode(Action.CONFIRM, old)), before, T.saved)
    assert person.story(old).status is StoryStatus.COMPLETE


def test_buttons_of_a_deleted_story(person: Person) -> None:
    person.story_to_card()
    gone = person.state.story_id
    assert gone is not None
    person.tap(T.discard)
    person.tap(T.discard_yes)
    before = person.state
    for action in (Action.TOGGLE, Action.DONE, Action.SKIP, Action.BACK):
        args: tuple[str, ...] = ("how", "feedback") if action is Action.TOGGLE else ("how",)
        assert_refused(person.press(encode(action, gone, *args)), before, T.invalid_button)
    for action in STORY_ACTIONS:
        assert_refused(person.press(encode(action, gone)), before, T.story_not_found)
    assert_refused(person.press(encode(Action.EDIT, gone, "how")), before, T.story_not_found)
    assert person.stories == {}


@pytest.mark.parametrize(
    "data",
    ["", "zz", "t|1", "ok|ZZ", "go|x", "🙂", "x" * 100, "ok|1|2", "t|||", "lg|"],
)
def test_forged_data_that_does_not_parse(person: Person, data: str) -> None:
    person.to_question("how")
    before = person.state
    assert_refused(person.press(data), before, T.invalid_button)


def test_well_formed_buttons_the_guide_does_not_know(person: Person) -> None:
    story_id = person.to_question("how")
    before = person.state
    for data in (
        encode(Action.TOGGLE, story_id, "how", "telepathy"),
        encode(Action.TOGGLE, story_id, "how", "manager"),  # an option of another question
        encode(Action.EDIT, story_id, "nonsense"),
    ):
        assert_refused(person.press(data), before, T.invalid_button)
    assert_refused(person.press(encode(Action.DONE, story_id, "nonsense")), before, T.stale_button)
    person.tap(T.back)
    text_question = person.state
    forged = encode(Action.TOGGLE, story_id, "change", "feedback")
    assert_refused(person.press(forged), text_question, T.invalid_button)


def test_another_persons_story_is_refused(world: World) -> None:
    other = world.person(2)
    theirs_done = other.complete_story()
    other.command("reflect")
    theirs_draft = other.state.story_id
    assert theirs_draft is not None
    other.say("their private words")
    stored = repr(other.stories)

    me = world.person(1)
    me.to_question("how")
    before = me.state
    for story in (theirs_done, theirs_draft):
        for action in STORY_ACTIONS:
            assert_refused(me.press(encode(action, story)), before, T.story_not_found)
            assert story not in me.views[-1].stories
        assert_refused(me.press(encode(Action.EDIT, story, "how")), before, T.story_not_found)
        for data in (
            encode(Action.TOGGLE, story, "how", "feedback"),
            encode(Action.DONE, story, "how"),
            encode(Action.SKIP, story, "how"),
            encode(Action.BACK, story, "how"),
            encode(Action.EXAMPLE, story, "change", "0"),
            encode(Action.NOTHING, story, "change"),
        ):
            assert_refused(me.press(data), before, T.invalid_button)
    assert repr(other.stories) == stored
    # My list holds my own story only.
    me.command("stories")
    assert [h.id for h in me.views[-1].story_list or ()] == [before.story_id]
