"""Everything rendered from the guides fits Telegram's limits, even with the longest answers:
4096 UTF-16 units a message, 64 bytes of callback data a button."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from flows import render
from flows.callbacks import MAX_BYTES, decode
from flows.content.guide import Guide, guide_for, guides
from flows.interview.reflect import reflection
from flows.replies import Reply
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, StoryHeader, StoryView

LANGUAGES = ("en", "nl")
BIGGEST_STORY_ID = 2**52 + 1  # bot.engine.conversation.new_story_id: randbits(52) + 1


# --- everything rendered fits Telegram's limits -----------------------------------------

# 4096 characters, many of them outside the BMP (two UTF-16 units each).
LONGEST = ("😀🇳🇱 " * 700 + "x" * 4096)[:4096]
CREATED = datetime(2024, 12, 31, 23, 59, tzinfo=UTC)


def full_story(guide: Guide, status: StoryStatus, text: str | None = LONGEST) -> StoryView:
    answers = {q.key: AnswerView(text, tuple(q.options)) for q in guide.questions}
    return StoryView(BIGGEST_STORY_ID, StoryKind.STORY, status, CREATED, answers)


def empty_story(status: StoryStatus) -> StoryView:
    return StoryView(BIGGEST_STORY_ID, StoryKind.STORY, status, CREATED, {})


def everything_rendered(guide: Guide) -> Iterator[tuple[str, Reply]]:
    language = guide.language
    for status in StoryStatus:
        for story in (full_story(guide, status), empty_story(status)):
            tag = f"{status.value}/{len(story.answers)} answers"
            for q in guide.questions:
                yield f"question {q.key} {tag}", render.question_reply(guide, story, q.key)
            yield f"card {tag}", render.card_reply(guide, story, language)
            closing = (guide.texts.saved, *reflection(guide, story))
            yield f"final card {tag}", render.final_card(guide, story, language, closing)
            yield f"change menu {tag}", render.change_menu(guide, story)
            yield f"discard {tag}", render.discard_question(guide, story)
            yield f"draft prompt {tag}", render.draft_prompt(guide, story, language)
    headers = tuple(
        StoryHeader(BIGGEST_STORY_ID - i, StoryKind.STORY, status, CREATED, title)
        for i in range(60)
        for status in StoryStatus
        for title in (LONGEST, None)
    )
    for page in (1, 2, len(headers) // 8, len(headers) // 8 + 1, 10**60):
        yield f"story list page {page}", render.story_list(guide, headers, language, page)
    yield "empty story list", render.story_list(guide, (), language)
    yield "welcome", render.welcome(guide)
    yield "welcome back", render.welcome(guide, returning=True)
    yield "language menu", render.language_menu(guides(), guide)
    yield "first language question", render.first_language_question(guides(), guide)
    invite = "f_" + "a" * 16
    yield "first language question, invite", render.first_language_question(guides(), guide, invite)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_fits_telegram(language: str) -> None:
    for name, reply in everything_rendered(guide_for(language)):
        assert reply.text.strip(), name
        assert render.utf16_len(reply.text) <= render.MESSAGE_LIMIT, name
        for row in reply.buttons:
            assert row, name
            for button in row:
                assert button.label.strip(), name
                assert len(button.data.encode()) <= MAX_BYTES, (name, button.data)
                assert decode(button.data) is not None, (name, button.data)


@pytest.mark.parametrize("language", LANGUAGES)
def test_question_with_longest_answer_shows_a_preview(language: str) -> None:
    guide = guide_for(language)
    story = full_story(guide, StoryStatus.DRAFT)
    reply = render.question_reply(guide, story, "change")
    assert guide.opening.prompt in reply.text
    assert reply.text.endswith(guide.texts.text_hint)
    assert "…" in reply.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_card_with_longest_answers_keeps_every_question_title(language: str) -> None:
    guide = guide_for(language)
    text = render.card_text(guide, full_story(guide, StoryStatus.DRAFT), language)
    assert render.utf16_len(text) <= render.MESSAGE_LIMIT
    for q in guide.questions:
        assert "▸ " + q.title in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_card_with_longest_answers_keeps_its_footer(language: str) -> None:
    guide = guide_for(language)
    text = render.card_text(guide, full_story(guide, StoryStatus.DRAFT), language)
    assert text.endswith(guide.texts.card_question)


@pytest.mark.parametrize("language", LANGUAGES)
def test_final_card_with_longest_answers_keeps_the_thanks_whole(language: str) -> None:
    guide = guide_for(language)
    story = full_story(guide, StoryStatus.COMPLETE)
    closing = (guide.texts.saved, *reflection(guide, story))
    assert len(closing) == 3, "every pick: the pattern and the self-doubt line"
    reply = render.final_card(guide, story, language, closing)
    assert render.utf16_len(reply.text) <= render.MESSAGE_LIMIT
    assert reply.text.endswith("\n\n".join((guide.texts.card_complete, *closing)))


def test_fit_counts_utf16_units_and_never_splits_a_surrogate_pair() -> None:
    text = "😀" * 10
    cut = render.fit(text, 7)
    assert cut == "😀😀😀…"
    assert render.utf16_len(cut) <= 7
    assert render.fit("short", 5) == "short"
    assert render.fit("a  b  c", 4) == "a…"
