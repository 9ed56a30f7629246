"""First contact and greetings: the language asked once, the long welcome once, short after.

When the adapter could only guess a person's language (Telegram's language_code), the
first greeting asks which language to speak, in every language at once, and then
welcomes them in the one they chose. The long welcome is shown once; later greetings
(another /start, a message while nothing is going on) are short.
"""

from __future__ import annotations

from dataclasses import replace

from flows import render
from flows.callbacks import Action, Pressed
from flows.content.guide import guide_for, guides
from flows.events import Command, Event, Text
from flows.phrases import says_yes
from flows.replies import Outcome, Reply, SetLanguage, Welcomed
from flows.states import State, Step
from flows.teams import membership as teams
from flows.turn import IN_STORY, Turn, where_we_are


def asks_language(turn: Turn, event: Event) -> bool:
    """A greeting is due for someone whose language was only guessed: ask it first."""
    if turn.view.language_chosen:
        return False
    if isinstance(event, Command) and teams.is_invite_start(event):
        return teams.invite_code(event) is not None  # a broken link is refused as it is
    if isinstance(event, Command) and event.name == "start":
        return turn.state.step not in IN_STORY and turn.draft is None
    return isinstance(event, Text) and turn.state.step in (Step.IDLE, Step.WELCOME)


def ask_language(turn: Turn, event: Event) -> Outcome:
    """Which language? Buttons in each language's own name; an invite waits for the answer."""
    invite = None
    if isinstance(event, Command) and (code := teams.invite_code(event)) is not None:
        invite = event.args[:2] + code
    return turn.outcome(None, render.first_language_question(guides(), turn.guide, invite))


def language_menu(turn: Turn) -> Outcome:
    """/language: pick a language, each offered in its own name."""
    return turn.outcome(None, render.language_menu(guides(), turn.guide))


def agrees(text: str) -> bool:
    """Plain agreement ("yes", "ja graag") typed under a greeting, in any of our languages."""
    return any(says_yes(guide.phrases, text) for guide in guides().values())


def greet(turn: Turn) -> Outcome:
    """The long welcome the first time, a short greeting after; both offer to begin."""
    state = State(step=Step.WELCOME, draft_id=turn.state.draft_id)
    if turn.view.welcomed:
        return turn.outcome(state, render.welcome(turn.guide, returning=True))
    return Outcome(state, (render.welcome(turn.guide),), (Welcomed(),))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A language tapped: at first contact the welcome (or the invite) follows in it."""
    language = pressed.args[0]
    if language not in guides():
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    switched = Turn(replace(turn.view, language=language), guide_for(language))
    chosen = SetLanguage(language)
    if pressed.action is Action.LANGUAGE_INVITE:
        offer = teams.offer_join(switched)
        replies = tuple(replace(r, edit=i == 0) for i, r in enumerate(offer.replies))
        return replace(offer, replies=replies, effects=(chosen, *offer.effects))
    first = not turn.view.language_chosen and not turn.view.welcomed
    if first and turn.state.step not in IN_STORY:
        welcomed = greet(switched)
        welcome = replace(welcomed.replies[0], edit=True)  # in place of the question
        return replace(welcomed, replies=(welcome,), effects=(chosen, *welcomed.effects))
    texts = switched.guide.texts
    again = where_we_are(switched)
    if turn.state.step is Step.WELCOME:  # the greeting's buttons, in the new language
        again = (render.welcome(switched.guide, returning=True),)
    return Outcome(turn.state, (Reply(texts.language_set, edit=True), *again), (chosen,))
