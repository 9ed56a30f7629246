"""The check-in, step by step through ``flows.dialogue``: /checkin, its two questions, the
automatic completion, turning it into a learning story, the story list and its card, and
the check-in that a reply to a check-in opens."""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.checkins.schedule import CheckinRule
from flows.content.guide import Question, guide_for
from flows.render import local_date
from flows.replies import CompleteStory, CreateStory, PersonActive, SaveAnswer
from flows.states import State, Step, StoryKind, StoryStatus
from tests.support.checkin_harness import AMSTERDAM, CheckinPerson, CheckinWorld
from tests.support.flow_harness import StoredAnswer, StoredStory, option
from tests.support.outcomes import labels, texts

EN = guide_for("en")
NL = guide_for("nl")
T = EN.texts
C = EN.checkin.texts
CHECKIN = EN.questionnaire(StoryKind.CHECKIN)
SMOOTHER = CHECKIN.opening
HOW = CHECKIN.questions[1]


def prompts(question: Question) -> tuple[str, ...]:
    return (question.prompt, *question.variants)


def prompt_in(text: str, question: Question = SMOOTHER) -> str:
    """The one prompt variant of ``question`` that this message asks."""
    found = [p for p in prompts(question) if p in text]
    assert len(found) == 1, f"expected one prompt of {question.key!r} in {text!r}"
    return found[0]


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


def start_checkin(person: CheckinPerson) -> int:
    person.command("checkin")
    if person.state.step is Step.FOLLOW_UP:  # an open next step is asked about first
        person.tap(EN.next_steps.not_for_me)
    assert person.state.story_id is not None
    return person.state.story_id


def complete_checkin(person: CheckinPerson, text: str = "Briefings go smoother") -> int:
    story_id = start_checkin(person)
    person.say(text)
    person.tap(option("how", "asking_colleague"))
    person.tap(T.done)
    return story_id


# --- the guide's check-in -------------------------------------------------------------------


def test_the_checkin_asks_smoother_then_how_with_the_interviews_options() -> None:
    assert [q.key for q in CHECKIN.questions] == ["smoother", "how"]
    assert SMOOTHER.variants, "the opening question has other ways of asking"
    learning_how = EN.question("how")
    assert learning_how is not None
    assert HOW.options == learning_how.options


# --- /checkin --------------------------------------------------------------------------------


def test_checkin_command_asks_the_opening_question(person: CheckinPerson) -> None:
    outcome = person.command("checkin")
    story_id = person.views[-1].new_story_id
    assert outcome.state == State(step=Step.QUESTION, story_id=story_id, question="smoother")
    assert outcome.effects == (CreateStory(story_id, StoryKind.CHECKIN), PersonActive())
    (reply,) = outcome.replies
    assert reply.text.startswith(T.progress.format(number=1, total=2))
    prompt_in(reply.text)
    assert labels(reply) == [C.nothing]  # no Skip: "nothing this time" instead
    stored = person.story(story_id)
    assert (stored.kind, stored.status) == (StoryKind.CHECKIN, StoryStatus.DRAFT)


def test_the_opening_question_takes_turns_with_its_variants(person: CheckinPerson) -> None:
    asked = set()
    for _ in range(len(prompts(SMOOTHER))):
        outcome = person.command("checkin")
        asked.add(prompt_in(outcome.replies[0].text))
        person.command("cancel")
    assert len(asked) >= 2


