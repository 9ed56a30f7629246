"""End to end: check-ins through the real Application and the fake Bot API server.

The Application runs with a ``FakeClock``; the tests move it to a person's slot and call
the dispatcher's ``tick()`` themselves (the periodic JobQueue tick is removed, so it
cannot race the test). A person tells a story, sets up check-ins for Kathmandu, gets
their checkin on Tuesday at 10:00 local time (asking first about the story's next step)
and answers it; a blocked chat gets nothing
until the person writes again; a 429 costs no checkin and doubles none; two checkins to
one chat are at least a second apart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.settings import CheckinSettings, Settings
from flows.menu.follow_up import TRIED
from flows.states import StoryKind, StoryStatus
from storage.models import NextStep, Story
from tests.support.clock import FakeClock
from tests.support.dispatch import CHECKIN_PROMPTS, SQLITE_ONLY, is_checkin, is_follow_up
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    AMSTERDAM_TUESDAY,
    EN,
    OPENING,
    TOKEN,
    bot_settings,
    calls,
    dispatcher_of,
    done,
    enrol_directly,
    running_bot,
    save_story,
    schedule_row,
    suggested,
    tap,
    tell_whole_story,
)

CHECKIN = EN.questionnaire(StoryKind.CHECKIN)
TRIED_PROMPT = next(q.prompt for q in CHECKIN.extras if q.key == TRIED)  # after "did it"
W = EN.next_steps
SHADOWING = "Shadowing a colleague"  # the story's "what will help next", as picked
KATHMANDU_TUESDAY = datetime(2026, 3, 3, 4, 15, tzinfo=UTC)  # 10:00 in Asia/Kathmandu
SMOOTHER = "Saying no to extra work, kindly and early"


def checkin_settings(tg: FakeTelegram, data_dir: Path, database_url: str) -> Settings:
    """Settings for the fake server, with an hourly periodic tick (removed anyway)."""
    settings = bot_settings(tg, data_dir, database_url)
    return settings.model_copy(update={"checkins": CheckinSettings(tick_seconds=3600)})


async def set_up_checkins_in_kathmandu(user: FakeUser) -> None:
    """Accept the offer, type the city (one place of that name: set at once), tap Done."""
    await user.press_button(EN.settings.set_up)
    assert EN.settings.zone_prompt in ((await user.wait_for_message()).text or "")
    await user.send("Kathmandu")
    zone_set = await user.wait_for_message()
    assert (zone_set.text or "").startswith("Got it: Kathmandu (14:45, Monday).")
    menu = await user.wait_for_message()
    assert "Place: Kathmandu (it is 14:45, Monday there now)" in (menu.text or "")
    await user.press_button(EN.settings.close_button, menu.message_id)
    closed = await user.wait_for_edit(menu.message_id)
    assert closed.text == EN.settings.saved.format(next="Tuesday 3 March, 10:00")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_checkin_at_ten_in_kathmandu_answered_and_stored(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()  # Monday 2 March 2026, 09:00 UTC (14:45 in Kathmandu)
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(checkin_settings(tg, tmp_path, database_url), clock) as bot:
            dispatcher = dispatcher_of(bot)
            user = tg.user(1101, "Ann", language_code="en")
            await tell_whole_story(user)
            await save_story(user)
            await suggested(user, "shadowing")  # their own "what will help next"
            assert (await user.wait_for_message()).text == EN.settings.offer
            await set_up_checkins_in_kathmandu(user)
            assert (await schedule_row(bot, user.chat_id)).next_checkin_at == KATHMANDU_TUESDAY

            clock.now = KATHMANDU_TUESDAY - timedelta(seconds=1)
            assert (await dispatcher.tick()).claimed == 0
            clock.now = KATHMANDU_TUESDAY
            report = await dispatcher.tick()
            assert (report.claimed, report.sent) == (1, 1)
            checkin = await user.wait_for_message()
            assert is_follow_up(checkin, SHADOWING), checkin.text  # the story's next step first

            await user.press_button(W.did_it)
            said = await user.wait_for_edit(checkin.message_id)
            assert said.text == W.did_it_done.format(step=SHADOWING) and not said.buttons
            tried = await user.wait_for_message()
            assert (tried.text or "").startswith(TRIED_PROMPT)
            await tap(user, "Watching someone")
            opening = await done(user)  # then the check-in's own question (in one of its wordings)
            assert any(prompt in opening for prompt in CHECKIN_PROMPTS), opening
            await user.send(SMOOTHER)
            asked = await user.wait_for_message()
            assert CHECKIN.questions[1].prompt in (asked.text or "")
            await tap(user, "Feedback")
            await user.press_button(EN.texts.done)
            closing = await user.wait_for_message()
            assert EN.checkin.texts.closing in (closing.text or "")
            assert [t for t, _ in closing.buttons] == [EN.checkin.texts.to_story]
            await suggested(user, "ask_feedback")  # matched on how they learned
            await tg.wait_until_idle()

            async with bot.services.database.transaction() as session:
                checkins = (
                    await session.scalars(select(Story).where(Story.kind == StoryKind.CHECKIN))
                ).all()
                steps = (await session.scalars(select(NextStep))).all()
            assert [(s.status, s.completed_at) for s in checkins] == [
                (StoryStatus.COMPLETE.value, KATHMANDU_TUESDAY)
            ]
            assert [(s.status, s.closed_at) for s in steps] == [("done", KATHMANDU_TUESDAY)]
            row = await schedule_row(bot, user.chat_id)
            assert row.next_checkin_at == KATHMANDU_TUESDAY + timedelta(days=7)
            assert (row.last_checkin_at, row.unanswered) == (KATHMANDU_TUESDAY, 0)

            await user.send("/stories")
            listing = await user.wait_for_message()
            assert listing.text == EN.texts.stories_title
            labels = [label for row_ in listing.keyboard for label, _ in row_]
            assert len(labels) == 3
            assert labels[-1] == EN.texts.stories_only  # a story and a check-in, each marked
            assert f" · {EN.texts.kind_checkin}: {SMOOTHER[:20]}" in labels[0]
            assert any(SMOOTHER[:20] in label for label in labels), labels
            assert any(OPENING[:20] in label for label in labels), labels

            clock.advance(hours=1)
            assert (await dispatcher.tick()).claimed == 0
            await tg.wait_until_idle()
            greeted = [m for m in user.all_messages if m.texts[0] == checkin.texts[0]]
            assert greeted == [checkin], "one check-in, asked once"
        tg.assert_no_violations()


@SQLITE_ONLY
async def test_a_blocked_chat_is_not_asked_until_the_person_writes(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(checkin_settings(tg, tmp_path, database_url), clock) as bot:
            dispatcher = dispatcher_of(bot)
            user = tg.user(1102, "Bo", language_code="en")
            await enrol_directly(bot, user, clock.now, AMSTERDAM_TUESDAY)
            tg.block(user.chat_id)
            clock.now = AMSTERDAM_TUESDAY
            report = await dispatcher.tick()
            assert (report.claimed, report.blocked, report.sent) == (1, 1, 0)
            assert calls(tg, "sendMessage", user.chat_id) == 1
            assert [e.error_code for e in tg.errors if e.chat_id == user.chat_id] == [403]
            assert (await schedule_row(bot, user.chat_id)).blocked

            for week in (1, 2):
                clock.now = AMSTERDAM_TUESDAY + timedelta(weeks=week)
                assert (await dispatcher.tick()).claimed == 0
            assert calls(tg, "sendMessage", user.chat_id) == 1, "no further checkins while blocked"

            # Unblocking in Telegram ("Restart") sends /start: the person writes again.
            tg.unblock(user.chat_id)
            await user.send("/start")
            await user.wait_for_message()
            await tg.wait_until_idle()
            assert not (await schedule_row(bot, user.chat_id)).blocked
            assert (await dispatcher.tick()).claimed == 0, "not the one that waited meanwhile"
            clock.now = AMSTERDAM_TUESDAY + timedelta(weeks=3)  # their next regular slot
            report = await dispatcher.tick()
            assert report.sent == 1
            assert is_checkin(await user.wait_for_message())
            assert (await dispatcher.tick()).claimed == 0
            await tg.wait_until_idle()
            assert sum(1 for m in user.all_messages if is_checkin(m)) == 1
        tg.assert_no_violations()


@SQLITE_ONLY
async def test_two_checkins_to_one_chat_are_a_second_apart(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(checkin_settings(tg, tmp_path, database_url), clock) as bot:
            dispatcher = dispatcher_of(bot)
            user = tg.user(1103, "Cy", language_code="en")
            await enrol_directly(bot, user, clock.now, AMSTERDAM_TUESDAY)
            clock.now = AMSTERDAM_TUESDAY
            assert (await dispatcher.tick()).sent == 1
            first = await user.wait_for_message()
            assert is_checkin(first)
            await user.press_button(EN.checkin.texts.later_today, first.message_id)
            snoozed = await user.wait_for_edit(first.message_id)
            assert snoozed.text == "Fine, I'll ask again later today at 13:00."
            later = AMSTERDAM_TUESDAY + timedelta(hours=3)
            assert (await schedule_row(bot, user.chat_id)).next_checkin_at == later
            clock.now = later
            assert (await dispatcher.tick()).sent == 1  # at once in simulated time
            assert is_checkin(await user.wait_for_message())
            await tg.wait_until_idle()
            assert calls(tg, "sendMessage", user.chat_id) == 2
            assert tg.min_interval(user.chat_id) >= 1.0
        tg.assert_no_violations()


@SQLITE_ONLY
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
async def test_a_429_costs_no_checkin_and_doubles_none(tmp_path: Path, database_url: str) -> None:
    clock = FakeClock()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(checkin_settings(tg, tmp_path, database_url), clock) as bot:
            dispatcher = dispatcher_of(bot)
            user = tg.user(1104, "Di", language_code="en")
            await enrol_directly(bot, user, clock.now, AMSTERDAM_TUESDAY)
            tg.fail_next("sendMessage", user.chat_id, error_code=429, retry_after=1)
            clock.now = AMSTERDAM_TUESDAY
            report = await dispatcher.tick()
            assert (report.sent, report.failed) == (1, 0)
            assert is_checkin(await user.wait_for_message())
            await tg.wait_until_idle()
            assert calls(tg, "sendMessage", user.chat_id) == 2, (
                "one refused with 429, one delivered"
            )
            assert len(user.all_messages) == 1
            assert (await schedule_row(bot, user.chat_id)).last_checkin_at == AMSTERDAM_TUESDAY
        tg.assert_no_violations()
