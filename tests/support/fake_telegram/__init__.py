"""A fake Telegram Bot API server for end-to-end tests with a real PTB Application.

Usage::

    async with FakeTelegram(token="123:ABC") as tg:
        app = (ApplicationBuilder().token(tg.token).base_url(tg.base_url)
               .base_file_url(tg.base_file_url).build())
        ...
        user = tg.user(42, "Ann", language_code="nl")
        await user.send("/start")
        reply = await user.wait_for_message()

Webhook mode: when the bot calls setWebhook (or a test calls ``tg.set_webhook(url)``),
queued updates are POSTed to the URL, one chat at a time and re-sent until answered 2xx;
``tg.spread_webhook([...])`` spreads them over several bot instances and
``await tg.wait_webhook_idle()`` waits until all were accepted.

Inline mode: ``tg.inline_query(user)`` is the person typing ``@bot`` in a chat;
``tg.answer_to(query_id)`` is the bot's ``answerInlineQuery`` (checked like Telegram does).

Faults: ``fail_next`` (error answers), ``delay``/``hold`` (slow answers that still take
effect) and ``reset_connections`` (no answer at all, no effect).
"""

from ._faults import BLOCKED, NOT_MODIFIED, Delay
from ._inline import InlineAnswer
from ._model import (
    ApiCall,
    ApiError,
    BotMessage,
    Button,
    CallbackAnswer,
    ErrorRecord,
    UploadedFile,
)
from ._server import FakeTelegram
from ._user import FakeUser
from ._webhook import SECRET_HEADER, WebhookAttempt
from ._wire import utf16_len

__all__ = [
    "BLOCKED",
    "NOT_MODIFIED",
    "SECRET_HEADER",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "Delay",
    "ErrorRecord",
    "FakeTelegram",
    "FakeUser",
    "InlineAnswer",
    "UploadedFile",
    "WebhookAttempt",
    "utf16_len",
]
