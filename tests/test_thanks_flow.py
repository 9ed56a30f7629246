"""A thank-you note after "What or who helped you most?": offered once, the note chosen by
who was involved, in the person's language, with a share link; nothing of it stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.interview.thanks import HELPED_MOST
from flows.menu.links import hello_link
from flows.replies import PersonActive
from flows.states import Step
from tests.support.checkin_harness import CheckinPerson
from tests.support.flow_harness import World, assert_refused, toggle_data
from tests.support.outcomes import all_buttons, texts

pytestmark = pytest.mark.dialogue

BOT = "leerverhaal_bot"


def to_helped_most(person: CheckinPerson, *who: str) -> int:
    """A story up to "What or who helped you most?", with ``who`` picked; its id."""
    story_id = person.to_question("who")
    for option in who:
        person.press(toggle_data(story_id, "who", option))
    if who:
        person.press(encode(Action.DONE, story_id, "who"))
    while person.state.question != HELPED_MOST:
        person.answer(f"answer to {person.state.question}")
    return story_id


@pytest.fixture
def person(world: World) -> CheckinPerson:
    person = world.person()
    assert isinstance(person, CheckinPerson)
    person.bot_username = BOT
    return person


def test_offered_after_the_helper_question_above_the_next_one(person: CheckinPerson) -> None:
    thanks = person.guide.thanks
    to_helped_most(person, "colleague")
    answered = person.say("My neighbour at the desk")
    offer, question = answered.replies
    assert offer.text == thanks.offer
    assert [b.label for b in all_buttons(answered)][:2] == [thanks.yes, thanks.no]
    assert person.state.question == "next_step"
    assert "What will help you take this further?" in question.text


@pytest.mark.parametrize(
    ("language", "who", "expected"),
    [
        ("en", ("colleague",), guide_for("en").thanks.notes["colleague"]),
        ("nl", ("colleague",), guide_for("nl").thanks.notes["colleague"]),
        ("en", ("nobody", "manager"), guide_for("en").thanks.notes["manager"]),
        ("nl", ("experienced_colleague",), guide_for("nl").thanks.notes["experienced_colleague"]),
        ("en", ("nobody",), guide_for("en").thanks.note),
        ("nl", (), guide_for("nl").thanks.note),
    ],
)
def test_the_note_per_helper_and_language(
    world: World, language: str, who: tuple[str, ...], expected: str
) -> None:
    person = world.person(language=language)
    assert isinstance(person, CheckinPerson)
    person.bot_username = BOT
    to_helped_most(person, *who)
    asked = person.state
    person.say("them")
    shown = person.tap(person.guide.thanks.yes)
    intro, note, question = shown.replies
    assert intro.edit and intro.text == person.guide.thanks.intro
    assert note.text == expected
    assert note.text.startswith(("Thank you", "Dank je wel", "Dank jullie wel"))
    (share,) = (b for row in note.buttons for b in row)
    assert share.url is not None and share.label == person.guide.thanks.share
    query = parse_qs(urlsplit(share.url).query)
    assert query == {"url": [hello_link(BOT)], "text": [expected]}
    assert person.state.question == "next_step" != asked.question
    next_question = person.guide.question("next_step")
    assert next_question is not None and next_question.prompt in question.text  # shown again


def test_the_colleague_note_is_the_example_from_the_method(person: CheckinPerson) -> None:
    notes = guide_for("en").thanks.notes
    assert notes["colleague"] == (
        "Thank you! It is so good that I can always walk in when I don't understand something."
    )


def test_nothing_of_the_note_is_stored(person: CheckinPerson) -> None:
    story_id = to_helped_most(person, "team")
    person.say("the whole team")
    before = {k: (a.text, a.choices) for k, a in person.story(story_id).answers.items()}
    shown = person.tap(person.guide.thanks.yes)
    assert all(isinstance(e, PersonActive) for e in shown.effects), shown.effects
    after = {k: (a.text, a.choices) for k, a in person.story(story_id).answers.items()}
    assert after == before
    assert person.invitation_cards == ()
    note = shown.replies[1].text
    assert note not in person.state.to_json()


def test_offered_once_not_again_when_the_answer_changes(person: CheckinPerson) -> None:
    story_id = to_helped_most(person, "colleague")
    person.say("My neighbour")
    person.answer_all()
    assert person.state.step is Step.REVIEW
    person.press(encode(Action.EDIT, story_id, HELPED_MOST))
    changed = person.say("My neighbour and her notes")
    assert person.guide.thanks.offer not in texts(changed)
    # going back to the question and answering it again does not offer it either
    person.press(encode(Action.EDIT, story_id, "next_step"))
    person.press(encode(Action.BACK, story_id, "next_step"))
    assert person.state.question == HELPED_MOST
    again = person.say("Her notes")
    assert person.guide.thanks.offer not in texts(again)


def test_a_skipped_helper_question_offers_nothing(person: CheckinPerson) -> None:
    story_id = to_helped_most(person)
    skipped = person.press(encode(Action.SKIP, story_id, HELPED_MOST))
    assert person.guide.thanks.offer not in texts(skipped)


def test_no_thanks_removes_the_offer(person: CheckinPerson) -> None:
    to_helped_most(person, "colleague")
    person.say("My neighbour")
    state = person.state
    declined = person.tap(person.guide.thanks.no)
    (reply,) = declined.replies
    assert reply.edit and reply.text == person.guide.thanks.declined
    assert person.state == state


def test_no_share_link_outside_telegram(world: World) -> None:
    terminal = world.person(4)
    assert isinstance(terminal, CheckinPerson)
    to_helped_most(terminal, "manager")
    terminal.say("my boss")
    _intro, note, _question = terminal.tap(terminal.guide.thanks.yes).replies
    assert note.text == terminal.guide.thanks.notes["manager"] and note.buttons == ()


def test_stale_and_forged_thanks_buttons(person: CheckinPerson, world: World) -> None:
    other = world.person(2)
    theirs = other.complete_story()
    forged = person.press(encode(Action.THANKS, theirs))
    assert_refused(forged, person.state, person.guide.texts.story_not_found)
    story_id = to_helped_most(person, "colleague")  # not answered yet: never offered
    early = person.press(encode(Action.THANKS, story_id))
    assert_refused(early, person.state, person.guide.texts.invalid_button)
    malformed = person.press("hy|zz|1")
    assert_refused(malformed, person.state, person.guide.texts.invalid_button)
