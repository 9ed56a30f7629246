"""What a flow answers with, and what it asks storage to do, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.checkins.schedule import CheckinRule
from flows.documents.chart import Chart
from flows.documents.pdf import Document
from flows.menu.effects import NextStepEffect
from flows.menu.invitation_data import SaveInvitation
from flows.pair.data import PairEffect
from flows.states import State, StoryKind
from flows.teams.effects import TeamEffect


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data (at most 64 bytes), or a link
    (``url``) or, with ``inline_query`` (even ""), Telegram's chat picker that puts
    ``@bot <inline_query>`` in the chosen chat's message box (inline mode)."""

    label: str
    data: str = ""
    url: str | None = None
    inline_query: str | None = None

    @property
    def is_callback(self) -> bool:
        """Whether pressing it comes back to the bot as callback data."""
        return self.url is None and self.inline_query is None


@dataclass(frozen=True)
class File:
    """A file to hand over: a document (export) or a picture (chart).

    A PDF or a chart comes as a ``source`` to lay out or draw when it is sent (``data``
    then empty): ``flows.documents.pdf.Document``, ``flows.documents.chart.Chart``;
    ``content()`` gives the bytes either way.
    """

    filename: str
    data: bytes
    picture: bool = False
    source: Document | Chart | None = None

    def content(self) -> bytes:
        """The file's bytes, made from its source if it has one (slow: not on the loop)."""
        return self.source.render() if self.source is not None else self.data


@dataclass(frozen=True)
class Reply:
    """A message to show. ``edit`` replaces the message whose button was pressed.

    With a ``file``, the text is its caption (Telegram allows 1024 characters).
    With ``delete``, it shows nothing: those messages of the chat are deleted (the text is
    ignored; Telegram deletes only messages younger than 48 hours).
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    file: File | None = None
    delete: tuple[int, ...] = ()


@dataclass(frozen=True)
class CreateStory:
    """Start a new draft story with this id."""

    story_id: int
    kind: StoryKind


@dataclass(frozen=True)
class SaveAnswer:
    """Store the whole answer to one question (an upsert: safe to repeat)."""

    story_id: int
    question: str
    text: str | None
    choices: tuple[str, ...] = ()
    skipped: bool = False
    message_id: int | None = None
    detach_message: bool = False  # the answer no longer matches one message (edits ignored)


@dataclass(frozen=True)
class CompleteStory:
    """Mark a draft as complete: the person confirmed its card."""

    story_id: int


@dataclass(frozen=True)
class DeleteStory:
    """Delete a story and all of its answers."""

    story_id: int


@dataclass(frozen=True)
class ForgetPerson:
    """Delete everything about the person, their own row included (``/forget``)."""


@dataclass(frozen=True)
class SetLanguage:
    """Remember the language the person chose."""

    language: str


@dataclass(frozen=True)
class Welcomed:
    """The person was shown the long first welcome: later greetings are short."""


@dataclass(frozen=True)
class SaveCheckinRule:
    """Store new check-in settings and when the next check-in is due (None: none).

    ``on_delivery``: only once the check-in that says so has reached the person (the
    dispatcher stores it with the delivery; a check-in that never arrives changes nothing).
    """

    rule: CheckinRule
    next_at: datetime | None
    on_delivery: bool = False


@dataclass(frozen=True)
class SetNextCheckin:
    """Move the next check-in (snoozed, deferred), keeping the settings."""

    at: datetime | None


@dataclass(frozen=True)
class PersonActive:
    """The person wrote or tapped: they are reachable and no checkin is unanswered."""


Effect = (
    CreateStory
    | SaveAnswer
    | CompleteStory
    | DeleteStory
    | ForgetPerson
    | SetLanguage
    | Welcomed
    | SaveCheckinRule
    | SetNextCheckin
    | PersonActive
    | TeamEffect
    | NextStepEffect
    | SaveInvitation
    | PairEffect
)


@dataclass(frozen=True)
class Letter:
    """Messages for another person's chat (a pair interview's partner), sent with the step."""

    chat_id: int
    replies: tuple[Reply, ...]


@dataclass(frozen=True)
class Outcome:
    """The result of one step: new state, messages, storage effects, a toast, and
    ``letters`` to other chats."""

    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    notice: str | None = None
    letters: tuple[Letter, ...] = ()
