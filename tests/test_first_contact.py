"""First contact through ``flows.dialogue``: the language asked once, the long welcome once,
a short greeting after, and plain agreement under "Shall we begin?" counts as Begin.

Invites, facilitators and /forget go through the runner in ``test_first_contact_runner``.
"""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.replies import CreateStory, PersonActive, SaveAnswer, SetLanguage, Welcomed
from flows.states import State, Step
from tests.support.checkin_harness import CheckinPerson, CheckinWorld
from tests.support.outcomes import labels, texts

EN, NL = guide_for("en"), guide_for("nl")
T = EN.texts

LANGUAGE_QUESTION = (
    "Which language shall we speak? You can change it later with /language.\n"
    "In welke taal zullen we praten? Je kunt het later veranderen met /language."
)
WELCOME_NL = NL.texts.welcome.strip()
GREETING_EN = "Welcome back! Shall we look at something that has gone better lately?"


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


@pytest.fixture
def newcomer(world: CheckinWorld) -> CheckinPerson:
    """Someone new on Telegram: their language is only a guess from their phone (English)."""
    person = world.person(language="en")
    person.language_chosen = False
    return person


def began_a_story(outcome_state: State) -> bool:
    return outcome_state.step is Step.QUESTION and outcome_state.question == "change"


# --- the language, asked once -----------------------------------------------------------


def test_the_first_start_asks_the_language_in_both_languages(newcomer: CheckinPerson) -> None:
    outcome = newcomer.command("start")
    assert texts(outcome) == [LANGUAGE_QUESTION]
    assert labels(outcome.replies[0]) == ["English", "Nederlands"]
    assert outcome.effects == (PersonActive(),)
    assert outcome.state == State()


def test_the_guessed_language_asks_first(world: CheckinWorld) -> None:
    dutch = world.person(language="nl")
    dutch.language_chosen = False
    [question] = texts(dutch.command("start"))
    assert question.splitlines() == LANGUAGE_QUESTION.splitlines()[::-1]


def test_the_choice_is_kept_and_the_welcome_follows_in_that_language(
    newcomer: CheckinPerson,
) -> None:
    newcomer.command("start")
    outcome = newcomer.tap("Nederlands")
    assert outcome.effects == (SetLanguage("nl"), Welcomed(), PersonActive())
    [welcome] = outcome.replies
    assert (welcome.text, welcome.edit) == (WELCOME_NL, True)  # in place of the question
    assert labels(welcome) == ["Laten we beginnen", "Nu niet"]
    assert outcome.state == State(step=Step.WELCOME)
    assert (newcomer.language, newcomer.language_chosen) == ("nl", True)
    again = newcomer.command("start")  # asked once: later a short greeting, in Dutch
    assert texts(again) == [NL.texts.welcome_back]


def test_a_first_message_is_answered_with_the_language_question(newcomer: CheckinPerson) -> None:
    outcome = newcomer.say("hallo")
    assert texts(outcome) == [LANGUAGE_QUESTION]
    assert not any(isinstance(e, SaveAnswer) for e in outcome.effects)
    welcomed = newcomer.tap("English")
    assert texts(welcomed) == [T.welcome.strip()]


def test_the_language_menu_before_any_greeting_also_welcomes(newcomer: CheckinPerson) -> None:
    newcomer.command("language")
    outcome = newcomer.tap("Nederlands")
    assert texts(outcome) == [WELCOME_NL]
    assert Welcomed() in outcome.effects


def test_a_story_already_begun_is_not_interrupted(newcomer: CheckinPerson) -> None:
    newcomer.command("reflect")
    outcome = newcomer.command("start")
    assert texts(outcome)[0] == T.in_progress
    assert outcome.state.question == "change"


def test_a_language_tapped_later_only_switches(newcomer: CheckinPerson) -> None:
    newcomer.command("start")
    newcomer.tap("English")
    newcomer.command("language")
    outcome = newcomer.tap("Nederlands")
    assert outcome.effects == (SetLanguage("nl"), PersonActive())
    switched, greeting = outcome.replies  # the greeting's buttons, now in Dutch
    assert (switched.text, switched.edit) == (NL.texts.language_set, True)
    assert labels(greeting) == ["Laten we beginnen", "Nu niet"]


# --- the long welcome once, a short greeting after ----------------------------------------


