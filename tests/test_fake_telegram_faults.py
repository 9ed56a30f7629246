"""Tests of the fake server's webhook delivery and fault injection, with a real PTB Bot."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import itertools
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.support.fake_telegram import NOT_MODIFIED, SECRET_HEADER, FakeTelegram

pytestmark = pytest.mark.timeout(15)
TOKEN = "123:ABC"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])


class Receiver:
    """A webhook endpoint on 127.0.0.1 recording what it gets.

    Each ``script`` item answers one request: an int is the status to give, a float the
    seconds to wait before answering 200. With an empty script it answers 200.
    """

    def __init__(self, on_update: Callable[[dict[str, Any]], Awaitable[None]] | None = None):
        self.on_update = on_update
        self.script: list[int | float] = []
        self.pause = 0.0
        self.bodies: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.url = ""
        self._closing = asyncio.Event()

    @property
    def texts(self) -> list[str]:
        """Message texts of the received updates, in order of arrival."""
        return [b["message"]["text"] for b in self.bodies if "message" in b]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        self.secrets.append(request.headers.get(SECRET_HEADER))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            action = self.script.pop(0) if self.script else 200
            wait = action if isinstance(action, float) else self.pause
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), wait)
            status = action if isinstance(action, int) else 200
            if status == 200 and self.on_update is not None:
                await self.on_update(body)
            return web.Response(status=status)
        finally:
            self.in_flight -= 1


@contextlib.asynccontextmanager
async def receiver(
    on_update: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> AsyncIterator[Receiver]:
    """A running :class:`Receiver`."""
    rx = Receiver(on_update)
    app = web.Application()
    app.router.add_post("/hook", rx.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    rx.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    await web.SockSite(runner, sock).start()
    try:
        yield rx
    finally:
        rx._closing.set()
        await runner.cleanup()


@contextlib.asynccontextmanager
async def ptb(tg: FakeTelegram) -> AsyncIterator[Bot]:
    """An initialised PTB Bot talking to the fake server."""
    request = HTTPXRequest(connection_pool_size=8, read_timeout=2.0, connect_timeout=1.0)
    bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url, request=request)
    async with bot:
        yield bot


def closed_port_url() -> str:
    """A URL on 127.0.0.1 nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after as seconds (int now, timedelta with PTB_TIMEDELTA)."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# --- webhook delivery -----------------------------------------------------------------------


async def test_webhook_pushes_with_secret_and_stops_on_delete() -> None:
    async with FakeTelegram(token=TOKEN) as tg, receiver() as rx, ptb(tg) as bot:
        user = tg.user(1)
        assert await bot.set_webhook(rx.url, secret_token="s3cret_-1", max_connections=5)
        message_id = await user.send("hello")
        await tg.wait_webhook_idle(2)
        [body] = rx.bodies
        assert body["message"]["text"] == "hello" and body["message"]["message_id"] == message_id
        assert rx.secrets == ["s3cret_-1"] and tg.pending_updates == 0
        assert (
            tg.webhook_accepted == [body["update_id"]] and tg.webhook_posts(body["update_id"]) == 1
        )
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.pending_update_count) == (rx.url, 5, 0)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        await bot.delete_webhook()
        await user.send("queued")
        await asyncio.sleep(0.1)
        assert len(rx.bodies) == 1 and tg.pending_updates == 1 and not tg.webhook_active
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.text == "queued"

        await bot.set_webhook(rx.url)  # the unconfirmed update is pushed, without a secret
        await tg.wait_webhook_idle(2)
        assert rx.bodies[-1]["update_id"] == update.update_id and rx.secrets[-1] is None
        with pytest.raises(BadRequest, match=r"(?i)secret token"):
            await bot.set_webhook(rx.url, secret_token="no spaces")


async def test_webhook_redelivers_until_accepted() -> None:
    tg = FakeTelegram(token=TOKEN, webhook_timeout=0.3, webhook_retry_delay=0.05)
    async with tg, receiver() as rx, ptb(tg) as bot:
        user = tg.user(2)
        rx.script = [500, 0.6]  # an error, then no answer in time, then 200
        await bot.set_webhook(rx.url)
        await user.send("again")
        await tg.wait_webhook_idle(2)
        update_id = rx.bodies[0]["update_id"]
        assert [b["update_id"] for b in rx.bodies] == [update_id] * 3
        assert tg.webhook_posts(update_id) == 3 and tg.webhook_accepted == [update_id]
        assert [(a.status, a.error) for a in tg.webhook_attempts] == [
            (500, None),
            (None, "timeout"),
            (200, None),
        ]
        assert tg.webhook_statuses == Counter({500: 1, "timeout": 1, 200: 1})
        assert (await bot.get_webhook_info()).last_error_message == "Read timeout expired"

        tg.spread_webhook([closed_port_url()])  # nobody listens: connection errors
        await user.send("refused")
        await tg.wait_for(lambda: len(tg.webhook_attempts) >= 5, timeout=2)
        assert all(a.status is None and a.error for a in tg.webhook_attempts[3:])
        assert tg.pending_updates == 1
        tg.spread_webhook(None)  # back to the webhook URL
        await tg.wait_webhook_idle(2)
        assert rx.texts == ["again"] * 3 + ["refused"]


