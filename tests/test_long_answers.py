"""Answers longer than one Telegram message, which the apps send in parts
(``flows.interview.long_text``), through the whole dialogue."""

from __future__ import annotations

import pytest

from flows.content.guide import guide_for
from flows.render import MESSAGE_LIMIT
from flows.states import State, StoryKind
from tests.support.checkin_harness import CheckinPerson, CheckinWorld
from tests.support.flow_harness import KEYS
from tests.support.outcomes import texts

T = guide_for("en").texts
FIRST_PART = ("Chairing the weekly meeting in French, which I dreaded. " * 80)[:MESSAGE_LIMIT]
OPENING, SECOND = KEYS[0], KEYS[1]


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


def test_the_next_part_of_a_split_answer_joins_it(person: CheckinPerson) -> None:
    person.begin()
    asked = person.say(FIRST_PART)
    assert person.state.question == SECOND
    joined = person.say("and the minutes afterwards.")
    assert texts(joined) == [T.answer_continued]
    assert person.state.question == SECOND, "the question asked after part one still waits"
    assert person.story().answers[OPENING].text == f"{FIRST_PART}\nand the minutes afterwards."
    assert SECOND not in person.story().answers
    assert asked.state.split is not None and joined.state.split is None


def test_editing_a_part_of_a_joined_answer_loses_nothing(person: CheckinPerson) -> None:
    person.begin()
    first = person.next_message_id
    person.say(FIRST_PART)
    second = person.next_message_id
    person.say("and more.")
    for message_id in (first, second):
        edited = person.edit(message_id, "only this")
        assert texts(edited) == [T.edit_not_an_answer]
    assert person.story().answers[OPENING].text == f"{FIRST_PART}\nand more."


def test_three_parts_join_and_a_later_text_answers_the_next_question(
    world: CheckinWorld, person: CheckinPerson
) -> None:
    person.begin()
    person.say(FIRST_PART)
    person.say(FIRST_PART)  # a second full part: a third may follow
    person.say("the end.")
    assert person.story().answers[OPENING].text == f"{FIRST_PART}\n{FIRST_PART}\nthe end."
    world.advance(seconds=11)
    person.say("Own words about how")
    assert person.story().answers[SECOND].text == "Own words about how"
    assert person.story().answers[OPENING].text.endswith("the end.")


def test_a_short_answer_is_never_continued(person: CheckinPerson) -> None:
    person.begin()
    person.say("Short")
    person.say("Own words about how")
    assert person.story().answers[OPENING].text == "Short"
    assert person.story().answers[SECOND].text == "Own words about how"


def test_a_split_check_in_answer_joins_after_the_check_in_moved_on(
    person: CheckinPerson,
) -> None:
    person.command("checkin")
    story_id = person.state.story_id
    person.say(FIRST_PART)
    joined = person.say("and more.")
    assert texts(joined) == [T.answer_continued]
    (stored,) = person.stories.values()
    assert stored.id == story_id and stored.kind is StoryKind.CHECKIN
    assert stored.answers["smoother"].text == f"{FIRST_PART}\nand more."


def test_the_window_survives_the_database_round_trip(person: CheckinPerson) -> None:
    """The harness stores the state as JSON between steps, like the runner."""
    person.begin()
    state = person.say(FIRST_PART).state
    assert state.split is not None and State.from_json(state.to_json()) == state
