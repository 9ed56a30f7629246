"""Answers longer than one Telegram message.

Telegram's apps split a text longer than 4096 characters into several messages
sent one right after another, and the bot would take the second part as the
answer to the next question. So after an answer that (nearly) filled a
message, a text that arrives within a few seconds is added to that answer
instead, and the person is told so. Editing one of the parts afterwards changes
nothing (the bot says so); the joined answer can be changed from /stories.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flows.events import Text
from flows.render import utf16_len
from flows.replies import Outcome, Reply, SaveAnswer
from flows.states import SplitAnswer, State
from flows.turn import Turn

# The apps cut at 4096 UTF-16 code units, preferably at a space or line break before it.
FULL_MESSAGE = 3_500
WINDOW = timedelta(seconds=10)


def continues(turn: Turn) -> bool:
    """True when a text now is likely the next part of the answer just given."""
    split = turn.state.split
    return split is not None and turn.view.now < split.until and turn.story(split.story) is not None


def join(turn: Turn, message: Text) -> Outcome:
    """Add the text to the answer it continues; the question asked after it still waits."""
    split = turn.state.split
    story = turn.story(split.story) if split else None
    assert split is not None and story is not None, "only called when continues()"
    old = story.answer(split.question)
    text = "\n".join(part for part in (old.text, message.text) if part)
    # Editing one part later would replace the whole answer with that part: a joined
    # answer is no longer tied to a message (it can still be changed in /stories).
    save = SaveAnswer(story.id, split.question, text, old.choices, detach_message=True)
    state = marked(turn.state.model_copy(update={"split": None}), save, message, turn.view.now)
    return Outcome(state, (Reply(turn.guide.texts.answer_continued),), (save,))


def after(outcome: Outcome, message: Text, now: datetime) -> Outcome:
    """Remember a long typed answer for a few seconds, in case its next part follows."""
    saved = [e for e in outcome.effects if isinstance(e, SaveAnswer) and e.text == message.text]
    if not saved:
        return outcome
    return replace(outcome, state=marked(outcome.state, saved[-1], message, now))


def marked(state: State, save: SaveAnswer, message: Text, now: datetime) -> State:
    """The state, waiting for the rest of ``save`` when ``message`` filled a message."""
    if utf16_len(message.text) < FULL_MESSAGE:
        return state
    split = SplitAnswer(story=save.story_id, question=save.question, until=now + WINDOW)
    return state.model_copy(update={"split": split})