async def test_webhook_keeps_chat_order_and_max_connections() -> None:
    tg = FakeTelegram(token=TOKEN, webhook_retry_delay=0.05)
    async with tg, receiver() as rx:
        rx.pause = 0.05
        rx.script = [500]  # the first update of chat 11 fails once
        users = [tg.user(11), tg.user(12), tg.user(13)]
        for round_ in range(3):
            for user in users:
                await user.send(f"{user.id}-{round_}")
        tg.set_webhook(rx.url, max_connections=2)
        await tg.wait_webhook_idle(3)
        for user in users:
            seen = [text for text in rx.texts if text.startswith(f"{user.id}-")]
            expected = [f"{user.id}-{n}" for n in range(3)]
            assert seen == (expected[:1] + expected if user.id == 11 else expected)
            attempts = [a for a in tg.webhook_attempts if a.chat_id == user.id]
            for before, after in itertools.pairwise(attempts):
                assert after.started >= before.finished  # one at a time per chat
        assert rx.max_in_flight == 2 and tg.webhook_statuses == Counter({200: 9, 500: 1})


async def test_webhook_spreads_over_targets() -> None:
    async with (
        FakeTelegram(token=TOKEN, webhook_retry_delay=0.05) as tg,
        receiver() as r0,
        receiver() as r1,
        receiver() as r2,
    ):
        targets = [r0, r1, r2]
        tg.set_webhook(r0.url, secret_token="tok")
        tg.spread_webhook([r.url for r in targets])
        for chat_id in range(3, 9):
            await tg.user(chat_id).send(f"from {chat_id}")
        await tg.wait_webhook_idle(2)
        for index, rx in enumerate(targets):  # by chat: chat id modulo 3
            assert rx.texts == [f"from {c}" for c in range(3, 9) if c % 3 == index]
            assert rx.secrets == ["tok", "tok"]

        r0.script = [503]
        await tg.user(9).send("retry elsewhere")
        await tg.wait_webhook_idle(2)
        attempts = tg.webhook_attempts[-2:]
        assert [(a.url, a.status) for a in attempts] == [(r0.url, 503), (r1.url, 200)]

        tg.spread_webhook([r.url for r in targets], by="round_robin")
        for n in range(3):
            await tg.user(20).send(f"rr {n}")
        await tg.wait_webhook_idle(2)
        assert [rx.texts[-1] for rx in targets] == ["rr 0", "rr 1", "rr 2"]

        tg.spread_webhook([r.url for r in targets], by=lambda update, attempt: 2)
        await tg.user(21).send("to the third")
        await tg.wait_webhook_idle(2)
        assert r2.texts[-1] == "to the third"


async def test_webhook_allowed_updates_and_dropping() -> None:
    async with FakeTelegram(token=TOKEN) as tg, receiver() as rx, ptb(tg) as bot:
        user = tg.user(30)
        await user.send("before")
        await bot.delete_webhook(drop_pending_updates=True)
        assert tg.pending_updates == 0

        await bot.set_webhook(rx.url, allowed_updates=["callback_query"])
        await user.send("not wanted")
        await bot.send_message(user.id, "pick", reply_markup=KEYBOARD)
        await user.press("a")
        await tg.wait_webhook_idle(2)
        assert [next(k for k in b if k != "update_id") for b in rx.bodies] == ["callback_query"]
        assert (await bot.get_webhook_info()).allowed_updates == ("callback_query",)


async def test_stop_cancels_pusher_and_posts_in_flight() -> None:
    async with receiver() as rx:
        rx.script = [5.0]
        tg = FakeTelegram(token=TOKEN)
        await tg.start()
        tg.set_webhook(rx.url)
        await tg.user(40).send("never answered")
        await tg.wait_for(lambda: rx.in_flight, timeout=2)
        assert tg.webhook_in_flight == 1
        started = time.monotonic()
        await tg.stop()
        assert time.monotonic() - started < 1
        assert [a.error for a in tg.webhook_attempts] == ["cancelled"]
        assert tg.webhook_in_flight == 0 and tg.webhook_accepted == []
        fake_tasks = [
            task
            for task in asyncio.all_tasks()
            if "WebhookMixin" in getattr(task.get_coro(), "__qualname__", "")
        ]
        assert fake_tasks == []


