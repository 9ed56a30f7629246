"""Inviting a colleague: a short, friendly card from a dish that involves someone else,
which the person edits and passes on themselves (the bot never sends it to anyone).

A dish (under /menu "Invite a colleague", or ``Action.INVITE`` under an ordered dish) ->
what to talk about (typed, or the opening answer of their latest story: their own words)
-> the card, stored encrypted -> "Send it like this", or "Write my own version" (typed, it
replaces the card) -> the card with Telegram's share link and a button for inline mode,
which puts ``@bot`` in a chat the person picks and offers their cards there.
"""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Load, Pressed, decode, decode_id, encode
from flows.events import Command, Event, Location, Media, Press, Text, is_blank
from flows.menu.card import Dish, menu
from flows.menu.invitation_data import CARD_LIMIT, InvitationView, SaveInvitation
from flows.menu.invite_words import InviteWords
from flows.menu.links import share_url
from flows.menu.render import invitation_text
from flows.render import one_line
from flows.replies import Button, Outcome, Reply
from flows.states import State, Step, StoryKind
from flows.turn import Turn
from flows.views import Needs

TOPIC_LIMIT = 200  # characters of a typed topic ("a few words")
LABEL_LIMIT = 40  # characters of a story's opening shown on its button
STEPS = frozenset({Step.INVITE_TOPIC, Step.INVITE_OWN})
START = "invite"  # /start invite: inline mode's button for someone without a card


def words(turn: Turn) -> InviteWords:
    """The invitation's words in the person's language."""
    return menu().in_language(turn.guide.language).invite


def invite_button(language: str, dish: Dish) -> Button:
    """The button that makes an invitation card for ``dish`` (one that involves someone)."""
    return Button(menu().in_language(language).invite.button, encode(Action.INVITE, dish.key))


def menu_button(language: str) -> Button:
    """ "Invite a colleague" under the menu card: pick a dish first."""
    return Button(menu().in_language(language).invite.button, encode(Action.INVITE_PICK))


def needs(event: Event, base: Needs) -> Needs:
    """The person's cards, for the buttons that use one."""
    pressed = decode(event.data) if isinstance(event, Press) else None
    if pressed is not None and Load.INVITATIONS in pressed.action.loads:
        return replace(base, invitations=True)
    return base


def on_event(turn: Turn, event: Event) -> Outcome | None:
    """/start invite, and what the person sends while a card waits for their words
    (None: not the invitation's, e.g. another command, which leaves it)."""
    if isinstance(event, Command) and event.name == "start" and event.args == START:
        return pick(turn)
    if turn.state.step not in STEPS:
        return None
    match event:
        case Text() if turn.state.step is Step.INVITE_TOPIC:
            return _on_topic(turn, event.text)
        case Text():
            return _on_own_version(turn, event.text)
        case Media() | Location():
            return _again(turn, words(turn).text_only)
        case Command(name="cancel"):
            return _stop(turn, edit=False)
    return None


def pick(turn: Turn) -> Outcome:
    """Which dish: every dish that involves someone else, one button each."""
    found = menu()
    dishes = found.in_language(turn.guide.language).dishes
    rows = tuple(
        (Button(dishes[dish.key].name, encode(Action.INVITE, dish.key)),)
        for dish in found.card.dishes
        if dish.with_someone
    )
    return turn.outcome(None, Reply(words(turn).pick, rows))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """The invitation's buttons; each is checked against the menu, the state and the cards."""
    texts = turn.guide.texts
    match pressed.action:
        case Action.INVITE_PICK:
            return pick(turn)
        case Action.INVITE:
            dish = menu().card.dish(pressed.args[0])
            if dish is None or not dish.with_someone:
                return turn.outcome(notice=texts.invalid_button)
            return _ask_topic(turn, dish)
        case Action.INVITE_STORY:
            return _story_topic(turn, pressed)
        case Action.INVITE_SEND | Action.INVITE_OWN:
            card = _card(turn, pressed.args[0])
            if card is None:
                return turn.outcome(notice=words(turn).gone)
            if pressed.action is Action.INVITE_SEND:  # a story under way keeps its place
                state = _leave(turn) if turn.state.step in STEPS else None
                return turn.outcome(state, _ready(turn, card.text, edit=True))
            return _ask_own_version(turn, card)
        case Action.INVITE_STOP if turn.state.step in STEPS:
            return _stop(turn, edit=True)
        case Action.INVITE_STOP:
            return turn.outcome(notice=texts.stale_button)
    return turn.outcome(notice=texts.invalid_button)


# --- the topic ------------------------------------------------------------------------


def _ask_topic(turn: Turn, dish: Dish) -> Outcome:
    """What would you like to talk about? Offers the opening of their latest story."""
    said = words(turn)
    rows: list[tuple[Button, ...]] = []
    latest = _latest_story(turn)
    if latest is not None:
        story_id, opening = latest
        label = said.from_story.format(topic=one_line(opening, LABEL_LIMIT))
        rows.append((Button(label, encode(Action.INVITE_STORY, story_id, dish.key)),))
    rows.append((Button(said.not_now, encode(Action.INVITE_STOP)),))
    state = State(step=Step.INVITE_TOPIC, dish=dish.key, draft_id=turn.state.draft_id)
    return turn.outcome(state, Reply(said.topic, tuple(rows)))


