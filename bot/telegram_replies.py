"""Rendering flow replies as Telegram messages, keyboards and callback answers."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.log_privacy import without_messages
from flows.render import MESSAGE_LIMIT, fit
from flows.replies import Outcome, Reply

log = logging.getLogger(__name__)
NOTICE_LIMIT = 200  # Telegram's limit for callback answers
CAPTION_LIMIT = 1024


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply, or None when it has no buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


async def _edit(message: Message, reply: Reply) -> bool:
    """Replace a message's text and buttons; False when Telegram will not edit it."""
    try:
        await message.edit_text(fit(reply.text, MESSAGE_LIMIT), reply_markup=keyboard(reply))
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True
        log.info("could not edit a message; sending a new one: %s", without_messages(exc))
        return False
    return True


async def _send_file(bot: ExtBot[None], chat_id: int, reply: Reply) -> None:
    """A document or a picture, with the reply's text as its caption."""
    assert reply.file is not None
    caption = fit(reply.text, CAPTION_LIMIT) or None
    upload = InputFile(reply.file.data, filename=reply.file.filename)
    if reply.file.picture:
        await bot.send_photo(chat_id, upload, caption=caption, reply_markup=keyboard(reply))
    else:
        await bot.send_document(chat_id, upload, caption=caption, reply_markup=keyboard(reply))


async def send_outcome(
    bot: ExtBot[None], chat_id: int, outcome: Outcome | None, query: CallbackQuery | None = None
) -> None:
    """Send what a flow decided: answer the button press, edit or send messages."""
    if query is not None:
        notice = fit(outcome.notice, NOTICE_LIMIT) if outcome and outcome.notice else None
        await query.answer(notice)
    if outcome is None:
        return
    editable = query.message if query and isinstance(query.message, Message) else None
    for reply in outcome.replies:
        if reply.file is not None:
            await _send_file(bot, chat_id, reply)
            continue
        if reply.edit and editable is not None and await _edit(editable, reply):
            editable = None  # edit only the message the button was on, once
            continue
        await bot.send_message(
            chat_id, fit(reply.text, MESSAGE_LIMIT), reply_markup=keyboard(reply)
        )
