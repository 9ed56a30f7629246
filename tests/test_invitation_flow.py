"""Inviting a colleague: the card per dish and language, the topic typed or taken from the
latest story, the person's own version, bad input, stale and forged buttons, at most three
cards, the links to pass it on, and the introduction for whoever opens the link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from flows.callbacks import Action, encode
from flows.events import MediaKind
from flows.menu import invitation
from flows.menu.card import menu
from flows.menu.inline import NO_CARD, inline_offer
from flows.menu.invitation_data import CARD_LIMIT, KEPT, SaveInvitation
from flows.menu.links import hello_link
from flows.menu.render import invitation_text
from flows.replies import Button, Outcome, PersonActive
from flows.states import Step
from tests.support.checkin_harness import CheckinPerson
from tests.support.flow_harness import World, assert_refused
from tests.support.outcomes import all_buttons, texts

pytestmark = pytest.mark.dialogue

BOT = "leerverhaal_bot"
WITH_SOMEONE = [dish for dish in menu().card.dishes if dish.with_someone]
EN = menu().in_language("en").invite
NL = menu().in_language("nl").invite


@pytest.fixture
def person(world: World) -> CheckinPerson:
    """Person 1 on Telegram (the bot has a name), with inline mode switched on."""
    person = world.person()
    assert isinstance(person, CheckinPerson)
    person.bot_username, person.inline_mode = BOT, True
    return person


def card_for(person: CheckinPerson, dish: str, topic: str) -> Outcome:
    """The card for ``dish`` about a typed ``topic``: its preview."""
    person.press(encode(Action.INVITE, dish))
    assert person.state.step is Step.INVITE_TOPIC
    return person.say(topic)


def buttons_of(outcome: Outcome) -> dict[str, Button]:
    return {b.label: b for b in all_buttons(outcome)}


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("dish", [d.key for d in WITH_SOMEONE])
def test_a_card_per_dish_and_language(world: World, language: str, dish: str) -> None:
    person = world.person(language=language)
    preview = card_for(person, dish, "the budget cables")
    found = menu().card.dish(dish)
    assert found is not None
    expected = invitation_text(menu(), language, found, "the budget cables")
    assert expected is not None and "the budget cables" in expected
    said = menu().in_language(language).invite
    assert texts(preview) == [f"{said.preview}\n\n{expected}"]
    assert list(buttons_of(preview)) == [said.send, said.own]
    (card,) = person.invitation_cards
    assert (card.dish, card.text) == (dish, expected)
    assert person.state.step is Step.IDLE


def test_the_menu_offers_to_invite_a_colleague(person: CheckinPerson) -> None:
    person.command("menu")
    picked = person.tap(EN.button)
    names = [b.label for b in all_buttons(picked)]
    words = menu().in_language("en").dishes
    assert names == [words[d.key].name for d in WITH_SOMEONE]
    assert words["time_tip"].name not in names  # nobody else involved: no card
    asked = person.tap(words["kitchen"].name)
    assert texts(asked) == [EN.topic]
    assert person.state.dish == "kitchen"


def test_another_flow_can_offer_the_card_for_a_dish(person: CheckinPerson) -> None:
    sparring = menu().card.dish("sparring")
    assert sparring is not None
    button = invitation.invite_button("nl", sparring)
    assert button.label == NL.button
    asked = person.press(button.data)
    assert texts(asked) == [EN.topic]  # in the person's own language


def test_the_latest_story_can_be_the_topic(person: CheckinPerson) -> None:
    person.begin()
    person.answer("Writing short, clear cables for headquarters.")
    person.command("cancel")
    asked = person.press(encode(Action.INVITE, "shadowing"))
    label = EN.from_story.format(topic="Writing short, clear cables for headqua…")
    assert [b.label for b in all_buttons(asked)] == [label, EN.not_now]
    preview = person.tap(label)
    (card,) = person.invitation_cards
    assert card.text == (
        "Could I shadow you for an afternoon? I'd like to see how you go about "
        "writing short, clear cables for headquarters."
    )
    assert preview.replies[0].edit, "the card takes the question's place"


def test_a_story_topic_button_is_checked(person: CheckinPerson, world: World) -> None:
    other = world.person(2)
    story = other.complete_story()
    person.press(encode(Action.INVITE, "sparring"))
    before = person.state
    forged = person.press(encode(Action.INVITE_STORY, story, "sparring"))
    assert_refused(forged, before, person.guide.texts.story_not_found)
    own = person.complete_story()
    stale = person.press(encode(Action.INVITE_STORY, own, "sparring"))  # no topic asked now
    assert_refused(stale, person.state, person.guide.texts.stale_button)
    person.press(encode(Action.INVITE, "kitchen"))
    other_dish = person.press(encode(Action.INVITE_STORY, own, "sparring"))
    assert_refused(other_dish, person.state, person.guide.texts.stale_button)


def test_send_it_like_this_gives_the_links(person: CheckinPerson) -> None:
    card_for(person, "sparring", "the budget cables")
    ready = person.tap(EN.send)
    (card,) = person.invitation_cards
    (reply,) = ready.replies
    assert reply.edit and reply.text == f"{EN.ready}\n\n{card.text}"
    share, inline = (row[0] for row in reply.buttons)
    assert share.label == EN.share and inline.label == EN.inline
    assert inline.inline_query == "" and inline.url is None
    assert share.url is not None
    parts = urlsplit(share.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://t.me/share/url"
    query = parse_qs(parts.query)
    assert query == {"url": [hello_link(BOT)], "text": [card.text]}
    assert hello_link(BOT) == f"https://t.me/{BOT}?start=hello"  # no token in it
    assert [e for e in ready.effects if not isinstance(e, PersonActive)] == []


def test_writing_an_own_version_replaces_the_card(person: CheckinPerson) -> None:
    card_for(person, "sparring", "the budget cables")
    (first,) = person.invitation_cards
    asked = person.tap(EN.own)
    assert texts(asked) == [EN.own_prompt.format(limit=CARD_LIMIT)]
    assert (person.state.step, person.state.invitation) == (Step.INVITE_OWN, first.id)
    mine = "Coffee on Thursday? I'd love 20 minutes of your view on my cables."
    ready = person.say(mine)
    (card,) = person.invitation_cards
    assert (card.id, card.dish, card.text) == (first.id, "sparring", mine)
    assert texts(ready) == [f"{EN.ready}\n\n{mine}"]
    assert person.state.step is Step.IDLE
    assert SaveInvitation(first.id, "sparring", mine) in ready.effects


def test_bad_input_while_writing(person: CheckinPerson) -> None:
    card_for(person, "kitchen", "visa requests")
    person.tap(EN.own)
    for sent, said in (
        (lambda: person.say("   \u200b "), EN.empty),
        (
            lambda: person.say("x" * (CARD_LIMIT + 1)),
            EN.own_too_long.format(length=1001, limit=CARD_LIMIT),
        ),
        (lambda: person.media(MediaKind.STICKER), EN.text_only),
    ):
        outcome = sent()
        assert texts(outcome) == [said]
        assert [b.label for b in all_buttons(outcome)] == [EN.not_now]
        assert person.state.step is Step.INVITE_OWN
    (card,) = person.invitation_cards
    assert "visa requests" in card.text, "nothing replaced the card"
    exact = person.say("y" * CARD_LIMIT)
    assert person.invitation_cards[0].text == "y" * CARD_LIMIT
    assert exact.replies[0].text.endswith("y" * CARD_LIMIT)


def test_bad_input_while_the_topic_is_asked(person: CheckinPerson) -> None:
    person.press(encode(Action.INVITE, "sparring"))
    too_long = person.say("words " * 40)
    assert texts(too_long) == [EN.topic_too_long.format(limit=invitation.TOPIC_LIMIT)]
    assert texts(person.media(MediaKind.PHOTO)) == [EN.text_only]
    assert person.state.step is Step.INVITE_TOPIC
    assert person.invitation_cards == ()
    stopped = person.tap(EN.not_now)
    assert texts(stopped) == [EN.stopped] and stopped.replies[0].edit
    assert person.state.step is Step.IDLE
    again = person.press(encode(Action.INVITE_STOP))
    assert_refused(again, person.state, person.guide.texts.stale_button)


def test_a_command_leaves_the_topic_question(person: CheckinPerson) -> None:
    person.press(encode(Action.INVITE, "sparring"))
    person.command("stories")
    assert person.state.step is Step.IDLE
    person.press(encode(Action.INVITE, "sparring"))
    assert texts(person.command("cancel")) == [EN.stopped]
    assert person.invitation_cards == ()


@pytest.mark.parametrize(
    "data",
    [
        encode(Action.INVITE, "time_tip"),  # involves nobody
        encode(Action.INVITE, "no_such_dish"),
        "vd|sparring|extra",
    ],
)
def test_forged_dish_buttons_are_refused(person: CheckinPerson, data: str) -> None:
    refused = person.press(data)
    assert_refused(refused, person.state, person.guide.texts.invalid_button)


def test_someone_elses_card_or_a_gone_one_is_refused(person: CheckinPerson, world: World) -> None:
    other = world.person(2)
    card_for(other, "sparring", "their topic")
    (theirs,) = other.invitation_cards
    for action in (Action.INVITE_SEND, Action.INVITE_OWN):
        refused = person.press(encode(action, theirs.id))
        assert_refused(refused, person.state, EN.gone)
    assert other.invitation_cards == (theirs,), "untouched"


def test_only_the_newest_three_cards_are_kept(person: CheckinPerson) -> None:
    for number in range(KEPT + 1):
        card_for(person, "sparring", f"topic {number}")
    cards = person.invitation_cards
    assert len(cards) == KEPT
    assert ["topic 3" in c.text for c in cards] == [True, False, False]
    assert not any("topic 0" in c.text for c in cards)
    gone = person.press(encode(Action.INVITE_SEND, 1_000_000))
    assert gone.notice == EN.gone


def test_no_links_outside_telegram(world: World) -> None:
    terminal = world.person(3)  # no bot name: the terminal chat
    card_for(terminal, "sparring", "the budget cables")
    ready = terminal.tap(EN.send)
    assert ready.replies[0].buttons == ()
    assert ready.replies[0].text.startswith(EN.ready)


def test_without_inline_mode_only_the_share_link(person: CheckinPerson) -> None:
    person.inline_mode = False  # not switched on with BotFather (getMe says so)
    card_for(person, "sparring", "the budget cables")
    ready = person.tap(EN.send)
    assert [b.label for b in all_buttons(ready)] == [EN.share]


def test_a_card_too_long_for_a_share_link_keeps_the_inline_button(person: CheckinPerson) -> None:
    card_for(person, "sparring", "x")
    person.tap(EN.own)
    ready = person.say("é" * CARD_LIMIT)  # 6 characters each in a URL
    assert [b.label for b in all_buttons(ready)] == [EN.inline]


def test_start_invite_opens_the_dish_list(person: CheckinPerson) -> None:
    shown = person.command("start", invitation.START)
    assert texts(shown) == [EN.pick]


def test_inline_offer_lists_the_cards_newest_first() -> None:
    none = inline_offer("nl", (), BOT)
    (article,) = none.articles
    assert (article.id, article.title, article.text) == (NO_CARD, NL.none_title, NL.none_message)
    assert (none.button_label, none.button_start) == (NL.none_button, invitation.START)
    assert article.link == hello_link(BOT)


def test_inline_offer_names_each_dish(person: CheckinPerson) -> None:
    card_for(person, "sparring", "one")
    card_for(person, "kitchen", "two")
    offer = inline_offer("en", person.invitation_cards, BOT)
    dishes = menu().in_language("en").dishes
    assert [a.title for a in offer.articles] == [dishes["kitchen"].name, dishes["sparring"].name]
    assert [a.text for a in offer.articles] == [c.text for c in person.invitation_cards]
    assert all(len(a.id.encode()) <= 64 and a.link_label == EN.what_is for a in offer.articles)
    assert offer.button_label is None


# --- whoever opens the link -----------------------------------------------------------


def test_hello_introduces_the_bot_in_two_lines_then_greets(world: World) -> None:
    colleague = world.person(5)
    shown = colleague.command("start", "hello")
    intro, welcome = shown.replies
    assert intro.text == EN.hello and len(intro.text.splitlines()) == 2
    assert welcome.text == colleague.guide.texts.welcome.strip()
    assert [b.label for b in welcome.buttons[0]] == [colleague.guide.texts.begin]
    begun = colleague.tap(colleague.guide.texts.begin)
    assert colleague.state.step is Step.QUESTION, texts(begun)


def test_hello_at_first_contact_asks_the_language_after_the_introduction(world: World) -> None:
    colleague = world.person(6, language="nl")
    colleague.language_chosen = False
    intro, question = colleague.command("start", "hello").replies
    assert intro.text == NL.hello
    assert question.text.startswith(colleague.guide.texts.language_first)


def test_hello_never_shows_the_inviters_words(person: CheckinPerson, world: World) -> None:
    card_for(person, "sparring", "my secret topic")
    colleague = world.person(7)
    shown = colleague.command("start", "hello")
    assert all("secret" not in text for text in texts(shown))
