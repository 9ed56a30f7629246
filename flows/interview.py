"""The interview: a pure state machine from (view, event) to an outcome.

No Telegram, no database, no clock: the runner loads a ``PersonView`` (what
``needs`` asks for), calls ``step``, stores the effects in one transaction
and only then sends the replies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows import render
from flows.callbacks import Action, Pressed, decode
from flows.events import Command, Edited, Event, Media, Press, Text
from flows.guide import Guide, QuestionKind, guide_for, guides
from flows.replies import (
    CompleteStory,
    CreateStory,
    DeleteStory,
    Effect,
    Outcome,
    Reply,
    SaveAnswer,
    SetLanguage,
)
from flows.states import State, Step, StoryKind, StoryStatus
from flows.views import AnswerView, Needs, PersonView, StoryView

IN_STORY = (Step.QUESTION, Step.REVIEW)


def needs(state: State, event: Event) -> Needs:
    """What to load before ``step``: the stories in play, the list, an edited answer."""
    ids = {i for i in (state.story_id, state.draft_id) if i is not None}
    story_list = isinstance(event, Command) and event.name == "stories"
    edited = event.message_id if isinstance(event, Edited) else None
    if isinstance(event, Press) and (pressed := decode(event.data)) is not None:
        if pressed.story_id is not None:
            ids.add(pressed.story_id)
        story_list = pressed.action is Action.LIST
    return Needs(frozenset(ids), story_list, edited)


@dataclass(frozen=True)
class _Turn:
    """One step's view, with the person's guide at hand."""

    view: PersonView
    guide: Guide

    @property
    def state(self) -> State:
        return self.view.state

    def story(self, story_id: int | None) -> StoryView | None:
        return None if story_id is None else self.view.stories.get(story_id)

    @property
    def current(self) -> StoryView | None:
        return self.story(self.state.story_id)

    @property
    def draft(self) -> StoryView | None:
        draft = self.story(self.state.draft_id)
        return draft if draft and draft.status is StoryStatus.DRAFT else None

    def outcome(
        self, state: State | None = None, *replies: Reply, notice: str | None = None
    ) -> Outcome:
        return Outcome(state or self.state, tuple(replies), notice=notice)


def step(view: PersonView, event: Event) -> Outcome:
    """Decide one step of the conversation."""
    turn = _repaired(_Turn(view, guide_for(view.language)))
    match event:
        case Command():
            return _on_command(turn, event)
        case Text():
            return _on_text(turn, event)
        case Edited():
            return _on_edit(turn, event)
        case Press():
            return _on_press(turn, event)
        case Media():
            return turn.outcome(None, Reply(turn.guide.texts.media_not_supported))
    raise TypeError(f"unknown event type {type(event).__name__}")


def _repaired(turn: _Turn) -> _Turn:
    """A turn whose stored state still fits the stories and the guide."""
    state, story = turn.state, turn.current
    if state.step in IN_STORY and story is None:
        # The story disappeared (discarded elsewhere): start from a clean slate.
        state = State(draft_id=state.draft_id if turn.draft else None)
    elif state.step is Step.QUESTION and turn.guide.question(state.question or "") is None:
        # An adviser removed or renamed the question: go on at the first open one.
        assert story is not None
        open_keys = [q.key for q in turn.guide.questions if q.key not in story.answers]
        if open_keys:
            state = state.model_copy(update={"question": open_keys[0], "returning": False})
        else:
            state = State(step=Step.REVIEW, story_id=story.id, draft_id=state.draft_id)
    return turn if state is turn.state else _Turn(replace(turn.view, state=state), turn.guide)


def private_only(language: str | None, link: str) -> Reply:
    """The one line we say in a group chat, pointing to a private chat."""
    return Reply(guide_for(language).texts.private_only.format(link=link))


# --- where the person is --------------------------------------------------------------


def _where_we_are(turn: _Turn) -> tuple[Reply, ...]:
    """The message that shows the current step again (empty when idle)."""
    story = turn.current
    if turn.state.step is Step.QUESTION and story and turn.state.question:
        return (render.question_reply(turn.guide, story, turn.state.question),)
    if turn.state.step is Step.REVIEW and story:
        return (render.card_reply(turn.guide, story, turn.view.language),)
    if turn.state.step is Step.WELCOME:
        return (render.welcome(turn.guide),)
    return ()


def _ask(turn: _Turn, story: StoryView, key: str, *, returning: bool = False) -> Outcome:
    """Move to a question and ask it."""
    draft_id = story.id if story.status is StoryStatus.DRAFT else turn.state.draft_id
    state = State(
        step=Step.QUESTION, story_id=story.id, question=key, draft_id=draft_id, returning=returning
    )
    return turn.outcome(state, render.question_reply(turn.guide, story, key))


def _review(turn: _Turn, story: StoryView) -> Outcome:
    """Show the summary card of a story and wait for the person's decision."""
    if story.status is StoryStatus.DRAFT:
        state = State(step=Step.REVIEW, story_id=story.id, draft_id=story.id)
    else:  # a finished story's card needs no decision: the person is free again
        state = State(draft_id=turn.state.draft_id)
    return turn.outcome(state, render.card_reply(turn.guide, story, turn.view.language))


