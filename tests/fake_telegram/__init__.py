"""A fake Telegram Bot API server for end-to-end tests with a real PTB Application.

Usage::

    async with FakeTelegram(token="123:ABC") as tg:
        app = (ApplicationBuilder().token(tg.token).base_url(tg.base_url)
               .base_file_url(tg.base_file_url).build())
        ...
        user = tg.user(42, "Ann", language_code="nl")
        await user.send("/start")
        reply = await user.wait_for_message()
"""

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
from ._wire import utf16_len

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "ErrorRecord",
    "FakeTelegram",
    "FakeUser",
    "UploadedFile",
    "utf16_len",
]
