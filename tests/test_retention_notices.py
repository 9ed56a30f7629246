"""Retention notices: recorded only once sent, once a month per person, never touching a story.

Also: who cannot be told (blocked on Telegram; the terminal) and what then happens.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import TYPE_CHECKING

from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.engine.conversation import Conversations
from bot.jobs.retention import RetentionJob, RetentionReport
from bot.terminal import TerminalChat
from flows.content.guide import guide_for
from flows.policy import PrivacyPolicy
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Person, Story
from tests.support.chat import ALICE, Chat, person_id, tell_whole_story
from tests.support.outbox import Outbox
from tests.support.privacy import YEAR, checkin, stories_left
from tests.support.terminal import lines

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

P = guide_for("en").privacy


async def test_a_failed_notice_is_sent_again_and_deletion_waits_for_it(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    start = clock()
    await tell_whole_story(Chat(Conversations(database, cipher, clock=clock)))
    outbox = Outbox()
    outbox.fail(None, NetworkError("network down"))
    job = RetentionJob(database, YEAR, outbox, clock)

    clock.now = start + timedelta(days=359)
    assert await job.run() == RetentionReport(0, 0)  # not sent, so not recorded
    clock.now = start + timedelta(days=366, hours=1)
    assert await job.run() == RetentionReport(1, 0)  # expired, but only told just now
    [notice] = outbox.sent
    assert "10 Mar 2027" in notice.text  # a week from the notice that went out
    clock.now = start + timedelta(days=373)
    assert (await job.run()).deleted == 0
    clock.now = start + timedelta(days=373, hours=2)
    assert (await job.run()).deleted == 1


async def test_someone_who_blocked_the_bot_counts_as_told_and_their_stories_go_later(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    """Telegram refuses for good: the operator's period holds, a week after the attempt."""
    start = clock()
    runner = Conversations(database, cipher, clock=clock)
    await tell_whole_story(Chat(runner))
    outbox = Outbox()
    outbox.fail(None, Forbidden("Forbidden: bot was blocked by the user"))
    job = RetentionJob(database, YEAR, outbox, clock)

    clock.now = start + timedelta(days=359)
    assert await job.run() == RetentionReport(0, 0, unreachable=1)
    clock.now = start + timedelta(days=362)
    assert await job.run() == RetentionReport(0, 0)  # not tried again
    clock.now = start + timedelta(days=366, hours=1)
    assert await job.run() == RetentionReport(0, 1)
    assert outbox.sent == []

    outbox.fail(None, BadRequest("Bad Request: chat not found"))  # gone for good as well
    await tell_whole_story(Chat(runner, ALICE, first_update=700))
    clock.advance(days=365)
    assert (await job.run()).unreachable == 1


async def test_weekly_check_ins_bring_one_notice_a_month_that_covers_them(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    start = clock()
    alice = Chat(Conversations(database, cipher, clock=clock))
    for week in range(12):
        clock.now = start + timedelta(weeks=week)
        await checkin(alice, f"Week {week}: briefings go smoother")
    outbox = Outbox()
    job = RetentionJob(database, YEAR, outbox, clock)
    told_on, left = [], []
    for day in range(350, 460):
        clock.now = start + timedelta(days=day, hours=1)
        if (await job.run()).told:
            told_on.append(day)
        left.append(await stories_left(database))

    assert told_on == [358, 393, 428]  # not once a week
    texts = [notice.text for notice in outbox.sent]
    assert texts[0] == P.retention_notice.format(
        period="365 days", date="2 Mar 2027", stories="5 check-ins"
    )
    assert "5 check-ins" in texts[1] and "2 check-ins" in texts[2]
    assert left[365 - 350] == 12 and left[366 - 350] == 11  # a week after the notice
    assert left[-1] == 0


async def test_a_notice_never_changes_when_a_story_was_last_changed(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    start = clock()
    alice = Chat(Conversations(database, cipher, clock=clock))
    await tell_whole_story(alice)
    async with database.transaction() as session:
        before = await session.scalar(select(Story.updated_at))
    clock.now = start + timedelta(days=359)
    await RetentionJob(database, YEAR, Outbox(), clock).run()
    who = await person_id(database, ALICE)
    async with database.transaction() as session:
        story = await session.scalar(select(Story))
        person = await session.get(Person, who)
        assert story is not None and person is not None
        assert story.updated_at == before
        assert story.retention_notice_at == clock() == person.retention_notice_at


async def test_the_terminal_person_is_told_when_the_chat_next_starts(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    start = clock()
    policy = PrivacyPolicy(retention=YEAR)
    runner = Conversations(database, cipher, clock=clock, policy=policy)
    first = TerminalChat(runner, out=StringIO(), language="en")
    await first.run(lines(["/checkin", "Briefings go smoother", "/cancel"]))
    job = RetentionJob(database, YEAR, Outbox(), clock)
    clock.now = start + timedelta(days=400)
    assert await job.run() == RetentionReport(0, 0)  # no chat to send to: it waits

    out = StringIO()
    await TerminalChat(runner, out=out, language="en").run(lines([]))
    notice = P.retention_notice.format(period="365 days", date="13 Apr 2027", stories="1 check-in")
    assert notice in out.getvalue() and f"1) {P.export_button}" in out.getvalue()
    again = StringIO()
    await TerminalChat(runner, out=again, language="en").run(lines([]))
    assert notice not in again.getvalue()  # told once
    clock.advance(days=7, hours=1)
    assert await job.run() == RetentionReport(0, 1)
    assert await stories_left(database) == 0
