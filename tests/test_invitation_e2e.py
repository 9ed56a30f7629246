"""End to end through the fake Bot API with the real Application: a person makes an
invitation card, their inline query (``@bot`` in a chat) is answered with it, and a
colleague who opens the card's link is introduced to the bot in two lines. A thank-you
note is sent to the person only, and the outbox keeps nothing of it once delivered."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from flows.menu.card import menu
from flows.menu.invitation import START
from storage.models import Invitation, OutboxMessage
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    EN,
    TOKEN,
    RunningBot,
    bot_settings,
    first_start,
    running_bot,
    tell_whole_story,
)
from tests.support.webhook import free_port, inbox, running_webhook_bot

WORDS = menu().in_language("en").invite
TOPIC = "the Kwikstaart budget cables"  # a word to look for in the logs
QUERY = "Zwaluwstaart"  # what Ann types after @bot
ANN = 738_118_206  # her Telegram id


async def make_card(user: FakeUser) -> tuple[str, list[dict[str, Any]]]:
    """/menu, Invite a colleague, sparring, a typed topic, Send it like this: the card, and
    the buttons under it (each row's one button)."""
    await first_start(user)
    await user.send("/menu")
    await user.wait_for_message()
    await user.press_button(WORDS.button)
    await user.wait_for_message()
    await user.press_button(menu().in_language("en").dishes["sparring"].name)
    assert (await user.wait_for_message()).text == WORDS.topic
    await user.send(TOPIC)
    preview = await user.wait_for_message()
    card = (preview.text or "").removeprefix(f"{WORDS.preview}\n\n")
    assert TOPIC in card and card.startswith("Would you spar with me")
    await user.press_button(WORDS.send)
    ready = await user.wait_for_edit(preview.message_id)
    assert ready.text == f"{WORDS.ready}\n\n{card}"
    share = [row[0] for row in (ready.reply_markup or {})["inline_keyboard"]]
    assert share[0]["text"] == WORDS.share
    query = parse_qs(urlsplit(share[0]["url"]).query)
    assert query == {"url": [link_of(user.tg)], "text": [card]}
    return card, share


def link_of(tg: FakeTelegram) -> str:
    """The bot's deep link: its name from getMe, and no token in it."""
    return f"https://t.me/{tg.bot_user['username']}?start=hello"


async def rows(bot: RunningBot, model: type[Invitation] | type[OutboxMessage]) -> int:
    async with bot.services.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_card_inline_and_the_colleagues_introduction(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            for name in list(logging.root.manager.loggerDict):  # the Application's too
                caplog.set_level(logging.DEBUG, logger=name)
            ann = tg.user(ANN, "Ann", language_code="en")
            card, buttons = await make_card(ann)
            assert buttons[1] == {"text": WORDS.inline, "switch_inline_query": ""}
            assert await rows(bot, Invitation) == 1

            asked = tg.inline_query(ann, QUERY)
            answer = await tg.wait_for(lambda: tg.answer_to(asked), what="the inline answer")
            assert answer.texts == [card]
            assert (answer.cache_time, answer.is_personal, answer.button) == (0, True, None)
            [result] = answer.results
            [[what_is]] = result["reply_markup"]["inline_keyboard"]
            assert what_is == {"text": WORDS.what_is, "url": link_of(tg)}
            assert result["title"] == menu().in_language("en").dishes["sparring"].name

            stranger = tg.user(3002, "Stan", language_code="nl")  # never talked to the bot
            asked = tg.inline_query(stranger)
            answer = await tg.wait_for(lambda: tg.answer_to(asked), what="the inline answer")
            nl = menu().in_language("nl").invite
            assert answer.texts == [nl.none_message]
            assert answer.button == {"text": nl.none_button, "start_parameter": START}

            colleague = tg.user(3003, "Cas", language_code="en")
            await colleague.send(f"/start {urlsplit(what_is['url']).query.split('=')[1]}")
            intro = await colleague.wait_for_message()
            assert intro.text == WORDS.hello and len(WORDS.hello.splitlines()) == 2
            language = await colleague.wait_for_message()  # then the usual first contact
            assert [label for label, _ in language.buttons] == ["English", "Nederlands"]
            await colleague.press_button("English")
            welcome = await colleague.wait_for_edit(language.message_id)
            assert welcome.text == EN.texts.welcome.strip()
            seen = " ".join(m.text or "" for m in colleague.all_messages)
            assert TOPIC not in seen and "Ann" not in seen, "nothing of the inviter"
            await tg.wait_until_idle()
            assert await rows(bot, OutboxMessage) == 0, "delivered replies are deleted"
        tg.assert_no_violations()
    logged = [caplog.handler.format(record) for record in caplog.records]
    assert len(logged) > 50, "the test sees the bot's and the libraries' logging"
    for line in logged:  # neither the query, nor the card, nor who asked
        assert "Kwikstaart" not in line and QUERY not in line and str(ANN) not in line, line[:300]


async def test_a_thank_you_note_reaches_only_the_person(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            ann = tg.user(3004, "Ann", language_code="en")
            await tell_whole_story(ann)  # "A more experienced colleague" helped
            offer = next(m for m in ann.messages if m.text == EN.thanks.offer)
            await ann.press_button(EN.thanks.yes, offer.message_id)
            intro = await ann.wait_for_edit(offer.message_id)
            assert intro.text == EN.thanks.intro and not intro.buttons
            note = await ann.wait_for_message()
            expected = EN.thanks.notes["experienced_colleague"]
            assert note.text == expected
            [[share]] = (note.reply_markup or {})["inline_keyboard"]
            assert parse_qs(urlsplit(share["url"]).query)["text"] == [expected]
            again = await ann.wait_for_message()  # the story's card again, where Ann was
            assert EN.texts.card_question in (again.text or "")
            await tg.wait_until_idle()
            sent_to = {c.params.get("chat_id") for c in tg.calls if c.method == "sendMessage"}
            assert sent_to == {ann.chat_id}, "to nobody but the person"
            assert await rows(bot, OutboxMessage) == 0, "the note is gone once delivered"
        tg.assert_no_violations()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_inline_queries_by_webhook_skip_the_inbox(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_webhook_bot(tg, tmp_path, database_url, port) as bot:
            user = tg.user(3005, "Ann", language_code="en")
            await user.send("/start")
            await user.wait_for_message()
            asked = tg.inline_query(user)
            answer = await tg.wait_for(lambda: tg.answer_to(asked), what="the inline answer")
            assert answer.texts == [WORDS.none_message]  # English: her language is known
            await tg.wait_webhook_idle()
            assert set(tg.webhook_statuses) == {200}
            assert len(await inbox(bot.services.database)) == 1, "only the /start was stored"
        tg.assert_no_violations()


async def test_without_inline_mode_no_inline_button(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN, inline_mode=False) as tg:
        async with running_bot(bot_settings(tg, tmp_path)):
            _card, buttons = await make_card(tg.user(3006, "Ann", language_code="en"))
            assert [b["text"] for b in buttons] == [WORDS.share]
        tg.assert_no_violations()
