"""Inline mode: ``@bot`` typed in any chat offers the person their own invitation cards
(``flows.menu.inline`` decides what; this turns it into Telegram's inline results).

Inline queries skip the durable inbox on purpose. An answer is only of use within
seconds, Telegram never sends a query again once it was taken, and a lost one costs
nothing: the person types again, and nothing is stored or changed by it. So each is
answered at once in a task of its own, beside the lanes of the chat updates (a few at
a time), and never logged: neither the query text (which the bot does not use) nor
who asked. Telegram sends them only once inline mode is on (BotFather: /setinline).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.telegram.updates import CHANNEL
from flows.content.guide import language_from_telegram
from flows.menu.inline import InlineArticle, InlineOffer, inline_offer
from flows.menu.invitation_data import InvitationView
from storage.crypto import TextCipher
from storage.database import Database
from storage.invitations import Invitations
from storage.repositories import People

log = logging.getLogger(__name__)
INLINE_QUERY = "inline_query"
AT_ONCE = 4  # inline queries answered at the same time (one short read each)
WAITING = 64  # more waiting than this: the newest are dropped (the person types again)


class InlineCards:
    """Answers inline queries beside the chat updates; ``take`` is the intake's filter."""

    def __init__(self, bot: ExtBot[None], database: Database, cipher: TextCipher) -> None:
        self.bot = bot
        self.database = database
        self.cipher = cipher
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(AT_ONCE)

    def take(self, data: Mapping[str, Any]) -> bool:
        """True for an inline query, which is answered in a task of its own (not stored)."""
        raw = data.get(INLINE_QUERY)
        if raw is None:
            return False
        if len(self._tasks) >= WAITING:
            log.warning("inline mode: too many queries at once; one was left unanswered")
            return True
        task = asyncio.create_task(self._answer(raw), name="inline query")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def stop(self) -> None:
        """Cancel the answers still under way (they are of no use later)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _answer(self, raw: Mapping[str, Any]) -> None:
        try:
            query = InlineQuery.de_json(dict(raw), self.bot)
            async with self._slots:
                offer = await self.offer(query.from_user.id, query.from_user.language_code)
                await self.bot.answer_inline_query(
                    query.id,
                    [_article(article) for article in offer.articles],
                    cache_time=0,  # the cards change, and each person's are their own
                    is_personal=True,
                    button=_button(offer),
                )
        except TelegramError as exc:  # e.g. too late: the person already moved on
            log.info("inline mode: a query was not answered (%s)", type(exc).__name__)
        except Exception as exc:  # never the query or the cards in the log
            log.error("inline mode: a query failed (%s)", type(exc).__name__)

    async def offer(self, user_id: int, language_code: str | None) -> InlineOffer:
        """What this person is offered: their cards, in their language."""
        cards: tuple[InvitationView, ...] = ()
        async with self.database.transaction() as session:
            person = await People(session).find(CHANNEL, user_id)
            if person is not None:
                cards = await Invitations(session, self.cipher).cards(person.id)
        language = person.language if person else language_from_telegram(language_code)
        return inline_offer(language, cards, self.bot.username)


def _article(article: InlineArticle) -> InlineQueryResultArticle:
    link = InlineKeyboardButton(article.link_label, url=article.link)
    return InlineQueryResultArticle(
        id=article.id,
        title=article.title,
        description=article.description,
        input_message_content=InputTextMessageContent(article.text),
        reply_markup=InlineKeyboardMarkup([[link]]),
    )


def _button(offer: InlineOffer) -> InlineQueryResultsButton | None:
    if offer.button_label is None or offer.button_start is None:
        return None
    return InlineQueryResultsButton(offer.button_label, start_parameter=offer.button_start)
