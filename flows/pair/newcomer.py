"""Someone whose first contact with the bot is a pair invitation's link: as with the link
of a card (``flows.interview.hello``) and a team's invite, a two-line introduction in the
language Telegram guessed, then which language to speak, asked in every language; the
invitation follows in the one chosen, with a line on who can read what."""

from __future__ import annotations

from dataclasses import replace

from flows import render
from flows.callbacks import Action, encode
from flows.content.guide import guide_for, guides
from flows.interview import greeting, hello
from flows.pair import invite
from flows.replies import Outcome, SetLanguage
from flows.states import Step
from flows.turn import Turn


def open_link(turn: Turn) -> Outcome:
    """A link opened: the invitation, or at first contact the introduction and the
    language question (a link that does not work says so, then greets as anyone)."""
    opened = invite.open_link(turn)
    if turn.view.language_chosen:
        return opened
    pair = turn.view.pair
    if pair is None or opened.state.step is not Step.PAIR_INVITED:
        asked = greeting.ask_language(turn, hello.GREETING)
        return replace(asked, replies=(*opened.replies, *asked.replies))
    pair_id = pair.id

    def choose(language: str) -> str:
        return encode(Action.PAIR_LANGUAGE, pair_id, language)

    question = render.first_language_question(guides(), turn.guide, button=choose)
    return hello.introduce(turn, Outcome(opened.state, (question,)))


def choose_language(turn: Turn, language: str) -> Outcome:
    """The language tapped: stored, and the invitation in it in place of the question."""
    if language not in guides():
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    switched = Turn(replace(turn.view, language=language), guide_for(language))
    opened = invite.open_link(switched)
    first = opened.replies[0]
    if opened.state.step is Step.PAIR_INVITED:
        first = replace(first, text=f"{first.text}\n\n{switched.guide.pair.newcomer}")
    replies = (replace(first, edit=True), *opened.replies[1:])
    return replace(opened, replies=replies, effects=(SetLanguage(language), *opened.effects))
