"""The jobs on PTB's JobQueue: check-ins, team photos, retention, the inbox's clean-up.

Each runs on the leading instance only, and at most once at a time; a run missed
(downtime, a slow one) is not made up twice: the database says what is due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.ext import ContextTypes, JobQueue

from bot.engine.conversation import Clock, Conversations
from bot.engine.delivery import Sender
from bot.jobs import photos, retention
from bot.jobs.checkins import CheckinDispatcher, DispatchLimits
from bot.jobs.photos import photo_deliverer
from bot.jobs.retention import RetentionJob
from bot.log_privacy import without_messages
from bot.services import Services
from bot.settings import Settings
from flows.teams.rhythm import DeliveryRhythm
from storage.database import is_transient
from storage.inbox import Inbox

log = logging.getLogger(__name__)
CHECKIN_TICK = "send_due_checkins"
Jobs = JobQueue[ContextTypes.DEFAULT_TYPE]
ONCE_AT_A_TIME = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def dispatch_limits(settings: Settings) -> DispatchLimits:
    """The check-in sender's limits from the settings."""
    checkins = settings.checkins
    return DispatchLimits(
        per_second=checkins.per_second,
        batch=checkins.batch_size,
        lease=timedelta(seconds=checkins.lease_seconds),
        concurrency=checkins.concurrency,
        network_retries=checkins.network_retries,
    )


async def on_job_error(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A periodic job failed (it runs again at its next turn): logged without any data."""
    error = context.error
    if error is None:
        return
    if is_transient(error):
        log.warning("a job could not reach the database (%s); next turn", type(error).__name__)
    else:
        log.error("a job failed: %s", without_messages(error))


def _repeat(
    jobs: Jobs,
    work: Callable[[], Awaitable[object]],
    leading: Callable[[], bool],
    *,
    name: str,
    interval: timedelta | float,
    first: timedelta | float,
) -> None:
    """Run ``work`` every ``interval`` on the leading instance, never twice at once."""

    async def run(_context: ContextTypes.DEFAULT_TYPE) -> None:
        if leading():
            await work()

    jobs.run_repeating(run, interval, first=first, name=name, job_kwargs=ONCE_AT_A_TIME)


def schedule_jobs(
    jobs: Jobs,
    settings: Settings,
    services: Services,
    conversations: Conversations,
    send: Sender,
    leading: Callable[[], bool],
    clock: Clock,
) -> CheckinDispatcher | None:
    """Check-ins, team photos, retention and the inbox's clean-up; the check-ins'
    dispatcher, when they are on."""
    policy = settings.privacy.policy()

    async def forget_old_updates() -> None:
        async with services.database.transaction() as session:
            inbox = Inbox(session, services.cipher)
            forgotten = await inbox.forget_before(clock() - timedelta(days=2))
        log.debug("forgot %d handled updates", forgotten)

    _repeat(jobs, forget_old_updates, leading, name="forget_old_updates", interval=3600, first=60)
    if not policy.retention.forever:
        job = RetentionJob(services.database, policy.retention, send, clock)
        every, first = retention.EVERY, retention.FIRST_RUN
        _repeat(jobs, job.run, leading, name="retention", interval=every, first=first)
    deliverer = photo_deliverer(settings, services, send, clock)
    if deliverer.plan.rhythm is not DeliveryRhythm.OFF:
        tick, first = deliverer.plan.tick, photos.FIRST_RUN
        _repeat(jobs, deliverer.tick, leading, name="team_photos", interval=tick, first=first)
    if not settings.checkins.enabled:
        return None
    dispatcher = CheckinDispatcher(conversations, send, dispatch_limits(settings))
    every_tick = settings.checkins.tick_seconds
    _repeat(jobs, dispatcher.tick, leading, name=CHECKIN_TICK, interval=every_tick, first=1)
    return dispatcher
