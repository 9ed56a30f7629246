"""Request decoding and Telegram's text and keyboard rules."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from aiohttp import web

from ._model import INLINE_ACTIONS, ApiError

# Parameters that are plain strings even when they look like JSON (PTB sends strings raw).
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "next_offset",
        "inline_message_id",
        "action",
        "url",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "secret_token",
        "ip_address",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "document",
        "photo",
        "audio",
        "voice",
        "video",
        "animation",
        "sticker",
        "thumbnail",
    }
)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


class Upload(NamedTuple):
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


def decode_value(name: str, value: Any) -> Any:
    """Decode a JSON-encoded form value unless the field is a plain string."""
    if not isinstance(value, str) or name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters (query, JSON, urlencoded or multipart) and uploaded files of a request."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON request body must be an object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
    return {key: decode_value(key, value) for key, value in raw.items()}, files


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def _entities_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


class _HtmlText(HTMLParser):
    """Extracts visible text and checks tags like Telegram's HTML parse mode."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS or (tag == "span" and ("class", "tg-spoiler") not in attrs):
            raise _entities_error(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _entities_error(f'Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            expected = f'"</{self.stack[-1]}>"' if self.stack else "nothing"
            raise _entities_error(f'Unmatched end tag "{tag}", expected {expected}')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _render_html(text: str) -> str:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1]
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(parser.parts)


def _render_markdown_v2(text: str) -> str:
    out: list[str] = []
    marks: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                raise _entities_error("Character '\\' is reserved and must be escaped")
            out.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise _entities_error(f"Can't find end of {kind} entity")
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]
            out.append(body.replace("\\`", "`").replace("\\\\", "\\"))
            i = end + len(fence)
            continue
        mark = text[i : i + 2] if text[i : i + 2] in ("__", "||") else c
        if mark in ("*", "_", "__", "~", "||", "["):
            if mark in marks and mark != "[":
                del marks[marks.index(mark) :]
            else:
                marks.append(mark)
            i += len(mark)
            continue
        if c == "]" and "[" in marks:
            del marks[marks.index("[") :]
            if text.startswith("(", i + 1):
                end = text.find(")", i + 2)
                if end < 0:
                    raise _entities_error("Can't find end of a URL")
                i = end + 1
            else:
                i += 1
            continue
        line_start = i == 0 or text[i - 1] == "\n"
        if (
            c in _MDV2_RESERVED
            and not (c == ">" and line_start)
            and not (c == "!" and text.startswith("[", i + 1))
        ):
            raise _entities_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        if c not in ">!":
            out.append(c)
        i += 1
    if marks:
        raise _entities_error(f"Can't find end of the entity starting with '{marks[-1]}'")
    return "".join(out)


def _render_markdown(text: str) -> str:
    for mark in ("*", "_", "`"):
        if text.count(mark) % 2:
            raise _entities_error("Can't find end of the entity")
    return text.replace("*", "").replace("_", "").replace("`", "")


def render(text: str, parse_mode: object) -> str:
    """The visible text after applying ``parse_mode`` (raises on malformed markup)."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    if mode:
        raise ApiError(400, f'Bad Request: unsupported parse_mode "{parse_mode}"')
    return text


def check_text(text: object, parse_mode: object, *, caption: bool = False) -> str | None:
    """Validate a message text (or caption) and return its visible form."""
    if text is None and caption:
        return None
    if not isinstance(text, str) or not text.strip():
        if caption:
            return None
        raise ApiError(400, "Bad Request: message text is empty")
    visible = render(text, parse_mode)
    if caption and utf16_len(visible) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    if not caption and not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if not caption and utf16_len(visible) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    return visible


def _check_inline_button(button: object) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise ApiError(
            400, "Bad Request: can't parse inline keyboard button: Text must be non-empty"
        )
    if not INLINE_ACTIONS.intersection(button):
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        parts = urlsplit(str(button["url"]))
        if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.path):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


def check_markup(markup: object, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate reply_markup; returns it normalised (an empty inline keyboard is None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup")
        buttons = [button for row in rows for button in row]
        for button in buttons:
            _check_inline_button(button)
        if len(buttons) > 100:
            raise ApiError(400, "Bad Request: reply markup is too long")
        return markup if buttons else None
    if inline_only:
        raise ApiError(400, "Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse keyboard markup")
        for button in (b for row in rows for b in row):
            label = button if isinstance(button, str) else dict(button).get("text")
            if not label:
                raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
