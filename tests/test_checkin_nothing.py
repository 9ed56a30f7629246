"""A check-in where nothing went better: the "nothing this time" button or words such as
"nothing really, it was a terrible week" get a kind word and no "how" question; the
check-in is done, and one smaller question may be answered or left."""

from __future__ import annotations

import json

import pytest

from flows.callbacks import Action, encode
from flows.checkins.schedule import CheckinRule
from flows.content.guide import guide_for
from flows.events import Command
from flows.privacy.export import as_json, markdown
from flows.replies import CompleteStory, CreateStory, PersonActive, SaveAnswer
from flows.states import State, Step, StoryKind, StoryStatus
from flows.views import PersonRecord, StoryRecord
from tests.support.checkin_harness import AMSTERDAM, CheckinPerson, CheckinWorld
from tests.support.flow_harness import option
from tests.support.outcomes import labels, texts

EN = guide_for("en")
NL = guide_for("nl")
T = EN.texts
C = EN.checkin.texts
THROUGH = EN.questionnaire(StoryKind.CHECKIN).question("through")
assert THROUGH is not None
ASKED_THROUGH = f"{C.nothing_thanks}\n\n{THROUGH.prompt}"


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


def start_checkin(person: CheckinPerson) -> int:
    person.command("checkin")
    assert person.state.story_id is not None
    return person.state.story_id


def test_nothing_this_time_asks_no_how_and_completes_the_checkin(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    outcome = person.tap(C.nothing)
    assert outcome.effects == (
        SaveAnswer(story_id, "smoother", C.nothing),
        CompleteStory(story_id),
        PersonActive(),
    )
    assert outcome.state == State(step=Step.CHECKIN_THROUGH, story_id=story_id)
    (reply,) = outcome.replies
    assert reply.text == ASKED_THROUGH
    assert labels(reply) == [C.through_done]
    stored = person.story(story_id)
    assert stored.status is StoryStatus.COMPLETE
    assert "how" not in stored.answers


def test_what_helped_through_is_kept_with_the_checkin(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.tap(C.nothing)
    outcome = person.say("A walk at lunch with Sam")
    assert outcome.state == State()
    assert outcome.effects == (
        SaveAnswer(story_id, "through", "A walk at lunch with Sam", message_id=1),
        PersonActive(),
    )
    assert texts(outcome) == [C.through_saved]
    assert person.story(story_id).answers["through"].text == "A walk at lunch with Sam"

    person.command("stories")
    card = person.press(encode(Action.CARD, story_id))
    assert f"▸ {THROUGH.title}\nA walk at lunch with Sam" in card.replies[0].text
    edited = person.edit(1, "A walk at lunch")
    assert texts(edited) == [T.edit_saved.format(question=THROUGH.title)]
    assert person.story(story_id).answers["through"].text == "A walk at lunch"


def test_the_smaller_question_may_be_left(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.tap(C.nothing)
    done = person.button(C.through_done)
    outcome = person.press(done.data)
    assert outcome.state == State()
    assert outcome.effects == (PersonActive(),)
    assert [(r.text, r.edit) for r in outcome.replies] == [(C.nothing_closing, True)]
    assert "through" not in person.story(story_id).answers
    again = person.press(done.data)
    assert again.notice == T.stale_button
    assert again.replies == ()


def test_a_command_leaves_the_smaller_question(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.tap(C.nothing)
    outcome = person.send(Command("stories"))
    assert outcome.state == State()
    person.say("Something else entirely")
    assert "through" not in person.story(story_id).answers


@pytest.mark.parametrize(
    "typed",
    [
        "nothing really, it was a terrible week",
        "Not really.",
        "Nothing. Bad week 😩",
        "It was a rough week",
        "no",
    ],
)
def test_typed_nothing_takes_the_same_kind_way(person: CheckinPerson, typed: str) -> None:
    story_id = start_checkin(person)
    outcome = person.say(typed)
    assert outcome.effects == (
        SaveAnswer(story_id, "smoother", typed, message_id=1),
        CompleteStory(story_id),
        PersonActive(),
    )
    assert texts(outcome) == [ASKED_THROUGH]
    assert outcome.state.step is Step.CHECKIN_THROUGH


@pytest.mark.parametrize(
    "typed",
    [
        "Not really, but my reports go faster",
        "Nothing beats preparing the night before",
        "No meetings ran over this week",
        "After a terrible week of prep, the visit went smoothly",
    ],
)
def test_something_that_did_go_better_gets_the_how_question(
    person: CheckinPerson, typed: str
) -> None:
    start_checkin(person)
    outcome = person.say(typed)
    assert outcome.state.question == "how"
    assert outcome.replies[0].text.startswith(T.progress.format(number=2, total=2))


def test_a_checkin_answered_with_nothing_in_dutch(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    person.set_schedule(CheckinRule(AMSTERDAM))
    person.due()
    outcome = person.say("Niets eigenlijk, het was een rotweek")
    story_id = person.views[-1].new_story_id
    assert outcome.effects == (
        CreateStory(story_id, StoryKind.CHECKIN),
        SaveAnswer(story_id, "smoother", "Niets eigenlijk, het was een rotweek", message_id=1),
        CompleteStory(story_id),
        PersonActive(),
    )
    through = NL.questionnaire(StoryKind.CHECKIN).question("through")
    assert through is not None
    (reply,) = outcome.replies
    assert reply.text == f"{NL.checkin.texts.nothing_thanks}\n\n{through.prompt}"
    assert labels(reply) == [NL.checkin.texts.through_done]
    assert texts(person.say("Mijn collega's")) == [NL.checkin.texts.through_saved]


def test_no_nothing_button_once_a_checkin_is_done(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.say("Briefings go smoother")
    person.tap(option("how", "feedback"))
    person.tap(T.done)
    person.command("stories")
    person.press(encode(Action.CARD, story_id))
    person.tap(T.change)
    outcome = person.tap(f"1. {EN.checkin.questions.opening.title}")
    assert labels(outcome.replies[0]) == [T.keep]
    forged = person.press(encode(Action.NOTHING, story_id, "smoother"))
    assert forged.notice == T.invalid_button
    # Changing the first answer of a done check-in to "nothing" is only a new answer.
    changed = person.say("nothing")
    assert changed.state.step is Step.IDLE
    assert CompleteStory(story_id) not in changed.effects
    assert person.story(story_id).answers["how"].choices == ("feedback",)


def test_the_nothing_button_of_another_question_is_refused(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    nothing = person.button(C.nothing).data
    person.say("Briefings go smoother")
    before = person.state
    outcome = person.press(nothing)
    assert outcome.notice == T.stale_button
    assert outcome.state == before
    forged = person.press(encode(Action.NOTHING, story_id, "how"))
    assert forged.notice == T.invalid_button


def test_the_export_names_what_helped_through(person: CheckinPerson, world: CheckinWorld) -> None:
    story_id = start_checkin(person)
    person.tap(C.nothing)
    person.say("A walk at lunch")
    story = person.story(story_id).view()
    record = PersonRecord(
        "telegram", 1, 1, "en", world.now, None, None, (), (),
        (StoryRecord(story, world.now, world.now, None),),
    )  # fmt: skip
    shown = markdown(record, EN, world.now)
    assert THROUGH.title in shown
    assert "A walk at lunch" in shown
    (exported,) = json.loads(as_json(record, EN, world.now))["stories"]
    assert [a["question"] for a in exported["answers"]] == ["smoother", "through"]