def _latest_story(turn: Turn) -> tuple[int, str] | None:
    """The newest learning story with an opening answer: (its id, that answer)."""
    for header in turn.view.story_list or ():
        if header.kind is StoryKind.STORY and header.title and not is_blank(header.title):
            return header.id, header.title
    return None


def _story_topic(turn: Turn, pressed: Pressed) -> Outcome:
    """A story's opening answer as the topic: only while that dish's topic is asked."""
    story = turn.story(pressed.story_id)
    if story is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    if turn.state.step is not Step.INVITE_TOPIC or turn.state.dish != pressed.args[0]:
        return turn.outcome(notice=turn.guide.texts.stale_button)
    opening = story.answer(turn.questions(story).opening.key).text
    if not opening or is_blank(opening):
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    return _compose(turn, one_line(opening, TOPIC_LIMIT), edit=True)


def _on_topic(turn: Turn, text: str) -> Outcome:
    """A typed topic: a few words make the card."""
    said = words(turn)
    if is_blank(text):
        return _again(turn, said.empty)
    if len(text.strip()) > TOPIC_LIMIT:
        return _again(turn, said.topic_too_long.format(limit=TOPIC_LIMIT))
    return _compose(turn, text, edit=False)


def topic_words(text: str) -> str:
    """A topic as it reads inside a sentence: one line, no closing full stop, and a
    capitalised first word in lower case ("Writing short cables." -> "writing short cables")."""
    topic = " ".join(text.split()).rstrip(" .!?…;:")
    first = topic.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        topic = topic[0].lower() + topic[1:]
    return topic


def _compose(turn: Turn, topic: str, *, edit: bool) -> Outcome:
    """The card for the state's dish about ``topic``: stored, and shown to be sent or edited."""
    dish = menu().card.dish(turn.state.dish or "")
    if dish is None:  # the dish left the menu meanwhile
        return turn.outcome(_leave(turn), notice=turn.guide.texts.stale_button)
    text = invitation_text(menu(), turn.guide.language, dish, topic_words(topic))
    assert text is not None, "a dish with someone has an invitation (checked at load)"
    card_id = turn.view.new_story_id  # a fresh random id (no story is made in this step)
    said = words(turn)
    buttons = (
        (Button(said.send, encode(Action.INVITE_SEND, card_id)),),
        (Button(said.own, encode(Action.INVITE_OWN, card_id)),),
    )
    reply = Reply(f"{said.preview}\n\n{text}", buttons, edit=edit)
    return Outcome(_leave(turn), (reply,), (SaveInvitation(card_id, dish.key, text),))


# --- the person's own version ----------------------------------------------------------


def _ask_own_version(turn: Turn, card: InvitationView) -> Outcome:
    state = State(
        step=Step.INVITE_OWN, dish=card.dish, invitation=card.id, draft_id=turn.state.draft_id
    )
    said = words(turn)
    stop = ((Button(said.not_now, encode(Action.INVITE_STOP)),),)
    return turn.outcome(state, Reply(said.own_prompt.format(limit=CARD_LIMIT), stop))


def _on_own_version(turn: Turn, text: str) -> Outcome:
    """Their own words replace the card, just as they wrote them."""
    said = words(turn)
    if is_blank(text):
        return _again(turn, said.empty)
    text = text.strip()
    if len(text) > CARD_LIMIT:
        return _again(turn, said.own_too_long.format(length=len(text), limit=CARD_LIMIT))
    card_id, dish = turn.state.invitation, turn.state.dish
    if card_id is None or dish is None:  # (a state from before this step kept both)
        return turn.outcome(_leave(turn), notice=turn.guide.texts.stale_button)
    save = SaveInvitation(card_id, dish, text)
    return Outcome(_leave(turn), (_ready(turn, text, edit=False),), (save,))


# --- passing it on ---------------------------------------------------------------------


def _ready(turn: Turn, card: str, *, edit: bool) -> Reply:
    """The card with the ways to pass it on: Telegram's share link and inline mode (only
    on Telegram, where the bot has a name, and inline mode once it is switched on;
    elsewhere the person copies it)."""
    said = words(turn)
    rows: list[tuple[Button, ...]] = []
    bot = turn.view.bot_username
    if bot and (url := share_url(bot, card)) is not None:
        rows.append((Button(said.share, url=url),))
    if bot and turn.view.inline_mode:  # the chat picker, then "@bot" there offers the cards
        rows.append((Button(said.inline, inline_query=""),))
    return Reply(f"{said.ready}\n\n{card}", tuple(rows), edit=edit)


def _card(turn: Turn, card_id: str) -> InvitationView | None:
    """One of the person's own stored cards (from a button: never trusted)."""
    wanted = decode_id(card_id)
    return next((c for c in turn.view.invitations or () if c.id == wanted), None)


def _again(turn: Turn, said: str) -> Outcome:
    """A kind word, and the question still waits (with its Not now)."""
    stop = ((Button(words(turn).not_now, encode(Action.INVITE_STOP)),),)
    return turn.outcome(None, Reply(said, stop))


def _stop(turn: Turn, *, edit: bool) -> Outcome:
    return turn.outcome(_leave(turn), Reply(words(turn).stopped, edit=edit))


def _leave(turn: Turn) -> State:
    """Back to no step (an unfinished story stays the draft to come back to)."""
    return State(draft_id=turn.state.draft_id)
