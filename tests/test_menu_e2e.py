"""The learning menu end to end, through the fake Bot API with the real Application:
a team's people tell stories, each is offered one matched dish and orders it; one of
them makes an invitation card and sends it as an inline result; the colleague who
opens its link is introduced and starts; the next check-in asks about the dish first;
and once the month has ended the facilitator's photo counts the dish chosen and tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.menu.card import menu
from flows.menu.render import dish_line
from tests.support.clock import FakeClock
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.telegram import EN, TOKEN, answer_whole_story, bot_settings, running_bot

TEAMS, STEPS = EN.teams, EN.next_steps
MENU = menu().in_language("en")
SHADOWING = MENU.dishes["shadowing"].name  # what "Shadowing a colleague" as next step matches
ADMIN = 9000
PEOPLE = ("Ann", "Bo", "Cy", "Di", "Ed")
TRIED_QUESTION = EN.checkin.questions.question("tried")
assert TRIED_QUESTION is not None
TRIED = TRIED_QUESTION.prompt


def starting(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: (message.text or "").startswith(text)


def containing(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: text in (message.text or "")


async def open_link(user: FakeUser, link: str, yes: str) -> None:
    """Open a t.me invite link as someone new: English, then yes."""
    await user.send(f"/start {link.split('?start=', 1)[1]}")
    await user.wait_for_message()
    await user.press_button("English")
    await user.wait_for_edit()
    await user.press_button(yes)
    await user.wait_for_edit()


async def story_and_order(user: FakeUser) -> int:
    """A whole story, confirmed; the one dish it is offered, ordered for this week. The
    message that confirms the order, with the button to invite a colleague to it."""
    await user.send("/reflect")
    await user.wait_for_message(predicate=containing(EN.opening.prompt))
    await answer_whole_story(user)
    await user.press_button(EN.texts.confirm)
    offered = await user.wait_for_message(predicate=starting(STEPS.suggestion.split("{")[0]))
    line = dish_line(menu(), "en", menu().card.dish("shadowing"))  # type: ignore[arg-type]
    assert offered.text == STEPS.suggestion.format(dish=line)
    assert [label for label, _ in offered.buttons] == [
        STEPS.order,
        STEPS.something_else,
        STEPS.not_now,
    ]
    await user.press_button(STEPS.order, offered.message_id)
    when = await user.wait_for_edit(offered.message_id)
    assert when.text == STEPS.when_prompt.format(step=SHADOWING)
    await user.press_button(STEPS.this_week, offered.message_id)
    ordered = await user.wait_for_edit(offered.message_id)
    assert ordered.text == STEPS.ordered.format(when=STEPS.when_week, step=SHADOWING)
    assert [label for label, _ in ordered.buttons] == [MENU.invite.button]
    return offered.message_id


async def invitation_inline(user: FakeUser, tg: FakeTelegram, ordered: int) -> str:
    """Invite a colleague under the order, a topic, Send it like this; then the inline
    query is answered with the card. Returns the link under the card."""
    words = MENU.invite
    await user.press_button(words.button, ordered)
    await user.wait_for_message(predicate=lambda m: m.text == words.topic)
    await user.send("consular visits")
    preview = await user.wait_for_message(predicate=starting(words.preview))
    card = (preview.text or "").removeprefix(f"{words.preview}\n\n")
    assert card == words_of_card("consular visits")
    await user.press_button(words.send)
    await user.wait_for_edit(preview.message_id)
    asked = tg.inline_query(user, "")
    answer = await tg.wait_for(lambda: tg.answer_to(asked), what="the inline answer")
    assert answer.texts == [card]
    [[what_is]] = answer.results[0]["reply_markup"]["inline_keyboard"]
    return str(what_is["url"])


def words_of_card(topic: str) -> str:
    invitation = MENU.dishes["shadowing"].invitation
    assert invitation is not None
    return invitation.format(topic=topic)


async def checkin_follows_up(user: FakeUser) -> None:
    """/checkin asks about the dish first; it happened; what it brought: feedback."""
    await user.send("/checkin")
    asked = await user.wait_for_message(predicate=starting("Last time:"))
    assert asked.text == STEPS.follow_up.format(step=SHADOWING)
    await user.press_button(STEPS.did_it)
    await user.wait_for_message(predicate=containing(TRIED))
    await user.press_button("Feedback")
    await user.wait_for_edit()
    await user.press_button(EN.texts.done)
    await user.wait_for_message()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_story_dish_invitation_follow_up_and_the_photo(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        settings = bot_settings(tg, tmp_path, database_url)
        settings.telegram.admins = [ADMIN]
        clock = FakeClock()  # Monday 2 March 2026
        async with running_bot(settings, clock):
            admin = tg.user(ADMIN, "Ada", language_code="en")
            await admin.send("/newteam Embassy Madrid")
            links = [await admin.wait_for_message() for _ in range(3)]
            said = " ".join(m.text or "" for m in links)
            member = re.search(r"https://t\.me/\S+\?start=j_\w+", said)
            facilitator = re.search(r"https://t\.me/\S+\?start=f_\w+", said)
            assert member and facilitator
            fay = tg.user(5000, "Fay", language_code="en")
            await open_link(fay, facilitator[0], TEAMS.facilitator_yes)
            people = [tg.user(6000 + i, name, language_code="en") for i, name in enumerate(PEOPLE)]
            orders = []
            for person in people:
                await open_link(person, member[0], TEAMS.join_yes)
                orders.append(await story_and_order(person))

            link = await invitation_inline(people[0], tg, orders[0])
            colleague = tg.user(7000, "Cas", language_code="en")
            await colleague.send(f"/start {link.split('?start=', 1)[1]}")
            assert (await colleague.wait_for_message()).text == MENU.invite.hello
            await colleague.wait_for_message()  # the language question of a first contact
            await colleague.press_button("English")
            await colleague.wait_for_edit()
            await colleague.press_button(EN.texts.begin)
            opening = await colleague.wait_for_message()
            assert EN.opening.prompt in (opening.text or ""), "the colleague starts a story"

            clock.advance(days=7)
            for person in people:
                await checkin_follows_up(person)

            clock.advance(days=30)  # April: March has ended
            await fay.send("/photo")
            picker = TEAMS.photo_pick_period.format(team="Embassy Madrid")
            await fay.wait_for_message(predicate=lambda m: m.text == picker)
            await fay.press_button("March 2026")
            photo = await fay.wait_for_message(predicate=starting("Team snapshot"))
            assert f"▸ {TEAMS.photo_dishes}\n  {SHADOWING} — chosen 5, tried 5" in (
                photo.text or ""
            )
            assert "consular visits" not in (photo.text or "")
        tg.assert_no_violations()