def _start_story(turn: _Turn, *extra: Effect) -> Outcome:
    """Create a new draft and ask the opening question."""
    story = StoryView(turn.view.new_story_id, StoryKind.STORY, StoryStatus.DRAFT, turn.view.now, {})
    asked = _ask(turn, story, turn.guide.opening.key)
    return replace(asked, effects=(*extra, CreateStory(story.id, StoryKind.STORY)))


def _begin(turn: _Turn) -> Outcome:
    """Begin a story, unless one is under way or an unfinished draft waits."""
    if turn.state.step in IN_STORY:
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *_where_we_are(turn))
    if turn.draft:
        idle = State(draft_id=turn.draft.id)
        return turn.outcome(idle, render.draft_prompt(turn.guide, turn.draft, turn.view.language))
    return _start_story(turn)


def _resume(turn: _Turn, story: StoryView) -> Outcome:
    """Go on with a draft at its first unanswered question, or at its card."""
    answered = set(story.answers)
    for question in turn.guide.questions:
        if question.key not in answered:
            return _ask(turn, story, question.key)
    return _review(turn, story)


def _advance(turn: _Turn, story: StoryView, key: str, *effects: Effect) -> Outcome:
    """After an answer: the next question, or the card when done or returning."""
    index = turn.guide.index(key) + 1
    if turn.state.returning or index >= len(turn.guide.questions):
        moved = _review(turn, story)
    else:
        moved = _ask(turn, story, turn.guide.questions[index].key)
    return replace(moved, effects=effects)


def _with_answer(story: StoryView, effect: SaveAnswer) -> StoryView:
    """The story as it will be once the answer is stored."""
    answer = AnswerView(effect.text, effect.choices, effect.skipped)
    return replace(story, answers={**story.answers, effect.question: answer})


def _without_draft(state: State, story_id: int) -> State:
    """The state, forgetting a draft that is now complete or gone."""
    if state.draft_id != story_id:
        return state
    return state.model_copy(update={"draft_id": None})


# --- commands -------------------------------------------------------------------------


def _on_command(turn: _Turn, command: Command) -> Outcome:
    texts = turn.guide.texts
    match command.name:
        case "start":
            if turn.state.step in IN_STORY or turn.draft:
                return _begin(turn)
            return turn.outcome(State(step=Step.WELCOME), render.welcome(turn.guide))
        case "reflect":
            return _begin(turn)
        case "stories":
            headers = turn.view.story_list or ()
            listing = render.story_list(turn.guide, headers, turn.view.language)
            return turn.outcome(None, listing, *_where_we_are(turn))
        case "language":
            return turn.outcome(None, render.language_menu(guides(), turn.guide))
        case "help":
            return turn.outcome(None, Reply(texts.help.strip()), *_where_we_are(turn))
        case "cancel":
            return _cancel(turn)
    return turn.outcome(None, Reply(texts.unknown_command), *_where_we_are(turn))


