"""/growth: choose a period, leave out any story, then receive the growth story.

1. /growth asks for the period: the last 6 months, the last 12 months, or since a date
   the person types (a bad or future date gets a kind word and the question again).
2. The saved stories and check-ins of that period are shown as buttons, newest first, a
   page at a time; a tap leaves one out (⬜) or takes it back in (✅). Typing here gets
   a hint and the list again.
3. "Make my growth story" sends it as messages (split to fit) and as a PDF document.

The state keeps the period's first day and the stories left out (``State.since``,
``State.left_out``); every button is checked against it, so a button of a finished or
earlier choice changes nothing (the list's buttons carry its first day, ``day_code``).
Nothing is sent to anyone but the person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flows.callbacks import Action, Pressed, encode
from flows.dates import short_date
from flows.documents.message import message_parts, message_text
from flows.documents.pdf import Document
from flows.events import Event, Media, Text
from flows.growth.period import MONTHS, Period, day_code, from_button, typed_start
from flows.growth.story import amount, chosen, growth_blocks, local_date_of
from flows.render import STORIES_PER_PAGE, TITLE_PREVIEW, local_date, one_line, requested_page
from flows.replies import Button, File, Outcome, Reply
from flows.states import State, Step, StoryKind, StoryStatus
from flows.turn import Turn
from flows.views import Needs, StoryHeader

COMMAND = "growth"
STEPS = (Step.GROWTH_SINCE, Step.GROWTH_PICK)


def needs(state: State, event: Event, base: Needs) -> Needs:
    """Typed while choosing: the story list, to show the period's stories (again).
    (A button's loads come from its row in ``flows.callbacks``.)"""
    if state.step in STEPS and isinstance(event, Text | Media):
        return replace(base, story_list=True)
    return base


def on_command(turn: Turn) -> Outcome:
    """/growth: which period? (The state stays as it was until one is chosen.)"""
    return turn.outcome(None, _period_question(turn))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """The period, a typed date asked for, a story left out or back in, a page, make, stop."""
    texts = turn.guide.growth
    match pressed.action:
        case Action.GROWTH_PERIOD:
            period = from_button(pressed.args[0], turn.view.now.date())
            if period is None:
                return turn.outcome(notice=turn.guide.texts.invalid_button)
            return _pick(turn, period.start, (), edit=True)
        case Action.GROWTH_SINCE:
            state = _idle(turn).model_copy(update={"step": Step.GROWTH_SINCE})
            return turn.outcome(state, Reply(texts.since_prompt, edit=True))
        case Action.GROWTH_STOP:
            state = _idle(turn) if turn.state.step in STEPS else turn.state
            return turn.outcome(state, Reply(texts.stopped, edit=True))
    since = _listed_since(turn, pressed)
    if since is None:
        return turn.outcome(notice=texts.stale)
    left_out = turn.state.left_out
    match pressed.action:
        case Action.GROWTH_TOGGLE:
            listed = {h.id for h in _headers(turn, since)}
            if pressed.story_id not in listed:
                return turn.outcome(notice=turn.guide.texts.invalid_button)
            left_out = _toggled(left_out, pressed.story_id)
            return _pick(turn, since, left_out, requested_page(pressed.args[0]), edit=True)
        case Action.GROWTH_PAGE:
            return _pick(turn, since, left_out, requested_page(pressed.args[0]), edit=True)
        case Action.GROWTH_MAKE:
            return _make(turn, Period(since, turn.view.now.date()), left_out)
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def on_input(turn: Turn, event: Text | Media) -> Outcome:
    """Typed (or sent) while choosing: a date to start from, or a hint and the list again."""
    texts = turn.guide.growth
    since = turn.state.since
    if turn.state.step is Step.GROWTH_PICK and since is not None:
        shown = _pick(turn, since, turn.state.left_out)
        return replace(shown, replies=(Reply(texts.pick_hint), *shown.replies))
    today = turn.view.now.date()
    start = typed_start(event.text, turn.guide.language, today) if isinstance(event, Text) else None
    if start is None:
        return turn.outcome(None, Reply(texts.bad_date))
    if start > today:
        said = short_date(start, turn.guide.language)
        return turn.outcome(None, Reply(texts.future_date.format(date=said)))
    return _pick(turn, start, ())


def _period_question(turn: Turn, text: str | None = None) -> Reply:
    texts = turn.guide.growth
    rows = (
        (Button(texts.last_6, encode(Action.GROWTH_PERIOD, MONTHS[0])),),
        (Button(texts.last_12, encode(Action.GROWTH_PERIOD, MONTHS[1])),),
        (Button(texts.since_date, encode(Action.GROWTH_SINCE)),),
        (Button(texts.not_now, encode(Action.GROWTH_STOP)),),
    )
    return Reply(text or texts.period_question, rows)


def _listed_since(turn: Turn, pressed: Pressed) -> date | None:
    """The first day of the list being chosen from, when the button is one of its own."""
    since = turn.state.since
    if turn.state.step is not Step.GROWTH_PICK or since is None:
        return None
    return since if pressed.args[-1] == day_code(since) else None


def _headers(turn: Turn, since: date) -> tuple[StoryHeader, ...]:
    """The saved stories and check-ins from ``since`` to today, newest first."""
    period = Period(since, turn.view.now.date())
    return tuple(
        h
        for h in turn.view.story_list or ()
        if h.status is StoryStatus.COMPLETE and period.holds(h.created_at)
    )


def _toggled(left_out: tuple[int, ...], story_id: int | None) -> tuple[int, ...]:
    if story_id in left_out:
        return tuple(i for i in left_out if i != story_id)
    return (*left_out, story_id) if story_id is not None else left_out


def _pick(
    turn: Turn, since: date, left_out: tuple[int, ...], page: int = 1, *, edit: bool = False
) -> Outcome:
    """One page of the period's stories as buttons, each left out or in; make, not now."""
    texts, language = turn.guide.growth, turn.guide.language
    period = Period(since, turn.view.now.date())
    start, end = local_date_of(period, language)
    headers = _headers(turn, since)
    if not headers:
        text = texts.nothing_in_period.format(start=start, end=end)
        return turn.outcome(_idle(turn), replace(_period_question(turn, text), edit=edit))
    pages = -(-len(headers) // STORIES_PER_PAGE)
    page = min(max(page, 1), pages)
    first = (page - 1) * STORIES_PER_PAGE
    shown = headers[first : first + STORIES_PER_PAGE]
    code = day_code(since)
    rows = [(_story_button(turn, h, h.id in left_out, page, code),) for h in shown]
    turn_page = []
    if page > 1:
        turn_page.append(Button(texts.newer, encode(Action.GROWTH_PAGE, str(page - 1), code)))
    if page < pages:
        turn_page.append(Button(texts.older, encode(Action.GROWTH_PAGE, str(page + 1), code)))
    finish = (
        (Button(texts.make, encode(Action.GROWTH_MAKE, code)),),
        (Button(texts.not_now, encode(Action.GROWTH_STOP)),),
    )
    counted = texts.pick.format(start=start, end=end, stories=amount(turn.guide, headers))
    if pages > 1:
        where = texts.pick_page.format(first=first + 1, last=first + len(shown), total=len(headers))
        counted = f"{counted}\n{where}"
    buttons = (*rows, *((tuple(turn_page),) if turn_page else ()), *finish)
    state = _idle(turn).model_copy(
        update={"step": Step.GROWTH_PICK, "since": since, "left_out": left_out}
    )
    return turn.outcome(state, Reply(counted, buttons, edit=edit))


def _story_button(turn: Turn, header: StoryHeader, left_out: bool, page: int, code: str) -> Button:
    texts = turn.guide.texts
    mark = turn.guide.growth.left_out if left_out else turn.guide.growth.kept_in
    kind = texts.kind_checkin if header.kind is StoryKind.CHECKIN else texts.kind_story
    title = one_line(header.title or texts.untitled, TITLE_PREVIEW)
    day = local_date(header.created_at, turn.guide.language)
    label = mark + texts.story_line.format(date=day, kind=kind, title=title)
    return Button(label, encode(Action.GROWTH_TOGGLE, header.id, str(page), code))


def _make(turn: Turn, period: Period, left_out: tuple[int, ...]) -> Outcome:
    """The growth story: a line in place of the list, the story as messages, the PDF."""
    record, guide = turn.view.record, turn.guide
    if record is None:  # the runner loads it whenever the button asks; never expected
        return turn.outcome(None, Reply(guide.texts.error))
    texts = guide.growth
    picked = chosen(record, period, left_out)
    if not picked:
        return turn.outcome(notice=texts.all_left_out)
    now = turn.view.now
    blocks = growth_blocks(guide, record, period, left_out, now)
    start, end = local_date_of(period, guide.language)
    made = texts.made.format(start=start, end=end, stories=amount(guide, picked))
    parts = message_parts(message_text(blocks))
    pdf = Document(tuple(blocks), texts.title, guide.language)
    document = File(f"leerverhaal-growth-{now.date().isoformat()}.pdf", b"", source=pdf)
    return turn.outcome(
        _idle(turn),
        Reply(made, edit=True),
        *(Reply(part) for part in parts),
        Reply(texts.caption, file=document),
    )


def _idle(turn: Turn) -> State:
    """Free again, keeping the draft to come back to."""
    return State(draft_id=turn.state.draft_id)
