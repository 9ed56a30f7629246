"""Counted words follow each language's plural rules (CLDR, through Babel)."""

from __future__ import annotations

import pytest

from flows.content.guide import guide_for
from flows.privacy.commands import amounts

EN, NL = guide_for("en"), guide_for("nl")


@pytest.mark.parametrize(
    ("stories", "checkins", "en", "nl"),
    [
        (1, 0, "1 story", "1 verhaal"),
        (0, 0, "0 stories", "0 verhalen"),
        (2, 0, "2 stories", "2 verhalen"),
        (0, 1, "1 check-in", "1 check-in"),
        (3, 1, "3 stories and 1 check-in", "3 verhalen en 1 check-in"),
        (1, 2, "1 story and 2 check-ins", "1 verhaal en 2 check-ins"),
    ],
)
def test_amounts_in_both_languages(stories: int, checkins: int, en: str, nl: str) -> None:
    assert amounts(EN, stories, checkins) == en
    assert amounts(NL, stories, checkins) == nl


def test_the_form_is_the_languages_own_rule() -> None:
    """French says 'one' for 0 as well: the rule comes from the language, not from == 1."""
    french = EN.model_copy(update={"language": "fr"})
    assert french.counted(0, "{count} one", "{count} other") == "0 one"
    assert EN.counted(0, "{count} one", "{count} other") == "0 other"
