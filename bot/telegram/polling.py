"""Long polling that loses nothing: each batch is committed before the next is asked for.

The raw JSON of each update is what the inbox keeps (``getUpdates`` through
``do_api_request``: parsed once, never turned back into a dict).

python-telegram-bot's own updater asks for the next batch (which tells Telegram
the last one arrived) as soon as it has queued the current one in memory; a crash
then loses it. Here the offset moves on only once the batch is in the inbox.
Only the instance holding the sender lease polls (Telegram allows one poller).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.engine.engine import Engine
from bot.log_privacy import without_messages
from bot.telegram.updates import received_from
from storage.database import is_transient
from storage.inbox import Received

log = logging.getLogger(__name__)
MAX_BACKOFF = 5.0
POLL_READ_MARGIN = 10.0  # seconds to wait for an answer beyond the long poll itself
STORE_BACKOFF = 2.0  # an update waits in memory, unacknowledged: try again soon


async def poll(
    bot: ExtBot[None],
    engine: Engine,
    *,
    long_poll: int,
    allowed_updates: list[str],
    aside: Callable[[Mapping[str, Any]], bool] | None = None,
) -> None:
    """Poll Telegram while this instance leads; store every batch before acknowledging it.

    ``aside``: takes the updates that need no inbox (inline queries, ``bot.telegram.inline``).
    """
    offset: int | None = None
    webhook_deleted = False
    backoff = 0.5
    while True:
        if not engine.leadership():
            offset = None  # whoever leads meanwhile moved Telegram's offset on
            webhook_deleted = False
            await engine.leadership.wait_until_held()
        try:
            if not webhook_deleted:  # getUpdates is refused while a webhook is set
                await bot.delete_webhook()
                webhook_deleted = True
            raw = await bot.do_api_request(
                "getUpdates",
                {"offset": offset, "timeout": long_poll, "allowed_updates": allowed_updates},
                read_timeout=long_poll + POLL_READ_MARGIN,
            )
        except Conflict:
            log.warning("another process polls this bot; waiting")
            await asyncio.sleep(2 * MAX_BACKOFF)
            continue
        except (NetworkError, TelegramError) as exc:
            log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 0.5
        if not raw:
            continue
        kept = [data for data in raw if aside is None or not aside(data)]
        if kept:
            await _store(engine, [received_from(bot, data) for data in kept])
        offset = raw[-1]["update_id"] + 1


async def _store(engine: Engine, received: list[Received]) -> None:
    """Commit a batch, trying again until the database takes it (the offset waits)."""
    backoff = 0.2
    while True:
        try:
            await engine.receive(received, at_once=True)
            return
        except Exception as exc:
            if is_transient(exc):
                log.warning("cannot store updates yet (%s); retrying", type(exc).__name__)
            else:
                log.error("cannot store updates: %s", without_messages(exc))
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, STORE_BACKOFF)
