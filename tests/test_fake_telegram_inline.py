"""The fake Bot API server's inline mode: an inline query from a person, and
``answerInlineQuery`` checked the way Telegram checks it (driven by PTB's own Bot)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from tests.support.fake_telegram import FakeTelegram

TOKEN = "123:ABC"


def article(result_id: str, text: str = "Would you spar with me?") -> InlineQueryResultArticle:
    link = InlineKeyboardButton("What is it?", url="https://t.me/leerverhaal_test_bot?start=hello")
    return InlineQueryResultArticle(
        result_id, "Sparring", InputTextMessageContent(text), InlineKeyboardMarkup([[link]])
    )


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest_asyncio.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url) as running:
        yield running


async def test_a_query_arrives_and_its_answer_is_kept(tg: FakeTelegram, bot: Bot) -> None:
    assert (await bot.get_me()).supports_inline_queries
    user = tg.user(11, "Ann")
    query_id = tg.inline_query(user, "spar")
    [update] = await bot.get_updates(allowed_updates=["inline_query"])
    assert update.inline_query is not None and update.inline_query.id == query_id
    assert (update.inline_query.query, update.inline_query.from_user.id) == ("spar", 11)
    button = InlineQueryResultsButton("Make one", start_parameter="invite")
    await bot.answer_inline_query(
        query_id, [article("a1")], cache_time=0, is_personal=True, button=button
    )
    answer = tg.answer_to(query_id)
    assert answer is not None and answer.texts == ["Would you spar with me?"]
    assert (answer.cache_time, answer.is_personal) == (0, True)
    assert answer.button == {"text": "Make one", "start_parameter": "invite"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # answered once only
        await bot.answer_inline_query(query_id, [article("a2")])


@pytest.mark.parametrize(
    ("results", "button", "refused"),
    [
        ([article("x" * 65)], None, "RESULT_ID_INVALID"),
        ([article("a"), article("a")], None, "RESULT_ID_DUPLICATE"),
        ([article("a", "y" * 4097)], None, "message is too long"),
        ([article(str(n)) for n in range(51)], None, "RESULTS_TOO_MUCH"),
        (
            [article("a")],
            InlineQueryResultsButton("Go", start_parameter="no spaces"),
            "START_PARAM",
        ),
    ],
)
async def test_bad_answers_are_refused(
    tg: FakeTelegram,
    bot: Bot,
    results: list[InlineQueryResultArticle],
    button: InlineQueryResultsButton | None,
    refused: str,
) -> None:
    query_id = tg.inline_query(tg.user(12, "Bo"))
    with pytest.raises(BadRequest, match=f"(?i){refused}"):
        await bot.answer_inline_query(query_id, results, button=button)
    assert tg.answer_to(query_id) is None
    assert [v.method for v in tg.violations] == ["answerInlineQuery"]


async def test_without_inline_mode_answers_are_refused() -> None:
    async with FakeTelegram(token=TOKEN, inline_mode=False) as off:
        plain = Bot(TOKEN, base_url=off.base_url)
        async with plain:
            assert not (await plain.get_me()).supports_inline_queries
            query_id = off.inline_query(off.user(13, "Cas"))
            with pytest.raises(BadRequest, match=r"(?i)BOT_INLINE_DISABLED"):
                await plain.answer_inline_query(query_id, [article("a")])
