"""A simulated person who talks to the bot through the fake server."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._model import BotMessage, Button, CallbackAnswer, ChatState, UploadedFile, keyboard_rows
from ._wire import utf16_len

if TYPE_CHECKING:
    from ._server import FakeTelegram

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}")
_ids = itertools.count(1)


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities (offsets in UTF-16 units) in a text."""
    found = [("bot_command", m) for m in _COMMAND.finditer(text)]
    found += [("mention", m) for m in _MENTION.finditer(text)]
    found.sort(key=lambda kind_match: kind_match[1].start())
    return [
        {
            "type": kind,
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for kind, m in found
    ]


class FakeUser:
    """A person in a private chat with the bot (chat id = user id).

    ``send*``/``press``/``edit`` queue an update and reset the "new messages" mark;
    ``wait_for_message``/``wait_for_edit`` wait for bot output after that mark.
    """

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat: ChatState = tg.chat_state(self._chat_dict())
        self._seen_messages = 0
        self._seen_edits = 0
        self._last_query: str | None = None

    def __repr__(self) -> str:
        return f"<FakeUser {self.id}>"

    @property
    def chat_id(self) -> int:
        """The private chat id (same as the user id)."""
        return self.id

    @property
    def user_dict(self) -> dict[str, Any]:
        """The User JSON object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    def _chat_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # --- acting -----------------------------------------------------------------------------

    def mark(self) -> None:
        """Treat everything the bot sent so far as seen."""
        self._seen_messages = len(self.chat.bot_messages)
        self._seen_edits = len(self.chat.edit_log)

    def _post(
        self, content: dict[str, Any], chat: ChatState | None = None, reply_to: int | None = None
    ) -> int:
        chat = chat or self.chat
        if reply_to is not None:
            target = chat.bot_message(reply_to)
            replied = target.to_api() if target else chat.user_messages.get(reply_to)
            if replied is None:
                raise AssertionError(f"no message #{reply_to} to reply to in that chat")
            content["reply_to_message"] = replied
        message = {
            "message_id": chat.take_message_id(),
            "from": self.user_dict,
            "chat": chat.chat,
            "date": int(time.time()),
            **content,
        }
        chat.user_messages[message["message_id"]] = message
        self.mark()
        self.tg.enqueue("message", message)
        return int(message["message_id"])

    def _file(
        self, kind: str, content: bytes, filename: str | None = None, mime_type: str | None = None
    ) -> dict[str, Any]:
        number = next(_ids)
        file = UploadedFile(
            kind,
            f"{kind[:2].upper()}user{self.id}_{number}",
            f"uu{number}",
            filename,
            mime_type,
            content,
            chat_id=self.id,
        )
        self.tg.register_file(file)
        data = file.to_api()
        data["file_size"] = len(content)
        return data

    @staticmethod
    def _text(text: str, key: str = "text") -> dict[str, Any]:
        content: dict[str, Any] = {key: text}
        entities = command_entities(text)
        if entities:
            content["entities" if key == "text" else "caption_entities"] = entities
        return content

    async def send(self, text: str, *, reply_to: int | None = None) -> int:
        """Send a text (commands get bot_command entities); returns the message id."""
        return self._post(self._text(text), reply_to=reply_to)

    async def send_sticker(self, emoji: str = "👍") -> int:
        """Send a sticker."""
        sticker = self._file("sticker", b"RIFF-fake-webp")
        sticker.update(
            type="regular", width=512, height=512, is_animated=False, is_video=False, emoji=emoji
        )
        return self._post({"sticker": sticker})

    async def send_photo(
        self, caption: str | None = None, *, content: bytes = b"\x89PNG fake photo"
    ) -> int:
        """Send a photo (downloadable by the bot via getFile)."""
        photo = self._file("photo", content)
        small = {**photo, "width": 90, "height": 67}
        payload: dict[str, Any] = {"photo": [small, photo]}
        if caption:
            payload.update(self._text(caption, "caption"))
        return self._post(payload)

    async def send_voice(self, duration: int = 3, *, content: bytes = b"OggS fake voice") -> int:
        """Send a voice note."""
        voice = self._file("voice", content, mime_type="audio/ogg")
        voice["duration"] = duration
        return self._post({"voice": voice})

    async def send_document(
        self,
        file_name: str = "notes.txt",
        content: bytes = b"notes",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> int:
        """Send a document."""
        payload: dict[str, Any] = {
            "document": self._file("document", content, file_name, mime_type)
        }
        if caption:
            payload.update(self._text(caption, "caption"))
        return self._post(payload)

    async def send_location(self, latitude: float, longitude: float) -> int:
        """Send a location."""
        return self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(
        self, phone_number: str = "+31612345678", first_name: str | None = None, *, own: bool = True
    ) -> int:
        """Send a contact (by default the person's own)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if own:
            contact["user_id"] = self.id
        return self._post({"contact": contact})

    async def send_in_group(
        self, group_chat_id: int, text: str, *, chat_type: str = "group", title: str = "Test group"
    ) -> int:
        """Send a text in a group chat (negative id, type "group" or "supergroup")."""
        if group_chat_id >= 0 or chat_type not in ("group", "supergroup"):
            raise ValueError("group chats have negative ids and type group/supergroup")
        chat = self.tg.chat_state({"id": group_chat_id, "type": chat_type, "title": title})
        return self._post(self._text(text), chat=chat)

    async def edit(self, message_id: int, text: str) -> int:
        """Edit an own text message in the private chat (edited_message update)."""
        old = self.chat.user_messages.get(message_id)
        if old is None or "text" not in old:
            raise AssertionError(f"person has no text message #{message_id} to edit")
        new = {key: value for key, value in old.items() if key != "entities"}
        new.update(self._text(text), edit_date=int(time.time()))
        self.chat.user_messages[message_id] = new
        self.mark()
        self.tg.enqueue("edited_message", new)
        return message_id

    def _press_target(self, data: str, message_id: int | None, forged: bool) -> BotMessage:
        if message_id is not None:
            message = self.chat.bot_message(message_id)
            if message is None:
                raise AssertionError(f"no live bot message #{message_id} in chat {self.id}")
            return message
        with_keyboard = [m for m in reversed(self.messages) if m.has_inline_keyboard]
        for message in with_keyboard:
            if data in message.callback_data:
                return message
        if forged and with_keyboard:
            return with_keyboard[0]
        if forged and self.messages:
            return self.messages[-1]
        raise AssertionError(f"no bot message in chat {self.id} has a button with that data")

    async def press(
        self, callback_data: str, message_id: int | None = None, *, forged: bool = False
    ) -> str:
        """Press a callback button (``forged=True`` sends data no button has); returns query id."""
        message = self._press_target(callback_data, message_id, forged)
        if not forged and callback_data not in message.callback_data:
            raise AssertionError(f"message #{message.message_id} has no button with that data")
        query_id = str(4_000_000_000_000 + next(_ids))
        self._last_query = query_id
        self.mark()
        self.tg.enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": self.user_dict,
                "chat_instance": f"ci{self.id}",
                "message": message.to_api(),
                "data": callback_data,
            },
        )
        return query_id

    async def press_button(self, label: str, message_id: int | None = None) -> str:
        """Press the callback button with this label (last message that has one)."""
        candidates = [self.chat.bot_message(message_id)] if message_id else reversed(self.messages)
        for message in candidates:
            if message and label in [text for text, data in message.buttons if data]:
                return await self.press(message.data_for(label), message.message_id)
        raise AssertionError(f"no callback button with that label in chat {self.id}")

    async def block(self, *, notify: bool = True) -> None:
        """Block the bot (403 for its calls); by default send the my_chat_member update."""
        self.tg.block(self.id)
        if notify:
            self._member_update("member", "kicked")

    async def unblock(self, *, notify: bool = True) -> None:
        """Unblock the bot."""
        self.tg.unblock(self.id)
        if notify:
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.tg.bot_user}
            return {**data, "until_date": 0} if status == "kicked" else data

        self.tg.enqueue(
            "my_chat_member",
            {
                "chat": self.chat.chat,
                "from": self.user_dict,
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # --- reading ----------------------------------------------------------------------------

    @property
    def all_messages(self) -> list[BotMessage]:
        """Every bot message to this chat in order, deleted ones included."""
        return list(self.chat.bot_messages)

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages the person can still see, in order."""
        return [m for m in self.chat.bot_messages if not m.deleted]

    @property
    def new_messages(self) -> list[BotMessage]:
        """Bot messages sent after the last action/mark."""
        return self.chat.bot_messages[self._seen_messages :]

    @property
    def last_message(self) -> BotMessage:
        """The newest visible bot message."""
        if not self.messages:
            raise AssertionError(f"the bot has sent no (visible) messages to chat {self.id}")
        return self.messages[-1]

    def buttons(self, message: BotMessage | int | None = None) -> list[list[Button]]:
        """Keyboard rows of (label, callback_data) of a message (default: the last one)."""
        if isinstance(message, int):
            message = self.chat.bot_message(message)
            if message is None:
                raise AssertionError(f"no live bot message with that id in chat {self.id}")
        return (message or self.last_message).keyboard

    @property
    def reply_keyboard(self) -> list[list[Button]]:
        """The reply keyboard currently shown (empty after ReplyKeyboardRemove)."""
        for message in reversed(self.chat.bot_messages):
            markup = message.reply_markup or {}
            if "keyboard" in markup or markup.get("remove_keyboard"):
                return keyboard_rows(markup)
        return []

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Answers to this person's button presses."""
        return [a for a in self.tg.callback_answers if a.chat_id == self.id]

    async def wait_for_message(
        self,
        count: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Wait for the ``count``-th (default 1st) new bot message matching ``predicate``.

        Messages up to the returned one count as seen for the next call.
        """
        wanted = count or 1

        def ready() -> BotMessage | None:
            new = self.chat.bot_messages[self._seen_messages :]
            matching = [m for m in new if predicate is None or predicate(m)]
            return matching[wanted - 1] if len(matching) >= wanted else None

        message = await self.tg.wait_for(
            ready,
            timeout,
            what=lambda: (
                f"{wanted} new bot message(s) in chat {self.id} (new so far: {self.new_messages!r})"
            ),
        )
        self._seen_messages = self.chat.bot_messages.index(message) + 1
        return message

    async def wait_for_edit(
        self,
        message_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """Wait until the bot edits a message (or the given one) after the last action."""

        def ready() -> int | None:
            for position, edited in enumerate(self.chat.edit_log[self._seen_edits :]):
                if message_id is None or edited == message_id:
                    return self._seen_edits + position + 1
            return None

        position = await self.tg.wait_for(ready, timeout, what=f"an edit in chat {self.id}")
        self._seen_edits = position
        message = self.chat.bot_message(self.chat.edit_log[position - 1])
        if message is None:
            raise AssertionError("the edited message was deleted")
        return message

    async def wait_for_answer(self, timeout: float = 10.0) -> CallbackAnswer:  # noqa: ASYNC109
        """Wait for the bot to answer this person's last button press."""

        def ready() -> CallbackAnswer | None:
            return next(
                (a for a in self.tg.callback_answers if a.query_id == self._last_query), None
            )

        return await self.tg.wait_for(ready, timeout, what=f"a callback answer in chat {self.id}")