def _cancel(turn: _Turn) -> Outcome:
    """Leave the current dialogue; a draft is kept."""
    texts = turn.guide.texts
    idle = State(draft_id=turn.state.draft_id)
    story = turn.current
    if turn.state.step in IN_STORY and story:
        done = texts.paused if story.status is StoryStatus.DRAFT else texts.stopped_editing
        return turn.outcome(idle, Reply(done))
    if turn.state.step is Step.WELCOME:
        return turn.outcome(idle, Reply(texts.later))
    return turn.outcome(idle, Reply(texts.nothing_to_cancel))


# --- messages -------------------------------------------------------------------------


def _on_text(turn: _Turn, message: Text) -> Outcome:
    texts = turn.guide.texts
    story, key = turn.current, turn.state.question
    if turn.state.step is Step.QUESTION and story and key:
        if not message.text.strip():
            return turn.outcome(None, Reply(texts.empty_text))
        question = turn.guide.question(key)
        is_choices = question is not None and question.kind is QuestionKind.CHOICES
        keep = story.answer(key).choices if is_choices else ()
        save = SaveAnswer(story.id, key, message.text, keep, message_id=message.message_id)
        return _advance(turn, _with_answer(story, save), key, save)
    if turn.state.step is Step.REVIEW:
        return turn.outcome(None, Reply(texts.in_progress), *_where_we_are(turn))
    if turn.state.step is Step.WELCOME:
        return turn.outcome(None, render.welcome(turn.guide, returning=True))
    return turn.outcome(None, render.welcome(turn.guide, returning=True))


def _on_edit(turn: _Turn, edited: Edited) -> Outcome:
    """An edited message that was an answer updates that answer."""
    texts = turn.guide.texts
    found = turn.view.edited
    story = turn.story(found.story_id) if found else None
    question = turn.guide.question(found.question) if found else None
    if not found or not story or not question:
        return turn.outcome(None, Reply(texts.edit_not_an_answer))
    if not edited.text.strip():
        return turn.outcome(None, Reply(texts.empty_text))
    old = story.answer(question.key)
    save = SaveAnswer(
        story.id, question.key, edited.text, old.choices, message_id=edited.message_id
    )
    return Outcome(turn.state, (Reply(texts.edit_saved.format(question=question.title)),), (save,))


# --- buttons --------------------------------------------------------------------------

QUESTION_ACTIONS = (Action.TOGGLE, Action.DONE, Action.SKIP, Action.BACK)


def _on_press(turn: _Turn, press: Press) -> Outcome:
    texts = turn.guide.texts
    pressed = decode(press.data)
    if pressed is None:
        return turn.outcome(notice=texts.invalid_button)
    if pressed.action in QUESTION_ACTIONS:
        return _on_question_button(turn, pressed)
    if pressed.story_id is not None:
        story = turn.story(pressed.story_id)
        if story is None:
            return turn.outcome(notice=texts.story_not_found)
        return _on_story_button(turn, pressed, story)
    match pressed.action:
        case Action.BEGIN:
            return _begin(turn)
        case Action.NOT_NOW:
            if turn.state.step is not Step.WELCOME:
                return turn.outcome(notice=texts.stale_button)
            idle = State(draft_id=turn.state.draft_id)
            return turn.outcome(idle, Reply(texts.later, edit=True))
        case Action.LIST:
            listing = render.story_list(turn.guide, turn.view.story_list or (), turn.view.language)
            return turn.outcome(None, listing)
        case Action.LANGUAGE:
            return _set_language(turn, pressed.args[0])
    return turn.outcome(notice=texts.invalid_button)


