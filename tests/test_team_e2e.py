"""End to end through the fake Bot API server: a team, its people, and its photo.

An admin creates a team in the chat; a facilitator and five people join by
link; the people tell stories; the facilitator asks for the photo and receives
its text and a PNG chart once March has ended; a sixth person's story, told in
April, leaves March as it was; a member's /photo then shows them the same March; the
facilitator's session kit for a team meeting arrives as a message and a one-page PDF;
someone in no team asking for /photo is politely refused.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from flows.content.guide import guide_for
from flows.teams.session_kit import questions
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.teams import png_chunks
from tests.support.telegram import TOKEN, bot_settings, running_bot, save_story, suggested

EN = guide_for("en")
TEAMS = EN.teams
ADMIN = 9000
PEOPLE = ("Ann", "Bo", "Cy", "Di", "Ed")
MATCHED = {"Feedback": "ask_feedback", "Watching someone": "shadowing"}  # the menu's rules


async def open_link(user: FakeUser, link: str, yes: str) -> None:
    """Open a t.me deep link (Telegram sends /start PAYLOAD) as someone new: pick English,
    then confirm; a new member is welcomed after joining."""
    payload = link.split("?start=", 1)[1]
    await user.send(f"/start {payload}")
    await user.wait_for_message()
    await user.press_button("English")
    await user.wait_for_edit()  # the invite's question in place of the language question
    await user.press_button(yes)
    await user.wait_for_edit()
    if payload.startswith("j_"):
        welcome = await user.wait_for_message()
        assert (welcome.text or "") == EN.texts.welcome.strip()


async def tell_story(user: FakeUser, opening: str, how: str, *, share: bool = False) -> None:
    """A story: the opening, one way of learning, the rest skipped, confirmed; a dish is
    suggested, then sharing the opening is offered."""
    await user.send("/reflect")
    await user.wait_for_message()
    await user.send(opening)
    await user.wait_for_message()
    await user.press_button(how)
    await user.wait_for_edit()
    await user.press_button(EN.texts.done)
    for _ in range(5):  # who, resources, obstacles, helped most, next step
        await user.wait_for_message()
        await user.press_button(EN.texts.skip)
    card = await user.wait_for_message()
    assert EN.texts.card_question in (card.text or "")
    await save_story(user)
    await suggested(user, MATCHED[how])  # the one dish that fits how they learned
    offer = await user.wait_for_message()
    assert (offer.text or "").startswith(TEAMS.quote_offer.split("{")[0])
    if share:
        await user.press_button(TEAMS.quote_share)
        assert (await user.wait_for_edit()).text == TEAMS.quote_shared


async def ask_photo(facilitator: FakeUser, tg: FakeTelegram) -> tuple[str, bytes]:
    """/photo, March: the photo's text and the PNG the bot uploaded."""
    await facilitator.send("/photo")
    picker = await facilitator.wait_for_message()
    assert picker.text == TEAMS.photo_pick_period.format(team="Embassy Madrid")
    uploaded = len(tg.photos)
    await facilitator.press_button("March 2026")
    text = await facilitator.wait_for_message()
    chart = await facilitator.wait_for_message()
    assert chart.kind == "photo" and chart.text == "Team snapshot · Embassy Madrid · March 2026"
    assert len(tg.photos) == uploaded + 1
    content = tg.photos[-1].content
    assert content is not None
    return text.text or "", content


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_team_photo_from_invite_links_to_png(tmp_path: Path, database_url: str) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        settings = bot_settings(tg, tmp_path, database_url)
        settings.telegram.admins = [ADMIN]
        clock = FakeClock()
        async with running_bot(settings, clock):
            admin = tg.user(ADMIN, "Ada", language_code="en")
            await admin.send("/newteam Embassy Madrid")
            await admin.wait_for_message()
            member_link = re.search(
                r"https://t\.me/\S+\?start=j_\w+", (await admin.wait_for_message()).text or ""
            )
            facilitator_link = re.search(
                r"https://t\.me/\S+\?start=f_\w+", (await admin.wait_for_message()).text or ""
            )
            assert member_link and facilitator_link
            assert member_link[0].startswith("https://t.me/leerverhaal_test_bot?start=j_")

            fay = tg.user(5000, "Fay", language_code="en")
            await open_link(fay, facilitator_link[0], TEAMS.facilitator_yes)
            people = [tg.user(6000 + i, name, language_code="en") for i, name in enumerate(PEOPLE)]
            for number, person in enumerate(people):
                await open_link(person, member_link[0], TEAMS.join_yes)
                how = "Feedback" if number < 3 else "Watching someone"
                await tell_story(person, f"Cables, round {number}", how, share=number == 0)

            clock.advance(days=30)  # 1 April: March has ended
            text, png = await ask_photo(fay, tg)
            assert png_chunks(png)[-1] == b"IEND"
            assert "people who took part: 5" in text
            assert "▸ How people learned (5 stories)\n" in text
            assert "  Feedback — 3 of 5 (60%)\n  Watching someone — 2 of 5 (40%)" in text
            assert "“Cables, round 0”" in text and "round 1" not in text
            for name in ("Ada", "Fay", *PEOPLE):
                assert name not in text
            assert not re.search(r"\b(5000|600\d|9000)\b", text)

            sixth = tg.user(6100, "Flo", language_code="en")
            await open_link(sixth, member_link[0], TEAMS.join_yes)
            await tell_story(sixth, "Cables, round 5", "Watching someone")
            again, _ = await ask_photo(fay, tg)
            assert again == text, "March is as it was: the sixth story is April's"

            bo = people[1]  # a member: March was seen by the facilitator, so it is open
            await bo.send("/photo")
            picker = await bo.wait_for_message()
            assert picker.text == TEAMS.photo_member_pick.format(team="Embassy Madrid")
            await bo.press_button("March 2026")
            seen = await bo.wait_for_message()
            assert seen.text == text and not seen.buttons, "the facilitator's photo, no kit"
            assert (await bo.wait_for_message()).kind == "photo"

            await fay.press_button(TEAMS.kit_button)
            kit = await fay.wait_for_message()
            pdf = await fay.wait_for_message()
            assert kit.text is not None and kit.text.endswith(
                "\n".join(f"  • {question}" for question in questions(EN))
            )
            assert pdf.kind == "document" and pdf.text == TEAMS.kit_caption
            document = tg.documents[-1]
            assert document.filename == "session-kit-2026-03.pdf" and document.content
            reader = PdfReader(io.BytesIO(document.content), strict=True)
            assert len(reader.pages) == 1
            pdf_text = " ".join(reader.pages[0].extract_text().split())
            for words in (*questions(EN), "March 2026", "Feedback — 3 of 5 (60%)"):
                assert words in pdf_text, words

            nobody = tg.user(7000, "Gus", language_code="en")
            await nobody.send("/photo")
            refused = await nobody.wait_for_message()
            assert refused.text == TEAMS.photo_no_team and not refused.buttons
        tg.assert_no_violations()
