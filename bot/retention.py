"""The daily retention job: tell people a week ahead, then delete expired stories.

The rules (what expires when, a week's notice) are in ``flows.policy``; the
database says what is due, so a run missed during downtime is caught up by the
next one. Telling is at-most-once: stories are marked as announced before the
message goes out, so a crash in between loses that message rather than
repeating it; the week's notice still counts from the marking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.conversation import Clock, utc_now
from bot.nudge_dispatch import Sender
from flows.policy import WARNING_LEAD, Retention
from flows.privacy import retention_notice
from flows.replies import Outcome
from flows.states import State
from storage.database import Database
from storage.erasure import reclaim_space
from storage.retention import ExpiringStories

log = logging.getLogger(__name__)
EVERY = timedelta(days=1)
FIRST_RUN = timedelta(minutes=5)


@dataclass(frozen=True)
class RetentionReport:
    """What one run did, in numbers (never who)."""

    told: int = 0
    deleted: int = 0


@dataclass
class RetentionJob:
    """Announces and deletes expired stories; run daily, or by ``leerverhaal retention run``."""

    database: Database
    retention: Retention
    send: Sender
    clock: Clock = utc_now

    async def run(self) -> RetentionReport:
        """Tell whoever has stories expiring within a week, then delete what has expired."""
        now = self.clock()
        cutoffs = self.retention.cutoffs(now)
        if cutoffs is None:
            return RetentionReport()
        async with self.database.transaction() as session:
            warnings = await ExpiringStories(session).announce(cutoffs, now)
        told = 0
        for warning in warnings:
            if warning.chat_id is None:
                continue  # only ever used the terminal: nowhere to tell them
            day = (now + WARNING_LEAD).date()
            reply = retention_notice(
                warning.language, self.retention, warning.stories, warning.checkins, day
            )
            try:
                await self.send(warning.chat_id, Outcome(State(), (reply,)))
                told += 1
            except TelegramError as exc:
                log.warning(
                    "retention: person %d not told (%s)", warning.person_id, type(exc).__name__
                )
        async with self.database.transaction() as session:
            deleted = await ExpiringStories(session).delete_expired(cutoffs)
        if deleted:
            await reclaim_space(self.database)
        log.info("retention: %d people told, %d stories deleted", told, deleted)
        return RetentionReport(told, deleted)


def schedule_retention(jobs: JobQueue[ContextTypes.DEFAULT_TYPE], job: RetentionJob) -> None:
    """Run the job daily, the first time a few minutes after start."""

    async def run(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await job.run()

    jobs.run_repeating(
        run,
        interval=EVERY,
        first=FIRST_RUN,
        name="retention",
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
