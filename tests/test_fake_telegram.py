"""Tests of the fake Bot API server, driving a real PTB Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tests.support.fake_telegram import FakeTelegram, FakeUser

TOKEN = "123:ABC"
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)


@dataclass
class Bot:
    """A running echo bot and what it saw."""

    tg: FakeTelegram
    app: Application[Any, Any, Any, Any, Any, Any]
    updates: list[Update]
    errors: list[BaseException]


def build_app(
    tg: FakeTelegram, updates: list[Update], errors: list[BaseException]
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A tiny echo bot: /start with a keyboard, /long, echo, and button answers with an edit."""
    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        updates.append(update)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Hello", reply_markup=KEYBOARD)

    async def long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("x" * 4097)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"You chose {query.data}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            errors.append(context.error)

    app.add_handler(TypeHandler(Update, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("long", long))
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, echo)
    )
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(on_error)
    return app


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[Bot]:
    """A fake server with a polling echo bot; stops both cleanly."""
    async with FakeTelegram(token=TOKEN) as tg:
        updates: list[Update] = []
        errors: list[BaseException] = []
        running = Bot(tg, build_app(tg, updates, errors), updates, errors)
        await running.app.initialize()
        await running.app.start()
        assert running.app.updater is not None
        await running.app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield running
        finally:
            await running.app.updater.stop()
            await running.app.stop()
            await running.app.shutdown()


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after as seconds (int now, timedelta with PTB_TIMEDELTA)."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# --- with a real PTB Application ------------------------------------------------------------


@pytest.mark.asyncio
async def test_message_round_trip(bot: Bot) -> None:
    user = bot.tg.user(42, "Ann", language_code="nl")
    sent_id = await user.send("hello there")
    reply = await user.wait_for_message()
    assert reply.text == "hello there"
    assert reply.message_id == sent_id + 1  # ids shared between person and bot
    assert [method for method, _ in bot.tg.calls][:2] == ["getMe", "deleteWebhook"]
    assert bot.updates[0].effective_user is not None
    assert bot.updates[0].effective_user.language_code == "nl"
    bot.tg.assert_no_violations()


@pytest.mark.asyncio
async def test_button_round_trip(bot: Bot) -> None:
    user = bot.tg.user(7, "Bo")
    await user.send("/start")
    menu = await user.wait_for_message()
    assert user.buttons() == [[("Yes", "yes"), ("No", "no")]]
    assert bot.updates[0].message is not None
    assert bot.updates[0].message.entities[0].type == "bot_command"

    await user.press("yes")
    answer = await user.wait_for_answer()
    edited = await user.wait_for_edit(menu.message_id)
    assert answer.text == "ok" and answer.data == "yes"
    assert edited is menu and menu.text == "You chose yes" and menu.texts == ["Hello", menu.text]
    assert menu.keyboard == []  # editMessageText without reply_markup drops the keyboard
    assert bot.tg.unanswered_callbacks == []
    with pytest.raises(AssertionError):
        await user.press("no")  # no live button carries that data any more
    await user.press("forged|data", forged=True)
    await user.wait_for_answer()
    assert bot.updates[-1].callback_query is not None
    assert bot.updates[-1].callback_query.data == "forged|data"
    bot.tg.assert_no_violations()


@pytest.mark.asyncio
async def test_too_long_text_is_bad_request(bot: Bot) -> None:
    user = bot.tg.user(8)
    await user.send("/long")
    await bot.tg.wait_for(lambda: bot.errors, timeout=5)
    assert isinstance(bot.errors[0], BadRequest)
    assert "too long" in str(bot.errors[0])
    assert [v.description for v in bot.tg.violations] == ["Bad Request: message is too long"]

    await bot.app.bot.send_message(user.id, "😀" * 2048)  # 4096 UTF-16 code units: fine
    with pytest.raises(BadRequest, match="too long"):
        await bot.app.bot.send_message(user.id, "😀" * 2048 + "x")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="é" * 33)]])
        await bot.app.bot.send_message(user.id, "hi", reply_markup=markup)
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.app.bot.send_message(user.id, " ")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.app.bot.send_message(user.id, "<b>open", parse_mode=ParseMode.HTML)
    shown = await bot.app.bot.send_message(user.id, "<b>bold</b> &amp;", parse_mode="HTML")
    assert shown.text == "bold &"
    with pytest.raises(BadRequest, match="not modified"):
        await shown.edit_text("<b>bold</b> &amp;", parse_mode="HTML")
    assert len(bot.tg.violations) == 6


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
async def test_injected_429_and_403(bot: Bot) -> None:
    user = bot.tg.user(9)
    bot.tg.fail_next("sendMessage", chat_id=user.id, retry_after=3)
    await user.send("one")
    await bot.tg.wait_for(lambda: bot.errors, timeout=5)
    assert isinstance(bot.errors[0], RetryAfter)
    assert seconds(bot.errors[0].retry_after) == 3
    await user.send("two")
    assert (await user.wait_for_message()).text == "two"

    await user.block()
    await bot.tg.wait_for(lambda: bot.updates[-1].my_chat_member, timeout=5)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.app.bot.send_message(user.id, "still there?")
    await user.unblock()
    await bot.app.bot.send_message(user.id, "welcome back")
    assert bot.tg.violations == []
    assert [e.error_code for e in bot.tg.errors] == [429, 403]


