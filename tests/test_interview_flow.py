"""The interview, transition by transition: from /start through every question to the card,
and what the card, /cancel, resume and start-afresh do."""

from __future__ import annotations

from flows.callbacks import Action, encode
from flows.events import Command, Edited, Media, MediaKind, Press, Text
from flows.interview import steps as interview
from flows.render import SELECTED
from flows.replies import CreateStory, SaveAnswer, Welcomed
from flows.states import State, Step, StoryKind, StoryStatus
from flows.views import Needs
from tests.support.flow_harness import EN, FIRST_STORY_ID, KEYS, TOTAL, Person, T, option
from tests.support.outcomes import labels

# --- needs ------------------------------------------------------------------------------


def test_needs_loads_the_stories_in_play() -> None:
    state = State(step=Step.QUESTION, story_id=5, question="how", draft_id=6)
    assert interview.needs(state, Text("x")) == Needs(frozenset({5, 6}))
    assert interview.needs(state, Media(MediaKind.PHOTO)) == Needs(frozenset({5, 6}))
    assert interview.needs(state, Command("stories")) == Needs(frozenset({5, 6}), True)
    assert interview.needs(State(), Press(encode(Action.CARD, 9))) == Needs(frozenset({9}))
    assert interview.needs(state, Press(encode(Action.LIST, "2"))) == Needs(frozenset({5, 6}), True)
    assert interview.needs(State(), Press("garbage")) == Needs()
    assert interview.needs(State(), Edited("x", 42)) == Needs(edited_message_id=42)


# --- starting ---------------------------------------------------------------------------


def test_start_welcomes(person: Person) -> None:
    outcome = person.command("start")
    assert outcome.state == State(step=Step.WELCOME)
    assert outcome.effects == (Welcomed(),)
    (reply,) = outcome.replies
    assert reply.text == T.welcome.strip()
    assert labels(reply) == [T.begin, T.not_now]


def test_begin_creates_a_story_and_asks_the_opening_question(person: Person) -> None:
    person.command("start")
    outcome = person.tap(T.begin)
    story_id = outcome.state.story_id
    assert story_id is not None
    assert outcome.effects == (CreateStory(story_id, StoryKind.STORY),)
    assert outcome.state == State(
        step=Step.QUESTION, story_id=story_id, question=KEYS[0], draft_id=story_id
    )
    (reply,) = outcome.replies
    assert reply.text.startswith(T.progress.format(number=1, total=TOTAL))
    assert EN.opening.prompt in reply.text
    assert T.text_hint in reply.text
    # The opening question has no Back, no Skip (a story needs it) and, while unanswered,
    # no Keep: only examples that help picture an answer.
    assert labels(reply) == [example.label for example in EN.opening.examples]
    assert person.stories[story_id].status is StoryStatus.DRAFT


def test_not_now_goes_idle(person: Person) -> None:
    person.command("start")
    outcome = person.tap(T.not_now)
    assert outcome.state == State()
    assert outcome.effects == ()
    assert [(r.text, r.edit) for r in outcome.replies] == [(T.later, True)]


def test_reflect_skips_the_welcome(person: Person) -> None:
    outcome = person.command("reflect")
    assert outcome.state.step is Step.QUESTION
    assert outcome.state.question == KEYS[0]
    assert isinstance(outcome.effects[0], CreateStory)


def test_new_story_ids_come_from_the_view(person: Person) -> None:
    person.command("start")
    outcome = person.tap(T.begin)
    # The harness hands out one id per event; the story takes the one of its event.
    assert outcome.state.story_id == person.views[-1].new_story_id > FIRST_STORY_ID


# --- answering --------------------------------------------------------------------------


def test_text_answer_is_saved_and_the_next_question_asked(person: Person) -> None:
    person.begin()
    story_id = person.state.story_id
    assert story_id is not None
    outcome = person.send(Text("I now chair meetings calmly.", message_id=77))
    assert outcome.effects == (
        SaveAnswer(story_id, "change", "I now chair meetings calmly.", (), message_id=77),
    )
    assert outcome.state.question == KEYS[1]
    assert outcome.state.draft_id == story_id
    (reply,) = outcome.replies
    assert reply.text.startswith(T.progress.format(number=2, total=TOTAL))
    assert T.choices_hint in reply.text
    how = EN.question("how")
    assert how is not None
    assert labels(reply) == [*how.options.values(), T.done, T.back, T.skip]
    assert person.story().answers["change"].text == "I now chair meetings calmly."
    assert person.story().answers["change"].message_id == 77


def test_toggling_choices_on_and_off(person: Person) -> None:
    story_id = person.to_question("how")
    before = person.state

    first = person.tap(option("how", "feedback"))
    assert first.state == before
    assert first.effects == (SaveAnswer(story_id, "how", None, ("feedback",)),)
    (reply,) = first.replies
    assert reply.edit is True
    assert SELECTED + option("how", "feedback") in labels(reply)
    assert option("how", "by_doing") in labels(reply)

    # Picked in another order, stored in the guide's order.
    second = person.tap(option("how", "by_doing"))
    assert second.effects == (SaveAnswer(story_id, "how", None, ("by_doing", "feedback")),)
    assert second.replies[0].edit is True

    off = person.tap(option("how", "feedback"))
    assert off.effects == (SaveAnswer(story_id, "how", None, ("by_doing",)),)
    assert option("how", "feedback") in labels(off.replies[0])
    assert SELECTED + option("how", "by_doing") in labels(off.replies[0])
    assert person.story().answers["how"].choices == ("by_doing",)
    assert person.state == before


