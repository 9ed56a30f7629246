"""The Telegram adapter: builds the Application, translates updates into flow events.

Handlers only translate: business rules live in ``flows/``. Handler order:
group chats first (one polite line, nothing stored), then private commands,
text, edited text, button presses, and any other kind of message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.conversation import Clock, Conversations, Speaker, utc_now
from bot.log_privacy import keep_people_out_of_logs, without_messages
from bot.nudge_dispatch import DispatchLimits, NudgeDispatcher, Sender
from bot.photo_delivery import photo_deliverer, schedule_photo_delivery
from bot.retention import RetentionJob, schedule_retention
from bot.services import Services, open_services
from bot.settings import Settings
from bot.telegram_replies import send_outcome
from flows import interview
from flows.events import Edited, Event, Location, Media, MediaKind, Press, Text, parse_command
from flows.guide import guide_for, guides, language_from_telegram
from flows.replies import Outcome
from storage.repositories import Updates

log = logging.getLogger(__name__)
CHANNEL = "telegram"
CONVERSATIONS = "conversations"
DISPATCHER = "nudge_dispatcher"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
PRIVATE = filters.ChatType.PRIVATE

_MEDIA_FILTERS: tuple[tuple[filters.BaseFilter, MediaKind], ...] = (
    (filters.Sticker.ALL, MediaKind.STICKER),
    (filters.PHOTO, MediaKind.PHOTO),
    (filters.VOICE | filters.VIDEO_NOTE, MediaKind.VOICE),
    (filters.AUDIO, MediaKind.AUDIO),
    (filters.VIDEO | filters.ANIMATION, MediaKind.VIDEO),
    (filters.Document.ALL, MediaKind.DOCUMENT),
    (filters.LOCATION | filters.VENUE, MediaKind.LOCATION),
    (filters.CONTACT, MediaKind.CONTACT),
)


def _speaker(update: Update) -> Speaker | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return Speaker(CHANNEL, user.id, chat.id, language_from_telegram(user.language_code))


async def _handle(update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> None:
    """Run one event through the flow and send what it decided."""
    speaker = _speaker(update)
    if speaker is None or speaker.chat_id is None:
        return
    conversations: Conversations = context.application.bot_data[CONVERSATIONS]
    outcome = await conversations.handle(speaker, event, update.update_id)
    try:
        await send_outcome(context.bot, speaker.chat_id, outcome, update.callback_query)
    finally:
        await conversations.after_reply(outcome)


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: one polite line pointing to a private chat; nothing is stored."""
    chat, user = update.effective_chat, update.effective_user
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat is None or update.message is None:
        return
    language = language_from_telegram(user.language_code if user else None)
    reply = interview.private_only(language, f"https://t.me/{context.bot.username}")
    await context.bot.send_message(chat.id, reply.text)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any /command in a private chat, known or not."""
    message = update.message
    command = parse_command(message.text or "") if message else None
    if command is not None:
        await _handle(update, context, command)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message in a private chat: usually an answer."""
    message = update.message
    if message is not None:
        await _handle(update, context, Text(message.text or "", message.message_id))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited text message: it may update an earlier answer."""
    message = update.edited_message
    if message is not None and message.text is not None:
        await _handle(update, context, Edited(message.text, message.message_id))


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press; its data is checked by the flow, never trusted."""
    query = update.callback_query
    if query is None:
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await query.answer()
        return
    await _handle(update, context, Press(query.data or ""))


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: it may set the person's time zone."""
    message = update.message
    if message is not None and message.location is not None:
        where = message.location
        await _handle(update, context, Location(where.latitude, where.longitude))


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice note or anything else that is not text."""
    message = update.effective_message
    if isinstance(message, Message):
        kind = next((k for f, k in _MEDIA_FILTERS if f.check_update(update)), MediaKind.OTHER)
        await _handle(update, context, Media(kind))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without anyone's words or ids, and tell the person kindly."""
    error = context.error
    log.error("error while handling an update: %s", without_messages(error) if error else "?")
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    user = update.effective_user
    language = language_from_telegram(user.language_code if user else None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, guide_for(language).texts.error)
    except Exception as exc:  # the error handler must never raise
        log.warning("could not send the error message: %s", type(exc).__name__)


