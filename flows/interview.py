"""The interview: a pure state machine from (view, event) to an outcome.

No Telegram, no database, no clock: the runner loads a ``PersonView`` (what
``needs`` asks for), calls ``step``, stores the effects in one transaction
and only then sends the replies.
"""

from __future__ import annotations

from dataclasses import replace

from flows import nudge_settings, quotes, render
from flows.callbacks import Action, Pressed, decode
from flows.events import Command, Edited, Event, Press, Text, is_blank
from flows.guide import QuestionKind, guide_for, guides
from flows.replies import (
    CompleteStory,
    DeleteStory,
    Outcome,
    Reply,
    SaveAnswer,
    SetLanguage,
)
from flows.states import State, Step, StoryKind, StoryStatus
from flows.turn import (
    IN_STORY,
    Turn,
    advance,
    ask,
    repaired,
    resume,
    start_story,
    where_we_are,
    with_answer,
    without_draft,
)
from flows.views import Needs, PersonView, StoryView


def needs(state: State, event: Event) -> Needs:
    """What to load before ``step``: the stories in play, the list, an edited answer."""
    ids = {i for i in (state.story_id, state.draft_id) if i is not None}
    if state.split is not None:
        ids.add(state.split.story)
    story_list = isinstance(event, Command) and event.name == "stories"
    edited = event.message_id if isinstance(event, Edited) else None
    if isinstance(event, Press) and (pressed := decode(event.data)) is not None:
        if pressed.story_id is not None:
            ids.add(pressed.story_id)
        story_list = pressed.action is Action.LIST
    return Needs(frozenset(ids), story_list, edited)


def step(view: PersonView, event: Event) -> Outcome:
    """Decide one step of the interview on its own (``flows.dialogue`` routes all flows)."""
    return handle(repaired(Turn(view, guide_for(view.language))), event)


def handle(turn: Turn, event: Event) -> Outcome:
    """The interview's answer to an event."""
    match event:
        case Command():
            return _on_command(turn, event)
        case Text():
            return _on_text(turn, event)
        case Edited():
            return _on_edit(turn, event)
        case Press():
            return _on_press(turn, event)
    return turn.outcome(None, Reply(turn.guide.texts.media_not_supported))


def private_only(language: str | None, link: str) -> Reply:
    """The one line we say in a group chat, pointing to a private chat."""
    return Reply(guide_for(language).texts.private_only.format(link=link))


def begin(turn: Turn) -> Outcome:
    """Begin a story, unless one is under way or an unfinished draft waits."""
    if turn.state.step in IN_STORY:
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *where_we_are(turn))
    if turn.draft:
        idle = State(draft_id=turn.draft.id)
        return turn.outcome(idle, render.draft_prompt(turn.guide, turn.draft, turn.view.language))
    return start_story(turn)


# --- commands -------------------------------------------------------------------------


def _on_command(turn: Turn, command: Command) -> Outcome:
    texts = turn.guide.texts
    match command.name:
        case "start":
            if turn.state.step in IN_STORY or turn.draft:
                return begin(turn)
            return turn.outcome(State(step=Step.WELCOME), render.welcome(turn.guide))
        case "reflect":
            return begin(turn)
        case "stories":
            headers = turn.view.story_list or ()
            listing = render.story_list(turn.guide, headers, turn.view.language)
            return turn.outcome(None, listing, *where_we_are(turn))
        case "language":
            return turn.outcome(None, render.language_menu(guides(), turn.guide))
        case "help":
            return turn.outcome(None, Reply(texts.help.strip()), *where_we_are(turn))
        case "cancel":
            return _cancel(turn)
    return turn.outcome(None, Reply(texts.unknown_command), *where_we_are(turn))


def _cancel(turn: Turn) -> Outcome:
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


def _on_text(turn: Turn, message: Text) -> Outcome:
    texts = turn.guide.texts
    story, key = turn.current, turn.state.question
    if turn.state.step is Step.QUESTION and story and key:
        if is_blank(message.text):
            return turn.outcome(None, Reply(texts.empty_text))
        question = turn.questions(story).question(key)
        is_choices = question is not None and question.kind is QuestionKind.CHOICES
        keep = story.answer(key).choices if is_choices else ()
        save = SaveAnswer(story.id, key, message.text, keep, message_id=message.message_id)
        return advance(turn, with_answer(story, save), key, save)
    if turn.state.step is Step.REVIEW:
        return turn.outcome(None, Reply(texts.in_progress), *where_we_are(turn))
    if turn.state.step is Step.WELCOME:
        return turn.outcome(None, render.welcome(turn.guide, returning=True))
    return turn.outcome(None, render.welcome(turn.guide, returning=True))


def _on_edit(turn: Turn, edited: Edited) -> Outcome:
    """An edited message that was an answer updates that answer."""
    texts = turn.guide.texts
    found = turn.view.edited
    story = turn.story(found.story_id) if found else None
    question = turn.questions(story).question(found.question) if found and story else None
    if not found or not story or not question:
        return turn.outcome(None, Reply(texts.edit_not_an_answer))
    if is_blank(edited.text):
        return turn.outcome(None, Reply(texts.empty_text))
    old = story.answer(question.key)
    save = SaveAnswer(
        story.id, question.key, edited.text, old.choices, message_id=edited.message_id
    )
    return Outcome(turn.state, (Reply(texts.edit_saved.format(question=question.title)),), (save,))


