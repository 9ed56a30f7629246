"""Retention in simulated time: told a week ahead, deleted after expiry, never sooner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr, ValidationError

from bot.cli import main
from bot.engine.conversation import Conversations, Speaker
from bot.jobs.retention import RetentionJob, RetentionReport
from bot.services import open_services
from bot.settings import PrivacySettings, Settings, TelegramSettings, load_settings
from bot.telegram.app import build_application
from flows.callbacks import Action, decode
from flows.content.guide import guide_for
from flows.events import Command, Edited, Press
from flows.policy import Retention
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.chat import ALICE, Chat, tell_whole_story
from tests.support.fake_telegram import FakeTelegram
from tests.support.outbox import Outbox
from tests.support.privacy import YEAR, checkin, stories_left
from tests.support.telegram import TOKEN

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

P = guide_for("en").privacy
TERMINAL = Speaker("terminal", 1, None, "en")


# --- the rules ------------------------------------------------------------------------


def test_retention_rules() -> None:
    now = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert Retention().forever and Retention().cutoffs(now) is None
    cutoffs = Retention(years=5).cutoffs(now)
    assert cutoffs is not None
    assert cutoffs.delete_begun_before == datetime(2023, 2, 28, 12, tzinfo=UTC)
    assert cutoffs.warn_begun_before == datetime(2023, 3, 7, 12, tzinfo=UTC)
    assert cutoffs.cover_begun_before == datetime(2023, 4, 6, 12, tzinfo=UTC)
    assert cutoffs.told_before == now - timedelta(days=30)
    assert cutoffs.delete_warned_before == now - timedelta(days=7)
    begun = datetime(2023, 3, 1, tzinfo=UTC)
    assert Retention(years=5).first_deletion(begun, now) == now + timedelta(days=7)
    assert Retention(years=5).first_deletion(begun, begun) == datetime(2028, 3, 1, tzinfo=UTC)
    assert Retention(days=30).expires(now) == now + timedelta(days=30)


def test_retention_settings() -> None:
    assert PrivacySettings().policy().retention.forever
    assert PrivacySettings(retention_years=5).policy().retention == Retention(years=5)
    with pytest.raises(ValidationError, match="not both"):
        PrivacySettings(retention_years=5, retention_days=400)
    with pytest.raises(ValidationError):
        PrivacySettings(retention_days=7)  # shorter than the week's notice


# --- the daily job --------------------------------------------------------------------


async def test_told_a_week_ahead_then_deleted(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    start = clock()
    runner = Conversations(database, cipher, clock=clock)
    alice = Chat(runner)
    await tell_whole_story(alice)
    await tell_whole_story(Chat(runner, TERMINAL, first_update=5000))
    clock.advance(days=100)
    kept = await checkin(alice, "Briefings go smoother")
    outbox = Outbox()
    job = RetentionJob(database, YEAR, outbox, clock)

    clock.now = start + timedelta(days=357)
    assert (await job.run()).told == 0 and outbox.sent == []
    clock.now = start + timedelta(days=359)
    assert await job.run() == RetentionReport(1, 0)
    [sent] = outbox.sent
    assert sent.chat_id == ALICE.chat_id
    reply = sent.reply
    assert reply.text == P.retention_notice.format(
        period="365 days", date="3 Mar 2027", stories="1 story"
    )
    assert decode(reply.buttons[0][0].data).action is Action.EXPORT  # type: ignore[union-attr]
    assert await job.run() == RetentionReport(0, 0)  # told once only
    clock.now = start + timedelta(days=365, hours=12)
    assert (await job.run()).deleted == 0  # expired, but told less than a week ago
    assert await stories_left(database) == 3

    clock.now = start + timedelta(days=366, hours=1)
    assert await job.run() == RetentionReport(0, 1)  # the terminal person was never told
    listing = await alice.send(Command("stories"))
    assert listing is not None
    assert [decode(b.data).story_id for row in listing.replies[0].buttons for b in row] == [  # type: ignore[union-attr]
        kept
    ]
    assert len(outbox.sent) == 1
    assert await stories_left(database) == 2


async def test_a_new_retention_period_still_gives_a_weeks_notice(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    await tell_whole_story(Chat(Conversations(database, cipher, clock=clock)))
    clock.advance(days=800)  # the operator sets one year when the story is two years old
    job = RetentionJob(database, YEAR, Outbox(), clock)
    assert await job.run() == RetentionReport(1, 0)
    clock.advance(days=6, hours=23)
    assert await job.run() == RetentionReport(0, 0)
    clock.advance(hours=2)
    assert await job.run() == RetentionReport(0, 1)


async def test_a_story_changed_after_the_notice_waits_a_week_from_the_change(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice = Chat(Conversations(database, cipher, clock=clock))
    await tell_whole_story(alice)
    clock.advance(days=800)
    job = RetentionJob(database, YEAR, Outbox(), clock)
    await job.run()
    clock.advance(days=3)
    assert await alice.send(Edited("Writing cables, now in half the time", 1)) is not None
    clock.advance(days=4, hours=1)
    assert (await job.run()).deleted == 0
    clock.advance(days=3)
    assert (await job.run()).deleted == 1


async def test_the_notice_offers_an_export(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice = Chat(Conversations(database, cipher, clock=clock))
    await tell_whole_story(alice)
    clock.advance(days=800)
    outbox = Outbox()
    await RetentionJob(database, YEAR, outbox, clock).run()
    [sent] = outbox.sent
    exported = await alice.send(Press(sent.reply.buttons[0][0].data))
    assert exported is not None
    assert [r.file.filename for r in exported.replies if r.file] == [
        "leerverhaal-2028-05-10.md",
        "leerverhaal-2028-05-10.json",
    ]


# --- where it runs --------------------------------------------------------------------


async def test_the_application_runs_the_job_daily_only_with_a_period(clean_env: Path) -> None:
    telegram = TelegramSettings(token=SecretStr(TOKEN))
    for privacy, expected in ((PrivacySettings(), 0), (PrivacySettings(retention_years=5), 1)):
        settings = Settings(data_dir=clean_env / "data", telegram=telegram, privacy=privacy)
        services = await open_services(settings)
        try:
            app = build_application(settings, services)
            assert app.job_queue is not None
            assert len(app.job_queue.get_jobs_by_name("retention")) == expected
        finally:
            await services.close()


async def test_retention_run_from_the_command_line(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    services = await open_services(load_settings())
    long_ago = lambda: datetime(2020, 1, 6, 9, tzinfo=UTC)  # noqa: E731
    try:
        await tell_whole_story(Chat(Conversations(services.database, services.cipher, long_ago)))
    finally:
        await services.close()

    assert await asyncio.to_thread(main, ["retention", "run"]) == 0
    assert "No retention period" in capsys.readouterr().out
    monkeypatch.setenv("LEERVERHAAL_PRIVACY__RETENTION_YEARS", "1")
    assert await asyncio.to_thread(main, ["retention", "run", "--dry-run"]) == 0
    assert "tell 1 people and delete 0 stories" in capsys.readouterr().out
    async with FakeTelegram(token=TOKEN) as tg:
        tg.user(ALICE.external_id, "Ann", language_code="en")  # she has a chat with the bot
        monkeypatch.setenv("LEERVERHAAL_TELEGRAM__TOKEN", tg.token)
        monkeypatch.setenv("LEERVERHAAL_TELEGRAM__BASE_URL", tg.base_url)
        assert await asyncio.to_thread(main, ["retention", "run"]) == 0
        [notice] = tg.messages_in(ALICE.chat_id or 0)
        assert (notice.text or "").startswith("Stories are kept here for 1 year.")
        assert [label for label, _ in notice.buttons] == [P.export_button]
        tg.assert_no_violations()
    assert "Told 1 people; deleted 0 stories." in capsys.readouterr().out
