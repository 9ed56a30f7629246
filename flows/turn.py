"""One step of a conversation: the view and guide at hand, and the moves every flow shares.

Flows (interview, check-in, checkins, settings) build their outcomes from these
moves: ask a question, show a card, start, resume or advance a story.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows import render
from flows.callbacks import Action, encode
from flows.content.guide import Guide, Questionnaire
from flows.menu.suggest import offer
from flows.replies import Button, CompleteStory, CreateStory, Effect, Outcome, Reply, SaveAnswer
from flows.states import State, Step, StoryKind, StoryStatus
from flows.views import AnswerView, PersonView, StoryView

IN_STORY = (Step.QUESTION, Step.REVIEW)


@dataclass(frozen=True)
class Turn:
    """One step's view, with the person's guide at hand."""

    view: PersonView
    guide: Guide

    @property
    def state(self) -> State:
        """Where the person is."""
        return self.view.state

    def story(self, story_id: int | None) -> StoryView | None:
        """One of the person's own loaded stories, or None."""
        return None if story_id is None else self.view.stories.get(story_id)

    @property
    def current(self) -> StoryView | None:
        """The story the state points at."""
        return self.story(self.state.story_id)

    @property
    def draft(self) -> StoryView | None:
        """The unfinished learning story waiting to be resumed, if any."""
        draft = self.story(self.state.draft_id)
        return draft if draft and draft.status is StoryStatus.DRAFT else None

    def questions(self, story: StoryView) -> Questionnaire:
        """The questions of this story's kind."""
        return self.guide.questionnaire(story.kind)

    def outcome(
        self, state: State | None = None, *replies: Reply, notice: str | None = None
    ) -> Outcome:
        """An outcome without effects."""
        return Outcome(state or self.state, tuple(replies), notice=notice)


def repaired(turn: Turn) -> Turn:
    """A turn whose stored state still fits the stories and the guide."""
    state, story = turn.state, turn.current
    if state.step in IN_STORY and story is None:
        # The story disappeared (discarded elsewhere): start from a clean slate.
        state = State(draft_id=state.draft_id if turn.draft else None)
    elif (
        state.step is Step.QUESTION
        and story is not None
        and turn.questions(story).question(state.question or "") is None
    ):
        # An adviser removed or renamed the question: go on at the first open one.
        keys = [q.key for q in turn.questions(story).questions if q.key not in story.answers]
        if keys:
            state = state.model_copy(update={"question": keys[0], "returning": False})
        else:
            state = State(step=Step.REVIEW, story_id=story.id, draft_id=state.draft_id)
    return turn if state is turn.state else Turn(replace(turn.view, state=state), turn.guide)


def where_we_are(turn: Turn) -> tuple[Reply, ...]:
    """The message that shows the current step again (empty when idle)."""
    story = turn.current
    if turn.state.step is Step.QUESTION and story and turn.state.question:
        return (render.question_reply(turn.guide, story, turn.state.question),)
    if turn.state.step is Step.REVIEW and story:
        return (render.card_reply(turn.guide, story, turn.view.language),)
    # The greeting (Step.WELCOME) is not shown again: its buttons above still work.
    return ()


def _draft_id(turn: Turn, story: StoryView) -> int | None:
    """Only unfinished learning stories are remembered as the draft to come back to."""
    if story.status is StoryStatus.DRAFT and story.kind is StoryKind.STORY:
        return story.id
    return turn.state.draft_id


def ask(turn: Turn, story: StoryView, key: str, *, returning: bool = False) -> Outcome:
    """Move to a question and ask it."""
    state = State(
        step=Step.QUESTION,
        story_id=story.id,
        question=key,
        draft_id=_draft_id(turn, story),
        returning=returning,
    )
    return turn.outcome(state, render.question_reply(turn.guide, story, key))


def review(turn: Turn, story: StoryView) -> Outcome:
    """Show the summary card of a draft and wait for the person's decision."""
    if story.status is StoryStatus.DRAFT:
        state = State(step=Step.REVIEW, story_id=story.id, draft_id=_draft_id(turn, story))
    else:  # a finished story's card needs no decision: the person is free again
        state = State(draft_id=turn.state.draft_id)
    return turn.outcome(state, render.card_reply(turn.guide, story, turn.view.language))


def new_story(turn: Turn, kind: StoryKind) -> StoryView:
    """A fresh, empty draft with the id the runner reserved for this step."""
    return StoryView(turn.view.new_story_id, kind, StoryStatus.DRAFT, turn.view.now, {})


def start_story(turn: Turn, kind: StoryKind = StoryKind.STORY, *extra: Effect) -> Outcome:
    """Create a new draft and ask its opening question."""
    story = new_story(turn, kind)
    asked = ask(turn, story, turn.questions(story).opening.key)
    return replace(asked, effects=(*extra, CreateStory(story.id, kind)))


def resume(turn: Turn, story: StoryView) -> Outcome:
    """Go on with a draft at its first unanswered question, or at its card."""
    for question in turn.questions(story).questions:
        if question.key not in story.answers:
            return ask(turn, story, question.key)
    return review(turn, story)


def advance(turn: Turn, story: StoryView, key: str, *effects: Effect) -> Outcome:
    """After an answer: the next question, or the card when done or returning (after a
    question asked on a branch: the first one still open)."""
    if turn.questions(story).is_extra(key):
        moved = resume(turn, story)
        return replace(moved, effects=(*effects, *moved.effects))
    questions = turn.questions(story).questions
    index = turn.questions(story).index(key) + 1
    if turn.state.returning or index >= len(questions):
        if story.kind is StoryKind.CHECKIN and story.status is StoryStatus.DRAFT:
            moved = finish_checkin(turn, story)
            return replace(moved, effects=(*effects, *moved.effects))
        moved = review(turn, story)
    else:
        moved = ask(turn, story, questions[index].key)
    return replace(moved, effects=effects)


def finish_checkin(turn: Turn, story: StoryView) -> Outcome:
    """A check-in needs no card: store it, thank the person, offer a full story (and a dish
    from the learning menu when its picks match one)."""
    texts = turn.guide.checkin.texts
    button = Button(texts.to_story, encode(Action.TO_STORY, story.id))
    state = State(draft_id=turn.state.draft_id)
    reply = Reply(texts.closing, ((button,),))
    suggested = offer(turn.guide, story, turn.view.next_step)  # one dish that fits, if any
    return Outcome(state, (reply, *suggested), (CompleteStory(story.id),))


def with_answer(story: StoryView, effect: SaveAnswer) -> StoryView:
    """The story as it will be once the answer is stored."""
    answer = AnswerView(effect.text, effect.choices, effect.skipped)
    return replace(story, answers={**story.answers, effect.question: answer})


def without_draft(state: State, story_id: int) -> State:
    """The state, forgetting a draft that is now complete or gone."""
    if state.draft_id != story_id:
        return state
    return state.model_copy(update={"draft_id": None})
