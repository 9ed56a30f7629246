"""Plain records the fake server keeps: bot messages, files, calls, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

Button = tuple[str, str | None]
"""A keyboard button as (label, callback_data); callback_data is None for non-callback buttons."""

INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


class ApiError(Exception):
    """A Bot API error answer; ``violation`` marks a mistake of the bot under test."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        violation: bool = True,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.violation = violation
        self.injected = injected

    def to_json(self) -> dict[str, Any]:
        """The response body in Bot API shape."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class ApiCall(NamedTuple):
    """One request the bot made (getUpdates excluded)."""

    method: str
    params: dict[str, Any]

    def __repr__(self) -> str:  # never show message texts
        return f"ApiCall({self.method}, chat_id={self.params.get('chat_id')!r})"


@dataclass(frozen=True)
class ErrorRecord:
    """An error answer the server gave; ``violation`` is False for injected/expected ones."""

    method: str
    chat_id: int | str | None
    error_code: int
    description: str
    violation: bool
    injected: bool = False


@dataclass
class Failure:
    """An injected failure waiting for a matching call."""

    method: str  # lower-case
    chat_id: int | str | None
    error: ApiError
    times: int


@dataclass
class UploadedFile:
    """A file the bot sent (document/photo) or a person sent."""

    kind: str
    file_id: str
    file_unique_id: str
    filename: str | None = None
    mime_type: str | None = None
    content: bytes | None = field(default=None, repr=False)
    caption: str | None = field(default=None, repr=False)
    chat_id: int | None = None
    message_id: int | None = None

    @property
    def size(self) -> int:
        """Content size in bytes (0 when only a file_id/URL was given)."""
        return len(self.content or b"")

    def to_api(self) -> dict[str, Any]:
        """The Document (or single PhotoSize) JSON object."""
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.kind == "photo":
            data.update(width=800, height=600)
        else:
            if self.filename:
                data["file_name"] = self.filename
            if self.mime_type:
                data["mime_type"] = self.mime_type
        if self.content is not None:
            data["file_size"] = self.size
        return data


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call for a query a person made."""

    query_id: str
    data: str | None
    chat_id: int | None
    message_id: int | None
    text: str | None = field(default=None, repr=False)
    show_alert: bool = False
    url: str | None = None


class MessageVersion(NamedTuple):
    """An earlier state of an edited bot message."""

    text: str | None
    raw_text: str | None
    reply_markup: dict[str, Any] | None


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent; ``text`` is what the person sees (caption for media)."""

    chat: dict[str, Any]
    sender: dict[str, Any]
    message_id: int
    date: int
    kind: str  # "text", "document" or "photo"
    text: str | None
    raw_text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    file: UploadedFile | None = None
    history: list[MessageVersion] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False

    def __repr__(self) -> str:
        size = len(self.text) if self.text is not None else None
        data = [d for _, d in self.buttons]
        extra = f", edits={len(self.history)}" if self.history else ""
        gone = ", deleted" if self.deleted else ""
        return f"<BotMessage #{self.message_id} {self.kind} len={size} data={data}{extra}{gone}>"

    @property
    def chat_id(self) -> int:
        """The chat the message is in."""
        return int(self.chat["id"])

    @property
    def keyboard(self) -> list[list[Button]]:
        """Rows of (label, callback_data) of the attached inline or reply keyboard."""
        return keyboard_rows(self.reply_markup)

    @property
    def buttons(self) -> list[Button]:
        """All buttons, row by row."""
        return [button for row in self.keyboard for button in row]

    @property
    def callback_data(self) -> list[str]:
        """Callback data of all callback buttons."""
        return [data for _, data in self.buttons if data is not None]

    @property
    def has_inline_keyboard(self) -> bool:
        """Whether an inline keyboard with at least one button is attached."""
        return bool(self.reply_markup and self.reply_markup.get("inline_keyboard"))

    @property
    def texts(self) -> list[str | None]:
        """Every version of the text, oldest first, ending with the current one."""
        return [version.text for version in self.history] + [self.text]

    @property
    def edited(self) -> bool:
        """Whether the message was edited at least once."""
        return bool(self.history)

    def data_for(self, label: str) -> str:
        """The callback data of the button with this label."""
        for text, data in self.buttons:
            if text == label and data is not None:
                return data
        raise AssertionError(f"message #{self.message_id} has no callback button with that label")

    def update(
        self, text: str | None, raw_text: str | None, markup: dict[str, Any] | None, edit_date: int
    ) -> None:
        """Apply an edit, keeping the old state in ``history``."""
        self.history.append(MessageVersion(self.text, self.raw_text, self.reply_markup))
        self.text, self.raw_text, self.reply_markup = text, raw_text, markup
        self.edit_date = edit_date

    def to_api(self) -> dict[str, Any]:
        """The Message JSON object as Telegram returns it."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.kind == "text":
            data["text"] = self.text
        elif self.file is not None:
            data[self.kind] = [self.file.to_api()] if self.kind == "photo" else self.file.to_api()
            if self.text:
                data["caption"] = self.text
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.has_inline_keyboard:
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class ChatState:
    """Everything in one chat: message id counter, bot messages, person messages."""

    chat: dict[str, Any]
    next_message_id: int = 1
    bot_messages: list[BotMessage] = field(default_factory=list)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    edit_log: list[int] = field(default_factory=list)

    def take_message_id(self) -> int:
        """The next message id (shared by person and bot messages)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_message(self, message_id: object) -> BotMessage | None:
        """The live bot message with this id, if any."""
        for message in self.bot_messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


def keyboard_rows(markup: dict[str, Any] | None) -> list[list[Button]]:
    """Rows of (label, callback_data) for an inline or reply keyboard markup."""
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [
            [(str(b.get("text", "")), b.get("callback_data")) for b in row]
            for row in markup["inline_keyboard"]
        ]
    rows = markup.get("keyboard") or []
    return [
        [(b if isinstance(b, str) else str(b.get("text", "")), None) for b in row] for row in rows
    ]