def test_done_moves_on_keeping_the_choices(person: Person) -> None:
    person.to_question("how")
    person.tap(option("how", "watching"))
    outcome = person.tap(T.done)
    assert outcome.effects == ()
    assert outcome.state.question == "who"
    assert person.story().answers["how"].choices == ("watching",)
    assert not person.story().answers["how"].skipped


def test_done_with_nothing_picked_records_skipped(person: Person) -> None:
    story_id = person.to_question("how")
    outcome = person.tap(T.done)
    assert outcome.effects == (SaveAnswer(story_id, "how", None, (), skipped=True),)
    assert outcome.state.question == "who"


def test_done_after_unpicking_everything_records_skipped(person: Person) -> None:
    story_id = person.to_question("how")
    person.tap(option("how", "feedback"))
    person.tap(option("how", "feedback"))
    outcome = person.tap(T.done)
    assert outcome.effects == (SaveAnswer(story_id, "how", None, (), skipped=True),)


def test_skip_on_a_text_question(person: Person) -> None:
    story_id = person.to_question("helped_most")
    outcome = person.tap(T.skip)
    assert outcome.effects == (SaveAnswer(story_id, "helped_most", None, (), skipped=True),)
    assert outcome.state.question == "next_step"
    assert person.story().answers["helped_most"].skipped


def test_skip_on_a_choices_question(person: Person) -> None:
    story_id = person.to_question("obstacles")
    outcome = person.tap(T.skip)
    assert outcome.effects == (SaveAnswer(story_id, "obstacles", None, (), skipped=True),)
    assert outcome.state.question == "helped_most"


def test_back_shows_the_previous_answer_and_keep_moves_on(person: Person) -> None:
    person.begin()
    person.say("I write shorter reports")
    outcome = person.tap(T.back)
    assert outcome.effects == ()
    assert outcome.state.question == "change"
    (reply,) = outcome.replies
    assert T.current_answer.format(answer="I write shorter reports") in reply.text
    examples = [example.label for example in EN.opening.examples]
    assert labels(reply) == [*examples, T.keep]  # no Back, no Skip on the first question
    kept = person.tap(T.keep)
    assert kept.effects == ()
    assert kept.state.question == "how"
    assert person.story().answers["change"].text == "I write shorter reports"


def test_back_then_new_words_replace_the_answer(person: Person) -> None:
    person.to_question("how")
    person.tap(T.back)
    outcome = person.say("I chair meetings calmly")
    assert isinstance(outcome.effects[0], SaveAnswer)
    assert outcome.effects[0].text == "I chair meetings calmly"
    assert outcome.state.question == "how"
    assert person.story().answers["change"].text == "I chair meetings calmly"


def test_no_back_on_the_first_question(person: Person) -> None:
    outcome = person.begin()
    assert T.back not in labels(outcome.replies[0])
    story_id = person.state.story_id
    assert story_id is not None
    forged = person.press(encode(Action.BACK, story_id, KEYS[0]))
    assert forged.notice == T.stale_button
    assert forged.effects == ()
    assert forged.replies == ()
    assert forged.state.question == KEYS[0]


def test_own_words_on_a_choices_question_keep_the_picks(person: Person) -> None:
    story_id = person.to_question("who")
    person.tap(option("who", "manager"))
    person.tap(option("who", "colleague"))
    before = person.state
    outcome = person.send(Text("and my partner's sister", message_id=501))
    assert outcome.effects == (
        SaveAnswer(
            story_id, "who", "and my partner's sister", ("colleague", "manager"), message_id=501
        ),
    )
    # The question stays open: the words join the picks, and more may be ticked.
    assert outcome.state == before
    (reply,) = outcome.replies
    assert not reply.edit
    assert T.current_answer.format(answer="and my partner's sister") in reply.text
    assert reply.text.endswith(T.words_added)
    assert SELECTED + option("who", "manager") in labels(reply)
    ticked = person.tap(option("who", "team"))
    assert ticked.effects == (
        SaveAnswer(story_id, "who", "and my partner's sister", ("colleague", "manager", "team")),
    )
    assert person.tap(T.done).state.question == "resources"
    person.tap(T.back)
    shown = person.last
    assert shown is not None
    assert SELECTED + option("who", "manager") in labels(shown.replies[0])
    assert T.current_answer.format(answer="and my partner's sister") in shown.replies[0].text


def test_picking_after_typing_keeps_the_words(person: Person) -> None:
    story_id = person.to_question("resources")
    person.say("the intranet wiki")
    outcome = person.tap(option("resources", "tools"))
    assert outcome.effects == (SaveAnswer(story_id, "resources", "the intranet wiki", ("tools",)),)
