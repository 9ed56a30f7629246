"""Someone whose first contact with the bot is a pair invitation's link, through the fake
Bot API on both databases: the two-line introduction in the language Telegram guessed,
the language question in both languages, the invitation in the language chosen (with who
can read what), and the interview in it; the long welcome still comes once, later. A
link that does not work says so, then greets like any first contact."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from flows.content.guide import guide_for
from flows.menu.card import menu
from storage.models import Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.pair_steps import PAIR, invitation, message, question
from tests.support.telegram import EN, TOKEN, bot_settings, running_bot

BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
NL = guide_for("nl")
LANGUAGES = ["English", "Nederlands"]


@BOTH
async def test_a_newcomer_opens_a_pair_link_chooses_a_language_and_interviews(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            ann = tg.user(5701, "Ann", language_code="en")
            ben = tg.user(5702, "Ben", language_code="nl")  # his phone is set to Dutch
            payload = await invitation(ann, PAIR.me_tell)
            await ben.send(f"/start {payload}")
            intro = await ben.wait_for_message()
            assert intro.text == menu().in_language("nl").invite.hello.strip()
            asked = await ben.wait_for_message()
            lines = (asked.text or "").splitlines()
            assert lines == [NL.texts.language_first, EN.texts.language_first], "guessed first"
            assert [label for label, _ in asked.buttons] == LANGUAGES

            await ben.press_button("English")
            invited = await ben.wait_for_edit(asked.message_id)
            assert invited.text == f"{PAIR.invited_tell}\n\n{PAIR.newcomer}"
            assert [label for label, _ in invited.buttons] == [PAIR.accept, PAIR.not_now]
            await ben.press_button(PAIR.accept)
            started = await ben.wait_for_edit(asked.message_id)
            assert started.text == PAIR.invited_tell and not started.buttons
            await question(ben, 1)  # in English, as he chose
            await message(ann, PAIR.being_asked)
            async with bot.services.database.transaction() as session:
                row = (
                    await session.execute(
                        select(Person.language, Person.language_chosen, Person.welcomed).where(
                            Person.external_id == ben.id
                        )
                    )
                ).one()
            assert tuple(row) == ("en", True, False)

            await ben.send("/stop")
            await message(ben, PAIR.stopped)
            await ben.send("/start")  # the long welcome, once, in his language: not asked again
            welcome = await ben.wait_for_message()
            assert welcome.text == EN.texts.welcome.strip()
        tg.assert_no_violations()


async def test_a_newcomer_with_a_link_that_no_longer_works_is_greeted(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)):
            cas = tg.user(5703, "Cas", language_code="nl")
            await cas.send("/start pair_" + "x" * 22)
            refused = await cas.wait_for_message()
            assert refused.text == NL.pair.link_invalid
            asked = await cas.wait_for_message()
            assert [label for label, _ in asked.buttons] == LANGUAGES
            await cas.press_button("Nederlands")
            welcome = await cas.wait_for_edit(asked.message_id)
            assert welcome.text == NL.texts.welcome.strip()
        tg.assert_no_violations()
