"""The Telegram bot, built in one place: the Application, the engine, the jobs.

python-telegram-bot provides the ``Bot`` (HTTP to the Bot API) and the JobQueue;
updates come in through our own polling loop or webhook server into the durable
engine (``bot.engine``), never through PTB's updater, whose acknowledgement
comes before handling. The engine paces every send, so there is no PTB rate
limiter (its 429 handling pauses every chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.warnings import PTBUserWarning

from bot.engine.conversation import Clock, Conversations, utc_now
from bot.engine.engine import Engine, EngineLimits
from bot.engine.pacing import Pacer
from bot.engine.sender import SendLimits
from bot.instance_lock import single_process
from bot.jobs.checkins import DispatchLimits, NudgeDispatcher
from bot.jobs.photos import photo_deliverer, schedule_photo_delivery
from bot.jobs.retention import RetentionJob, schedule_retention
from bot.log_privacy import keep_people_out_of_logs, without_messages
from bot.services import Services, open_services
from bot.settings import Settings
from bot.telegram.polling import poll
from bot.telegram.replies import send_part
from bot.telegram.updates import CHANNEL, error_reply, update_handler
from flows.content.guide import guides
from storage.database import is_transient
from storage.inbox import Inbox
from storage.nudge_store import Nudges
from storage.outbox import Outbox

log = logging.getLogger(__name__)
CONVERSATIONS = "conversations"
DISPATCHER = "nudge_dispatcher"
ENGINE = "engine"
NUDGE_TICK = "send_due_nudges"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
if TYPE_CHECKING:
    from aiohttp.web import AppRunner

App = Application[Any, Any, Any, Any, Any, Any]


async def set_commands(application: App) -> None:
    """Register the command menu in every language (setMyCommands)."""
    scope = BotCommandScopeAllPrivateChats()
    for code, guide in guides().items():
        commands = [BotCommand(name, text) for name, text in guide.commands.model_dump().items()]
        await application.bot.set_my_commands(commands, scope=scope, language_code=code)
        if code == "en":
            await application.bot.set_my_commands(commands, scope=scope)


def engine_limits(settings: Settings) -> EngineLimits:
    """The engine's limits from the settings."""
    engine = settings.engine
    claim = timedelta(seconds=engine.claim_seconds)
    return EngineLimits(
        concurrency=engine.concurrency,
        claim=claim,
        lease_seconds=engine.lease_seconds,
        renew_seconds=engine.renew_seconds,
        send=SendLimits(claim=claim),
    )


def dispatch_limits(settings: Settings) -> DispatchLimits:
    """The check-in sender's limits from the settings."""
    nudges = settings.nudges
    return DispatchLimits(
        per_second=nudges.per_second,
        batch=nudges.batch_size,
        lease=timedelta(seconds=nudges.lease_seconds),
        concurrency=nudges.concurrency,
        network_retries=nudges.network_retries,
    )


def bot_id_of(token: str) -> int:
    """A bot's id is the number before the colon of its token."""
    return int(token.split(":", 1)[0])


def build_application(settings: Settings, services: Services, clock: Clock = utc_now) -> App:
    """The Application with its engine, conversations and jobs attached."""
    token = settings.telegram.read_token()
    application: App = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .read_timeout(settings.telegram.read_timeout)
        .updater(None)
        .build()
    )
    keep_people_out_of_logs()
    # Polling calls getUpdates through do_api_request on purpose (the inbox keeps the
    # JSON as Telegram sent it), which PTB warns about.
    warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
    database, cipher = services.database, services.cipher
    policy = settings.privacy.policy()
    conversations = Conversations(
        database,
        cipher,
        clock,
        policy=policy,
        team_rules=settings.teams.rules(),
        admins={(CHANNEL, user_id) for user_id in settings.telegram.admins},
    )
    bot_id = bot_id_of(token)

    async def blocked(chat_id: int) -> None:
        async with database.transaction() as session:
            await Outbox(session, cipher, bot_id).drop_chat(chat_id)
            await Nudges(session).block_chat(chat_id)

    engine = Engine(
        database,
        cipher,
        bot_id,
        clock=clock,
        send_part=partial(send_part, application.bot),
        on_blocked=blocked,
        pacer=Pacer(settings.telegram.max_messages_per_second, chat_gap=1.0),
        limits=engine_limits(settings),
    )
    engine.handler = update_handler(application.bot, engine, conversations)
    engine.poison_reply = error_reply
    application.bot_data[CONVERSATIONS] = conversations
    application.bot_data[ENGINE] = engine
    _schedule_jobs(application, settings, services, engine, clock)
    application.add_error_handler(on_job_error)
    return application


