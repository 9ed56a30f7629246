"""From Telegram updates to flow events, and the handler the engine calls for each.

Only translation happens here: business rules live in ``flows/``. What an update
becomes, in the order it is tried: in a group, one polite line pointing to a
private chat, said once per group and after that only to a command or a mention
of the bot (only a keyed hash of the group is kept, nothing about anyone); in a
private chat a command, a text, an edited text, a button press, a location, or
any other kind of message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ExtBot, filters

from bot.engine.conversation import Conversations, Speaker
from bot.engine.engine import Engine
from bot.telegram.replies import delivery_of
from flows.content.guide import guide_for, language_from_telegram
from flows.events import Edited, Event, Location, Media, MediaKind, Press, Text, parse_command
from flows.interview import steps as interview
from flows.replies import Outcome, Reply
from storage.group_chats import first_word, group_key
from storage.inbox import InboxKey, Received
from storage.outbox import Delivery

log = logging.getLogger(__name__)
CHANNEL = "telegram"

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


@dataclass(frozen=True)
class Incoming:
    """A private chat's update as a flow event, with the button press it carries."""

    speaker: Speaker
    event: Event
    query_id: str | None = None
    message_id: int | None = None  # the message whose button was pressed


@dataclass(frozen=True)
class GroupMessage:
    """A message in a group: the pointer to a private chat, once per group unless addressed."""

    delivery: Delivery
    addressed: bool  # a command or a mention of the bot: always answered


def lane_of(update: Update) -> int | None:
    """The chat an update belongs to: one chat's updates are handled in order."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def received_from(bot: ExtBot[None], data: dict[str, Any]) -> Received:
    """An update as Telegram sent it, as the inbox keeps it (parsed once, kept at hand)."""
    update = Update.de_json(data, bot)
    return Received(InboxKey(bot.id, update.update_id), lane_of(update), data, update)


def _language(update: Update) -> str:
    user = update.effective_user
    return language_from_telegram(user.language_code if user else None)


def _event(update: Update) -> Event | None:
    """The flow event of an update in a private chat, or None when there is none."""
    if (query := update.callback_query) is not None:
        message = query.message
        return Press(query.data or "", message.message_id if message is not None else None)
    if update.edited_message is not None:
        edited = update.edited_message
        return Edited(edited.text, edited.message_id) if edited.text is not None else None
    message = update.message
    if message is None:
        return None
    if filters.COMMAND.check_update(update):
        return parse_command(message.text or "")
    if message.text is not None:
        return Text(message.text, message.message_id)
    if message.location is not None:
        return Location(message.location.latitude, message.location.longitude)
    kind = next((k for f, k in _MEDIA_FILTERS if f.check_update(update)), MediaKind.OTHER)
    return Media(kind)


def _addressed(message: Message, bot_username: str | None) -> bool | None:
    """In a group: True for a command or a mention of this bot, None for another bot's."""
    me = (bot_username or "").lower()
    text = message.text or ""
    if parse_command(text) is not None:
        target = text.split(maxsplit=1)[0].partition("@")[2].lower()
        return None if target and target != me else True
    replied = message.reply_to_message
    names = {replied.from_user.username} if replied and replied.from_user else set()
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    for entity, said in message.parse_entities(kinds).items():
        names.add(entity.user.username if entity.user else said.removeprefix("@"))
    return bool(me) and me in {(name or "").lower() for name in names}


def translate(
    update: Update, bot_username: str | None
) -> Incoming | GroupMessage | Delivery | None:
    """What an update means: a flow event, a fixed reply (groups), or nothing."""
    chat, user = update.effective_chat, update.effective_user
    query = update.callback_query
    if chat is None or user is None:
        return None
    if chat.type != ChatType.PRIVATE:
        if update.message is None:  # a button in a group: stop its spinner, nothing else
            return Delivery(chat.id, (), query.id) if query else None
        addressed = _addressed(update.message, bot_username)
        if addressed is None:  # a command for another bot in the group
            return None
        reply = interview.private_only(_language(update), f"https://t.me/{bot_username}")
        return GroupMessage(Delivery(chat.id, (reply,)), addressed)
    event = _event(update)
    if event is None:
        return Delivery(chat.id, (), query.id) if query else None
    speaker = Speaker(CHANNEL, user.id, chat.id, _language(update), language_is_guess=True)
    message = query.message if query is not None else None
    message_id = message.message_id if isinstance(message, Message) else None
    return Incoming(speaker, event, query.id if query else None, message_id)


def error_reply(received: Received) -> Delivery | None:
    """For an update that could not be handled: a kind word in a private chat."""
    update = Update.de_json(received.data, None)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return None
    query = update.callback_query
    reply = Reply(guide_for(_language(update)).texts.error)
    return Delivery(chat.id, (reply,), query.id if query else None)


def update_handler(
    bot: ExtBot[None], engine: Engine, conversations: Conversations
) -> Callable[[Received], Awaitable[None]]:
    """The engine's handler: translate, run the step with its ticket, hand the replies over."""

    async def handle(received: Received) -> None:
        parsed = received.parsed
        update = parsed if isinstance(parsed, Update) else Update.de_json(received.data, bot)
        meaning = translate(update, conversations.bot_username)
        if isinstance(meaning, GroupMessage):
            await engine.settle(received, meaning.delivery, _once_per_group(engine, meaning))
            return
        if not isinstance(meaning, Incoming):
            await engine.settle(received, meaning)
            return
        chat_id = meaning.speaker.chat_id
        assert chat_id is not None

        def make(outcome: Outcome) -> Delivery:
            return delivery_of(chat_id, outcome, meaning.query_id, meaning.message_id)

        ticket = engine.ticket(received, make)
        outcome = await conversations.handle(meaning.speaker, meaning.event, ack=ticket)
        delivered = ticket.hand_over()
        if outcome is not None and conversations.needs_cleanup(outcome):
            engine.after(delivered, conversations.after_reply(outcome))

    return handle


def _once_per_group(
    engine: Engine, message: GroupMessage
) -> Callable[[AsyncSession, datetime], Awaitable[bool]]:
    """Say it the first time in a group (and remember that), then only when addressed."""
    key = group_key(engine.cipher, message.delivery.chat_id)

    async def deliver_if(session: AsyncSession, now: datetime) -> bool:
        first = await first_word(session, key, now)
        return first or message.addressed

    return deliver_if
