"""The check-in: two short questions, started by a check-in or by /checkin.

It is stored like a story (kind "checkin") and can grow into a full learning
story with one tap. When nothing went better this time (the "nothing this time"
button, or first words such as "nothing really, it was a terrible week"), the
check-in asks no "how": it says a kind word, is stored as done, and asks only
whether anything helped the person get through, which they may leave.
"""

from __future__ import annotations

from dataclasses import replace

from flows import render
from flows.callbacks import Action, Pressed, encode
from flows.events import Text, is_blank
from flows.menu import follow_up
from flows.phrases import says_nothing
from flows.replies import Button, CompleteStory, CreateStory, Effect, Outcome, Reply, SaveAnswer
from flows.states import State, Step, StoryKind, StoryStatus
from flows.turn import (
    IN_STORY,
    Turn,
    advance,
    ask,
    new_story,
    where_we_are,
    with_answer,
)
from flows.views import StoryView

THROUGH = "through"  # the optional question after "nothing" ([[checkin.extras]])


def start(turn: Turn) -> Outcome:
    """/checkin: begin a check-in now, unless a story is under way (an open next step is
    asked about first)."""
    if turn.state.step in IN_STORY:
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *where_we_are(turn))
    return follow_up.start_checkin(turn)


def answer_checkin(turn: Turn, message: Text) -> Outcome:
    """The reply to a check-in opens a check-in with it as the first answer."""
    if is_blank(message.text):
        return turn.outcome(None, Reply(turn.guide.texts.empty_text))
    story = new_story(turn, StoryKind.CHECKIN)
    key = turn.questions(story).opening.key
    save = SaveAnswer(story.id, key, message.text, message_id=message.message_id)
    asking = Turn(replace(turn.view, state=State(draft_id=turn.state.draft_id)), turn.guide)
    created = CreateStory(story.id, StoryKind.CHECKIN)
    if says_nothing_went_better(asking, story, key, message.text):
        return nothing(asking, story, save, created)
    moved = advance(asking, with_answer(story, save), key)
    return replace(moved, effects=(created, save, *moved.effects))


# --- nothing went better ---------------------------------------------------------------


def may_say_nothing(story: StoryView) -> bool:
    """Only a check-in still being told can end as "nothing this time"."""
    return story.kind is StoryKind.CHECKIN and story.status is StoryStatus.DRAFT


def says_nothing_went_better(turn: Turn, story: StoryView, key: str, text: str) -> bool:
    """A check-in's first answer that says nothing went better ("not really, bad week")."""
    return (
        may_say_nothing(story)
        and key == turn.questions(story).opening.key
        and not turn.state.returning
        and says_nothing(turn.guide.phrases, text)
    )


def nothing_answer(turn: Turn, story: StoryView) -> SaveAnswer:
    """The "nothing this time" button, stored as the first answer in the person's words."""
    key = turn.questions(story).opening.key
    return SaveAnswer(story.id, key, turn.guide.checkin.texts.nothing)


def nothing(turn: Turn, story: StoryView, save: SaveAnswer, *before: Effect) -> Outcome:
    """Nothing went better: a kind word, no "how"; the check-in is done. Then, only if the
    person likes, one smaller question: did anything help them get through?"""
    texts = turn.guide.checkin.texts
    effects = (*before, save, CompleteStory(story.id))
    idle = State(draft_id=turn.state.draft_id)
    through = turn.questions(story).question(THROUGH)
    if through is None:  # an adviser removed it
        thanks = Reply(f"{texts.nothing_thanks}\n\n{texts.nothing_closing}")
        return Outcome(idle, (thanks,), effects)
    state = idle.model_copy(update={"step": Step.CHECKIN_THROUGH, "story_id": story.id})
    button = Button(texts.through_done, encode(Action.THROUGH_DONE, story.id))
    reply = Reply(f"{texts.nothing_thanks}\n\n{through.prompt}", ((button,),))
    return Outcome(state, (reply,), effects)


def answer_through(turn: Turn, message: Text) -> Outcome:
    """The words typed after "nothing": what helped the person through, kept with the check-in."""
    texts, story = turn.guide.texts, turn.current
    idle = State(draft_id=turn.state.draft_id)
    if story is None:  # deleted meanwhile
        return turn.outcome(idle, render.welcome(turn.guide, returning=True))
    if is_blank(message.text):
        return turn.outcome(None, Reply(texts.empty_text))
    save = SaveAnswer(story.id, THROUGH, message.text, message_id=message.message_id)
    return Outcome(idle, (Reply(turn.guide.checkin.texts.through_saved),), (save,))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """After a check-in: "No, that's all", or "make it a learning story"."""
    if pressed.action is Action.THROUGH_DONE:
        return through_done(turn, pressed)
    story = turn.story(pressed.story_id)
    if story is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    return to_story(turn, story)


def through_done(turn: Turn, pressed: Pressed) -> Outcome:
    """The button "No, that's all": the optional question is left, the check-in kept as it is."""
    state = turn.state
    if turn.story(pressed.story_id) is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    if state.step is not Step.CHECKIN_THROUGH or state.story_id != pressed.story_id:
        return turn.outcome(notice=turn.guide.texts.stale_button)
    closing = Reply(turn.guide.checkin.texts.nothing_closing, edit=True)
    return turn.outcome(State(draft_id=state.draft_id), closing)


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
