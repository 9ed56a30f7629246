"""A person's data is theirs: what is kept (/privacy), a copy (/export), erasure (/forget).

Deleting a single story is the interview's "Delete this story" button on its
card (``flows.render``); this module deletes everything at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flows.callbacks import Action, Load, Pressed, decode, encode
from flows.content.guide import Guide, guide_for
from flows.dates import short_date
from flows.events import Command, Event, Press
from flows.policy import Retention
from flows.privacy import export as export_render
from flows.replies import Button, ForgetPerson, Outcome, Reply
from flows.states import State, StoryKind
from flows.turn import Turn, where_we_are
from flows.views import Needs, StoryHeader

PRIVACY_COMMANDS = frozenset({"privacy", "export", "forget"})
_COMMAND_LOADS = {"export": Load.EXPORT, "forget": Load.STORY_LIST}  # what to count or copy


def needs(event: Event, base: Needs) -> Needs:
    """Add what privacy needs: the whole record to export, the story list to count
    (for a button, what its row in the table says: ``Action.loads``)."""
    loads = Load.NOTHING
    if isinstance(event, Command):
        loads = _COMMAND_LOADS.get(event.name, Load.NOTHING)
    elif isinstance(event, Press) and (pressed := decode(event.data)) is not None:
        loads = pressed.action.loads
    return replace(
        base,
        export=base.export or Load.EXPORT in loads,
        story_list=base.story_list or Load.STORY_LIST in loads,
    )


def on_command(turn: Turn, command: Command) -> Outcome:
    """/privacy, /export or /forget."""
    if command.name == "export":
        return _export(turn)
    if command.name == "forget":
        return _ask_to_forget(turn)
    return turn.outcome(None, overview(turn), *where_we_are(turn))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """The buttons of /privacy, of the question before forgetting, and of a retention notice."""
    texts = turn.guide.privacy
    match pressed.action:
        case Action.EXPORT:
            return _export(turn)
        case Action.FORGET:
            return _ask_to_forget(turn)
        case Action.FORGET_YES:
            if pressed.args[0] != str(len(turn.view.story_list or ())):
                return replace(_ask_to_forget(turn, edit=True), notice=texts.forget_changed)
            gone = Reply(texts.forgotten, edit=True)
            return Outcome(State(), (gone,), (ForgetPerson(),))
        case Action.FORGET_NO:
            return turn.outcome(None, Reply(texts.forget_cancelled, edit=True), *where_we_are(turn))
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def overview(turn: Turn) -> Reply:
    """What is kept, where, for how long, who sees what; with export and forget buttons."""
    texts = turn.guide.privacy
    policy = turn.view.policy
    text = texts.overview.strip().format(
        min_group=policy.min_group_size, retention=_how_long(turn.guide, policy.retention)
    )
    buttons = (
        (Button(texts.export_button, encode(Action.EXPORT)),),
        (Button(texts.forget_button, encode(Action.FORGET)),),
    )
    return Reply(text, buttons)


def _how_long(guide: Guide, retention: Retention) -> str:
    texts = guide.privacy
    if retention.forever:
        return texts.kept_forever
    return texts.kept_for.format(period=period(retention, guide.language))


def period(retention: Retention, language: str) -> str:
    """'5 years', '400 dagen': the retention period in words."""
    if retention.days is not None:
        unit, amount = "duration-day", retention.days
    else:
        unit, amount = "duration-year", retention.years or 0
    from babel.units import format_unit  # on first use, as in flows.dates

    return str(format_unit(amount, unit, length="long", locale=language))


def amounts(guide: Guide, stories: int, checkins: int) -> str:
    """'3 stories and 2 check-ins', '1 story': how much a person has, in words."""
    texts = guide.privacy
    said_stories = guide.counted(stories, texts.stories_one, texts.stories_other)
    said_checkins = guide.counted(checkins, texts.checkins_one, texts.checkins_other)
    if not checkins:
        return said_stories
    if not stories:
        return said_checkins
    return texts.stories_and_checkins.format(stories=said_stories, checkins=said_checkins)


def _counted(guide: Guide, headers: tuple[StoryHeader, ...]) -> str:
    checkins = sum(1 for h in headers if h.kind is StoryKind.CHECKIN)
    return amounts(guide, len(headers) - checkins, checkins)


def _ask_to_forget(turn: Turn, *, edit: bool = False) -> Outcome:
    """Ask once, saying how many stories would go; the answer carries that number."""
    texts = turn.guide.privacy
    headers = turn.view.story_list or ()
    question = texts.forget_sure.format(stories=_counted(turn.guide, headers))
    if not headers:
        question = texts.forget_sure_nothing
    buttons = (
        (Button(texts.forget_yes, encode(Action.FORGET_YES, str(len(headers)))),),
        (Button(texts.forget_no, encode(Action.FORGET_NO)),),
    )
    return turn.outcome(None, Reply(question, buttons, edit=edit))


def _export(turn: Turn) -> Outcome:
    """Two documents: a readable Markdown file and the same data as JSON."""
    record = turn.view.record
    if record is None:  # the runner loads it whenever ``needs`` asks; never expected
        return turn.outcome(None, Reply(turn.guide.texts.error))
    texts = turn.guide.privacy
    readable, data = export_render.files(record, turn.guide, turn.view.now)
    replies = (
        Reply(texts.export_caption, file=readable),
        Reply(texts.export_json_caption, file=data),
    )
    return turn.outcome(None, *replies, *where_we_are(turn))


def retention_notice(
    language: str, retention: Retention, stories: int, checkins: int, on: date
) -> Reply:
    """Told ahead: how much retention deletes, from which day, with an offer to export."""
    guide = guide_for(language)
    texts = guide.privacy
    text = texts.retention_notice.format(
        period=period(retention, language),
        date=short_date(on, language),
        stories=amounts(guide, stories, checkins),
    )
    return Reply(text, ((Button(texts.export_button, encode(Action.EXPORT)),),))
