"""Helpers for the webhook and several-instance tests (``test_webhook.py``, ``test_instances.py``).

The bot runs in webhook mode in this process (:func:`running_webhook_bot`) or as
``leerverhaal run --webhook`` subprocesses (:class:`Instance`, started with
``tests.support.process``) that the tests can SIGKILL; the fake Bot API server POSTs
the updates to them. People tell whole stories in a burst (:func:`burst_interview`):
every answer is typed without waiting for the next question, so one person's updates
are handled by several instances at once and only the engine keeps them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from bot.engine.leader import SENDER
from bot.services import open_services
from bot.settings import (
    DatabaseSettings,
    EncryptionSettings,
    EngineSettings,
    Settings,
    WebhookSettings,
)
from bot.telegram.app import RunningBot, running
from flows.content.guide import guide_for
from flows.states import StoryKind
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Answer, InboxUpdate, Lease, Person, Story
from tests.support.fake_telegram import SECRET_HEADER, BotMessage, FakeTelegram, FakeUser
from tests.support.process import BotProcess, bot_env
from tests.support.telegram import bot_settings, first_start

EN = guide_for("en")
QUESTIONS = EN.questionnaire(StoryKind.STORY).questions
SECRET = "webhook-secret_0123456789"
PATH = "/telegram"
# Short leases and claims, so that a killed instance's work is taken over within seconds.
SHORT_LEASES = {"lease_seconds": 6, "renew_seconds": 2, "claim_seconds": 6}
# sendMessage calls of one burst interview: the language question (the welcome replaces it),
# 7 questions, each quick-pick question again with the typed words, the offer of a thank-you
# note (after the typed "helped most"), the card, the check-in offer (typed words pick
# nothing, so no dish is suggested; "saved" ends the card, edited in place).
PICK_QUESTIONS = sum(1 for question in QUESTIONS if question.options)
INTERVIEW_SENDS = 1 + len(QUESTIONS) + PICK_QUESTIONS + 3


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hook_url(port: int) -> str:
    """The webhook URL of an instance listening on ``port``."""
    return f"http://127.0.0.1:{port}{PATH}"


# --- in this process ------------------------------------------------------------------


def webhook_settings(tg: FakeTelegram, data_dir: Path, database_url: str, port: int) -> Settings:
    """``bot_settings`` in webhook mode on ``port``, with short leases."""
    settings = bot_settings(tg, data_dir, database_url)
    hook = WebhookSettings(url=hook_url(port), secret_token=SecretStr(SECRET), port=port)
    telegram = settings.telegram.model_copy(update={"webhook": hook})
    return settings.model_copy(
        update={"telegram": telegram, "engine": EngineSettings(**SHORT_LEASES)}
    )


@asynccontextmanager
async def running_webhook_bot(
    tg: FakeTelegram, data_dir: Path, database_url: str, port: int
) -> AsyncIterator[RunningBot]:
    """Start the bot in webhook mode in this process, on ``port``, and stop it cleanly."""
    settings = webhook_settings(tg, data_dir, database_url, port)
    services = await open_services(settings)
    try:
        async with running(settings, services, webhook=True) as bot:
            yield bot
    finally:
        await services.close()


async def post_update(url: str, update: dict[str, Any], secret: str | None = SECRET) -> int:
    """POST an update as Telegram does (with ``secret`` in its header); the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def http_status(url: str) -> int:
    """The status of a GET."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status


# --- the database ---------------------------------------------------------------------


async def inbox(database: Database) -> dict[int, bool]:
    """Every stored update id, and whether it was handled."""
    async with database.transaction() as session:
        rows = (await session.execute(select(InboxUpdate.update_id, InboxUpdate.handled_at))).all()
    return {row.update_id: row.handled_at is not None for row in rows}


async def stored_answers(database: Database, cipher: TextCipher, chat_id: int) -> list[str]:
    """The answers of a person's stories, in the guide's order of questions."""
    order = {question.key: index for index, question in enumerate(QUESTIONS)}
    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(Answer.question, Answer.text_encrypted)
                .join(Story, Story.id == Answer.story_id)
                .join(Person, Person.id == Story.person_id)
                .where(Person.chat_id == chat_id)
            )
        ).all()
    ordered = sorted(rows, key=lambda row: order[row.question])
    return [cipher.decrypt(row.text_encrypted) for row in ordered if row.text_encrypted]


async def sender_pid(database: Database) -> int | None:
    """The process id in the holder of the sender lease (host:pid:random), if any."""
    async with database.transaction() as session:
        lease = await session.scalar(select(Lease).where(Lease.name == SENDER))
    return int(lease.holder.split(":")[1]) if lease is not None else None


# --- people ---------------------------------------------------------------------------


def answers_of(user: FakeUser) -> list[str]:
    """What a person types, one per question: telling whose and which it is."""
    return [f"answer {index} of person {user.id}" for index in range(len(QUESTIONS))]


def asked(message: BotMessage) -> int | None:
    """Which question a message asked when sent (its index in the guide), if any."""
    text = message.texts[0] or ""
    found = [index for index, question in enumerate(QUESTIONS) if question.prompt in text]
    return found[-1] if found else None


async def burst_interview(user: FakeUser, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """/start (English), Begin, then every answer typed at once; confirm the card."""
    await first_start(user, timeout=timeout)
    await user.press_button(EN.texts.begin)
    first = await user.wait_for_message(timeout=timeout)
    assert asked(first) == 0, first.text
    for question, text in zip(QUESTIONS, answers_of(user), strict=True):
        await user.send(text)
        if question.options:
            await user.send("done")  # typed words keep a quick-pick question open until Done

    def is_card(message: BotMessage) -> bool:
        return EN.texts.card_question in (message.text or "")

    await user.wait_for_message(timeout=timeout, predicate=is_card)
    await user.press_button(EN.texts.confirm)
    offer = await user.wait_for_message(
        timeout=timeout, predicate=lambda m: m.text == EN.settings.offer
    )
    assert offer.text == EN.settings.offer
    assert EN.thanks.offer in [m.text for m in user.all_messages]  # after "helped most"


def sends_by_chat(tg: FakeTelegram) -> dict[int, int]:
    """How many sendMessage calls the bot made to each chat."""
    counts: dict[int, int] = {}
    for call in tg.calls:
        if call.method == "sendMessage":
            chat_id = int(call.params["chat_id"])
            counts[chat_id] = counts.get(chat_id, 0) + 1
    return counts


def repeats(users: Iterable[FakeUser]) -> dict[int, int]:
    """Per chat, messages sent more than once (at-least-once delivery after a crash).

    Checks that, the repeats left out, each chat got every question once and in order.
    """
    repeated: dict[int, int] = {}
    for user in users:
        texts = [message.texts[0] for message in user.all_messages]
        repeated[user.chat_id] = len(texts) - len(set(texts))
        questions = [asked(m) for m in user.all_messages if asked(m) is not None]
        assert list(dict.fromkeys(questions)) == list(range(len(QUESTIONS))), (user, questions)
    return repeated


def answered_again(tg: FakeTelegram) -> int:
    """Button presses answered twice (a repeated delivery); fails on any other violation."""
    others = [v for v in tg.violations if v.method != "answerCallbackQuery"]
    assert not others, others
    return len(tg.violations)


# --- bot processes --------------------------------------------------------------------


def instance_env(
    tg: FakeTelegram, data_dir: Path, database_url: str, port: int, keys: str, **extra: str
) -> dict[str, str]:
    """The environment of ``leerverhaal run --webhook`` on ``port``, with short leases."""
    leases = {f"ENGINE__{name.upper()}": str(value) for name, value in SHORT_LEASES.items()}
    return bot_env(
        tg,
        data_dir,
        database_url,
        ENCRYPTION__KEYS=keys,
        TELEGRAM__WEBHOOK__URL=hook_url(port),
        TELEGRAM__WEBHOOK__PORT=str(port),
        TELEGRAM__WEBHOOK__SECRET_TOKEN=SECRET,
        **(leases | extra),
    )


class Instance:
    """One bot instance on a port: a ``leerverhaal run --webhook`` process, restartable."""

    def __init__(self, env: dict[str, str], log_dir: Path, name: str) -> None:
        self.env = env
        self.log_dir = log_dir
        self.name = name
        self.port = int(env["LEERVERHAAL_TELEGRAM__WEBHOOK__PORT"])
        self.url = hook_url(self.port)
        self.current: BotProcess | None = None
        self.started = 0

    @property
    def process(self) -> asyncio.subprocess.Process:
        """The running (or last) process."""
        assert self.current is not None and self.current.process is not None, "not started"
        return self.current.process

    @property
    def pid(self) -> int:
        """Its process id."""
        return self.process.pid

    async def start(self) -> None:
        """Start (again) and wait until it serves."""
        self.started += 1
        log = self.log_dir / f"{self.name}-{self.started}.log"
        self.current = await BotProcess(self.env, log, "run", "--webhook").start()
        await self.ready()

    async def ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until it answers /healthz."""
        assert self.current is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.returncode is None, self.current.stderr()[-3000:]
            with contextlib.suppress(aiohttp.ClientError):
                if await http_status(f"http://127.0.0.1:{self.port}/healthz") == 200:
                    return
            await asyncio.sleep(0.1)
        raise AssertionError(f"not serving after {timeout} s\n{self.current.stderr()[-3000:]}")

    async def kill(self) -> None:
        """SIGKILL: no clean stop, no lease given back."""
        if self.process.returncode is None:
            os.kill(self.pid, signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """A clean stop (SIGTERM)."""
        if self.current is not None and self.process.returncode is None:
            await self.current.stop()


@dataclass
class Instances:
    """Bot instances on one database, and that database as the test reads it."""

    bots: list[Instance]
    database: Database
    cipher: TextCipher

    @property
    def urls(self) -> list[str]:
        """Their webhook URLs."""
        return [bot.url for bot in self.bots]

    def by_pid(self, pid: int | None) -> Instance:
        """The instance whose process has that id."""
        return next(bot for bot in self.bots if bot.current and bot.pid == pid)


@asynccontextmanager
async def bot_processes(
    tg: FakeTelegram, data_dir: Path, database_url: str, count: int, **extra: str
) -> AsyncIterator[Instances]:
    """``count`` instances on one database (migrated and keyed here first), all serving."""
    keys = Fernet.generate_key().decode("ascii")
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=SecretStr(database_url)),
        encryption=EncryptionSettings(keys=SecretStr(keys)),
    )
    services = await open_services(settings)  # migrated once, not by several processes at once
    bots = [
        Instance(
            instance_env(tg, data_dir, database_url, free_port(), keys, **extra),
            data_dir,
            f"bot{n}",
        )
        for n in range(count)
    ]
    try:
        await asyncio.gather(*(bot.start() for bot in bots))
        yield Instances(bots, services.database, services.cipher)
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots), return_exceptions=True)
        await services.close()
