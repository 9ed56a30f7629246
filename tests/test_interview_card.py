"""The interview's card (confirm, change, discard) and pausing, resuming, starting afresh."""

from __future__ import annotations

from flows.callbacks import Action, encode
from flows.replies import CompleteStory, CreateStory, DeleteStory, SaveAnswer
from flows.states import State, Step, StoryKind, StoryStatus
from tests.support.flow_harness import EN, KEYS, TOTAL, Person, T, option, title
from tests.support.outcomes import find_button, labels, texts

# --- the card ---------------------------------------------------------------------------


def test_last_answer_shows_the_draft_card(person: Person) -> None:
    story_id = person.to_question(KEYS[-1])
    person.tap(option("next_step", "sparring"))
    outcome = person.tap(T.done)
    assert outcome.effects == ()
    assert outcome.state == State(step=Step.REVIEW, story_id=story_id, draft_id=story_id)
    (reply,) = outcome.replies
    assert reply.text.startswith(T.card_draft_title.format(date="3 May 2024"))
    for question in EN.questions:
        assert "▸ " + question.title in reply.text
    assert "answer to change" in reply.text
    assert option("next_step", "sparring") in reply.text
    assert reply.text.endswith(T.card_question)
    assert labels(reply) == [T.confirm, T.change, T.discard]


def test_card_shows_a_dash_for_skipped_questions(person: Person) -> None:
    person.begin()
    person.say("Shorter cables")  # the opening question cannot be skipped
    while person.state.step is Step.QUESTION:
        person.tap(T.skip)
    card = person.last
    assert card is not None
    assert card.replies[0].text.count("\n" + T.card_empty) == TOTAL - 1


def test_confirm_completes_the_story(person: Person) -> None:
    person.story_to_card()
    story_id = person.state.story_id
    assert story_id is not None
    outcome = person.tap(T.confirm)
    # then its "what will help next" answer becomes the next step (tests/test_next_step_*)
    assert outcome.effects[0] == CompleteStory(story_id)
    assert outcome.state == State()
    final, offer = outcome.replies
    assert offer.text == EN.settings.offer, "a first story brings the offer of check-ins"
    assert final.edit is True
    assert final.buttons == ()
    assert final.text.startswith(T.card_title.format(date="3 May 2024"))
    # the thanks ends the card itself, in place of the draft's: one message less
    assert final.text.endswith(f"{T.card_complete}\n\n{T.saved}")
    assert person.stories[story_id].status is StoryStatus.COMPLETE


def test_confirm_twice_only_thanks(person: Person) -> None:
    person.story_to_card()
    confirm = person.button(T.confirm).data
    person.press(confirm)
    again = person.press(confirm)
    assert again.notice == T.saved
    assert again.effects == ()
    assert again.replies == ()


def test_change_an_answer_from_the_card(person: Person) -> None:
    person.story_to_card()
    story_id = person.state.story_id
    assert story_id is not None
    menu = person.tap(T.change)
    assert menu.effects == ()
    assert menu.state.step is Step.REVIEW
    (reply,) = menu.replies
    assert reply.edit is True
    assert reply.text == T.change_which
    expected = [f"{i}. {q.title}" for i, q in enumerate(EN.questions, start=1)]
    assert labels(reply) == [*expected, T.back_to_card]

    asked = person.tap(f"2. {title('how')}")
    assert asked.state == State(
        step=Step.QUESTION, story_id=story_id, question="how", draft_id=story_id, returning=True
    )
    assert T.current_answer.format(answer="answer to how") in asked.replies[0].text

    typed = person.say("from a colleague's example")
    assert typed.effects == (
        SaveAnswer(
            story_id, "how", "from a colleague's example", (), message_id=person.next_message_id - 1
        ),
    )
    assert typed.state == asked.state  # a quick-pick question stays open until Done
    back = person.tap(T.done)
    assert back.state == State(step=Step.REVIEW, story_id=story_id, draft_id=story_id)
    assert "from a colleague's example" in back.replies[0].text
    assert labels(back.replies[0]) == [T.confirm, T.change, T.discard]


