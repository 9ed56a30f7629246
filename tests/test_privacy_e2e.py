"""End to end on Telegram: /privacy, /export as two documents, /forget, and nothing left after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine import conversation
from flows.content.guide import guide_for
from storage.models import Person, Story
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    EN,
    OPENING,
    TOKEN,
    bot_settings,
    count,
    running_bot,
    tell_whole_story,
)

P = EN.privacy


async def confirm_story(user: FakeUser) -> None:
    """Tell a whole story and save it (the offer of check-ins follows)."""
    await tell_whole_story(user)
    await user.press_button(EN.texts.confirm)
    await user.wait_for_message(count=2)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_export_and_forget_on_telegram(tmp_path: Path, database_url: str) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            user = tg.user(1010, "Fay", language_code="en")
            await confirm_story(user)

            await user.send("/export")
            readable, data = await tg.wait_for(
                lambda: tg.documents[:2] if len(tg.documents) > 1 else None
            )
            assert (readable.chat_id, data.chat_id) == (1010, 1010)
            assert readable.filename is not None and readable.filename.endswith(".md")
            assert (readable.caption, data.caption) == (P.export_caption, P.export_json_caption)
            markdown = (readable.content or b"").decode()
            assert f"> {OPENING}" in markdown and "> Ana, who read every draft" in markdown
            exported = json.loads(data.content or b"")
            assert exported["person"]["id"] == 1010
            [story] = exported["stories"]
            assert story["answers"][0]["text"] == OPENING

            await user.send("/forget")
            asked = await user.wait_for_message()
            assert asked.text == P.forget_sure.format(stories="1 story")
            await user.press_button(P.forget_yes)
            gone = await user.wait_for_edit()
            assert gone.text == P.forgotten and not gone.buttons

            await user.send("/stories")
            assert (await user.wait_for_message()).text == EN.texts.stories_empty
            await tg.wait_until_idle()
            assert await count(bot, Story) == 0
            assert await count(bot, Person) == 1  # the /stories just now: a fresh start
        tg.assert_no_violations()


async def test_forget_cancelled_and_privacy_in_dutch(tmp_path: Path) -> None:
    nl = guide_for("nl")
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            user = tg.user(1011, "Gijs", language_code="nl")
            await user.send("/privacy")
            overview = await user.wait_for_message()
            assert (overview.text or "").startswith("Wat ik over je bewaar")
            await user.press_button(nl.privacy.forget_button)
            asked = await user.wait_for_message()
            assert asked.text == nl.privacy.forget_sure_nothing
            await user.press_button(nl.privacy.forget_no)
            assert (await user.wait_for_edit()).text == nl.privacy.forget_cancelled
            await tg.wait_until_idle()
            assert await count(bot, Person) == 1
            menu = dict(tg.commands_for("nl", {"type": "all_private_chats"}))
            assert menu["forget"] == nl.commands.forget and menu["export"] == nl.commands.export
        tg.assert_no_violations()


async def test_forget_is_confirmed_before_the_database_is_vacuumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VACUUM can take a while on a big file: the person is not kept waiting for it."""
    shown_before_vacuum: list[list[str | None]] = []
    async with FakeTelegram(token=TOKEN) as tg:

        async def vacuum(_database: object) -> None:
            shown_before_vacuum.append([m.text for m in tg.messages_in(1012)])

        monkeypatch.setattr(conversation, "reclaim_space", vacuum)
        async with running_bot(bot_settings(tg, tmp_path)):
            user = tg.user(1012, "Ida", language_code="en")
            await user.send("/forget")
            await user.wait_for_message()
            await user.press_button(P.forget_yes)
            assert (await user.wait_for_edit()).text == P.forgotten
            await tg.wait_for(lambda: shown_before_vacuum or None)
        tg.assert_no_violations()
    assert shown_before_vacuum == [[P.forgotten]]
