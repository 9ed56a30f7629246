"""/menu: the learning menu card, in the person's language.

A story or question in progress keeps its place: it is shown again under the card.
"""

from __future__ import annotations

from flows.menu.card import menu
from flows.menu.render import card_text
from flows.replies import Outcome, Reply
from flows.turn import Turn, where_we_are


def on_command(turn: Turn) -> Outcome:
    """The card, then where the person was."""
    return turn.outcome(None, Reply(card_text(menu(), turn.guide.language)), *where_we_are(turn))
