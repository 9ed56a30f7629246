"""After a story is saved: its pattern reflected back in one sentence, and a normalising
line for doubting oneself, from content data in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.content.guide import guide_for, guides
from flows.interview.reflect import reflection
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, StoryView

EN, NL = guide_for("en"), guide_for("nl")


def _story(kind: StoryKind = StoryKind.STORY, **picks: tuple[str, ...]) -> StoryView:
    answers = {q: AnswerView(None, options) for q, options in picks.items()}
    return StoryView(7, kind, StoryStatus.COMPLETE, datetime.now(UTC), answers)


def test_the_first_two_ways_and_the_first_person_are_reflected_back() -> None:
    story = _story(how=("by_doing", "feedback", "coaching"), who=("colleague", "team"))
    assert reflection(EN, story) == (
        "You learned this mostly by doing and through feedback, together with a colleague.",
    )
    assert reflection(NL, story) == (
        "Je leerde dit vooral door te doen en door feedback, samen met een collega.",
    )


def test_without_people_only_the_ways() -> None:
    assert reflection(EN, _story(how=("watching",))) == (
        "You learned this mostly by watching someone.",
    )


def test_doubting_oneself_gets_a_normalising_line_even_without_ways() -> None:
    assert reflection(EN, _story(obstacles=("time_pressure", "self_doubt"))) == (
        EN.reflect.self_doubt,
    )
    lines = reflection(NL, _story(how=("by_doing",), obstacles=("self_doubt",)))
    assert lines == ("Je leerde dit vooral door te doen.", NL.reflect.self_doubt)


def test_nothing_for_a_check_in_or_a_story_without_picks() -> None:
    assert reflection(EN, _story(StoryKind.CHECKIN, how=("by_doing",))) == ()
    assert reflection(EN, _story()) == ()


@pytest.mark.parametrize("language", sorted(guides()))
def test_every_option_has_its_words_in_every_language(language: str) -> None:
    guide = guides()[language]
    for key, words in (("how", guide.reflect.how), ("who", guide.reflect.who)):
        question = next(q for q in guide.questions if q.key == key)
        assert set(words) == set(question.options)
        assert all(text.strip() for text in words.values())