def _set_language(turn: _Turn, language: str) -> Outcome:
    if language not in guides():
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    switched = _Turn(replace(turn.view, language=language), guide_for(language))
    replies = (Reply(switched.guide.texts.language_set, edit=True), *_where_we_are(switched))
    return Outcome(turn.state, replies, (SetLanguage(language),))


def _on_question_button(turn: _Turn, pressed: Pressed) -> Outcome:
    """Toggle, done, skip and back: valid only for the question being asked now."""
    texts = turn.guide.texts
    story, key = turn.current, turn.state.question
    if turn.story(pressed.story_id) is None:
        return turn.outcome(notice=texts.invalid_button)
    current = (
        turn.state.step is Step.QUESTION
        and story is not None
        and pressed.story_id == story.id
        and pressed.args[0] == key
    )
    if not current or story is None or key is None:
        return turn.outcome(notice=texts.stale_button)
    question = turn.guide.question(key)
    assert question is not None
    answer = story.answer(key)
    match pressed.action:
        case Action.TOGGLE:
            option = pressed.args[1]
            if option not in question.options:
                return turn.outcome(notice=texts.invalid_button)
            picked = set(answer.choices) ^ {option}
            choices = tuple(o for o in question.options if o in picked)
            save = SaveAnswer(story.id, key, answer.text, choices)
            updated = _with_answer(story, save)
            reply = render.question_reply(turn.guide, updated, key, edit=True)
            return Outcome(turn.state, (reply,), (save,))
        case Action.DONE | Action.SKIP:
            if not answer.is_empty:
                return _advance(turn, story, key)
            save = SaveAnswer(story.id, key, None, (), skipped=True)
            return _advance(turn, _with_answer(story, save), key, save)
        case Action.BACK:
            index = turn.guide.index(key)
            if index == 0:
                return turn.outcome(notice=texts.stale_button)
            previous = turn.guide.questions[index - 1].key
            return _ask(turn, story, previous, returning=False)
    return turn.outcome(notice=texts.invalid_button)


def _on_story_button(turn: _Turn, pressed: Pressed, story: StoryView) -> Outcome:
    """Buttons that name one of the person's own stories."""
    guide, texts, language = turn.guide, turn.guide.texts, turn.view.language
    is_draft = story.status is StoryStatus.DRAFT
    on_this = turn.state.step in IN_STORY and turn.state.story_id == story.id
    match pressed.action:
        case Action.CONFIRM:
            if not is_draft:
                return turn.outcome(notice=texts.saved)
            done = replace(story, status=StoryStatus.COMPLETE)
            draft_id = None if turn.state.draft_id == story.id else turn.state.draft_id
            state = State(draft_id=draft_id) if on_this else _without_draft(turn.state, story.id)
            replies = (render.final_card(guide, done, language), Reply(texts.saved))
            return Outcome(state, replies, (CompleteStory(story.id),))
        case Action.CHANGE:
            return turn.outcome(None, render.change_menu(guide, story))
        case Action.EDIT:
            key = pressed.args[0]
            if guide.question(key) is None:
                return turn.outcome(notice=texts.invalid_button)
            return _ask(turn, story, key, returning=True)
        case Action.CARD:
            if is_draft and not on_this:
                return _resume(turn, story)
            return turn.outcome(None, render.card_reply(guide, story, language, edit=True))
        case Action.DISCARD:
            return turn.outcome(None, render.discard_question(guide, story))
        case Action.DISCARD_YES:
            state = State() if on_this else _without_draft(turn.state, story.id)
            return Outcome(state, (Reply(texts.discarded, edit=True),), (DeleteStory(story.id),))
        case Action.RESUME:
            if not is_draft:
                return turn.outcome(None, render.card_reply(guide, story, language))
            return _resume(turn, story)
        case Action.FRESH:
            if not is_draft:
                return turn.outcome(notice=texts.invalid_button)
            fresh = _Turn(replace(turn.view, state=State()), guide)
            return _start_story(fresh, DeleteStory(story.id))
    return turn.outcome(notice=texts.invalid_button)
