"""/growth end to end on Telegram: the period, a check-in left out, the growth story as
messages and as a PDF document that opens, and nobody else's words in it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    EN,
    TOKEN,
    answer_whole_story,
    bot_settings,
    first_start,
    running_bot,
    save_story,
    tap,
)

G = EN.growth
SMOOTHER = "Briefings go smoother since the spring"
OTHERS = "Gus negotiates the water treaty"


async def checkin(user: FakeUser, words: str) -> None:
    """/checkin, answered with ``words`` and one way of learning."""
    await user.send("/checkin")
    await user.wait_for_message(predicate=lambda m: bool(m.buttons))
    await user.send(words)
    await user.wait_for_message(predicate=lambda m: "How did that come about?" in (m.text or ""))
    await tap(user, "Feedback")
    await user.press_button(EN.texts.done)
    await user.wait_for_message(predicate=lambda m: EN.checkin.texts.closing in (m.text or ""))


async def story(user: FakeUser) -> None:
    """/reflect, the whole story of ``answer_whole_story``, saved."""
    await user.send("/reflect")
    await user.wait_for_message(predicate=lambda m: EN.opening.prompt in (m.text or ""))
    await answer_whole_story(user)
    await save_story(user)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_growth_story_arrives_as_messages_and_a_pdf(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()  # Monday 2 March 2026
    async with (
        FakeTelegram(token=TOKEN) as tg,
        running_bot(bot_settings(tg, tmp_path, database_url), clock),
    ):
        gus = tg.user(2020, "Gus", language_code="en")
        await first_start(gus)
        await checkin(gus, OTHERS)
        fay = tg.user(1010, "Fay", language_code="en")
        await first_start(fay)
        await checkin(fay, SMOOTHER)
        await story(fay)

        await fay.send("/growth")
        asked = await fay.wait_for_message(predicate=lambda m: m.text == G.period_question)
        await fay.press_button(G.last_12, asked.message_id)
        listed = await fay.wait_for_edit(asked.message_id)
        assert (listed.text or "").startswith(
            "Your growth story from 2 Mar 2025 to 2 Mar 2026, made of 1 story and 1 check-in."
        )
        [checkin_label] = [label for label, _ in listed.buttons if SMOOTHER[:20] in label]
        await fay.press_button(checkin_label, asked.message_id)
        left_out = await fay.wait_for_edit(asked.message_id)
        assert f"⬜ 2 Mar 2026 · Check-in: {SMOOTHER}" in [t for t, _ in left_out.buttons]
        await fay.press_button(G.make, asked.message_id)

        document = await tg.wait_for(lambda: tg.documents[0] if tg.documents else None)
        made = await fay.wait_for_edit(asked.message_id)
        assert made.text == G.made.format(start="2 Mar 2025", end="2 Mar 2026", stories="1 story")
        assert not made.buttons
        said = await fay.wait_for_message(predicate=lambda m: G.title in (m.text or ""))
        await tg.wait_until_idle()
        tg.assert_no_violations()

    assert document.chat_id == 1010 and document.caption == G.caption
    assert document.filename == "leerverhaal-growth-2026-03-02.pdf"
    reader = PdfReader(io.BytesIO(document.content or b""), strict=True)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert reader.metadata is not None and reader.metadata.title == G.title
    assert reader.metadata.author is None
    for shown in (text, said.text or ""):
        assert "From 2 Mar 2025 to 2 Mar 2026" in shown
        assert "Writing short cables for headquarters" in shown  # the opening answer
        assert "“Ana, who read every draft”" in shown
        assert SMOOTHER not in shown  # left out
        assert "Gus" not in shown and "water treaty" not in shown  # someone else's


async def test_growth_and_photo_in_a_group_say_only_where_to_go(tmp_path: Path) -> None:
    """In a group nobody's growth story or photo is made: the one line pointing to a
    private chat, and nothing in the person's own chat either."""
    pointer = EN.texts.private_only.format(link="https://t.me/leerverhaal_test_bot")
    async with (
        FakeTelegram(token=TOKEN) as tg,
        running_bot(bot_settings(tg, tmp_path), FakeClock()),
    ):
        fay = tg.user(1010, "Fay", language_code="en")
        await first_start(fay)
        await story(fay)
        await tg.wait_until_idle()  # the dish offered after the story, and so on
        fay.mark()
        for command in ("/growth", "/photo", "/growth@leerverhaal_test_bot"):
            await fay.send_in_group(-100900, command)
        await tg.wait_until_idle()
        assert [m.text for m in tg.messages_in(-100900)] == [pointer] * 3
        assert fay.new_messages == [] and tg.documents == []
        await fay.send("/growth")  # in private the choice begins as ever
        await fay.wait_for_message(predicate=lambda m: m.text == G.period_question)
        tg.assert_no_violations()