# --- buttons --------------------------------------------------------------------------

QUESTION_ACTIONS = (Action.TOGGLE, Action.DONE, Action.SKIP, Action.BACK)


def _on_press(turn: Turn, press: Press) -> Outcome:
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
            return begin(turn)
        case Action.NOT_NOW:
            if turn.state.step is not Step.WELCOME:
                return turn.outcome(notice=texts.stale_button)
            idle = State(draft_id=turn.state.draft_id)
            return turn.outcome(idle, Reply(texts.later, edit=True))
        case Action.LIST:
            headers, page = turn.view.story_list or (), render.requested_page(pressed.args[0])
            listing = render.story_list(turn.guide, headers, turn.view.language, page, edit=True)
            return turn.outcome(None, listing)
        case Action.LANGUAGE:
            return _set_language(turn, pressed.args[0])
    return turn.outcome(notice=texts.invalid_button)


def _set_language(turn: Turn, language: str) -> Outcome:
    if language not in guides():
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    switched = Turn(replace(turn.view, language=language), guide_for(language))
    replies = (Reply(switched.guide.texts.language_set, edit=True), *where_we_are(switched))
    return Outcome(turn.state, replies, (SetLanguage(language),))


def _on_question_button(turn: Turn, pressed: Pressed) -> Outcome:
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
    questions = turn.questions(story)
    question = questions.question(key)
    assert question is not None, "repaired() keeps the state's question in the guide"
    answer = story.answer(key)
    match pressed.action:
        case Action.TOGGLE:
            option = pressed.args[1]
            if option not in question.options:
                return turn.outcome(notice=texts.invalid_button)
            picked = set(answer.choices) ^ {option}
            choices = tuple(o for o in question.options if o in picked)
            save = SaveAnswer(story.id, key, answer.text, choices)
            updated = with_answer(story, save)
            reply = render.question_reply(turn.guide, updated, key, edit=True)
            return Outcome(turn.state, (reply,), (save,))
        case Action.DONE | Action.SKIP:
            if not answer.is_empty:
                return advance(turn, story, key)
            save = SaveAnswer(story.id, key, None, (), skipped=True)
            return advance(turn, with_answer(story, save), key, save)
        case Action.BACK:
            index = questions.index(key)
            if index == 0:
                return turn.outcome(notice=texts.stale_button)
            previous = questions.questions[index - 1].key
            return ask(turn, story, previous, returning=False)
    return turn.outcome(notice=texts.invalid_button)


def _on_story_button(turn: Turn, pressed: Pressed, story: StoryView) -> Outcome:
    """Buttons that name one of the person's own stories."""
    guide, texts, language = turn.guide, turn.guide.texts, turn.view.language
    is_draft = story.status is StoryStatus.DRAFT
    on_this = turn.state.step in IN_STORY and turn.state.story_id == story.id
    match pressed.action:
        case Action.CONFIRM:
            if not is_draft:
                return turn.outcome(notice=texts.saved)
            team = turn.view.teams.team if turn.view.teams else None
            done = replace(story, status=StoryStatus.COMPLETE, team_id=team.id if team else None)
            draft_id = None if turn.state.draft_id == story.id else turn.state.draft_id
            state = State(draft_id=draft_id) if on_this else without_draft(turn.state, story.id)
            replies: tuple[Reply, ...] = (
                render.final_card(guide, done, language),
                Reply(texts.saved),
            )
            if (share := quotes.offer(turn, done)) is not None:
                replies = (*replies, share)
            if turn.view.nudge is None:
                replies = (*replies, nudge_settings.offer(turn))
            return Outcome(state, replies, (CompleteStory(story.id),))
        case Action.CHANGE:
            return turn.outcome(None, render.change_menu(guide, story))
        case Action.EDIT:
            key = pressed.args[0]
            if turn.questions(story).question(key) is None:
                return turn.outcome(notice=texts.invalid_button)
            return ask(turn, story, key, returning=True)
        case Action.CARD:
            if is_draft and not on_this:
                return resume(turn, story)
            return turn.outcome(None, render.card_reply(guide, story, language, edit=True))
        case Action.DISCARD:
            return turn.outcome(None, render.discard_question(guide, story))
        case Action.DISCARD_YES:
            state = State() if on_this else without_draft(turn.state, story.id)
            gone = texts.discarded if is_draft else guide.privacy.deleted
            return Outcome(state, (Reply(gone, edit=True),), (DeleteStory(story.id),))
        case Action.RESUME:
            if not is_draft:
                return turn.outcome(None, render.card_reply(guide, story, language))
            return resume(turn, story)
        case Action.FRESH:
            if not is_draft:
                return turn.outcome(notice=texts.invalid_button)
            fresh = Turn(replace(turn.view, state=State()), guide)
            return start_story(fresh, StoryKind.STORY, DeleteStory(story.id))
    return turn.outcome(notice=texts.invalid_button)
