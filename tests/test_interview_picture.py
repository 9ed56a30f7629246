"""What helps a person see what they are answering: examples instead of Skip on the opening
question, the story's subject above every later question, and quick-pick questions that
stay open for typed words until Done ("done" typed is Done, Skip clears the ticks)."""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Text
from flows.render import SELECTED
from flows.replies import SaveAnswer
from flows.states import StoryStatus
from tests.support.flow_harness import EN, TOTAL, Person, T, World, assert_refused, option
from tests.support.outcomes import labels, texts

EXAMPLES = EN.opening.examples


# --- the opening question: examples, never Skip ---------------------------------------------


def test_an_example_shows_its_hint_and_keeps_asking(person: Person) -> None:
    asked = person.begin()
    before = person.state
    outcome = person.tap(EXAMPLES[0].label)
    assert outcome.effects == ()
    assert outcome.state == before
    (reply,) = outcome.replies
    assert reply.edit is True  # the question itself now carries the hint
    progress = T.progress.format(number=1, total=TOTAL)
    assert reply.text == f"{progress}\n\n{EN.opening.prompt}\n\n{EXAMPLES[0].hint}\n\n{T.text_hint}"
    assert reply.buttons == asked.replies[0].buttons
    other = person.tap(EXAMPLES[2].label)
    assert EXAMPLES[2].hint in other.replies[0].text
    assert EXAMPLES[0].hint not in other.replies[0].text
    answered = person.say("I chair meetings calmly")
    assert answered.state.question == "how"


def test_three_examples_in_each_language() -> None:
    for language in ("en", "nl"):
        examples = guide_for(language).opening.examples
        assert len(examples) == 3
        assert all(len(e.label) <= 45 and e.hint.endswith("?") for e in examples)
    assert EXAMPLES[0].label == "Something that now costs you less time"
    assert guide_for("nl").opening.examples[0].label == "Iets wat je nu minder tijd kost"


@pytest.mark.parametrize("number", ["3", "99", "-1", "x", "١"])
def test_forged_example_numbers_are_refused(person: Person, number: str) -> None:
    person.begin()
    story_id, before = person.state.story_id, person.state
    assert story_id is not None
    forged = encode(Action.EXAMPLE, story_id, "change", number)
    assert_refused(person.press(forged), before, T.invalid_button)


def test_an_example_of_a_question_answered_since_is_stale(person: Person) -> None:
    person.begin()
    example = person.button(EXAMPLES[1].label).data
    person.say("I chair meetings calmly")
    assert_refused(person.press(example), person.state, T.stale_button)


def test_the_opening_question_cannot_be_skipped(person: Person) -> None:
    asked = person.begin()
    story_id, before = person.state.story_id, person.state
    assert story_id is not None
    assert T.skip not in labels(asked.replies[0])
    # a Skip from a message sent before, and a Done with nothing to keep
    for action in (Action.SKIP, Action.DONE):
        assert_refused(person.press(encode(action, story_id, "change")), before, T.invalid_button)
    assert person.story().answers == {}


# --- what the story is about ----------------------------------------------------------------


def test_every_later_question_says_what_the_story_is_about(person: Person) -> None:
    person.begin()
    outcome = person.say("Writing short cables")
    about = T.about.format(title="Writing short cables")
    heading = f"{T.progress.format(number=2, total=TOTAL)}\n{about}\n\n"
    assert outcome.replies[0].text.startswith(heading)
    for _ in range(TOTAL - 2):
        outcome = person.tap(T.skip)
        assert about in outcome.replies[0].text
    back = person.tap(T.back)
    assert about in back.replies[0].text


def test_a_long_opening_is_shortened_to_one_line(person: Person) -> None:
    person.begin()
    opening = "Writing short, clear cables\nfor headquarters, " + "in half the time " * 10
    outcome = person.say(opening)
    about_line = outcome.replies[0].text.split("\n")[1]
    title = about_line.removeprefix("About: “").removesuffix("”")
    assert about_line == T.about.format(title=title)
    assert title.startswith("Writing short, clear cables for headquarters, in half")
    assert title.endswith("…")
    assert len(title) <= 60


def test_the_opening_question_itself_shows_no_subject(person: Person) -> None:
    person.begin()
    person.say("Writing short cables")
    back = person.tap(T.back)
    assert "About:" not in back.replies[0].text


# --- quick-pick questions: typed words, "done", Skip -----------------------------------------


def test_typing_done_with_picks_is_done(person: Person) -> None:
    person.to_question("how")
    person.tap(option("how", "feedback"))
    outcome = person.say("Done.")
    assert outcome.effects == ()  # nothing stored as the answer
    assert outcome.state.question == "who"
    assert person.story().answers["how"].text is None
    assert person.story().answers["how"].choices == ("feedback",)


def test_typing_done_with_nothing_picked_skips(person: Person) -> None:
    story_id = person.to_question("how")
    outcome = person.say("done")
    assert outcome.effects == (SaveAnswer(story_id, "how", None, (), skipped=True),)
    assert outcome.state.question == "who"


def test_typing_klaar_in_dutch(world: World) -> None:
    person = world.person(language="nl")
    person.to_question("how")
    person.tap(option("how", "feedback", "nl"))
    outcome = person.say("Klaar!")
    assert outcome.state.question == "who"
    assert person.story().answers["how"].text is None


def test_done_under_a_text_question_is_an_answer(person: Person) -> None:
    story_id = person.to_question("helped_most")
    outcome = person.send(Text("done", 40))
    assert outcome.effects == (SaveAnswer(story_id, "helped_most", "done", message_id=40),)


def test_typed_words_then_done_typed(person: Person) -> None:
    story_id = person.to_question("who")
    person.tap(option("who", "manager"))
    person.send(Text("and Ana from the other post", 40))
    outcome = person.say("done")
    assert outcome.effects == ()
    assert outcome.state.question == "resources"
    stored = person.story(story_id).answers["who"]
    assert (stored.text, stored.choices) == ("and Ana from the other post", ("manager",))


def test_skip_after_ticking_clears_the_ticks(person: Person) -> None:
    story_id = person.to_question("obstacles")
    person.tap(option("obstacles", "time_pressure"))
    person.say("and the move")
    outcome = person.tap(T.skip)
    assert outcome.effects == (SaveAnswer(story_id, "obstacles", None, (), skipped=True),)
    stored = person.story().answers["obstacles"]
    assert (stored.text, stored.choices, stored.skipped) == (None, (), True)
    back = person.tap(T.back)
    assert not any(label.startswith(SELECTED) for label in labels(back.replies[0]))


def test_skip_on_a_text_question_answered_before_clears_it(person: Person) -> None:
    story_id = person.to_question("next_step")
    person.tap(T.back)  # at "helped_most", answered
    outcome = person.tap(T.skip)
    assert outcome.effects == (SaveAnswer(story_id, "helped_most", None, (), skipped=True),)


def test_a_completed_story_changed_by_typing_returns_on_done(person: Person) -> None:
    story_id = person.complete_story()
    person.press(encode(Action.EDIT, story_id, "how"))
    typed = person.say("by trying")
    assert texts(typed)[0].endswith(T.words_added)
    card = person.tap(T.done)
    assert "by trying" in card.replies[0].text
    assert person.story(story_id).status is StoryStatus.COMPLETE
