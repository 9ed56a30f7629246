"""The baseline of bench/bench_engine.py: a bare python-telegram-bot echo bot.

Usage (started by the benchmark):
    BENCH_TOKEN=... BENCH_BASE_URL=... BENCH_BASE_FILE_URL=... BENCH_RATE=30 \\
        .venv/bin/python bench/echo_bot.py

Updater polling, AIORateLimiter (BENCH_RATE messages per second overall), a
MessageHandler that echoes a text with a one-button keyboard, and a
CallbackQueryHandler that answers the press and edits the message. It imports
nothing of Leerverhaal, so its memory is PTB's own.

BENCH_MESSAGES (optional, comma-separated counts, one per step of the benchmark's
script): the messages to send for each step, the echo or edit included, so that
the echo bot sends as many messages as the bot it is compared with. Each chat's
updates are counted to know its step.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

TAP = "Tap"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton(TAP, callback_data="tap")]])
edits = itertools.count(1)
MESSAGES = [int(n) for n in os.environ.get("BENCH_MESSAGES", "1").split(",")]
steps: Counter[int] = Counter()


def messages_now(chat_id: int) -> int:
    """How many messages this chat's current step sends (and count the step)."""
    step = steps[chat_id]
    steps[chat_id] += 1
    return max(MESSAGES[step % len(MESSAGES)], 1)


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back, with the button."""
    message = update.effective_message
    assert message is not None and message.text is not None
    for _ in range(messages_now(message.chat_id)):
        await message.reply_text(message.text, reply_markup=KEYBOARD)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit its message (to a new text: Telegram refuses no-op edits)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await query.edit_message_text(f"Tapped {next(edits)}", reply_markup=KEYBOARD)
    for _ in range(messages_now(query.message.chat.id) - 1):
        await query.message.reply_text(f"Tapped {next(edits)}", reply_markup=KEYBOARD)


def main() -> None:
    rate = float(os.environ["BENCH_RATE"])
    application = (
        Application.builder()
        .token(os.environ["BENCH_TOKEN"])
        .base_url(os.environ["BENCH_BASE_URL"])
        .base_file_url(os.environ["BENCH_BASE_FILE_URL"])
        .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(
        poll_interval=0, timeout=10, allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY]
    )


if __name__ == "__main__":
    main()
