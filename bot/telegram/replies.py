"""Rendering flow replies as Telegram calls: one part of a delivery at a time.

A delivery's parts are, in order: the answer to the pressed button (when there
is one), then each reply. The first reply marked ``edit`` replaces the message
the button was on; should Telegram refuse that edit, it is sent as a new message.
What Telegram refuses is raised as the engine's delivery errors (``bot.engine.delivery``).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.error import TimedOut as TelegramTimedOut
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.engine.delivery import (
    Blocked,
    DeliveryError,
    RateLimited,
    Rejected,
    Sender,
    TimedOut,
    Unreachable,
)
from bot.log_privacy import without_messages
from bot.settings import Settings
from flows.render import MESSAGE_LIMIT, fit
from flows.replies import Button, Outcome, Reply
from storage.outbox import Delivery

log = logging.getLogger(__name__)
# Replies (``_call``) and getUpdates go through do_api_request on purpose; PTB advises
# its named methods for them each time.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
NOTICE_LIMIT = 200  # Telegram's limit for callback answers
CAPTION_LIMIT = 1024
NOT_MODIFIED = "not modified"
DELETE_LIMIT = 100  # message ids in one deleteMessages call


def inline_button(button: Button) -> InlineKeyboardButton:
    """A button as Telegram's: a link, the chat picker of inline mode, or callback data."""
    if button.url is not None:
        return InlineKeyboardButton(button.label, url=button.url)
    if button.inline_query is not None:
        return InlineKeyboardButton(button.label, switch_inline_query=button.inline_query)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply, or None when it has no buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[inline_button(b) for b in row] for row in reply.buttons])


def delivery_of(
    chat_id: int,
    outcome: Outcome | None,
    query_id: str | None = None,
    message_id: int | None = None,
) -> Delivery:
    """What a step says to a chat, with the button press it answers."""
    if outcome is None:
        return Delivery(chat_id, (), query_id)
    notice = fit(outcome.notice, NOTICE_LIMIT) if outcome.notice else None
    return Delivery(chat_id, outcome.replies, query_id, notice, message_id)


def _edit_index(delivery: Delivery) -> int | None:
    """Which reply replaces the button's message: the first marked ``edit``, if any."""
    if delivery.message_id is None:
        return None
    return next((i for i, reply in enumerate(delivery.replies) if reply.edit), None)


def retry_seconds(error: RetryAfter) -> float:
    """Telegram's ``retry_after`` in seconds."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def delivery_error(error: TelegramError) -> DeliveryError:
    """What Telegram answered, in the engine's words (without Telegram's message)."""
    if isinstance(error, RetryAfter):
        return RateLimited(retry_seconds(error))
    if isinstance(error, Forbidden):
        return Blocked()
    if isinstance(error, BadRequest):
        return Rejected()
    if isinstance(error, TelegramTimedOut):
        return TimedOut()
    if isinstance(error, NetworkError):
        return Unreachable()
    return DeliveryError()


@contextmanager
def delivery_errors() -> Iterator[None]:
    """Raise Telegram's errors inside as delivery errors (the original as their cause)."""
    try:
        yield
    except TelegramError as exc:
        raise delivery_error(exc) from exc


async def send_part(bot: ExtBot[None], delivery: Delivery, part: int) -> None:
    """Make the Bot API call for one part; raises a delivery error for what Telegram
    refused, except "message is not modified" (already as wanted) and a refused edit
    (sent anew)."""
    with delivery_errors():
        await _send_part(bot, delivery, part)


async def _send_part(bot: ExtBot[None], delivery: Delivery, part: int) -> None:
    if part == 0:
        if delivery.query_id is not None:
            await _answer_query(bot, delivery)
        return
    index = part - 1
    reply = delivery.replies[index]
    chat_id = delivery.chat_id
    if reply.file is not None:
        await _send_file(bot, chat_id, reply)
        return
    if reply.delete:
        await _delete(bot, chat_id, reply.delete)
        return
    if index == _edit_index(delivery) and await _edit(bot, delivery, reply):
        return
    text = fit(reply.text, MESSAGE_LIMIT)
    await _call(bot, "sendMessage", chat_id=chat_id, text=text, reply_markup=keyboard(reply))


async def _call(bot: ExtBot[None], method: str, **parameters: object) -> None:
    """A Bot API call whose answer nobody reads: ``do_api_request`` leaves Telegram's
    answer as JSON, where ``send_message`` and the like turn it into objects (a message
    with its keyboard: a good part of the CPU of every reply)."""
    given = {name: value for name, value in parameters.items() if value is not None}
    await bot.do_api_request(method, given)


async def _delete(bot: ExtBot[None], chat_id: int, message_ids: tuple[int, ...]) -> None:
    """Delete messages of a chat, up to 100 a call (Telegram skips the ones it cannot find);
    messages older than 48 hours Telegram refuses to delete: they stay, and it is logged."""
    for start in range(0, len(message_ids), DELETE_LIMIT):
        chunk = list(message_ids[start : start + DELETE_LIMIT])
        try:
            await _call(bot, "deleteMessages", chat_id=chat_id, message_ids=chunk)
        except BadRequest as exc:
            log.warning("could not delete %d messages: %s", len(chunk), without_messages(exc))


async def _answer_query(bot: ExtBot[None], delivery: Delivery) -> None:
    assert delivery.query_id is not None
    try:
        await bot.answer_callback_query(delivery.query_id, delivery.notice)
    except BadRequest as exc:  # too old (a reply that waited): the spinner stopped by itself
        log.info("could not answer a button press (%s): too old", type(exc).__name__)


async def _edit(bot: ExtBot[None], delivery: Delivery, reply: Reply) -> bool:
    """Replace the button's message; False when Telegram will not edit it."""
    try:
        await _call(
            bot,
            "editMessageText",
            chat_id=delivery.chat_id,
            message_id=delivery.message_id,
            text=fit(reply.text, MESSAGE_LIMIT),
            reply_markup=keyboard(reply),
        )
    except BadRequest as exc:
        if NOT_MODIFIED in exc.message.lower():
            return True
        log.info("could not edit a message; sending a new one: %s", without_messages(exc))
        return False
    return True


async def _send_file(bot: ExtBot[None], chat_id: int, reply: Reply) -> None:
    """A document or a picture, with the reply's text as its caption."""
    assert reply.file is not None
    caption = fit(reply.text, CAPTION_LIMIT) or None
    data = reply.file.data
    if reply.file.source is not None:  # laid out or drawn now, in a worker thread
        data = await asyncio.to_thread(reply.file.content)
    upload = InputFile(data, filename=reply.file.filename)
    if reply.file.picture:
        await bot.send_photo(chat_id, upload, caption=caption, reply_markup=keyboard(reply))
    else:
        await bot.send_document(chat_id, upload, caption=caption, reply_markup=keyboard(reply))


async def send_outcome(bot: ExtBot[None], chat_id: int, outcome: Outcome | None) -> None:
    """Send what a flow decided, directly (operator commands that run without the engine)."""
    delivery = delivery_of(chat_id, outcome)
    for part in range(1, delivery.parts):
        await send_part(bot, delivery, part)


@asynccontextmanager
async def telegram_sender(settings: Settings) -> AsyncIterator[Sender]:
    """Send outcomes through the configured bot (outside the running Application)."""
    telegram = settings.telegram
    bot: ExtBot[None] = ExtBot(
        telegram.read_token(), base_url=telegram.base_url, base_file_url=telegram.base_file_url
    )
    async with bot:

        async def send(chat_id: int, outcome: Outcome) -> None:
            await send_outcome(bot, chat_id, outcome)

        yield send