async def on_start(application: Application) -> None:  # type: ignore[type-arg]
    """Once connected: remember the bot's username (for invite links), set the menu."""
    application.bot_data[CONVERSATIONS].bot_username = application.bot.username
    await set_commands(application)


async def set_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Register the command menu in every language (setMyCommands)."""
    scope = BotCommandScopeAllPrivateChats()
    for code, guide in guides().items():
        commands = [BotCommand(name, text) for name, text in guide.commands.model_dump().items()]
        await application.bot.set_my_commands(commands, scope=scope, language_code=code)
        if code == "en":
            await application.bot.set_my_commands(commands, scope=scope)


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """All handlers, in the order they are tried."""
    message = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(~PRIVATE & message, on_group))
    application.add_handler(MessageHandler(PRIVATE & message & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(PRIVATE & message & filters.TEXT, on_text))
    application.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, on_edited)
    )
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(PRIVATE & message & filters.LOCATION, on_location))
    application.add_handler(MessageHandler(PRIVATE & message, on_other_message))
    application.add_error_handler(on_error)


async def forget_old_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hourly: drop records of handled updates older than two days."""
    conversations: Conversations = context.application.bot_data[CONVERSATIONS]
    cutoff = conversations.clock() - timedelta(days=2)
    async with conversations.database.transaction() as session:
        forgotten = await Updates(session).forget_before(cutoff)
    log.debug("forgot %d handled updates", forgotten)


def build_application(
    settings: Settings, services: Services, clock: Clock = utc_now
) -> Application:  # type: ignore[type-arg]
    """The Application, built in one place, with its services attached."""
    limiter = AIORateLimiter(
        overall_max_rate=settings.telegram.max_messages_per_second,
        overall_time_period=1,
        max_retries=3,
    )
    application = (
        ApplicationBuilder()
        .token(settings.telegram.read_token())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .rate_limiter(limiter)
        .post_init(on_start)
        .build()
    )
    keep_people_out_of_logs()
    policy = settings.privacy.policy()
    conversations = Conversations(
        services.database,
        services.cipher,
        clock,
        policy=policy,
        team_rules=settings.teams.rules(),
        admins={(CHANNEL, user_id) for user_id in settings.telegram.admins},
    )
    application.bot_data[CONVERSATIONS] = conversations
    register_handlers(application)
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    jobs = application.job_queue
    jobs.run_repeating(forget_old_updates, interval=3600, first=60)
    if not policy.retention.forever:
        retention = RetentionJob(services.database, policy.retention, _sender(application), clock)
        schedule_retention(jobs, retention)
    schedule_photo_delivery(jobs, photo_deliverer(settings, services, _sender(application), clock))
    if settings.nudges.enabled:
        dispatcher = NudgeDispatcher(conversations, _sender(application), dispatch_limits(settings))
        application.bot_data[DISPATCHER] = dispatcher
        jobs.run_repeating(
            send_due_nudges,
            interval=settings.nudges.tick_seconds,
            first=1,
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
    return application


def dispatch_limits(settings: Settings) -> DispatchLimits:
    """The nudge sender's limits from the settings."""
    nudges = settings.nudges
    return DispatchLimits(
        per_second=nudges.per_second,
        batch=nudges.batch_size,
        lease=timedelta(seconds=nudges.lease_seconds),
        concurrency=nudges.concurrency,
        network_retries=nudges.network_retries,
    )


def _sender(application: Application) -> Sender:  # type: ignore[type-arg]
    async def send(chat_id: int, outcome: Outcome) -> None:
        await send_outcome(application.bot, chat_id, outcome)

    return send


async def send_due_nudges(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The periodic tick: the database says who is due, not the scheduler's memory."""
    dispatcher: NudgeDispatcher = context.application.bot_data[DISPATCHER]
    await dispatcher.tick()


def run_bot(settings: Settings) -> int:
    """``leerverhaal run``: open storage, then poll Telegram until stopped."""
    settings.telegram.read_token()  # fail early and clearly without a token
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    services = loop.run_until_complete(open_services(settings))
    for notice in services.notices:
        log.warning("%s", notice)
    application = build_application(settings, services)
    try:
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            timeout=settings.telegram.poll_timeout,
            close_loop=False,
        )
    finally:
        loop.run_until_complete(services.close())
        loop.close()
    return 0