async def test_fake_user_in_webhook_mode_with_an_application() -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).updater(None).build()

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.message is not None and update.message.text is not None
            await update.message.reply_text(update.message.text)

        async def process(body: dict[str, Any]) -> None:
            await app.process_update(Update.de_json(body, app.bot))

        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app, receiver(process) as rx:
            await app.bot.set_webhook(rx.url, secret_token="abc")
            user = tg.user(50)
            await user.send("ping")
            assert (await user.wait_for_message(timeout=2)).text == "ping"
            await tg.wait_until_idle(settle=0.05, timeout=2)
            assert rx.secrets == ["abc"]
        tg.assert_no_violations()


# --- slow answers, resets and error answers -------------------------------------------------


async def test_slow_answer_times_out_but_takes_effect() -> None:
    async with FakeTelegram(token=TOKEN) as tg, ptb(tg) as bot:
        user, other = tg.user(60), tg.user(61)
        rule = tg.delay("sendMessage", 0.6, times=1)
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "slow", read_timeout=0.2)
        assert [m.text for m in tg.messages_in(user.id)] == ["slow"]
        assert rule.matched == 1 and not rule.active
        await bot.send_message(user.id, "fast", read_timeout=0.3)  # times=1: not held
        assert tg.sent_count(user.id) == 2

        tg.delay("*", 0.3, chat_id=other.id, effect_first=False)
        sending = asyncio.create_task(bot.send_message(other.id, "later"))
        await tg.wait_for(lambda: tg.held, timeout=1)
        assert tg.sent_count(other.id) == 0  # not yet: the effect comes after the hold
        assert (await sending).text == "later" and tg.sent_count(other.id) == 1
        tg.clear_delays()
        await bot.send_message(other.id, "quick", read_timeout=0.2)


async def test_hold_one_chat_does_not_hold_others() -> None:
    async with FakeTelegram(token=TOKEN) as tg, ptb(tg) as bot:
        held_user, free_user = tg.user(70), tg.user(71)
        rule = tg.hold("sendMessage", held_user.id)
        sending = asyncio.create_task(bot.send_message(held_user.id, "held"))
        await tg.wait_for(lambda: tg.held, timeout=1)
        assert tg.sent_count(held_user.id) == 1  # stored; only the answer waits
        started = time.monotonic()
        await bot.send_message(free_user.id, "free")
        await bot.send_chat_action(held_user.id, "typing")
        assert time.monotonic() - started < 0.5 and not sending.done()
        rule.release()
        assert (await asyncio.wait_for(sending, 1)).text == "held"
        assert tg.held == []
        await bot.send_message(held_user.id, "after", read_timeout=0.3)


async def test_resets_raise_network_error_and_take_no_effect() -> None:
    async with FakeTelegram(token=TOKEN) as tg, ptb(tg) as bot:
        user = tg.user(80)
        calls = len(tg.calls)
        tg.reset_connections(0.3)
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(user.id, "lost")
        assert not isinstance(caught.value, TimedOut)
        with pytest.raises(NetworkError):
            await bot.get_updates()
        assert [c.method for c in tg.resets] == ["sendMessage", "getUpdates"]
        assert tg.reset_count == 2 and tg.sent_count(user.id) == 0 and len(tg.calls) == calls
        await asyncio.sleep(0.3)
        await bot.send_message(user.id, "back")  # the period is over

        tg.reset_connections(methods=["sendMessage"])
        assert (await bot.get_me()).id == 123
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "lost too")
        tg.clear_resets()
        assert [m.text for m in tg.messages_in(user.id)] == ["back"]

        polls = tg.get_updates_calls
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await tg.wait_for(lambda: tg.get_updates_calls > polls, timeout=1)
        tg.reset_connections(0.2)  # a waiting long poll is cut off too
        with pytest.raises(NetworkError):
            await asyncio.wait_for(poll, 1)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
async def test_injected_errors_per_chat_have_bot_api_shape() -> None:
    async with FakeTelegram(token=TOKEN) as tg, ptb(tg) as bot:
        one, two = tg.user(90), tg.user(91)
        tg.fail_next("sendMessage", chat_id=one.id, retry_after=5)
        await bot.send_message(two.id, "other chat is fine")
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{tg.base_url}{TOKEN}/sendMessage", json={"chat_id": one.id, "text": "x"}
            ) as response,
        ):
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            }
        tg.fail_next("sendMessage", chat_id=one.id, retry_after=4)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(one.id, "x")
        assert seconds(caught.value.retry_after) == 4

        tg.fail_next("sendMessage", chat_id=one.id, error_code=403)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(one.id, "x")
        sent = await bot.send_message(one.id, "kept")
        tg.fail_next("editMessageText", chat_id=one.id, error_code=400, description=NOT_MODIFIED)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await sent.edit_text("changed")
        tg.fail_next("sendMessage", chat_id=one.id, error_code=400, description=NOT_MODIFIED)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.send_message(one.id, "x")
        assert [m.text for m in tg.messages_in(one.id)] == ["kept"]
        assert tg.violations == [] and [e.error_code for e in tg.errors] == [
            429,
            429,
            403,
            400,
            400,
        ]