def test_answering_the_opening_question_asks_how(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    outcome = person.say("Briefings go smoother")
    assert outcome.state == State(step=Step.QUESTION, story_id=story_id, question="how")
    assert outcome.effects == (
        SaveAnswer(story_id, "smoother", "Briefings go smoother", message_id=1),
        PersonActive(),
    )
    (reply,) = outcome.replies
    about = T.about.format(title="Briefings go smoother")
    assert reply.text.startswith(f"{T.progress.format(number=2, total=2)}\n{about}\n\n")
    prompt_in(reply.text, HOW)
    assert labels(reply) == [*HOW.options.values(), T.done, T.back, T.skip]


def test_picking_how_and_done_completes_the_checkin(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.say("Briefings go smoother")
    picked = person.tap(option("how", "asking_colleague"))
    assert picked.effects == (
        SaveAnswer(story_id, "how", None, ("asking_colleague",)),
        PersonActive(),
    )
    outcome = person.tap(T.done)
    assert outcome.state == State()
    assert outcome.effects == (CompleteStory(story_id), PersonActive())
    reply, suggestion = outcome.replies  # and one dish that fits "asking a colleague"
    assert "Spar with a colleague" in suggestion.text
    assert reply.text == C.closing
    assert len(reply.buttons) == 1
    (button,) = reply.buttons[0]
    assert button.label == C.to_story
    assert button.data == encode(Action.TO_STORY, story_id)
    stored = person.story(story_id)
    assert stored.status is StoryStatus.COMPLETE
    assert stored.answers["smoother"].text == "Briefings go smoother"
    assert stored.answers["how"].choices == ("asking_colleague",)


def test_typed_how_words_wait_for_done(person: CheckinPerson) -> None:
    story_id = start_checkin(person)
    person.say("Briefings go smoother")
    before = person.state
    outcome = person.say("A colleague showed me")
    assert outcome.state == before
    assert outcome.effects == (
        SaveAnswer(story_id, "how", "A colleague showed me", message_id=2),
        PersonActive(),
    )
    (reply,) = outcome.replies
    assert T.current_answer.format(answer="A colleague showed me") in reply.text
    assert reply.text.endswith(T.words_added)
    assert person.story(story_id).status is StoryStatus.DRAFT
    done = person.say("Done!")
    assert done.state == State()
    assert done.effects == (CompleteStory(story_id), PersonActive())
    assert texts(done) == [C.closing]
    assert person.story(story_id).answers["how"].text == "A colleague showed me"


def test_a_checkin_keeps_an_unfinished_learning_story(person: CheckinPerson) -> None:
    draft_id = person.to_question("how")
    person.command("cancel")
    checkin_id = complete_checkin(person)
    assert person.state == State(draft_id=draft_id)
    assert person.story(checkin_id).status is StoryStatus.COMPLETE
    outcome = person.command("reflect")
    assert outcome.replies[0].buttons[0][0].data == encode(Action.RESUME, draft_id)


def test_checkin_during_an_interview_repeats_the_question(person: CheckinPerson) -> None:
    story_id = person.to_question("who")
    before = person.state
    stories = dict(person.stories)
    outcome = person.command("checkin")
    assert outcome.state == before
    assert outcome.effects == (PersonActive(),)
    assert texts(outcome)[0] == T.in_progress
    assert outcome.replies[1].text.startswith(T.progress.format(number=3, total=len(EN.questions)))
    assert outcome.replies[1].buttons[-1][-1].data == encode(Action.SKIP, story_id, "who")
    assert person.stories.keys() == stories.keys()


def test_checkin_during_a_checkin_repeats_its_question(person: CheckinPerson) -> None:
    start_checkin(person)
    person.say("Briefings go smoother")
    before = person.state
    outcome = person.command("checkin")
    assert outcome.state == before
    assert texts(outcome)[0] == T.in_progress
    prompt_in(outcome.replies[1].text, HOW)


def test_checkin_during_the_review_shows_the_card(person: CheckinPerson) -> None:
    person.story_to_card()
    before = person.state
    outcome = person.command("checkin")
    assert outcome.state == before
    assert texts(outcome)[0] == T.in_progress
    assert outcome.replies[1].buttons[0][0].label == T.confirm


# --- from check-in to learning story -----------------------------------------------------


def test_turning_a_checkin_into_a_learning_story(person: CheckinPerson) -> None:
    checkin_id = complete_checkin(person, "Briefings go smoother")
    outcome = person.tap(C.to_story)
    story_id = person.views[-1].new_story_id
    assert outcome.state == State(
        step=Step.QUESTION, story_id=story_id, question="how", draft_id=story_id
    )
    opening = EN.opening.key
    assert outcome.effects == (
        CreateStory(story_id, StoryKind.STORY),
        SaveAnswer(story_id, opening, "Briefings go smoother"),
        PersonActive(),
    )
    (reply,) = outcome.replies
    assert reply.text.startswith(T.progress.format(number=2, total=len(EN.questions)))
    learning_how = EN.question("how")
    assert learning_how is not None
    prompt_in(reply.text, learning_how)
    story = person.story(story_id)
    assert (story.kind, story.status) == (StoryKind.STORY, StoryStatus.DRAFT)
    assert story.answers[opening].text == "Briefings go smoother"
    assert person.story(checkin_id).status is StoryStatus.COMPLETE


def test_a_checkin_without_opening_answer_starts_the_story_at_the_top(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    # One from before the opening question lost its Skip: both answers skipped.
    checkin_id = world.allocate_story_id()
    old = StoredStory(checkin_id, person.id, StoryKind.CHECKIN, StoryStatus.COMPLETE, world.now)
    old.answers = {key: StoredAnswer(None, (), True, None) for key in ("smoother", "how")}
    world.stories[checkin_id] = old
    outcome = person.press(encode(Action.TO_STORY, checkin_id))
    story_id = person.views[-1].new_story_id
    assert outcome.state.question == EN.opening.key
    assert outcome.effects == (CreateStory(story_id, StoryKind.STORY), PersonActive())


def test_turning_into_a_story_during_an_interview_repeats_the_question(
    person: CheckinPerson,
) -> None:
    complete_checkin(person)
    to_story = person.button(C.to_story).data
    person.to_question("who")
    before = person.state
    outcome = person.press(to_story)
    assert outcome.state == before
    assert outcome.effects == (PersonActive(),)
    assert texts(outcome)[0] == T.in_progress


def test_turning_someone_elses_checkin_into_a_story_is_refused(world: CheckinWorld) -> None:
    other = world.person(2)
    checkin_id = complete_checkin(other)
    person = world.person(1)
    outcome = person.press(encode(Action.TO_STORY, checkin_id))
    assert outcome.notice == T.story_not_found
    assert outcome.effects == (PersonActive(),)
    assert person.stories == {}


# --- the list and the card ---------------------------------------------------------------


def test_checkins_appear_in_the_story_list_with_the_checkin_card(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    story_id = person.complete_story()
    world.advance(minutes=5)
    checkin_id = complete_checkin(person, "Briefings go smoother")
    outcome = person.command("stories")
    (listing,) = outcome.replies
    assert listing.text == T.stories_title
    rows = [row[0] for row in listing.buttons]
    assert [b.data for b in rows] == [
        encode(Action.CARD, checkin_id),
        encode(Action.CARD, story_id),
        encode(Action.LIST_STORIES, "1"),
    ]
    day = local_date(world.now, "en")
    assert rows[0].label == T.story_line.format(
        date=day, kind=T.kind_checkin, title="Briefings go smoother"
    )
    assert rows[1].label == T.story_line.format(
        date=local_date(world.now, "en"), kind=T.kind_story, title="answer to change"
    )
    assert rows[2].label == T.stories_only

    card = person.tap(rows[0].label)
    (reply,) = card.replies
    assert reply.text.startswith(C.card_title.format(date=day))
    assert f"▸ {SMOOTHER.title}\nBriefings go smoother" in reply.text
    assert f"▸ {HOW.title}\n{option('how', 'asking_colleague')}" in reply.text
    assert T.card_title.format(date=day) not in reply.text
    assert labels(reply) == [T.change, T.to_list, EN.privacy.delete_story]
    assert card.state == State()


# --- a reply to a check-in ----------------------------------------------------------------------


@pytest.fixture
def asked(person: CheckinPerson) -> CheckinPerson:
    person.set_schedule(CheckinRule(AMSTERDAM))
    person.due()
    assert person.state.step is Step.CHECKIN_ASKED
    return person


def test_a_reply_to_a_checkin_opens_a_checkin_with_it(asked: CheckinPerson) -> None:
    outcome = asked.say("Saying no to extra tasks")
    story_id = asked.views[-1].new_story_id
    assert outcome.state == State(step=Step.QUESTION, story_id=story_id, question="how")
    assert outcome.effects == (
        CreateStory(story_id, StoryKind.CHECKIN),
        SaveAnswer(story_id, "smoother", "Saying no to extra tasks", message_id=1),
        PersonActive(),
    )
    prompt_in(outcome.replies[0].text, HOW)
    assert outcome.replies[0].text.startswith(T.progress.format(number=2, total=2))
    assert asked.story(story_id).answers["smoother"].text == "Saying no to extra tasks"
    assert asked.checkin is not None and asked.checkin.unanswered == 0

    done = asked.tap(option("how", "by_doing"))
    done = asked.tap(T.done)
    assert done.effects == (CompleteStory(story_id), PersonActive())
    assert texts(done) == [C.closing]


def test_a_reply_to_a_checkin_keeps_an_unfinished_story(person: CheckinPerson) -> None:
    draft_id = person.to_question("how")
    person.command("cancel")
    person.set_schedule(CheckinRule(AMSTERDAM))
    person.due()
    outcome = person.say("Saying no to extra tasks")
    assert outcome.state.draft_id == draft_id


@pytest.mark.parametrize("empty", ["", "   ", "\n"])
def test_an_empty_reply_to_a_checkin_asks_again(asked: CheckinPerson, empty: str) -> None:
    before = asked.state
    outcome = asked.say(empty)
    assert outcome.state == before
    assert texts(outcome) == [T.empty_text]
    assert outcome.effects == (PersonActive(),)
    assert asked.stories == {}


def test_a_dutch_checkin(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    outcome = person.command("checkin")
    text = outcome.replies[0].text
    assert text.startswith(NL.texts.progress.format(number=1, total=2))
    prompt_in(text, NL.questionnaire(StoryKind.CHECKIN).opening)
    person.say("Vergaderingen lopen soepeler")
    person.tap(NL.texts.skip)
    assert texts(person.last_outcome) == [NL.checkin.texts.closing]
    assert labels(person.last_outcome.replies[0]) == [NL.checkin.texts.to_story]
