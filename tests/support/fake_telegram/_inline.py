"""Inline mode in the fake server: a person's ``@bot`` query (an ``inline_query`` update)
and the bot's ``answerInlineQuery``, checked against Telegram's rules."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._model import ApiError
from ._wire import check_markup, check_text, utf16_len

if TYPE_CHECKING:
    from ._user import FakeUser

RESULTS_LIMIT = 50
RESULT_ID_LIMIT = 64  # bytes
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
_query_ids = itertools.count(7_000_000_000_000)


@dataclass
class InlineAnswer:
    """The bot's answer to one inline query, as the fake server took it."""

    query_id: str
    user_id: int
    results: list[dict[str, Any]]
    cache_time: int | None
    is_personal: bool
    button: dict[str, Any] | None
    answered_at: float = field(default_factory=time.monotonic)

    def result(self, result_id: str) -> dict[str, Any]:
        """The result with this id (what the person picks in the list)."""
        found = [r for r in self.results if r["id"] == result_id]
        assert len(found) == 1, f"no result {result_id!r} among {[r['id'] for r in self.results]}"
        return found[0]

    @property
    def texts(self) -> list[str]:
        """The message each result would send, in order."""
        return [r["input_message_content"]["message_text"] for r in self.results]


def _check_result(result: object, seen: set[str]) -> None:
    if not isinstance(result, dict) or result.get("type") not in RESULT_TYPES:
        raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= RESULT_ID_LIMIT:
        raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
    if result_id in seen:
        raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result["type"] == "article":
        if not str(result.get("title") or "").strip():
            raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
        check_text(content["message_text"], content.get("parse_mode"))
    if "reply_markup" in result:
        check_markup(result["reply_markup"], inline_only=True)


def _check_button(button: object) -> None:
    if button is None:
        return
    if not isinstance(button, dict) or not str(button.get("text") or "").strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    start = button.get("start_parameter")
    if ("web_app" in button) == (start is not None):
        raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
    if start is not None and not START_PARAMETER.fullmatch(str(start)):
        raise ApiError(400, "Bad Request: START_PARAM_INVALID")


class InlineMixin:
    """``answerInlineQuery`` and the person's side of inline mode; mixed into FakeTelegram."""

    bot_user: dict[str, Any]
    inline_answers: list[InlineAnswer]
    _open_inline: dict[str, dict[str, Any]]
    enqueue: Callable[[str, dict[str, Any]], int]  # FakeTelegram's: queue an update

    def inline_methods(self) -> dict[str, Any]:
        """Canonical method name -> handler."""
        return {"answerInlineQuery": self._answer_inline_query}

    def inline_query(self, user: FakeUser, query: str = "", chat_type: str = "sender") -> str:
        """``user`` types ``@bot <query>`` in a chat (of ``chat_type``); the query's id."""
        if utf16_len(query) > 256:
            raise ValueError("Telegram sends at most 256 characters of an inline query")
        query_id = str(next(_query_ids))
        payload = {
            "id": query_id,
            "from": user.user_dict,
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        }
        self._open_inline[query_id] = payload
        self.enqueue("inline_query", payload)
        return query_id

    def answer_to(self, query_id: str) -> InlineAnswer | None:
        """The bot's answer to an inline query, once given."""
        return next((a for a in self.inline_answers if a.query_id == query_id), None)

    def _answer_inline_query(self, params: dict[str, Any], files: Any) -> bool:
        query = self._open_inline.pop(str(params.get("inline_query_id")), None)
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if not self.bot_user.get("supports_inline_queries"):
            raise ApiError(400, "Bad Request: BOT_INLINE_DISABLED")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > RESULTS_LIMIT:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            _check_result(result, seen)
        cache_time = params.get("cache_time")
        if cache_time is not None and (not isinstance(cache_time, int) or cache_time < 0):
            raise ApiError(400, "Bad Request: CACHE_TIME_INVALID")
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        button = params.get("button")
        _check_button(button)
        self.inline_answers.append(
            InlineAnswer(
                str(query["id"]),
                int(query["from"]["id"]),
                results,
                cache_time,
                bool(params.get("is_personal")),
                button,
            )
        )
        return True
