"""Bad input at flow level: media, empty or huge text, stray commands, edited messages, and
stories that vanished under the state. (Bad buttons: test_interview_buttons.py.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from flows.callbacks import Action, encode
from flows.events import Command, Event, MediaKind, Text
from flows.render import MESSAGE_LIMIT, utf16_len
from flows.replies import CreateStory, Outcome, SaveAnswer
from flows.states import State, Step, StoryStatus
from tests.support.flow_harness import EN, KEYS, TOTAL, Person, T, World, option
from tests.support.outcomes import labels, texts

# Emoji outside the BMP (with skin tone, ZWJ and flag sequences), Hebrew and Arabic
# right-to-left text with direction marks, and combining characters.
MIXED = "Ik leerde 😀 👩🏽‍💻 🇳🇱 — שלום עולם ‏مرحبا بالعالم‎ e\u0301 n\u0303 A\u030a\u0323 "
LONGEST = (MIXED * 100)[:4096]


def assert_question_repeated(outcome: Outcome, number: int) -> None:
    assert outcome.replies[-1].text.startswith(T.progress.format(number=number, total=TOTAL))


# --- media and empty text ---------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MediaKind))
@pytest.mark.parametrize("where", ["idle", "welcome", "question", "card"])
def test_media_is_explained_and_changes_nothing(
    person: Person, kind: MediaKind, where: str
) -> None:
    if where == "welcome":
        person.command("start")
    elif where == "question":
        person.to_question("who")
    elif where == "card":
        person.story_to_card()
    before, stored = person.state, repr(person.world.stories)
    shown = person.screen
    outcome = person.media(kind)
    assert texts(outcome)[0] == T.media_not_supported
    if where in ("question", "card"):  # then what was asked, again
        assert shown is not None
        assert outcome.replies[1:] == tuple(replace(r, edit=False) for r in shown.replies[-1:])
    else:
        assert len(outcome.replies) == 1
    assert outcome.effects == ()
    assert outcome.state == before
    assert repr(person.world.stories) == stored


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t  \r\n", "\xa0", "\u3000\u2003", "\u200b", "\u200f\u200e \u200d", "\ufeff"],
)
def test_empty_text_is_not_an_answer(person: Person, text: str) -> None:
    person.to_question("how")
    person.tap(option("how", "feedback"))
    before = person.state
    outcome = person.say(text)
    assert texts(outcome) == [T.empty_text]
    assert outcome.effects == ()
    assert outcome.state == before
    assert person.story().answers["how"].choices == ("feedback",)


# --- long and unusual text --------------------------------------------------------------


def test_longest_answer_is_stored_exactly(person: Person) -> None:
    assert len(LONGEST) == 4096
    assert utf16_len(LONGEST) > 4096
    story_id = person.to_question("change")
    outcome = person.send(Text(LONGEST, message_id=4242))
    assert outcome.effects == (SaveAnswer(story_id, "change", LONGEST, (), message_id=4242),)
    assert person.story().answers["change"].text == LONGEST
    back = person.tap(T.back)
    assert utf16_len(back.replies[0].text) <= MESSAGE_LIMIT
    assert "…" in back.replies[0].text


def test_card_with_longest_answers_everywhere_fits(person: Person) -> None:
    person.begin()
    while person.state.step is Step.QUESTION:
        key = person.state.question
        assert key is not None
        question = EN.question(key)
        assert question is not None
        for label in question.options.values():
            person.tap(label)
        person.answer(LONGEST)
    card = person.last
    assert card is not None
    assert utf16_len(card.replies[0].text) <= MESSAGE_LIMIT
    assert all(a.text == LONGEST for a in person.story().answers.values())
    assert labels(card.replies[0]) == [T.confirm, T.change, T.discard]


@pytest.mark.parametrize(
    "text",
    [
        "  leading and trailing spaces \n",
        "line one\nline two\n\nline four",
        "שלום, I learned to ask",
        "e\u0301\u0301\u0301 zalgo-ish",
        "{answer} {0} {} %s",  # looks like a placeholder, is not one
        "<b>not html</b> *not markdown*",
        "\u200bword\u200b",  # zero-width spaces around a word are kept as typed
        "👍",  # an emoji alone is an answer
    ],
)
def test_unusual_answers_are_stored_unchanged(person: Person, text: str) -> None:
    story_id = person.to_question("helped_most")
    outcome = person.send(Text(text, message_id=9))
    assert outcome.effects == (SaveAnswer(story_id, "helped_most", text, (), message_id=9),)
    shown = person.tap(T.back)
    assert T.current_answer.format(answer=text) in shown.replies[0].text


# --- commands mid-question --------------------------------------------------------------


def test_help_mid_question_repeats_the_question(person: Person) -> None:
    person.to_question("who")
    before = person.state
    outcome = person.command("help")
    assert texts(outcome)[0] == T.help.strip()
    assert_question_repeated(outcome, 3)
    assert len(outcome.replies) == 2
    assert outcome.effects == ()
    assert outcome.state == before


@pytest.mark.parametrize("name", ["foo", "START2", "", "stories_all"])
def test_unknown_command_mid_question(person: Person, name: str) -> None:
    person.to_question("who")
    before = person.state
    outcome = person.send(Command(name, "with args"))
    assert texts(outcome)[0] == T.unknown_command
    assert_question_repeated(outcome, 3)
    assert outcome.effects == ()
    assert outcome.state == before


def test_commands_when_idle_show_no_question(person: Person) -> None:
    assert texts(person.command("help")) == [T.help.strip()]
    assert texts(person.command("foo")) == [T.unknown_command]
    assert person.state == State()


def test_help_on_the_card_repeats_the_card(person: Person) -> None:
    person.story_to_card()
    outcome = person.command("help")
    assert texts(outcome)[0] == T.help.strip()
    assert labels(outcome.replies[1]) == [T.confirm, T.change, T.discard]


# --- edited messages --------------------------------------------------------------------


def test_editing_an_answer_updates_it(person: Person) -> None:
    story_id = person.to_question("change")
    person.send(Text("I chair meetngs", message_id=31))
    before = person.state
    outcome = person.edit(31, "I chair meetings")
    assert outcome.effects == (
        SaveAnswer(story_id, "change", "I chair meetings", (), message_id=31),
    )
    assert texts(outcome) == [T.edit_saved.format(question=EN.questions[0].title)]
    assert outcome.state == before
    assert person.story().answers["change"].text == "I chair meetings"


def test_editing_an_answer_keeps_the_picked_choices(person: Person) -> None:
    story_id = person.to_question("who")
    person.tap(option("who", "team"))
    person.send(Text("and Ana", message_id=55))
    outcome = person.edit(55, "and Ana, mostly")
    assert outcome.effects == (
        SaveAnswer(story_id, "who", "and Ana, mostly", ("team",), message_id=55),
    )


def test_editing_an_answer_of_a_completed_story(person: Person) -> None:
    story_id = person.complete_story()
    outcome = person.edit(1, "a better opening")
    assert outcome.effects == (
        SaveAnswer(story_id, "change", "a better opening", (), message_id=1),
    )
    assert person.story(story_id).status is StoryStatus.COMPLETE


@pytest.mark.parametrize("text", ["", "   "])
def test_editing_an_answer_to_nothing_is_refused(person: Person, text: str) -> None:
    person.to_question("how")
    outcome = person.edit(1, text)
    assert texts(outcome) == [T.empty_text]
    assert outcome.effects == ()
    assert person.story().answers["change"].text == "answer to change"


def test_editing_a_message_that_was_not_an_answer(world: World, person: Person) -> None:
    other = world.person(2)
    other.to_question("how")  # their message 1 is an answer
    person.to_question("change")
    before = person.state
    for message_id in (999, 1):  # never sent by me; the same id in another chat
        outcome = person.edit(message_id, "changed words")
        assert texts(outcome) == [T.edit_not_an_answer]
        assert outcome.effects == ()
        assert outcome.state == before
    assert other.story().answers["change"].text == "answer to change"


def test_editing_an_answer_that_was_replaced_since(person: Person) -> None:
    person.to_question("how")  # message 1 answered "change"
    person.tap(T.back)
    person.say("typed again")  # message 2 replaces it
    outcome = person.edit(1, "edited the old one")
    assert texts(outcome) == [T.edit_not_an_answer]
    assert outcome.effects == ()
    assert person.story().answers["change"].text == "typed again"


# --- a story vanished under the state ---------------------------------------------------


def vanish(person: Person) -> int:
    story_id = person.state.story_id
    assert story_id is not None
    del person.world.stories[story_id]  # e.g. discarded from another device
    return story_id


@pytest.mark.parametrize("where", ["question", "card"])
def test_vanished_story_resets_the_state(person: Person, where: str) -> None:
    if where == "question":
        person.to_question("who")
    else:
        person.story_to_card()
    vanish(person)
    outcome = person.say("an answer to nothing")
    assert outcome.state == State(step=Step.WELCOME)  # greeted: the story is gone
    assert outcome.effects == ()
    assert texts(outcome) == [T.welcome_back]
    started = person.command("reflect")
    assert isinstance(started.effects[0], CreateStory)
    assert started.state.question == KEYS[0]


@pytest.mark.parametrize(
    "event",
    [Command("help"), Command("cancel"), Command("stories"), Command("language"), Text("x", 1)],
)
def test_vanished_story_never_crashes(person: Person, event: Event) -> None:
    person.to_question("who")
    vanish(person)
    outcome = person.send(event)
    greeted = isinstance(event, Text)  # a message while nothing goes on is greeted
    assert outcome.state == State(step=Step.WELCOME if greeted else Step.IDLE)
    assert outcome.effects == ()


def test_vanished_story_buttons_are_refused(person: Person) -> None:
    story_id = person.to_question("how")
    toggle = person.button(option("how", "feedback")).data
    vanish(person)
    outcome = person.press(toggle)
    assert outcome.notice == T.invalid_button
    assert outcome.effects == ()
    assert outcome.state.step is Step.IDLE
    confirm = person.press(encode(Action.CONFIRM, story_id))
    assert confirm.notice == T.story_not_found


@pytest.mark.parametrize("event", [Command("help"), Text("still here", 1)])
def test_question_the_guide_no_longer_has(person: Person, event: Event) -> None:
    person.to_question("how")
    person.state = person.state.model_copy(update={"question": "removed"})
    outcome = person.send(event)
    assert outcome.state.question in (*KEYS, None)