async def on_job_error(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A periodic job failed (it runs again at its next turn): logged without any data."""
    error = context.error
    if error is None:
        return
    if is_transient(error):
        log.warning("a job could not reach the database (%s); next turn", type(error).__name__)
    else:
        log.error("a job failed: %s", without_messages(error))


def _schedule_jobs(
    application: App, settings: Settings, services: Services, engine: Engine, clock: Clock
) -> None:
    """Check-ins, team photos, retention and the inbox's clean-up: on the leader only."""
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    jobs, leading, send = application.job_queue, engine.leadership, engine.sender.send_now
    policy = settings.privacy.policy()

    async def forget_old_updates(_context: ContextTypes.DEFAULT_TYPE) -> None:
        if leading():
            async with services.database.transaction() as session:
                forgotten = await Inbox(session, services.cipher).forget_before(
                    clock() - timedelta(days=2)
                )
            log.debug("forgot %d handled updates", forgotten)

    jobs.run_repeating(forget_old_updates, interval=3600, first=60)
    if not policy.retention.forever:
        retention = RetentionJob(services.database, policy.retention, send, clock)
        schedule_retention(jobs, retention, leading)
    schedule_photo_delivery(jobs, photo_deliverer(settings, services, send, clock), leading)
    if settings.nudges.enabled:
        conversations: Conversations = application.bot_data[CONVERSATIONS]
        dispatcher = NudgeDispatcher(conversations, send, dispatch_limits(settings))
        application.bot_data[DISPATCHER] = dispatcher

        async def send_due_nudges(_context: ContextTypes.DEFAULT_TYPE) -> None:
            """The database says who is due, not the scheduler's memory."""
            if leading():
                await dispatcher.tick()

        jobs.run_repeating(
            send_due_nudges,
            name=NUDGE_TICK,
            interval=settings.nudges.tick_seconds,
            first=1,
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )


@dataclass
class RunningBot:
    """A started bot: its Application, engine and the tasks that bring updates in."""

    app: App
    engine: Engine
    services: Services
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    webhook: AppRunner | None = None


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    services: Services,
    clock: Clock = utc_now,
    *,
    webhook: bool = False,
    long_poll: int | None = None,
    exclusive: bool | None = None,
) -> AsyncIterator[RunningBot]:
    """Start the bot (polling, or the webhook server), yield it, and stop it cleanly.

    ``exclusive``: no other process uses this database (default: when it is SQLite).
    """
    app = build_application(settings, services, clock)
    engine: Engine = app.bot_data[ENGINE]
    await app.initialize()
    app.bot_data[CONVERSATIONS].bot_username = app.bot.username
    await set_commands(app)
    only = services.database.is_sqlite if exclusive is None else exclusive
    await engine.start(exclusive=only)
    await app.start()
    bot = RunningBot(app, engine, services)
    try:
        if webhook:
            from bot.telegram.webhook import serve_webhook  # aiohttp: loaded in webhook mode only

            hook = settings.telegram.webhook
            secret = hook.read_secret()
            bot.webhook = await serve_webhook(
                app.bot, engine, listen=hook.listen, port=hook.port, path=hook.path, secret=secret
            )
            await app.bot.set_webhook(
                hook.public_url(),
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=hook.max_connections,
            )
        else:
            timeout = settings.telegram.poll_timeout if long_poll is None else long_poll
            bot.tasks.append(
                asyncio.create_task(
                    poll(app.bot, engine, long_poll=timeout, allowed_updates=ALLOWED_UPDATES),
                    name="polling",
                )
            )
        yield bot
    finally:
        for task in bot.tasks:
            task.cancel()
        await asyncio.gather(*bot.tasks, return_exceptions=True)
        if bot.webhook is not None:
            await bot.webhook.cleanup()
        await app.stop()
        await engine.stop()
        await app.shutdown()


async def _serve(settings: Settings, *, webhook: bool, exclusive: bool) -> int:
    services = await open_services(settings, apart=True)
    for notice in services.notices:
        log.warning("%s", notice)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(settings, services, webhook=webhook, exclusive=exclusive):
            log.info("running (%s); stop with Ctrl+C", "webhook" if webhook else "polling")
            await stop.wait()
    finally:
        await services.close()
    return 0


def run_bot(settings: Settings, *, webhook: bool = False) -> int:
    """``leerverhaal run``: one process per SQLite file, any number on PostgreSQL."""
    settings.telegram.read_token()  # fail early and clearly without a token
    if webhook:
        settings.telegram.webhook.read_secret()
        settings.telegram.webhook.public_url()
    with single_process(settings) as only:
        return asyncio.run(_serve(settings, webhook=webhook, exclusive=only))