def test_the_long_welcome_once_then_a_short_greeting(person: CheckinPerson) -> None:
    first = person.command("start")
    assert texts(first) == [T.welcome.strip()]
    assert first.effects == (Welcomed(), PersonActive())
    person.tap(T.not_now)
    again = person.command("start")
    assert texts(again) == [GREETING_EN]
    assert again.effects == (PersonActive(),)
    assert again.state == State(step=Step.WELCOME)
    person.tap(T.not_now)
    assert texts(person.say("hello")) == [GREETING_EN]


def test_the_welcome_warns_and_does_not_overclaim() -> None:
    for welcome in (T.welcome, NL.texts.welcome):
        assert "nobody reads" not in welcome and "niemand leest" not in welcome
        assert "/privacy" in welcome
    assert (
        "Please leave out classified information and colleagues' names: describe people by "
        "their role, for example “a colleague at headquarters”." in T.welcome
    )
    assert "Laat gerubriceerde informatie en namen van collega's weg" in NL.texts.welcome


@pytest.mark.parametrize("command", ["help", "stories", "privacy", "cancel"])
def test_replies_in_the_welcome_do_not_repeat_it(person: CheckinPerson, command: str) -> None:
    person.command("start")
    outcome = person.command(command)
    assert len(outcome.replies) == 1
    assert outcome.replies[0].text not in (T.welcome.strip(), GREETING_EN)


def test_the_welcome_buttons_still_work_after_help(person: CheckinPerson) -> None:
    person.command("start")
    person.command("help")
    person.command("stories")
    assert person.state == State(step=Step.WELCOME)
    outcome = person.press(encode(Action.BEGIN))
    assert began_a_story(outcome.state)


# --- "yes" is Begin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["yes", "Yes!", "ok", "Sure.", "let’s go", "ja", "Ja, graag!", "prima", "OKÉ"]
)
def test_plain_agreement_under_the_welcome_begins(person: CheckinPerson, said: str) -> None:
    person.command("start")
    outcome = person.say(said)
    assert began_a_story(outcome.state)
    assert [type(e) for e in outcome.effects] == [CreateStory, PersonActive]
    assert EN.opening.prompt in texts(outcome)[-1]


@pytest.mark.parametrize("said", ["what is this?", "yes, but what do you keep?", "no"])
def test_other_words_under_the_welcome_point_at_the_buttons(
    person: CheckinPerson, said: str
) -> None:
    person.command("start")
    outcome = person.say(said)
    assert texts(outcome) == ["Whenever you're ready, tap “Let's begin” or send /reflect."]
    assert labels(outcome.replies[0]) == [T.begin, T.not_now]
    assert outcome.state == State(step=Step.WELCOME)
    assert outcome.effects == (PersonActive(),)


def test_agreement_after_the_short_greeting_begins_too(person: CheckinPerson) -> None:
    person.command("start")
    person.tap(T.not_now)
    greeted = person.say("yes")  # said to nothing: a greeting, not a story
    assert texts(greeted) == [GREETING_EN]
    assert began_a_story(person.say("ok").state)


def test_agreement_in_dutch_begins_a_dutch_story(newcomer: CheckinPerson) -> None:
    newcomer.command("start")
    newcomer.tap("Nederlands")
    outcome = newcomer.say("ja")
    assert began_a_story(outcome.state)
    assert NL.opening.prompt in texts(outcome)[-1]


# --- /privacy says who can read what ------------------------------------------------------


def test_privacy_says_exactly_who_can_read_what(person: CheckinPerson) -> None:
    [overview] = texts(person.command("privacy"))
    assert "Nobody else is shown them" not in overview
    assert (
        "Who can read your words\n"
        "• You: here, and in full with /export.\n"
        "• Whoever runs the bot could decrypt them: the key is kept on the same server. "
        "The bot itself shows your words to nobody but you, apart from quotes you chose "
        "to share.\n"
        "• Telegram carries this chat and keeps its messages until you delete the chat.\n"
        "• Facilitators see only anonymous counts (for example “7 people learned from a "
        "colleague”) over at least 5 people, and only the quotes you chose to share: never "
        "your name, never your other answers."
    ) in overview
    assert "So please leave out classified information and colleagues' names." in overview


def test_privacy_in_dutch_says_who_can_read_what(world: CheckinWorld) -> None:
    [overview] = texts(world.person(language="nl").command("privacy"))
    assert "Wie je woorden kan lezen\n• Jij: hier, en volledig met /export." in overview
    assert "Wie de bot beheert, zou ze kunnen ontsleutelen" in overview
    assert "Telegram brengt dit gesprek over en bewaart de berichten" in overview
    assert "Laat daarom gerubriceerde informatie en namen van collega's weg." in overview
