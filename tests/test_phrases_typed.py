"""Typed words the bot recognises (flows.phrases): "done" under a quick-pick question,
"nothing really" in a check-in, "/stories stories"; compared loosely, in both languages."""

from __future__ import annotations

import pytest

from flows.content.guide import guide_for
from flows.phrases import Phrases, asks_stories_only, normal, says_done, says_nothing

EN = guide_for("en").phrases
NL = guide_for("nl").phrases


def test_normal_ignores_case_accents_punctuation_and_emoji() -> None:
    assert normal("  That’s IT!! ✓ ") == "thats it"
    assert normal("Klaar\u00a0✅") == "klaar"
    assert normal("Één  week") == "een week"


@pytest.mark.parametrize("text", ["done", "Done!", "DONE ✓", "done.", "I'm done", "that's it"])
def test_done_in_english(text: str) -> None:
    assert says_done(EN, text)


@pytest.mark.parametrize("text", ["klaar", "Klaar!", "klaar ✓", "Dat was het.", "ik ben klaar"])
def test_klaar_in_dutch(text: str) -> None:
    assert says_done(NL, text)


@pytest.mark.parametrize("text", ["done by Friday", "none", "the team", "klaar", ""])
def test_not_done(text: str) -> None:
    assert not says_done(EN, text)


@pytest.mark.parametrize(
    ("phrases", "text", "expected"),
    [
        (EN, "nothing really, it was a terrible week", True),
        (EN, "Nothing.", True),
        (EN, "not really - bad week", True),
        (EN, "Terrible week, nothing went better", True),
        (EN, "nothing really, but the reports go faster", False),
        (EN, "Nothing beats a good template", False),
        (EN, "No meetings ran over", False),
        (EN, "", False),
        (NL, "Niets eigenlijk. Rotweek.", True),
        (NL, "niet echt, het was een zware week", True),
        (NL, "Niks!", True),
        (NL, "Niet echt, maar het overleg liep beter", False),
        (NL, "Niets gaat boven een goede voorbereiding", False),
    ],
)
def test_nothing_went_better(phrases: Phrases, text: str, expected: bool) -> None:
    assert says_nothing(phrases, text) is expected


def test_stories_only() -> None:
    assert asks_stories_only(EN, "stories")
    assert asks_stories_only(EN, " Stories! ")
    assert asks_stories_only(NL, "verhalen")
    assert not asks_stories_only(EN, "")
    assert not asks_stories_only(EN, "checkins")