@pytest.mark.asyncio
async def test_files_commands_and_person_api(bot: Bot) -> None:
    user = bot.tg.user(10, "Cy", username="cy")
    tg, ptb = bot.tg, bot.app.bot
    await ptb.send_document(user.id, document=b"story", filename="story.txt", caption="Your story")
    await ptb.send_photo(user.id, photo=b"\x89PNG fake", caption="pic")
    assert (tg.documents[0].content, tg.documents[0].filename) == (b"story", "story.txt")
    assert tg.documents[0].caption == "Your story" and tg.photos[0].content == b"\x89PNG fake"
    await ptb.send_chat_action(user.id, "typing")
    assert tg.chat_actions == [(user.id, "typing")]

    await ptb.set_my_commands([("start", "Begin")], language_code="nl")
    assert tg.commands_for("nl") == [("start", "Begin")]
    assert [c.command for c in await ptb.get_my_commands(language_code="nl")] == ["start"]
    assert await ptb.get_my_commands() == ()

    first = await user.send("draft")
    await user.send_sticker()
    await user.send_photo(caption="look", content=b"photo-bytes")
    await user.send_voice()
    await user.send_document("a.pdf", b"%PDF", "application/pdf")
    await user.send_location(52.1, 5.1)
    await user.send_contact()
    await user.edit(first, "final")
    await user.send_in_group(-100, "/start@leerverhaal_test_bot", chat_type="supergroup")
    await tg.wait_until_idle()
    messages = [u.effective_message for u in bot.updates]
    assert all(m is not None for m in messages)
    kinds = [m.effective_attachment is not None for m in messages if m]
    assert kinds == [False, True, True, True, True, True, True, False, False]
    assert bot.updates[7].edited_message is not None
    assert bot.updates[7].edited_message.text == "final"
    assert bot.updates[8].effective_chat is not None
    assert bot.updates[8].effective_chat.type == "supergroup"
    assert [m.text for m in tg.messages_in(-100)] == ["Hello"]

    photo = bot.updates[2].message.photo[-1]  # type: ignore[union-attr]
    file = await ptb.get_file(photo.file_id)
    assert bytes(await file.download_as_bytearray()) == b"photo-bytes"
    assert tg.min_interval(user.id) < 1.0
    tg.assert_no_violations()


# --- raw HTTP -------------------------------------------------------------------------------


async def post(tg: FakeTelegram, method: str, token: str = TOKEN, **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        url = tg.base_url + token + "/" + method
        async with session.post(url, **kwargs) as response:
            return response.status, await response.json()


@pytest.mark.asyncio
async def test_http_errors_and_encodings() -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        user = tg.user(5)
        assert await post(tg, "getMe", token="123:XYZ") == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        status, body = await post(tg, "sendTelepathy")
        assert (status, body["ok"], body["error_code"]) == (404, False, 404)

        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        status, body = await post(
            tg, "sendMessage", json={"chat_id": user.id, "text": "123", "reply_markup": markup}
        )
        assert status == 200 and body["result"]["reply_markup"] == markup
        form = {"chat_id": str(user.id), "text": "[1]", "reply_markup": json.dumps(markup)}
        status, body = await post(tg, "sendmessage", data=form)  # method names ignore case
        assert status == 200 and body["result"]["text"] == "[1]"
        assert user.messages[1].buttons == [("A", "a")] and user.last_message.text == "[1]"

        edit = {"chat_id": user.id, "message_id": 1, "text": "123", "reply_markup": markup}
        status, body = await post(tg, "editMessageText", json=edit)
        assert (status, body["description"]) == (400, body["description"])
        assert body["description"].startswith("Bad Request: message is not modified")
        status, body = await post(tg, "sendMessage", data={"chat_id": "999", "text": "x"})
        assert (status, body["description"]) == (400, "Bad Request: chat not found")

        status, body = await post(
            tg, "editMessageReplyMarkup", data={"chat_id": 5, "message_id": 1}
        )
        assert status == 200 and "reply_markup" not in body["result"]
        assert user.messages[0].keyboard == [] and user.messages[0].history[0].reply_markup
        assert (await post(tg, "deleteMessage", data={"chat_id": 5, "message_id": 2}))[0] == 200
        assert [m.message_id for m in user.messages] == [1] and user.all_messages[1].deleted
        tg.fail_next("sendMessage", error_code=429, retry_after=7)
        status, body = await post(tg, "sendMessage", json={"chat_id": user.id, "text": "x"})
        assert (status, body["parameters"]) == (429, {"retry_after": 7})
        assert len(tg.violations) == 4 and len(tg.errors) == 5  # 401, 404, 400, 400; 429


@pytest.mark.asyncio
async def test_long_polling_offsets_and_shutdown() -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        user = tg.user(6)
        started = time.monotonic()
        poll = asyncio.create_task(post(tg, "getUpdates", json={"timeout": 5}))
        await asyncio.sleep(0.1)
        await user.send("hi")
        status, body = await poll
        assert status == 200 and time.monotonic() - started < 2
        [update] = body["result"]
        assert update["message"]["text"] == "hi"
        _, again = await post(tg, "getUpdates", json={"timeout": 0})
        assert again["result"] == [update]  # not confirmed yet
        _, confirmed = await post(tg, "getUpdates", json={"offset": update["update_id"] + 1})
        assert confirmed["result"] == [] and tg.pending_updates == 0
        pending = asyncio.create_task(post(tg, "getUpdates", json={"timeout": 30}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
    status, body = await pending
    assert (status, body["result"]) == (200, [])
    assert time.monotonic() - started < 1.5


@pytest.mark.asyncio
async def test_wait_for_message_times_out_with_summary() -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        user: FakeUser = tg.user(11)
        await user.send("secret words")
        with pytest.raises(AssertionError, match="1 new bot message") as caught:
            await user.wait_for_message(timeout=0.2)
        assert "secret" not in str(caught.value)
