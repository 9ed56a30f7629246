"""Trends, pure: a photo beside the window of the same length before it, only when both
may be shown (and, for a member, both are open to the team)."""

from __future__ import annotations

from dataclasses import replace

from flows.content.guide import guide_for
from flows.teams.periods import Period, Span
from flows.teams.photo import assemble, photo_text
from flows.teams.trends import comparable, previous_window
from flows.teams.views import OptionCount, PhotoData, TeamRef

EN, NL = guide_for("en"), guide_for("nl")
TEAM = TeamRef(7, "Embassy Lima")
JANUARY, FEBRUARY = Period(2026, Span.MONTH, 1), Period(2026, Span.MONTH, 2)
Q1 = Period(2026, Span.QUARTER, 1)
Q4_2025 = Period(2025, Span.QUARTER, 4)

NOW = PhotoData(
    TEAM,
    FEBRUARY,
    disclosable=True,
    stories=6,
    contributors=6,
    counts=(
        OptionCount("obstacles", "time_pressure", 4),
        OptionCount("obstacles", "self_doubt", 1),
        OptionCount("how", "by_doing", 6),
        OptionCount("#chosen", "sparring", 5),
        OptionCount("#tried", "sparring", 3),
    ),
)
BEFORE = PhotoData(
    TEAM,
    JANUARY,
    disclosable=True,
    stories=5,
    contributors=5,
    counts=(
        OptionCount("obstacles", "time_pressure", 2),
        OptionCount("how", "by_doing", 3),
        OptionCount("#chosen", "sparring", 5),
    ),
)


def test_the_window_before_is_of_the_same_length() -> None:
    assert previous_window(FEBRUARY) == JANUARY
    assert previous_window(JANUARY) == Period(2025, Span.MONTH, 12)
    assert previous_window(Q1) == Q4_2025
    assert previous_window(Period(2026, Span.YEAR)) == Period(2025, Span.YEAR)
    assert previous_window(Period(2000, Span.MONTH, 1)) is None, "before the first year kept"


def test_two_windows_that_may_both_be_shown_are_compared() -> None:
    assert comparable(NOW, BEFORE, 5) is BEFORE
    assert comparable(NOW, BEFORE, 5, open_to={JANUARY, FEBRUARY}) is BEFORE


def test_no_comparison_unless_both_may_be_shown() -> None:
    hidden = PhotoData(TEAM, JANUARY, disclosable=False)
    assert comparable(NOW, hidden, 5) is None, "the window before stays closed"
    assert comparable(NOW, replace(BEFORE, contributors=4), 5) is None, "below the minimum"
    assert comparable(replace(NOW, disclosable=False), BEFORE, 5) is None
    assert comparable(NOW, None, 5) is None


def test_no_comparison_with_any_other_window() -> None:
    assert comparable(NOW, replace(BEFORE, period=Q4_2025), 5) is None, "another length"
    assert comparable(NOW, replace(BEFORE, period=Period(2025, Span.MONTH, 12)), 5) is None
    assert comparable(NOW, replace(BEFORE, team=TeamRef(8, "Embassy Quito")), 5) is None


def test_for_a_member_both_windows_must_be_open_to_the_team() -> None:
    assert comparable(NOW, BEFORE, 5, open_to={FEBRUARY}) is None
    assert comparable(NOW, BEFORE, 5, open_to={JANUARY}) is None
    assert comparable(NOW, BEFORE, 5, open_to=set()) is None


def test_each_count_says_what_it_was_in_the_window_before() -> None:
    photo = assemble(EN, NOW, 5, BEFORE)
    assert photo is not None
    text = photo_text(EN, photo)
    assert "Stories: 6 · check-ins: 0 · people who took part: 6\n" in text
    assert "Before, in January 2026: stories: 5 · check-ins: 0 · people who took part: 5" in text
    assert "  Time, work pressure — 4 of 6 (67%), was 2 of 5\n" in text
    assert "  Doubting myself: “I should know this” — 1 of 6 (17%), was 0 of 5" in text
    assert "  By doing, trial and error — 6 of 6 (100%), was 3 of 5" in text
    assert "Spar with a colleague — chosen 5, tried 3; before: chosen 5, tried 0" in text


def test_a_question_withheld_in_either_window_is_not_compared() -> None:
    photo = assemble(EN, NOW, 5, replace(BEFORE, withheld=frozenset({"obstacles"})))
    assert photo is not None
    text = photo_text(EN, photo)
    assert "  Time, work pressure — 4 of 6 (67%)\n" in text, "no 'was' for it"
    assert "By doing, trial and error — 6 of 6 (100%), was 3 of 5" in text


def test_a_window_before_that_may_not_be_shown_leaves_no_trace() -> None:
    alone = photo_text(EN, assemble(EN, NOW, 5) or _fail())
    for before in (replace(BEFORE, contributors=4), PhotoData(TEAM, JANUARY, False)):
        photo = assemble(EN, NOW, 5, before)
        assert photo is not None and photo.previous is None
        assert photo_text(EN, photo) == alone
    assert ", was " not in alone and "Before, in" not in alone


def test_trends_in_dutch() -> None:
    photo = assemble(NL, NOW, 5, BEFORE)
    assert photo is not None
    text = photo_text(NL, photo)
    assert "Daarvoor, in januari 2026: verhalen: 5" in text
    assert "Tijd, werkdruk — 4 van 6 (67%), was 2 van 5" in text


def _fail() -> None:
    raise AssertionError("the photo may be shown")
