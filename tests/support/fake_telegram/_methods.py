"""Bot API method implementations of the fake server (everything except getUpdates)."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from ._faults import NOT_MODIFIED
from ._model import ApiError, BotMessage, CallbackAnswer, ChatState, UploadedFile
from ._wire import Upload, check_markup, check_text

Params = dict[str, Any]
Files = dict[str, Upload]
Handler = Callable[[Params, Files], Any]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
SETTINGS_METHODS = ("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton")


def commands_key(params: Params) -> tuple[str, str]:
    """Storage key of a command list: (scope as canonical JSON, language code)."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


class BotMethods:
    """Mixin with the method handlers; state lives on the FakeTelegram instance."""

    bot_user: dict[str, Any]
    callback_answers: list[CallbackAnswer]
    documents: list[UploadedFile]
    photos: list[UploadedFile]
    chat_actions: list[tuple[int, str]]
    commands: dict[tuple[str, str], list[dict[str, Any]]]
    bot_settings: dict[str, Params]
    send_times: dict[int, list[float]]
    _chats: dict[int, ChatState]
    _files: dict[str, UploadedFile]
    _open_queries: dict[str, dict[str, Any]]
    _file_ids: itertools.count[int]

    def method_table(self) -> dict[str, Handler]:
        """Canonical method name -> handler."""
        table: dict[str, Handler] = {
            "getMe": lambda p, f: self.bot_user,
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": lambda p, f: self._send_file("document", p, f),
            "sendPhoto": lambda p, f: self._send_file("photo", p, f),
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
        }
        for name in SETTINGS_METHODS:
            table[name] = self._setting(name)
        return table

    def _setting(self, name: str) -> Handler:
        def store(params: Params, files: Files) -> bool:
            self.bot_settings[name] = params
            return True

        return store

    # --- helpers ----------------------------------------------------------------------------

    def _chat_for(self, params: Params) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _message_for(self, params: Params, missing: str) -> tuple[ChatState, BotMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._chat_for(params)
        message = chat.bot_message(params.get("message_id"))
        if message is None:
            if params.get("message_id") in chat.user_messages and "edit" in missing:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, missing)
        return chat, message

    def _check_reply(self, chat: ChatState, params: Params) -> None:
        reply = params.get("reply_parameters") or {}
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or params.get("reply_to_message_id")
        allow = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if (
            target
            and not allow
            and chat.bot_message(target) is None
            and (target not in chat.user_messages)
        ):
            raise ApiError(400, "Bad Request: message to be replied not found")

    def _store(
        self,
        chat: ChatState,
        kind: str,
        text: str | None,
        params: Params,
        markup: dict[str, Any] | None,
        file: UploadedFile | None = None,
    ) -> BotMessage:
        message = BotMessage(
            chat=chat.chat,
            sender=self.bot_user,
            message_id=chat.take_message_id(),
            date=int(time.time()),
            kind=kind,
            text=text,
            raw_text=params.get("caption" if file else "text"),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            file=file,
        )
        chat.bot_messages.append(message)
        self.send_times.setdefault(message.chat_id, []).append(time.monotonic())
        return message

    def _edit(
        self,
        chat: ChatState,
        message: BotMessage,
        text: str | None,
        raw_text: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if (text, raw_text, markup) == (message.text, message.raw_text, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        message.update(text, raw_text, markup, int(time.time()))
        chat.edit_log.append(message.message_id)
        return message.to_api()

    # --- messages ---------------------------------------------------------------------------

    def _send_message(self, params: Params, files: Files) -> dict[str, Any]:
        chat = self._chat_for(params)
        text = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        self._check_reply(chat, params)
        return self._store(chat, "text", text, params, markup).to_api()

    def _edit_message_text(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._message_for(params, "Bad Request: message to edit not found")
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(chat, message, text, params.get("text"), markup)

    def _edit_message_caption(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._message_for(params, "Bad Request: message to edit not found")
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(chat, message, caption, params.get("caption"), markup)

    def _edit_message_reply_markup(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._message_for(params, "Bad Request: message to edit not found")
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(chat, message, message.text, message.raw_text, markup)

    def _delete_message(self, params: Params, files: Files) -> bool:
        chat = self._chat_for(params)
        message = chat.bot_message(params.get("message_id"))
        if message is not None:
            message.deleted = True
        elif chat.user_messages.pop(params.get("message_id"), None) is None:  # type: ignore[arg-type]
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _delete_messages(self, params: Params, files: Files) -> bool:
        """Up to 100 messages at once; the ones not found are skipped (as Telegram does)."""
        chat = self._chat_for(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must be a list of 1-100 ids")
        for message_id in ids:
            message = chat.bot_message(message_id)
            if message is not None:
                message.deleted = True
            else:
                chat.user_messages.pop(message_id, None)
        return True

    def _send_file(self, kind: str, params: Params, files: Files) -> dict[str, Any]:
        chat = self._chat_for(params)
        value = params.get(kind)
        upload = files.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is None and not (isinstance(value, str) and value):
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if upload is not None and not upload.content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = check_markup(params.get("reply_markup"))
        self._check_reply(chat, params)
        if upload is None:  # a file_id or URL
            known = self._files.get(str(value))
            file = UploadedFile(
                kind,
                str(value),
                f"u{value}"[:32],
                known.filename if known else None,
                known.mime_type if known else None,
                known.content if known else None,
            )
        else:
            number = next(self._file_ids)
            file = UploadedFile(
                kind,
                f"{kind[:2].upper()}bot{number}",
                f"ub{number}",
                upload.filename,
                upload.content_type,
                upload.content,
            )
            self._files[file.file_id] = file
        file.caption = params.get("caption")
        message = self._store(chat, kind, caption, params, markup, file)
        file.chat_id, file.message_id = message.chat_id, message.message_id
        (self.photos if kind == "photo" else self.documents).append(file)
        return message.to_api()

    def _send_chat_action(self, params: Params, files: Files) -> bool:
        chat = self._chat_for(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((int(chat.chat["id"]), str(action)))
        return True

    def _answer_callback_query(self, params: Params, files: Files) -> bool:
        query = self._open_queries.pop(str(params.get("callback_query_id")), None)
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        message = query.get("message") or {}
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query["id"],
                data=query.get("data"),
                chat_id=(message.get("chat") or {}).get("id"),
                message_id=message.get("message_id"),
                text=text,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
            )
        )
        return True

    def _get_file(self, params: Params, files: Files) -> dict[str, Any]:
        file = self._files.get(str(params.get("file_id")))
        if file is None or file.content is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
            "file_path": f"{file.kind}s/{file.file_id}",
        }

    # --- commands ---------------------------------------------------------------------

    def _set_my_commands(self, params: Params, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND_RE.fullmatch(str(item.get("command"))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description") or "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: Params, files: Files) -> list[dict[str, Any]]:
        return self.commands.get(commands_key(params), [])

    def _delete_my_commands(self, params: Params, files: Files) -> bool:
        self.commands.pop(commands_key(params), None)
        return True