def test_change_a_choices_answer_returns_on_done(person: Person) -> None:
    person.story_to_card()
    person.tap(T.change)
    person.tap(f"5. {title('obstacles')}")
    person.tap(option("obstacles", "self_doubt"))
    outcome = person.tap(T.done)
    assert outcome.state.step is Step.REVIEW
    assert option("obstacles", "self_doubt") in outcome.replies[0].text


def test_back_to_the_card_from_the_change_menu(person: Person) -> None:
    person.story_to_card()
    before = person.state
    person.tap(T.change)
    outcome = person.tap(T.back_to_card)
    assert outcome.state == before
    assert outcome.effects == ()
    assert outcome.replies[0].edit is True
    assert labels(outcome.replies[0]) == [T.confirm, T.change, T.discard]


def test_discard_asks_then_deletes(person: Person) -> None:
    person.story_to_card()
    story_id = person.state.story_id
    assert story_id is not None
    sure = person.tap(T.discard)
    assert sure.effects == ()
    assert sure.state.step is Step.REVIEW
    assert [(r.text, r.edit) for r in sure.replies] == [(T.discard_sure, True)]
    assert labels(sure.replies[0]) == [T.discard_yes, T.discard_no]
    gone = person.tap(T.discard_yes)
    assert gone.effects == (DeleteStory(story_id),)
    assert gone.state == State()
    assert [(r.text, r.edit) for r in gone.replies] == [(T.discarded, True)]
    assert person.stories == {}
    # And a new story starts afresh, without offering the discarded draft.
    assert isinstance(person.command("reflect").effects[0], CreateStory)


def test_discard_cancelled_shows_the_card_again(person: Person) -> None:
    person.story_to_card()
    before = person.state
    person.tap(T.discard)
    outcome = person.tap(T.discard_no)
    assert outcome.effects == ()
    assert outcome.state == before
    (reply,) = outcome.replies
    assert reply.edit is True
    assert reply.text.startswith(T.card_draft_title.format(date="3 May 2024"))
    assert labels(reply) == [T.confirm, T.change, T.discard]


def test_text_on_the_card_points_back_to_it(person: Person) -> None:
    person.story_to_card()
    before = person.state
    outcome = person.say("one more thing")
    assert outcome.effects == ()
    assert outcome.state == before
    assert texts(outcome)[0] == T.in_progress
    assert labels(outcome.replies[1]) == [T.confirm, T.change, T.discard]


# --- pausing and resuming ---------------------------------------------------------------


def test_cancel_mid_question_keeps_the_draft(person: Person) -> None:
    story_id = person.to_question("who")
    outcome = person.command("cancel")
    assert outcome.state == State(draft_id=story_id)
    assert outcome.effects == ()
    assert texts(outcome) == [T.paused]
    assert story_id in person.stories


def test_cancel_in_the_welcome_and_when_idle(person: Person) -> None:
    person.command("start")
    assert texts(person.command("cancel")) == [T.later]
    assert person.state == State()
    assert texts(person.command("cancel")) == [T.nothing_to_cancel]
    assert person.state == State()


def test_reflect_after_cancel_offers_resume_or_afresh(person: Person) -> None:
    story_id = person.to_question("who")
    person.command("cancel")
    for command in ("reflect", "start"):
        outcome = person.command(command)
        assert outcome.effects == ()
        assert outcome.state == State(draft_id=story_id)
        (reply,) = outcome.replies
        about = T.about.format(title="answer to change")  # what the draft is about
        assert reply.text == T.draft_exists.format(date="3 May 2024") + "\n" + about
        assert labels(reply) == [T.resume, T.start_fresh]


def test_resume_goes_to_the_first_unanswered_question(person: Person) -> None:
    story_id = person.to_question("resources")
    person.tap(T.back)  # at "who", which is answered
    person.command("cancel")
    person.command("reflect")
    outcome = person.tap(T.resume)
    assert outcome.effects == ()
    assert outcome.state == State(
        step=Step.QUESTION, story_id=story_id, question="resources", draft_id=story_id
    )
    assert outcome.replies[0].text.startswith(T.progress.format(number=4, total=TOTAL))


