"""/stories, changing a completed story, and switching language."""

from __future__ import annotations

from datetime import timedelta

from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.replies import CreateStory, SaveAnswer, SetLanguage
from flows.states import State, Step, StoryStatus
from tests.support.flow_harness import EN, KEYS, TOTAL, Person, T, World
from tests.support.outcomes import labels, texts

NL = guide_for("nl")


def tell(person: Person, opening: str, *, complete: bool) -> int:
    """A story whose opening answer is ``opening``; completed, or left as a paused draft."""
    person.command("reflect")
    story_id = person.state.story_id
    assert story_id is not None
    person.say(opening)
    if complete:
        person.answer_all()
        person.tap(T.confirm)
    else:
        person.command("cancel")
    return story_id


# --- /stories ---------------------------------------------------------------------------


def test_no_stories_yet(person: Person) -> None:
    outcome = person.command("stories")
    assert texts(outcome) == [T.stories_empty]
    assert outcome.replies[0].buttons == ()
    assert outcome.state == State()
    assert outcome.effects == ()


def test_stories_newest_first_with_a_draft_marker(world: World, person: Person) -> None:
    older = tell(person, "Chairing meetings", complete=True)
    world.now += timedelta(days=40)
    newer = tell(person, "Writing shorter cables", complete=False)
    outcome = person.command("stories")
    assert outcome.effects == ()
    assert outcome.state == State(draft_id=newer)
    (reply,) = outcome.replies
    assert reply.text == T.stories_title
    assert labels(reply) == [
        T.story_line.format(
            date="12 Jun 2024",
            kind=T.kind_story,
            title=f"Writing shorter cables {T.draft_marker}",
        ),
        T.story_line.format(date="3 May 2024", kind=T.kind_story, title="Chairing meetings"),
    ]
    assert [b.data for row in reply.buttons for b in row] == [
        encode(Action.CARD, newer),
        encode(Action.CARD, older),
    ]


def test_story_without_an_opening_answer_is_untitled(person: Person) -> None:
    person.command("reflect")
    person.command("cancel")
    (reply,) = person.command("stories").replies
    assert labels(reply) == [
        T.story_line.format(
            date="3 May 2024", kind=T.kind_story, title=f"{T.untitled} {T.draft_marker}"
        )
    ]


def test_long_titles_are_shortened(person: Person) -> None:
    tell(person, "🌍" * 300, complete=True)
    (label,) = labels(person.command("stories").replies[0])
    assert label.endswith("…")
    assert len(label) < 80


def test_tapping_a_complete_story_shows_its_card(person: Person) -> None:
    story_id = tell(person, "Chairing meetings", complete=True)
    person.command("stories")
    outcome = person.press(encode(Action.CARD, story_id))
    assert outcome.effects == ()
    assert outcome.state == State()
    (reply,) = outcome.replies
    assert reply.edit is True
    assert reply.text.startswith(T.card_title.format(date="3 May 2024"))
    assert "Chairing meetings" in reply.text
    assert reply.text.endswith(T.card_complete)
    assert labels(reply) == [T.change, T.to_list, EN.privacy.delete_story]
    listing = person.tap(T.to_list)
    assert texts(listing) == [T.stories_title]
    assert listing.state == State()


def test_tapping_a_draft_resumes_it(person: Person) -> None:
    draft = tell(person, "Writing shorter cables", complete=False)
    person.command("stories")
    outcome = person.press(encode(Action.CARD, draft))
    assert outcome.effects == ()
    assert outcome.state == State(
        step=Step.QUESTION, story_id=draft, question=KEYS[1], draft_id=draft
    )
    assert outcome.replies[0].text.startswith(T.progress.format(number=2, total=TOTAL))


def test_stories_mid_question_repeats_the_question(person: Person) -> None:
    person.begin()
    before = person.state
    outcome = person.command("stories")
    assert outcome.state == before
    assert texts(outcome)[0] == T.stories_title
    assert texts(outcome)[1].startswith(T.progress.format(number=1, total=TOTAL))


def test_looking_at_a_complete_story_mid_question_keeps_the_place(person: Person) -> None:
    done = tell(person, "Chairing meetings", complete=True)
    person.begin()
    person.say("second story")
    before = person.state
    outcome = person.press(encode(Action.CARD, done))
    assert outcome.state == before
    assert "Chairing meetings" in texts(outcome)[0]


# --- changing a completed story ---------------------------------------------------------


def test_change_an_answer_of_a_completed_story(person: Person) -> None:
    story_id = tell(person, "Chairing meetings", complete=True)
    person.press(encode(Action.CARD, story_id))
    menu = person.tap(T.change)
    assert menu.replies[0].text == T.change_which
    asked = person.tap(f"6. {EN.questions[5].title}")
    assert asked.state == State(
        step=Step.QUESTION, story_id=story_id, question="helped_most", returning=True
    )
    answer = person.say("My mentor, really")
    assert answer.effects == (
        SaveAnswer(
            story_id, "helped_most", "My mentor, really", (), message_id=person.next_message_id - 1
        ),
    )
    assert answer.state == State(), "a finished story's card leaves the person free"
    (card,) = answer.replies
    assert card.text.startswith(T.card_title.format(date="3 May 2024"))
    assert "My mentor, really" in card.text
    assert labels(card) == [T.change, T.to_list, EN.privacy.delete_story]
    assert person.story(story_id).status is StoryStatus.COMPLETE
    assert person.story(story_id).answers["helped_most"].text == "My mentor, really"


