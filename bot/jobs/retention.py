"""The daily retention job: tell people ahead, then delete expired stories; and delete
invitation cards older than 30 days (``storage.invitations``), whatever the story period,
and pair interviews past their time (``storage.pairs``).

The rules (what expires when, who is told when) are in ``flows.policy`` and
``storage.retention``; the database says what is due, so a run missed during
downtime is caught up by the next one. A notice is recorded only after Telegram
accepted it: a notice that failed (network, Telegram down) is tried again by the
next daily run, and the stories wait. Someone who blocked the bot, or whose chat
is gone, can never be told: Telegram refuses for good, that counts as told, and
their stories go a week later, so the operator's period still holds. Should the
process stop between sending and recording, the notice is sent once more.
Someone who only ever used the terminal has no chat to send to: they are told
when ``leerverhaal chat`` next starts (``tell_on_arrival``); until then their
stories wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.engine.conversation import Clock, utc_now
from bot.engine.delivery import Blocked, DeliveryError, Rejected, Sender
from flows.policy import Retention
from flows.privacy.commands import retention_notice
from flows.replies import Outcome, Reply
from flows.states import State
from storage.database import Database
from storage.erasure import reclaim_space
from storage.invitations import delete_old_cards
from storage.pairs import delete_expired_pairs
from storage.repositories import People
from storage.retention import ExpiringStories, RetentionNotice

log = logging.getLogger(__name__)
EVERY = timedelta(days=1)
FIRST_RUN = timedelta(minutes=5)


@dataclass(frozen=True)
class RetentionReport:
    """What one run did, in numbers (never who)."""

    told: int = 0
    deleted: int = 0
    unreachable: int = 0  # blocked the bot or gone: counted as told
    cards: int = 0  # invitation cards deleted (older than 30 days)
    pairs: int = 0  # pair interviews deleted (expired: ``flows.pair.data.LIFETIME``)


def notice_reply(notice: RetentionNotice, retention: Retention, now: datetime) -> Reply:
    """The message: how many stories go, from which day, with an offer to export."""
    first = retention.first_deletion(notice.oldest_begun, now)
    return retention_notice(
        notice.language, retention, notice.stories, notice.checkins, first.date()
    )


@dataclass
class RetentionJob:
    """Tells people and deletes expired stories; run daily, or by ``leerverhaal retention run``."""

    database: Database
    retention: Retention
    send: Sender
    clock: Clock = utc_now

    async def run(self) -> RetentionReport:
        """Tell whoever is due a notice, then delete what has expired and was told."""
        now = self.clock()
        async with self.database.transaction() as session:
            cards = await delete_old_cards(session, now)
            pairs = await delete_expired_pairs(session, now)
        if cards or pairs:
            log.info("retention: %d invitation cards, %d pair interviews deleted", cards, pairs)
        cutoffs = self.retention.cutoffs(now)
        if cutoffs is None:
            return RetentionReport(cards=cards, pairs=pairs)
        async with self.database.transaction() as session:
            notices = await ExpiringStories(session).due_notices(cutoffs)
        told = unreachable = 0
        for notice in notices:
            if notice.chat_id is None:
                continue  # the terminal: told when the chat next starts
            reply = notice_reply(notice, self.retention, now)
            try:
                await self.send(notice.chat_id, Outcome(State(), (reply,)))
                told += 1
            except (Blocked, Rejected) as exc:  # refused for good: they cannot be told
                log.warning(
                    "retention: person %d cannot be told (%s); counted as told",
                    notice.person_id,
                    type(exc).__name__,
                )
                unreachable += 1
            except DeliveryError as exc:  # network, Telegram down: try again tomorrow
                log.warning(
                    "retention: person %d not told (%s); trying again next run",
                    notice.person_id,
                    type(exc).__name__,
                )
                continue
            async with self.database.transaction() as session:
                await ExpiringStories(session).mark_told(notice, now)
        async with self.database.transaction() as session:
            deleted = await ExpiringStories(session).delete_expired(cutoffs)
        if deleted or cards or pairs:
            await reclaim_space(self.database)
        log.info(
            "retention: %d people told, %d could not be, %d stories deleted",
            told,
            unreachable,
            deleted,
        )
        return RetentionReport(told, deleted, unreachable, cards, pairs)


async def tell_on_arrival(
    database: Database, retention: Retention, channel: str, external_id: int, now: datetime
) -> Reply | None:
    """A notice due for someone without a chat (the terminal), recorded as told now."""
    cutoffs = retention.cutoffs(now)
    if cutoffs is None:
        return None
    async with database.transaction() as session:
        person = await People(session).find(channel, external_id)
        if person is None or person.chat_id is not None:
            return None
        stories = ExpiringStories(session)
        notices = await stories.due_notices(cutoffs, person.id)
        if not notices:
            return None
        await stories.mark_told(notices[0], now)
    return notice_reply(notices[0], retention, now)
