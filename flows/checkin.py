"""The check-in: two short questions, started by a nudge or by /checkin.

It is stored like a story (kind "checkin") and can grow into a full learning
story with one tap.
"""

from __future__ import annotations

from dataclasses import replace

from flows.events import Text, is_blank
from flows.replies import CreateStory, Outcome, Reply, SaveAnswer
from flows.states import State, StoryKind
from flows.turn import (
    IN_STORY,
    Turn,
    advance,
    ask,
    new_story,
    start_story,
    where_we_are,
    with_answer,
)
from flows.views import StoryView


def start(turn: Turn) -> Outcome:
    """/checkin: begin a check-in now, unless a story is under way."""
    if turn.state.step in IN_STORY:
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *where_we_are(turn))
    return start_story(turn, StoryKind.CHECKIN)


def answer_nudge(turn: Turn, message: Text) -> Outcome:
    """The reply to a nudge opens a check-in with it as the first answer."""
    if is_blank(message.text):
        return turn.outcome(None, Reply(turn.guide.texts.empty_text))
    story = new_story(turn, StoryKind.CHECKIN)
    key = turn.questions(story).opening.key
    save = SaveAnswer(story.id, key, message.text, message_id=message.message_id)
    asking = Turn(replace(turn.view, state=State(draft_id=turn.state.draft_id)), turn.guide)
    moved = advance(asking, with_answer(story, save), key)
    return replace(moved, effects=(CreateStory(story.id, StoryKind.CHECKIN), save, *moved.effects))


def to_story(turn: Turn, checkin: StoryView) -> Outcome:
    """Turn a check-in into a learning story: its first answer opens the new story."""
    if turn.state.step in IN_STORY:
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *where_we_are(turn))
    story = new_story(turn, StoryKind.STORY)
    first = checkin.answer(turn.questions(checkin).opening.key).text
    questions = turn.questions(story).questions
    if not first:
        asked = ask(turn, story, questions[0].key)
        return replace(asked, effects=(CreateStory(story.id, StoryKind.STORY),))
    save = SaveAnswer(story.id, questions[0].key, first)
    asked = ask(turn, with_answer(story, save), questions[1].key)
    return replace(asked, effects=(CreateStory(story.id, StoryKind.STORY), save))
