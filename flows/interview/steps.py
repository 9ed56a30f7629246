"""The interview: a pure state machine from (view, event) to an outcome.

No Telegram, no database, no clock: the runner loads a ``PersonView`` (what
``needs`` asks for), calls ``step``, stores the effects in one transaction
and only then sends the replies.
"""

from __future__ import annotations

from dataclasses import replace

from flows import render
from flows.callbacks import Action, Handler, Load, Pressed, decode
from flows.checkins import settings as checkin_settings
from flows.checkins import story as checkin
from flows.content.guide import Example, Question, QuestionKind, guide_for
from flows.events import Command, Edited, Event, Press, Text, is_blank
from flows.interview import greeting, thanks
from flows.interview.reflect import reflection
from flows.menu import next_step
from flows.phrases import asks_stories_only, says_done
from flows.replies import (
    CompleteStory,
    DeleteStory,
    Outcome,
    Reply,
    SaveAnswer,
)
from flows.states import State, Step, StoryKind, StoryStatus
from flows.teams import quotes
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
        story_list = Load.STORY_LIST in pressed.action.loads
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
            pressed = decode(event.data)
            if pressed is None:
                return turn.outcome(notice=turn.guide.texts.invalid_button)
            return on_press(turn, pressed)
    # A photo, sticker or voice note: say so kindly, then show the question again.
    again = where_we_are(turn) if turn.state.step in IN_STORY else ()
    return turn.outcome(None, Reply(turn.guide.texts.media_not_supported), *again)


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
            return greeting.greet(turn)
        case "reflect":
            return begin(turn)
        case "stories":
            headers = turn.view.story_list or ()
            only = asks_stories_only(turn.guide.phrases, command.args)
            listing = render.story_list(turn.guide, headers, turn.view.language, only_stories=only)
            return turn.outcome(None, listing, *where_we_are(turn))
        case "language":
            return greeting.language_menu(turn)
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
        return _answer(turn, story, key, message)
    if turn.state.step is Step.REVIEW:
        return turn.outcome(None, Reply(texts.in_progress), *where_we_are(turn))
    if turn.state.step is Step.WELCOME:  # under "Shall we begin?": "yes" is Begin
        if greeting.agrees(message.text):
            return begin(turn)
        return turn.outcome(None, render.welcome(turn.guide, text=texts.tap_begin))
    return greeting.greet(turn)


def _answer(turn: Turn, story: StoryView, key: str, message: Text) -> Outcome:
    """A typed answer to the question being asked.

    Under a quick-pick question the words join the picks and the question stays open
    until Done (typing "done" is Done). A check-in where nothing went better ends kindly.
    """
    question = turn.questions(story).question(key)
    assert question is not None, "repaired() keeps the state's question in the guide"
    if question.kind is QuestionKind.CHOICES:
        if says_done(turn.guide.phrases, message.text):
            return _done(turn, story, key)
        picks = story.answer(key).choices
        save = SaveAnswer(story.id, key, message.text, picks, message_id=message.message_id)
        note = turn.guide.texts.words_added
        reply = render.question_reply(turn.guide, with_answer(story, save), key, note=note)
        return Outcome(turn.state, (reply,), (save,))
    save = SaveAnswer(story.id, key, message.text, message_id=message.message_id)
    if checkin.says_nothing_went_better(turn, story, key, message.text):
        return checkin.nothing(turn, story, save)
    return thanks.offered(turn, story, key, advance(turn, with_answer(story, save), key, save))


def _done(turn: Turn, story: StoryView, key: str) -> Outcome:
    """Done (or Keep): on with the answer as it is; nothing given counts as skipped."""
    if not story.answer(key).is_empty:
        return advance(turn, story, key)
    save = SaveAnswer(story.id, key, None, (), skipped=True)
    return advance(turn, with_answer(story, save), key, save)


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


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """The interview's buttons: begin, not now, the lists, a question's, a story card's."""
    texts = turn.guide.texts
    if pressed.action.handler is Handler.QUESTION:
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
        case Action.LIST | Action.LIST_STORIES:
            headers, page = turn.view.story_list or (), render.requested_page(pressed.args[0])
            only = pressed.action is Action.LIST_STORIES
            listing = render.story_list(
                turn.guide, headers, turn.view.language, page, edit=True, only_stories=only
            )
            return turn.outcome(None, listing)
        case Action.LANGUAGE:
            return greeting.on_press(turn, pressed)
    return turn.outcome(notice=texts.invalid_button)


def _on_question_button(turn: Turn, pressed: Pressed) -> Outcome:
    """Toggle, done, skip, back, an example, "nothing this time": valid only for the question
    being asked now (the opening question has no Skip, and Done there only keeps an answer)."""
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
    index = None if questions.is_extra(key) else questions.index(key)  # None: asked on a branch
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
        case Action.DONE if index != 0 or not answer.is_empty:  # the opening needs its answer
            return _done(turn, story, key)
        case Action.SKIP if index != 0:  # a skipped question keeps no picks and no words
            save = SaveAnswer(story.id, key, None, (), skipped=True)
            return advance(turn, with_answer(story, save), key, save)
        case Action.EXAMPLE if (example := _example(question, pressed.args[1])) is not None:
            note = f"{example.hint}\n\n{texts.text_hint}"
            reply = render.question_reply(turn.guide, story, key, edit=True, note=note)
            return turn.outcome(None, reply)
        case Action.NOTHING if index == 0 and checkin.may_say_nothing(story):
            return checkin.nothing(turn, story, checkin.nothing_answer(turn, story))
        case Action.BACK:
            if not index:  # the first question, or one asked on a branch
                return turn.outcome(notice=texts.stale_button)
            previous = questions.questions[index - 1].key
            return ask(turn, story, previous, returning=False)
    return turn.outcome(notice=texts.invalid_button)


def _example(question: Question, number: str) -> Example | None:
    """The question's example with this number (from a button: never trusted)."""
    if not (number.isascii() and number.isdigit()) or int(number) >= len(question.examples):
        return None
    return question.examples[int(number)]


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
            suggested, follow = next_step.after_story(turn, done)  # a dish; the step to follow
            replies: tuple[Reply, ...] = (
                render.final_card(guide, done, language, (texts.saved, *reflection(guide, done))),
                *suggested,
            )
            if (share := quotes.offer(turn, done)) is not None:
                replies = (*replies, share)
            if turn.view.checkin is None:
                replies = (*replies, checkin_settings.offer(turn))
            return Outcome(state, replies, (CompleteStory(story.id), *follow))
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
        case Action.FRESH if is_draft:  # asks first, as Discard does
            return turn.outcome(None, render.fresh_question(guide, story))
        case Action.FRESH_YES if is_draft:
            fresh = Turn(replace(turn.view, state=State()), guide)
            return start_story(fresh, StoryKind.STORY, DeleteStory(story.id))
    return turn.outcome(notice=texts.invalid_button)
