"""The Telegram bot, built in one place: the Application, the engine, the jobs.

python-telegram-bot provides the ``Bot`` (HTTP to the Bot API) and the JobQueue;
updates come in through our own polling loop or webhook server into the durable
engine (``bot.engine``), never through PTB's updater, whose acknowledgement
comes before handling. The engine paces every send, so there is no PTB rate
limiter (its 429 handling pauses every chat).

What happens at start and stop is declared with the Application (``post_init``,
``post_stop``); ``running`` drives it in PTB's own order. PTB's ``run_polling`` and
``run_webhook`` cannot, as they need its updater.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, JobQueue
from telegram.warnings import PTBUserWarning

from bot.engine.conversation import Clock, Conversations, utc_now
from bot.engine.engine import Engine, EngineLimits
from bot.engine.pacing import Pacer
from bot.engine.sender import SendLimits
from bot.instance_lock import single_process
from bot.log_privacy import keep_people_out_of_logs
from bot.memory import settle_memory
from bot.services import Services, open_services
from bot.settings import Settings
from bot.telegram.inline import InlineCards
from bot.telegram.polling import poll
from bot.telegram.replies import send_part
from bot.telegram.schedule import on_job_error, schedule_jobs
from bot.telegram.updates import CHANNEL, error_reply, update_handler
from flows.content.guide import guides
from storage.checkin_store import Checkins
from storage.outbox import Outbox

if TYPE_CHECKING:
    from aiohttp.web import AppRunner

log = logging.getLogger(__name__)
CONVERSATIONS = "conversations"
DISPATCHER = "checkin_dispatcher"
ENGINE = "engine"
INLINE = "inline_cards"
# (inline queries come only once inline mode is on: BotFather, /setinline)
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]

BotApp = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


async def set_commands(application: BotApp) -> None:
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


def bot_id_of(token: str) -> int:
    """A bot's id is the number before the colon of its token."""
    return int(token.split(":", 1)[0])


@dataclass
class Intake:
    """Where updates come from: the long poll, or the webhook server (``webhook``).

    It plays the part of PTB's updater: started after ``post_init`` has started the
    engine, stopped before the Application stops. ``exclusive``: no other process
    uses this database.
    """

    settings: Settings
    exclusive: bool
    webhook: bool = False
    long_poll: int | None = None
    engine: Engine | None = None  # once started
    inline: InlineCards | None = None  # once started: answers inline queries beside the inbox
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    runner: AppRunner | None = None

    async def post_init(self, app: BotApp) -> None:
        """After ``initialize``: the bot's name and commands, the engine, then updates."""
        conversations: Conversations = app.bot_data[CONVERSATIONS]
        conversations.bot_username = app.bot.username
        conversations.inline_mode = bool(app.bot.supports_inline_queries)
        await set_commands(app)
        engine: Engine = app.bot_data[ENGINE]
        await engine.start(exclusive=self.exclusive)
        self.engine = engine
        self.inline = inline = app.bot_data[INLINE]
        if self.webhook:
            await self._serve_webhook(app.bot, engine, inline)
        else:
            telegram = self.settings.telegram
            timeout = telegram.poll_timeout if self.long_poll is None else self.long_poll
            polling = poll(
                app.bot,
                engine,
                long_poll=timeout,
                allowed_updates=ALLOWED_UPDATES,
                aside=inline.take,
            )
            self.tasks.append(asyncio.create_task(polling, name="polling"))

    async def _serve_webhook(self, bot: ExtBot[None], engine: Engine, inline: InlineCards) -> None:
        from bot.telegram.webhook import serve_webhook  # aiohttp: loaded in webhook mode only

        hook = self.settings.telegram.webhook
        secret = hook.read_secret()
        self.runner = await serve_webhook(
            bot,
            engine,
            listen=hook.listen,
            port=hook.port,
            path=hook.path,
            secret=secret,
            aside=inline.take,
        )
        await bot.set_webhook(
            hook.public_url(),
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=hook.max_connections,
        )

    async def stop(self) -> None:
        """No more updates come in (before the Application stops)."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self.inline is not None:
            await self.inline.stop()

    async def post_stop(self, _app: BotApp) -> None:
        """After the Application (and its jobs) stopped: the engine, what it holds goes back."""
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None


def build_application(
    settings: Settings,
    services: Services,
    clock: Clock = utc_now,
    *,
    intake: Intake | None = None,
) -> BotApp:
    """The Application with its engine, conversations and jobs attached; ``intake``
    starts and stops with it."""
    token = settings.telegram.read_token()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .read_timeout(settings.telegram.read_timeout)
        .updater(None)
    )
    if intake is not None:
        builder = builder.post_init(intake.post_init).post_stop(intake.post_stop)
    application = builder.build()
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
            await Checkins(session).block_chat(chat_id)

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
    application.bot_data[INLINE] = InlineCards(application.bot, database, cipher)
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    send, leading = engine.sender.send_now, engine.leadership
    jobs = application.job_queue
    dispatcher = schedule_jobs(jobs, settings, services, conversations, send, leading, clock)
    if dispatcher is not None:
        application.bot_data[DISPATCHER] = dispatcher
    application.add_error_handler(on_job_error)
    return application


@dataclass
class RunningBot:
    """A started bot: its Application, engine and services."""

    app: BotApp
    engine: Engine
    services: Services


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
    """Start the bot (polling, or the webhook server), yield it, and stop it cleanly,
    in the order of PTB's ``run_polling``: initialize, post_init, start; then the
    intake stops (as its updater would), stop, post_stop, shutdown.

    ``exclusive``: no other process uses this database (default: when it is SQLite).
    """
    only = services.database.is_sqlite if exclusive is None else exclusive
    intake = Intake(settings, only, webhook, long_poll)
    app = build_application(settings, services, clock, intake=intake)
    await app.initialize()
    try:
        await _call(app.post_init, app)
        await app.start()
        yield RunningBot(app, app.bot_data[ENGINE], services)
    finally:
        await intake.stop()
        if app.running:
            await app.stop()
        await _call(app.post_stop, app)
        await app.shutdown()


async def _call(hook: Callable[[BotApp], Coroutine[Any, Any, None]] | None, app: BotApp) -> None:
    """Run one of the Application's ``post_*`` hooks, as ``run_polling`` would."""
    if hook is not None:
        await hook(app)


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
            settle_memory()  # what start-up made stays: later collections skip it
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
