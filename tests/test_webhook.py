"""Webhook mode: Telegram POSTs updates; the bot answers 200 only once they are committed.

In this process: the bot registers its webhook with the secret, a whole story is told
through webhook delivery, a POST without the right secret is refused and stores
nothing, and /healthz and /readyz say how it is. As a ``leerverhaal run --webhook``
subprocess: killed with SIGKILL while a POST waits for the database, before or after
the commit, and a POST that Telegram sends again (after its timeout, or to a restarted
bot) is handled once and answered once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.fake_telegram._user import command_entities
from tests.support.telegram import TOKEN, first_start, save_story, suggested, tell_whole_story
from tests.support.webhook import (
    EN,
    SECRET,
    asked,
    bot_processes,
    free_port,
    hook_url,
    http_status,
    inbox,
    post_update,
    running_webhook_bot,
    stored_answers,
)

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
LOCK_INBOX = "LOCK TABLE inbox_updates IN EXCLUSIVE MODE"  # no update can be stored
SHORTEST = {"ENGINE__LEASE_SECONDS": "5", "ENGINE__CLAIM_SECONDS": "5"}  # the settings' minimums


def start_update(update_id: int, user: FakeUser) -> dict[str, Any]:
    """A /start message of ``user`` as Telegram would POST it."""
    message = {
        "message_id": user.chat.take_message_id(),
        "from": user.user_dict,
        "chat": user.chat.chat,
        "date": int(time.time()),
        "text": "/start",
        "entities": command_entities("/start"),
    }
    return {"update_id": update_id, "message": message}


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_whole_story_told_through_the_webhook(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_webhook_bot(tg, tmp_path, database_url, port) as bot:
            assert (tg.webhook_url, tg.webhook_secret) == (hook_url(port), SECRET)
            [registered] = [call for call in tg.calls if call.method == "setWebhook"]
            assert registered.params["secret_token"] == SECRET
            user = tg.user(2001, "Ann", language_code="en")
            await tell_whole_story(user)
            await save_story(user)
            await suggested(user, "shadowing")  # their own "what will help next"
            assert (await user.wait_for_message()).text == EN.settings.offer
            await tg.wait_webhook_idle()
            assert set(tg.webhook_statuses) == {200}
            stored = await inbox(bot.services.database)
            assert sorted(stored) == sorted(tg.webhook_accepted)
            assert all(stored.values()), "every update was handled"
            assert tg.unanswered_callbacks == []
        tg.assert_no_violations()


@SQLITE_ONLY
async def test_without_the_secret_nothing_is_stored_and_health_is_told(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    async with (
        FakeTelegram(token=TOKEN) as tg,
        running_webhook_bot(tg, tmp_path, database_url, port) as bot,
    ):
        user = tg.user(2002, "Bo", language_code="en")
        url, base = hook_url(port), f"http://127.0.0.1:{port}"
        assert await post_update(url, start_update(900_001, user), secret=None) == 403
        assert await post_update(url, start_update(900_002, user), secret="wrong") == 403
        assert await post_update(url, start_update(900_003, user), SECRET[:-1]) == 403
        assert await inbox(bot.services.database) == {}
        assert tg.sent_count(user.chat_id) == 0
        assert await http_status(f"{base}/healthz") == 200
        assert await http_status(f"{base}/readyz") == 200

        database = bot.engine.database
        unreachable = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
        bot.engine.database = unreachable  # as if the database server had gone away
        try:
            assert await http_status(f"{base}/readyz") == 503
            assert await http_status(f"{base}/healthz") == 200
        finally:
            bot.engine.database = database
            await unreachable.dispose()
        assert await http_status(f"{base}/readyz") == 200

        assert await post_update(url, start_update(900_004, user)) == 200
        asked = await user.wait_for_message()  # a first /start: which language?
        assert EN.texts.language_first in (asked.text or "")
        assert await inbox(bot.services.database) == {900_004: True}


# --- killed with SIGKILL --------------------------------------------------------------


@asynccontextmanager
async def database_locked(database_url: str, statement: str) -> AsyncIterator[None]:
    """Hold a lock in a transaction of another connection while the block runs."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    try:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute(statement)
        try:
            yield
        finally:
            await transaction.rollback()
    finally:
        await connection.close()