def test_resume_counts_skipped_questions_as_answered(person: Person) -> None:
    person.to_question("how")
    person.tap(T.skip)
    person.command("cancel")
    person.command("reflect")
    assert person.tap(T.resume).state.question == "who"


def test_resume_a_fully_answered_draft_shows_its_card(person: Person) -> None:
    person.story_to_card()
    story_id = person.state.story_id
    person.command("cancel")
    person.command("reflect")
    outcome = person.tap(T.resume)
    assert outcome.state == State(step=Step.REVIEW, story_id=story_id, draft_id=story_id)
    assert labels(outcome.replies[0]) == [T.confirm, T.change, T.discard]


def test_start_afresh_deletes_the_draft_and_creates_a_new_story(person: Person) -> None:
    person.to_question("who")
    old = person.state.story_id
    assert old is not None
    person.command("cancel")
    person.command("reflect")
    asked = person.tap(T.start_fresh)  # asks first, as Discard does
    assert asked.effects == ()
    assert asked.state == State(draft_id=old)
    (question,) = asked.replies
    assert question.edit is True
    assert question.text == f"{T.discard_sure}\n{T.about.format(title='answer to change')}"
    assert labels(question) == [T.discard_yes, T.resume]
    assert list(person.stories) == [old]
    outcome = person.tap(T.discard_yes)
    new = outcome.state.story_id
    assert new is not None and new != old
    assert outcome.effects == (DeleteStory(old), CreateStory(new, StoryKind.STORY))
    assert outcome.state == State(step=Step.QUESTION, story_id=new, question=KEYS[0], draft_id=new)
    assert list(person.stories) == [new]
    assert person.stories[new].answers == {}


def test_begin_or_reflect_mid_story_shows_where_we_are(person: Person) -> None:
    person.command("start")
    begin = person.button(T.begin).data
    person.press(begin)
    person.say("first answer")
    before = person.state
    for outcome in (person.press(begin), person.command("reflect"), person.command("start")):
        assert outcome.effects == ()
        assert outcome.state == before
        assert texts(outcome)[0] == T.in_progress
        assert texts(outcome)[1].startswith(T.progress.format(number=2, total=TOTAL))
    assert len(person.stories) == 1


def test_text_when_idle_invites_to_begin(person: Person) -> None:
    first = person.say("hello")
    assert texts(first) == [T.welcome.strip()]  # a first message gets the long welcome
    person.tap(T.not_now)
    outcome = person.say("hello")
    assert outcome.state == State(step=Step.WELCOME)
    assert outcome.effects == ()
    (reply,) = outcome.replies
    assert reply.text == T.welcome_back
    assert find_button(outcome, T.begin).data == encode(Action.BEGIN)


def test_text_in_the_welcome_invites_again(person: Person) -> None:
    person.command("start")
    outcome = person.say("what is this?")
    assert outcome.state == State(step=Step.WELCOME)
    assert outcome.effects == ()
    assert texts(outcome) == [T.tap_begin]
    assert labels(outcome.replies[0]) == [T.begin, T.not_now]


def test_start_afresh_can_still_go_on_with_the_draft(person: Person) -> None:
    old = person.to_question("who")
    person.command("cancel")
    person.command("reflect")
    person.tap(T.start_fresh)
    outcome = person.tap(T.resume)
    assert outcome.effects == ()
    assert outcome.state == State(step=Step.QUESTION, story_id=old, question="who", draft_id=old)
    assert list(person.stories) == [old]


def test_start_afresh_on_a_finished_story_is_refused(person: Person) -> None:
    story_id = person.complete_story()
    for action in (Action.FRESH, Action.FRESH_YES):
        outcome = person.press(encode(action, story_id))
        assert outcome.notice == T.invalid_button
        assert outcome.effects == ()
    assert story_id in person.stories
