"""Whoever opens the link of a card or a note (``/start hello``): a kind two-line
introduction, then the usual greeting (at first contact the language question, else
the welcome, or the story under way).

The link carries no token, so the bot never learns who passed it on, and nothing of
the card or note is ever shown here: only the bot's own words.
"""

from __future__ import annotations

from dataclasses import replace

from flows.events import Command, Event
from flows.menu.card import menu
from flows.menu.links import HELLO
from flows.replies import Outcome, Reply
from flows.turn import Turn

GREETING = Command("start")  # what follows the introduction: a plain /start


def is_hello(event: Event) -> bool:
    """/start with the deep link's ``hello``."""
    return isinstance(event, Command) and event.name == "start" and event.args == HELLO


def introduce(turn: Turn, greeted: Outcome) -> Outcome:
    """The introduction (in the language the person speaks, or seems to), then the greeting."""
    hello = Reply(menu().in_language(turn.guide.language).invite.hello)
    return replace(greeted, replies=(hello, *greeted.replies))
