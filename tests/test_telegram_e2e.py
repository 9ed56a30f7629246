"""End to end: the real PTB Application polling the fake Bot API server over HTTP.

A simulated person tells a whole learning story with taps and typed answers,
finds it again with /stories, and a second Application on the same database
(the "restart") continues a half-finished story at the same question.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from flows.content.guide import guide_for
from storage.models import Answer, Choice, GroupChat, Person, Story
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    EN,
    OPENING,
    TOKEN,
    RunningBot,
    answer_text,
    begin,
    bot_settings,
    count,
    done,
    running_bot,
    suggested,
    tap,
    tell_whole_story,
)

NL = guide_for("nl")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_whole_story_told_on_telegram_and_found_again(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        settings = bot_settings(tg, tmp_path, database_url)
        async with running_bot(settings) as bot:
            user = tg.user(1001, "Ann", language_code="en")
            await tell_whole_story(user)
            card = user.last_message
            assert OPENING in (card.text or "")
            assert "By doing, trial and error · Feedback" in (card.text or "")
            await user.press_button(EN.texts.confirm)
            await suggested(user, "shadowing")  # their own "what will help next"
            assert card.edited and not card.buttons, "the confirmed card loses its buttons"
            assert (card.text or "").endswith(
                "\n\n".join(
                    (
                        EN.texts.card_complete,
                        EN.texts.saved,
                        "You learned this mostly by doing and through feedback, "
                        "together with a more experienced colleague.",
                        EN.reflect.self_doubt,
                    )
                )
            ), "the card ends with saved, and the story's pattern reflected back"
            offer = await user.wait_for_message()
            assert offer.text == EN.settings.offer

            await user.send("/stories")
            listing = await user.wait_for_message()
            assert listing.text == EN.texts.stories_title
            [(label, data)] = listing.keyboard[0]
            assert OPENING[:20] in label
            await user.press(data)
            shown = await user.wait_for_edit()
            assert OPENING in (shown.text or "")
            await tg.wait_until_idle()
            assert await _complete_stories(bot) == 1
            private = {"type": "all_private_chats"}
            dutch = dict(tg.commands_for("nl", private))
            assert dutch["reflect"] == NL.commands.reflect
            assert dict(tg.commands_for("", private))["stories"] == EN.commands.stories
        tg.assert_no_violations()


async def _complete_stories(bot: RunningBot) -> int:
    async with bot.services.database.transaction() as session:
        stories = (await session.scalars(select(Story).where(Story.status == "complete"))).all()
        return len(stories)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_restart_continues_at_the_same_question(tmp_path: Path, database_url: str) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        settings = bot_settings(tg, tmp_path, database_url)
        user = tg.user(1002, "Bo", language_code="en")
        async with running_bot(settings):
            await begin(user)
            assert "How did you learn it?" in await answer_text(user, OPENING)
            await tap(user, "Watching someone")
            await tg.wait_until_idle()
        # A second Application on the same database: nothing was kept in memory.
        async with running_bot(settings) as bot:
            await user.send("/reflect")
            await user.wait_for_message()
            repeated = await user.wait_for_message()
            assert "How did you learn it?" in (repeated.text or "")
            assert any(t.startswith("✅ Watching someone") for t, _ in repeated.buttons)
            assert "Who was involved?" in await done(user)
            assert EN.texts.words_added in await answer_text(user, "nobody really")
            assert "tools or resources" in await done(user)
            await tg.wait_until_idle()
            async with bot.services.database.transaction() as session:
                picks = (await session.scalars(select(Choice.option))).all()
            assert sorted(picks) == ["watching"]
        tg.assert_no_violations()


async def test_dutch_person_gets_dutch_and_can_switch(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)):
            user = tg.user(1003, "Els", language_code="nl")
            await user.send("/start")
            asked = await user.wait_for_message()  # the guess (Dutch) asks first
            assert (asked.text or "").startswith(NL.texts.language_first)
            await user.press_button("Nederlands")
            welcome = await user.wait_for_edit()
            assert NL.texts.begin in [t for t, _ in welcome.buttons]
            await user.send("/language")
            await user.wait_for_message()
            await user.press_button("English")
            switched = await user.wait_for_edit()
            assert switched.text == EN.texts.language_set
        tg.assert_no_violations()


async def test_bad_input_gets_a_kind_answer_and_loses_nothing(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            user = tg.user(1004, "Cy", language_code="en")
            await begin(user)
            senders = [
                user.send_sticker,
                user.send_photo,
                user.send_voice,
                lambda: user.send_document("notes.txt", b"hello", "text/plain"),
                lambda: user.send_contact("+3110000000"),
            ]
            for send in senders:  # a kind word, then the question again
                await send()
                assert (await user.wait_for_message()).text == EN.texts.media_not_supported
                assert EN.opening.prompt in ((await user.wait_for_message()).text or "")
            await user.send_location(40.4, -3.7)  # offered for the check-ins
            assert (await user.wait_for_message()).text == EN.settings.location_offer
            assert EN.opening.prompt in ((await user.wait_for_message()).text or "")
            await user.send("   ")
            assert (await user.wait_for_message()).text == EN.texts.empty_text
            await user.send("/help")
            assert (await user.wait_for_message()).text == EN.texts.help.strip()
            assert EN.opening.prompt in ((await user.wait_for_message()).text or "")
            await user.press("t|zzzzzzzz|how|feedback", forged=True)
            assert (await user.wait_for_answer()).text == EN.texts.invalid_button
            await user.press("garbage", forged=True)
            assert (await user.wait_for_answer()).text == EN.texts.invalid_button

            long_answer = ("שלום 👋🏽 é" * 600)[:4096]
            answer_id = await user.send(long_answer)
            await user.wait_for_message()
            await user.edit(answer_id, "Chairing meetings in French")
            assert "Updated" in ((await user.wait_for_message()).text or "")
            await tg.wait_until_idle()
            async with bot.services.database.transaction() as session:
                answer = await session.scalar(select(Answer))
                assert answer is not None and answer.text_encrypted is not None
                text = bot.services.cipher.decrypt(answer.text_encrypted)
            assert text == "Chairing meetings in French"
        tg.assert_no_violations()


async def test_group_chat_gets_one_line_and_nothing_is_stored(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            user = tg.user(1005, "Di", language_code="en")
            await user.send_in_group(-100500, "/start")
            await tg.wait_for(lambda: tg.messages_in(-100500))
            [line] = tg.messages_in(-100500)
            assert "private chat" in (line.text or "") and "t.me/" in (line.text or "")
            await tg.wait_until_idle()
            assert await count(bot, Person) == 0
        tg.assert_no_violations()


async def test_a_group_is_told_once_then_only_when_addressed(tmp_path: Path) -> None:
    pointer = EN.texts.private_only.format(link="https://t.me/leerverhaal_test_bot")
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            di, ed = tg.user(1007, "Di", language_code="en"), tg.user(1008, "Ed")

            async def said_in(group: int, *messages: tuple[FakeUser, str]) -> list[str]:
                for who, text in messages:
                    await who.send_in_group(group, text)
                await tg.wait_until_idle()
                return [m.text or "" for m in tg.messages_in(group)]

            first = await said_in(-100600, (di, "Morning all, who has the minutes?"))
            assert first == [pointer]  # the first message in the group: said once
            chatter = await said_in(-100600, (ed, "I do"), (di, "Thanks! /start is a word"))
            assert chatter == [pointer], "ordinary messages are not answered again"
            addressed = await said_in(
                -100600,
                (ed, "/help"),
                (di, "@leerverhaal_test_bot what do you do?"),
                (ed, "/start@leerverhaal_test_bot"),
                (di, "/start@some_other_bot"),  # another bot's command: not ours
            )
            assert addressed == [pointer] * 4
            await ed.send_in_group(-100700, "hello")  # each group is told once
            await tg.wait_for(lambda: tg.messages_in(-100700), what="the second group's line")
            assert await said_in(-100700) == [pointer]
            await tg.wait_until_idle()
            assert await count(bot, Person) == 0
            async with bot.services.database.transaction() as session:
                keys = set((await session.scalars(select(GroupChat.key))).all())
            assert len(keys) == 2
            assert not any("100600" in key or "100700" in key for key in keys)
        tg.assert_no_violations()


async def test_stale_button_from_an_earlier_question_changes_nothing(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            user = tg.user(1006, "Ed", language_code="en")
            await begin(user)
            await answer_text(user, OPENING)
            how = user.last_message
            await tap(user, "Feedback")
            await done(user)
            stale = how.data_for("✅ Feedback")
            await user.press(stale, how.message_id)
            assert (await user.wait_for_answer()).text == EN.texts.stale_button
            await tg.wait_until_idle()
            async with bot.services.database.transaction() as session:
                picks = (await session.scalars(select(Choice.option))).all()
            assert picks == ["feedback"]
        tg.assert_no_violations()