async def answered_once(user: FakeUser, question: int, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait for the question that follows an answer, then check it came once."""
    await user.wait_for_message(timeout=timeout, predicate=lambda m: asked(m) == question)
    await user.tg.wait_until_idle(settle=1.0, timeout=timeout)
    assert [asked(m) for m in user.all_messages].count(question) == 1


def last_update(tg: FakeTelegram) -> int:
    """The update id of the latest webhook POST."""
    return tg.webhook_attempts[-1].update_id


@POSTGRES_ONLY
async def test_a_killed_bot_handles_what_telegram_sends_again_once(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        FakeTelegram(token=TOKEN, webhook_retry_delay=0.3) as tg,
        bot_processes(tg, tmp_path, database_url, 1, **SHORTEST) as instances,
    ):
        [bot] = instances.bots
        user = tg.user(2101, "Cas", language_code="en")
        await first_start(user, timeout=20)
        await user.press_button(EN.texts.begin)
        await user.wait_for_message(timeout=20)
        # The opening, then "done" twice: typed, it moves on from a quick-pick question.
        answers = ["answer 0", "done", "done"]

        # 1. Killed before the commit: the update waits for a lock on the inbox.
        async with database_locked(database_url, LOCK_INBOX):
            sent = [await user.send(answers[0])]
            await tg.wait_for(lambda: tg.webhook_in_flight == 1)
            await asyncio.sleep(0.3)  # the bot has read the POST and waits for the lock
            await bot.kill()
        await bot.start()
        await answered_once(user, 1)
        first = last_update(tg)
        assert tg.webhook_posts(first) >= 2

        # 2. Killed after the commit (Telegram got its 200), before the handling.
        lock_person = f"SELECT 1 FROM persons WHERE external_id = {user.id} FOR UPDATE"
        async with database_locked(database_url, lock_person):
            accepted = len(tg.webhook_accepted)
            sent.append(await user.send(answers[1]))
            await tg.wait_for(lambda: len(tg.webhook_accepted) > accepted)
            await asyncio.sleep(0.3)  # the bot waits for the person's row
            await bot.kill()
        killed = time.monotonic()
        await bot.start()
        await answered_once(user, 2)  # once the dead instance's claim ran out
        recovered_after = time.monotonic() - killed
        assert tg.webhook_posts(last_update(tg)) == 1

        # 3. Telegram's timeout runs out while the bot waits for the lock: sent again.
        tg.webhook_timeout = 0.5
        async with database_locked(database_url, LOCK_INBOX):
            sent.append(await user.send(answers[2]))
            await tg.wait_for(lambda: tg.webhook_statuses["timeout"] >= 2)
        tg.webhook_timeout = 60.0
        await answered_once(user, 3)
        assert tg.webhook_posts(last_update(tg)) >= 3

        # 4. Updates handled before the last restart, and just now, sent once more.
        handled = await inbox(instances.database)
        assert sorted(handled) == sorted(set(tg.webhook_accepted))
        assert all(handled.values())
        for update_id, message_id in ((first, sent[0]), (last_update(tg), sent[2])):
            update = {"update_id": update_id, "message": user.chat.user_messages[message_id]}
            assert await post_update(bot.url, update) == 200
        await tg.wait_until_idle(settle=1.0)
        assert [asked(m) for m in user.all_messages] == [None, 0, 1, 2, 3]
        assert await inbox(instances.database) == handled

        stored = await stored_answers(instances.database, instances.cipher, user.chat_id)
        assert stored == answers[:1]  # the two "done" skipped their questions
        print(
            f"\nwebhook POSTs: {dict(tg.webhook_statuses)}; a committed update taken over"
            f" {recovered_after:.1f} s after the kill"
        )
    tg.assert_no_violations()
