"""The durable engine under Bot API faults, through the real bot and the fake Bot API server.

- A 429 for one chat holds up that chat only: the others' replies are not slowed down.
- Ten seconds of connection resets lose nothing and double nothing.
- Answers slower than the read timeout: every message, check-ins too, arrives at most twice.
- A person who blocked the bot: their replies are dropped, their check-ins stop, nobody
  else notices.
- "message is not modified" on an edit counts as done: no error message, no retries.
- A delivery's id is never given to a new one (on SQLite a reused id lost a reply).

The bot runs on SQLite: what is tested is the engine, not the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest

from flows.replies import Reply
from storage.crypto import TextCipher
from storage.database import Database
from storage.outbox import Delivery, Outbox
from tests.support.clock import START, FakeClock
from tests.support.dispatch import is_checkin
from tests.support.engine import (
    LEARNED_HOW,
    answer_opening,
    assert_nothing_lost,
    copies,
    delays_of,
    fault_settings,
    median,
    open_stories,
    people,
    reply_delay,
    wait_for_questions,
)
from tests.support.fake_telegram import NOT_MODIFIED, FakeTelegram
from tests.support.telegram import (
    AMSTERDAM_TUESDAY,
    EN,
    TOKEN,
    begin,
    calls,
    dispatcher_of,
    enrol_directly,
    running_bot,
    schedule_row,
    tap,
)

log = logging.getLogger(__name__)
HELP = "/help"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
async def test_a_429_for_one_chat_holds_up_that_chat_only(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(fault_settings(tg, tmp_path)):
            waiting, *others = people(tg, 3100, 6)
            baseline = await delays_of(others, HELP) + await delays_of(others, HELP)

            tg.fail_next("sendMessage", waiting.chat_id, error_code=429, retry_after=3)
            held_up = asyncio.create_task(reply_delay(waiting, HELP))
            meanwhile: list[float] = []
            while not held_up.done():
                meanwhile += await delays_of(others, HELP)
            waited = await held_up
            await tg.wait_until_idle()

            extra = median(meanwhile) - median(baseline)
            log.info(
                "429: median reply %.3f s before, %.3f s meanwhile (%d replies), held chat %.2f s",
                median(baseline), median(meanwhile), len(meanwhile), waited,
            )  # fmt: skip
            assert len(meanwhile) >= 5 * 3, "the others went on while one chat waited"
            assert extra < 0.5
            assert 3.0 <= waited < 5.0
            assert copies(tg, waiting.chat_id) == {EN.texts.help: 1}
            assert calls(tg, "sendMessage", waiting.chat_id) == 2, "one refused, one delivered"
        tg.assert_no_violations()


async def test_connection_resets_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(fault_settings(tg, tmp_path)) as bot:
            early, late = people(tg, 3200, 3), people(tg, 3210, 3)
            await open_stories(early + late)

            await answer_opening(early)  # fetched, and then their replies meet the resets
            await tg.wait_for(lambda: tg.pending_updates == 0, what="the answers fetched")
            tg.reset_connections(10)
            started = time.monotonic()
            await asyncio.sleep(1)
            await answer_opening(late)  # while nothing gets through
            arrived = [t - started for t in await wait_for_questions(early + late, timeout=30)]
            log.info(
                "resets: %d calls cut (%s); replies %.1f-%.1f s after the resets began",
                tg.reset_count, sorted({c.method for c in tg.resets}), min(arrived), max(arrived),
            )  # fmt: skip
            assert min(arrived) >= 10 and max(arrived) < 18, "late by the retry backoff at most"
            assert {"sendMessage", "getUpdates"} <= {c.method for c in tg.resets}
            await assert_nothing_lost(tg, bot, early + late)
        tg.assert_no_violations()


async def test_answers_slower_than_the_read_timeout_repeat_a_message_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(fault_settings(tg, tmp_path, read_timeout=1.0), clock) as bot:
            dispatcher = dispatcher_of(bot)
            users = people(tg, 3300, 3)
            checked_in = tg.user(3310, "Ci", language_code="en")
            await enrol_directly(bot, checked_in, clock.now, AMSTERDAM_TUESDAY)
            tg.delay("sendMessage", 1.5)  # delivered at once, answered after the read timeout

            await delays_of(users, HELP)
            clock.now = AMSTERDAM_TUESDAY
            report = await dispatcher.tick()
            assert (report.sent, report.failed) == (1, 0)
            await tg.wait_until_idle(settle=2.0, timeout=20)
            tg.clear_delays()

            help_copies = [copies(tg, user.chat_id)[EN.texts.help] for user in users]
            checkins = [m for m in tg.messages_in(checked_in.chat_id) if is_checkin(m)]
            log.info("slow answers: help copies %s, check-in copies %d", help_copies, len(checkins))
            assert all(1 <= n <= 2 for n in help_copies)
            assert 1 <= len(checkins) <= 2
            assert all(len(copies(tg, user.chat_id)) == 1 for user in users)
            assert (
                await schedule_row(bot, checked_in.chat_id)
            ).last_checkin_at == AMSTERDAM_TUESDAY
        tg.assert_no_violations()


async def test_a_blocked_person_is_dropped_and_nobody_else_notices(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(fault_settings(tg, tmp_path), clock) as bot:
            dispatcher = dispatcher_of(bot)
            blocker, *others = people(tg, 3400, 4)
            for user in (blocker, others[0]):
                await enrol_directly(bot, user, clock.now, AMSTERDAM_TUESDAY)
            tg.block(blocker.chat_id)

            await blocker.send(HELP)
            await blocker.send("/stories")
            delays = await delays_of(others, HELP) + await delays_of(others, "/stories")
            await tg.wait_until_idle()
            refused = calls(tg, "sendMessage", blocker.chat_id)
            assert 1 <= refused <= 2, "each reply tried once at most, then dropped"
            assert tg.messages_in(blocker.chat_id) == []
            assert (await schedule_row(bot, blocker.chat_id)).blocked
            assert max(delays) < 2.0

            clock.now = AMSTERDAM_TUESDAY
            report = await dispatcher.tick()
            assert (report.claimed, report.sent) == (1, 1), "only the one who did not block"
            assert is_checkin(await others[0].wait_for_message())
            await tg.wait_until_idle()
            assert calls(tg, "sendMessage", blocker.chat_id) == refused, "no check-in tried"
            log.info("403: %d replies refused; others' slowest reply %.2f s", refused, max(delays))
        tg.assert_no_violations()


async def test_an_edit_that_changes_nothing_counts_as_done(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(fault_settings(tg, tmp_path)):
            user = tg.user(3500, "Ed", language_code="en")
            await begin(user)
            await user.send("Asking for help earlier")
            assert LEARNED_HOW in ((await user.wait_for_message()).text or "")

            tg.fail_next("editMessageText", user.chat_id, error_code=400, description=NOT_MODIFIED)
            since, messages = len(tg.calls), len(tg.messages_in(user.chat_id))
            await user.press_button("Feedback")
            await user.wait_for_answer()
            await tg.wait_until_idle(settle=1.0)
            made = [c.method for c in tg.calls[since:]]
            log.info("not modified: calls after the press %s", made)
            assert made == ["answerCallbackQuery", "editMessageText"], "no retries, no new message"
            assert len(tg.messages_in(user.chat_id)) == messages, "no error message"

            await tap(user, "By doing, trial and error")  # the person simply goes on
        tg.assert_no_violations()


async def test_a_dropped_delivery_id_is_never_given_to_a_new_one(
    database: Database, cipher: TextCipher
) -> None:
    """The sender knows deliveries by id until it recorded them: on SQLite a reused id
    made a new reply look already held (never sent), then deleted with the old one."""
    now = START
    async with database.transaction() as session:
        outbox = Outbox(session, cipher, bot_id=1)
        dropped = await outbox.add(Delivery(10, (Reply("to a blocked chat"),)), now, None)
        await outbox.drop_chat(10)
        new = await outbox.add(Delivery(11, (Reply("to someone else"),)), now, None)
    assert new.id > dropped.id


async def test_a_new_delivery_is_claimed_only_behind_deliveries_the_sender_holds(
    database: Database, cipher: TextCipher
) -> None:
    """Replies to one chat go in order: a new one is claimed for this instance's sender
    only when every delivery still waiting for that chat is already in its hands."""
    now, claim = START, START + timedelta(seconds=30)
    reply = (Reply("…"),)
    async with database.transaction() as session:
        outbox = Outbox(session, cipher, bot_id=1)
        elsewhere = await outbox.add(Delivery(10, reply), now, None)  # another instance's
        behind = await outbox.add(Delivery(10, reply), now, claim, unless_waiting_besides=[])
        first = await outbox.add(Delivery(20, reply), now, claim, unless_waiting_besides=[])
        held = await outbox.add(Delivery(20, reply), now, claim, unless_waiting_besides=[first.id])
        unheld = await outbox.add(Delivery(20, reply), now, claim, unless_waiting_besides=[])
        plain = await outbox.add(Delivery(10, reply), now, claim)
    assert not elsewhere.claimed and not behind.claimed and not unheld.claimed
    assert first.claimed and held.claimed and plain.claimed
    async with database.transaction() as session:
        taken = await Outbox(session, cipher, bot_id=1).claim(now, claim, limit=10)
    assert [p.id for p in taken] == [elsewhere.id, behind.id, unheld.id]