def test_changing_a_completed_story_keeps_the_draft(person: Person) -> None:
    done = tell(person, "Chairing meetings", complete=True)
    draft = tell(person, "Writing shorter cables", complete=False)
    person.press(encode(Action.EDIT, done, "how"))
    assert person.state.draft_id == draft
    person.answer("by trying")
    assert person.state == State(draft_id=draft)
    person.press(encode(Action.EDIT, done, "who"))
    stopped = person.command("cancel")
    assert texts(stopped) == [T.stopped_editing]
    assert stopped.state == State(draft_id=draft)
    offered = person.command("reflect")
    assert labels(offered.replies[0]) == [T.resume, T.start_fresh]


def test_reflect_after_changing_a_completed_story_starts_a_new_one(person: Person) -> None:
    done = tell(person, "Chairing meetings", complete=True)
    person.press(encode(Action.EDIT, done, "how"))
    person.answer("by trying")
    outcome = person.command("reflect")
    assert texts(outcome)[0] != T.in_progress
    assert any(isinstance(e, CreateStory) for e in outcome.effects)


def test_confirm_on_a_completed_story_changes_nothing(person: Person) -> None:
    done = tell(person, "Chairing meetings", complete=True)
    outcome = person.press(encode(Action.CONFIRM, done))
    assert outcome.notice == T.saved
    assert outcome.effects == ()
    assert outcome.replies == ()


def test_resume_or_afresh_on_a_completed_story(person: Person) -> None:
    done = tell(person, "Chairing meetings", complete=True)
    resumed = person.press(encode(Action.RESUME, done))
    assert resumed.effects == ()
    assert labels(resumed.replies[0]) == [T.change, T.to_list, EN.privacy.delete_story]
    fresh = person.press(encode(Action.FRESH, done))
    assert fresh.notice == T.invalid_button
    assert fresh.effects == ()
    assert done in person.stories


# --- language ---------------------------------------------------------------------------


def test_language_menu(person: Person) -> None:
    outcome = person.command("language")
    assert outcome.effects == ()
    assert outcome.state == State()
    (reply,) = outcome.replies
    assert reply.text == T.language_prompt
    assert sorted(labels(reply)) == ["English", "Nederlands"]


def test_switch_to_dutch_mid_question_repeats_it_in_dutch(person: Person) -> None:
    person.begin()
    person.say("Chairing meetings")
    before = person.state
    person.command("language")
    outcome = person.tap("Nederlands")
    assert outcome.effects == (SetLanguage("nl"),)
    assert outcome.state == before
    switched, question = outcome.replies
    assert (switched.text, switched.edit) == (NL.texts.language_set, True)
    assert question.text.startswith(NL.texts.progress.format(number=2, total=TOTAL))
    how = NL.question("how")
    assert how is not None
    assert how.prompt in question.text
    assert labels(question) == [*how.options.values(), NL.texts.done, NL.texts.back, NL.texts.skip]
    assert person.language == "nl"
    # From now on everything is Dutch.
    assert texts(person.command("help"))[0] == NL.texts.help.strip()
    following = person.answer("Door te doen")
    assert following.replies[0].text.startswith(NL.texts.progress.format(number=3, total=TOTAL))


def test_switch_to_dutch_on_the_card_shows_a_dutch_card(person: Person) -> None:
    person.story_to_card()
    person.command("language")
    outcome = person.tap("Nederlands")
    card = outcome.replies[1]
    assert card.text.startswith(NL.texts.card_draft_title.format(date="3 mei 2024"))
    assert labels(card) == [NL.texts.confirm, NL.texts.change, NL.texts.discard]


def test_switch_language_when_idle(person: Person) -> None:
    person.command("language")
    outcome = person.tap("Nederlands")
    assert texts(outcome) == [NL.texts.language_set]
    assert outcome.effects == (SetLanguage("nl"),)
    person.command("language")
    back = person.tap("English")
    assert texts(back) == [T.language_set]
    assert person.language == "en"


def test_unknown_language_is_refused(person: Person) -> None:
    outcome = person.press(encode(Action.LANGUAGE, "de"))
    assert outcome.notice == T.invalid_button
    assert outcome.effects == ()
    assert person.language == "en"


def test_answers_survive_the_switch(person: Person) -> None:
    person.begin()
    person.say("Chairing meetings")
    person.tap(EN.questions[1].options["feedback"])
    person.command("language")
    person.tap("Nederlands")
    person.tap(NL.texts.done)
    story = person.story()
    assert story.answers["how"].choices == ("feedback",)
    assert story.answers["change"].text == "Chairing meetings"
