"""The team photo's pure rules: when a window may be shown, and what the photo says.

The disclosure tests try to single someone out by subtracting nested windows
(a quarter minus its months, a half-year minus a quarter) and check that the
rule hides whichever window would make that possible.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.content.guide import guide_for
from flows.teams.chart import chart_png
from flows.teams.files import PhotoFormat, photo_file
from flows.teams.periods import Period, Span
from flows.teams.photo import (
    MonthContributors,
    assemble,
    disclosable,
    not_enough_text,
    period_label,
    photo_text,
)
from flows.teams.views import OptionCount, PhotoData, TeamRef
from tests.support.teams import png_chunks

EN, NL = guide_for("en"), guide_for("nl")
TEAMS = EN.teams
Q3 = Period(2026, Span.QUARTER, 3)
H2 = Period(2026, Span.HALF, 2)
YEAR = Period(2026, Span.YEAR)
JULY, AUGUST, SEPTEMBER = (Period(2026, Span.MONTH, m) for m in (7, 8, 9))
TEAM = TeamRef(48151, "Embassy Madrid")


def people(first: int, count: int) -> frozenset[int]:
    return frozenset(range(first, first + count))


# --- disclosure -----------------------------------------------------------------------


def test_a_window_needs_the_minimum_of_distinct_people() -> None:
    assert disclosable(JULY, {7: people(1, 5)}, 5)
    assert not disclosable(JULY, {7: people(1, 4)}, 5)
    assert not disclosable(JULY, {}, 5)
    assert disclosable(JULY, {7: people(1, 3)}, 3)


def test_a_quarter_is_hidden_when_it_minus_a_shown_month_is_one_person() -> None:
    months = {7: people(1, 5), 8: people(100, 1)}  # August: one person only
    assert disclosable(JULY, months, 5)
    assert not disclosable(AUGUST, months, 5)
    assert not disclosable(Q3, months, 5), "Q3 - July would show the August person"


def test_a_quarter_is_hidden_when_it_minus_two_shown_months_is_one_person() -> None:
    months = {7: people(1, 5), 8: people(100, 1), 9: people(200, 5)}
    assert disclosable(JULY, months, 5) and disclosable(SEPTEMBER, months, 5)
    assert not disclosable(Q3, months, 5), "Q3 - July - September would show August"


def test_a_quarter_of_small_months_is_shown_as_a_whole() -> None:
    months = {7: people(1, 2), 8: people(10, 2), 9: people(20, 2)}
    assert not any(disclosable(m, months, 5) for m in (JULY, AUGUST, SEPTEMBER))
    assert disclosable(Q3, months, 5), "six people together, no month on its own"


def test_the_same_people_in_two_months_leave_nothing_to_isolate() -> None:
    months = {7: people(1, 5), 8: people(1, 5)}
    assert disclosable(JULY, months, 5) and disclosable(AUGUST, months, 5)
    assert disclosable(Q3, months, 5)


def test_a_half_year_is_hidden_when_a_shown_quarter_leaves_one_person() -> None:
    months = {7: people(1, 2), 8: people(10, 2), 9: people(20, 2), 10: people(300, 1)}
    assert disclosable(Q3, months, 5)
    assert not disclosable(H2, months, 5), "H2 - Q3 would show the October person"
    assert not disclosable(YEAR, months, 5)


def _windows(year: int) -> list[Period]:
    spans = ((Span.YEAR, 1), (Span.HALF, 2), (Span.QUARTER, 4), (Span.MONTH, 12))
    return [Period(year, span, i) for span, count in spans for i in range(1, count + 1)]


def _disjoint(chosen: tuple[Period, ...]) -> bool:
    months = [m for p in chosen for m in p.months]
    return len(months) == len(set(months))


month_people = st.dictionaries(
    st.integers(1, 12), st.frozensets(st.integers(1, 12), min_size=1, max_size=6), max_size=12
)


@settings(max_examples=120, deadline=None)
@given(month_people, st.sampled_from([3, 4, 5]))
def test_no_subtraction_of_shown_windows_isolates_fewer_than_the_minimum(
    months: MonthContributors, minimum: int
) -> None:
    """For every shown window minus any disjoint shown windows inside it: 0 or >= minimum."""
    shown = [w for w in _windows(2026) if disclosable(w, months, minimum)]
    for outer in shown:
        inner = [w for w in shown if w != outer and set(w.months) < set(outer.months)]
        for size in range(1, min(len(inner), 4) + 1):
            for chosen in combinations(inner, size):
                if not _disjoint(chosen):
                    continue
                rest = set(outer.months) - {m for w in chosen for m in w.months}
                left = frozenset().union(*(months.get(m, frozenset()) for m in rest))
                assert not left or len(left) >= minimum, (outer, chosen, sorted(left))


# --- assembly and wording -------------------------------------------------------------


def counts(*triples: tuple[str, str, int]) -> tuple[OptionCount, ...]:
    return tuple(OptionCount(q, o, n) for q, o, n in triples)


DATA = PhotoData(
    TEAM,
    Q3,
    disclosable=True,
    stories=12,
    checkins=8,
    contributors=7,
    counts=counts(
        ("how", "feedback", 4),
        ("how", "by_doing", 9),
        ("how", "watching", 4),
        ("how", "renamed_long_ago", 30),  # an option no longer in the guide
        ("obstacles", "time_pressure", 8),
        ("obstacles", "self_doubt", 5),
        ("who", "colleague", 7),
    ),
    quotes=("Chairing   the Tuesday meeting\nin French",),
)


def test_counts_come_largest_first_ties_in_the_guides_order() -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    how = next(s for s in photo.sections if s.key == "how")
    assert how.title == "How people learned"
    assert how.items == (
        ("By doing, trial and error", 9),
        ("Watching someone", 4),  # before Feedback: earlier in the guide
        ("Feedback", 4),
    )
    assert [s.key for s in photo.sections] == ["how", "who", "resources", "obstacles", "next_step"]
    assert next(s for s in photo.sections if s.key == "resources").items == ()


def test_recurring_threads_name_the_top_item_of_every_question() -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    assert photo.recurring == ("By doing, trial and error", "A colleague", "Time, work pressure")
    assert "Recurring threads: By doing, trial and error · A colleague · Time" in photo_text(
        EN, photo
    )


def test_an_item_named_once_or_tied_is_no_single_thread() -> None:
    once = replace(DATA, counts=counts(("how", "feedback", 1), ("who", "colleague", 1)))
    photo = assemble(EN, once, 5)
    assert photo is not None and photo.recurring == ()
    assert "Recurring threads" not in photo_text(EN, photo)
    tied = replace(
        DATA,
        counts=counts(("how", "feedback", 3), ("how", "watching", 3), ("how", "by_doing", 3)),
    )
    photo = assemble(EN, tied, 5)
    assert photo is not None
    assert photo.recurring == ("By doing, trial and error", "Watching someone")


@pytest.mark.parametrize("fmt", list(PhotoFormat))
def test_a_withheld_question_shows_no_counts_anywhere(fmt: PhotoFormat) -> None:
    data = replace(DATA, withheld=frozenset({"obstacles", "who"}))
    photo = assemble(EN, data, 5)
    assert photo is not None
    withheld = {s.key for s in photo.sections if s.withheld}
    assert withheld == {"obstacles", "who"}
    assert all(s.items == () for s in photo.sections if s.withheld)
    assert photo.recurring == ("By doing, trial and error",)
    text = photo_text(EN, photo)
    assert "What got in the way\n  " + TEAMS.photo_withheld in text
    assert "Time, work pressure" not in text and "A colleague" not in text
    content = photo_file(EN, photo, "2026-Q3", fmt)
    if fmt is not PhotoFormat.PNG:
        decoded = content.decode()
        assert "Time, work pressure" not in decoded and "A colleague" not in decoded
    if fmt is PhotoFormat.JSON:
        sections = {s["question"]: s for s in json.loads(content)["sections"]}
        assert sections["who"]["withheld"] is True and sections["who"]["counts"] == []


def test_the_photo_is_worded_in_the_readers_language() -> None:
    photo = assemble(NL, DATA, 5)
    assert photo is not None
    text = photo_text(NL, photo)
    assert text.startswith("Teamfoto · Embassy Madrid · 3e kwartaal 2026")
    assert "Verhalen: 12 · check-ins: 8 · mensen die meededen: 7" in text
    assert "▸ Hoe mensen leerden (12 verhalen en 8 check-ins)\n" in text
    assert "  Door te doen, met vallen en opstaan — 9 van 20 (45%)\n" in text
    assert "Rode draden: Door te doen, met vallen en opstaan · Een collega · Tijd" in text
    assert "“Chairing the Tuesday meeting in French”" in text


def test_counts_are_of_stories_and_check_ins_with_their_share_of_those_asked() -> None:
    """Check-ins ask only "how": its shares are of stories and check-ins, the rest of stories."""
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    text = photo_text(EN, photo)
    assert (
        "▸ How people learned (12 stories and 8 check-ins)\n"
        "  By doing, trial and error — 9 of 20 (45%)\n"
        "  Watching someone — 4 of 20 (20%)\n"
        "  Feedback — 4 of 20 (20%)\n\n"
        "▸ Who was involved (12 stories)\n"
        "  A colleague — 7 of 12 (58%)\n\n"
        "▸ What got in the way (12 stories)\n"
        "  Time, work pressure — 8 of 12 (67%)\n"
        "  Doubting myself: “I should know this” — 5 of 12 (42%)\n\n"
    ) in text
    one_story = replace(DATA, stories=1, checkins=0, counts=counts(("who", "colleague", 1)))
    photo = assemble(EN, one_story, 5)
    assert photo is not None
    assert "▸ Who was involved (1 story)\n  A colleague — 1 of 1 (100%)" in photo_text(EN, photo)


def test_a_count_without_anyone_asked_shows_no_share() -> None:
    only_checkins = replace(DATA, stories=0, checkins=8, counts=counts(("who", "colleague", 2)))
    photo = assemble(EN, only_checkins, 5)
    assert photo is not None
    who = next(s for s in photo.sections if s.key == "who")
    assert who.asked == 0 and who.share(2) is None
    assert "▸ Who was involved\n  A colleague — 2" in photo_text(EN, photo)


def test_period_labels() -> None:
    assert period_label(EN, JULY) == "July 2026"
    assert period_label(NL, JULY) == "juli 2026"
    assert period_label(EN, H2) == "H2 2026"
    assert period_label(NL, H2) == "2e halfjaar 2026"
    assert period_label(NL, YEAR) == "2026"


def test_below_the_minimum_nothing_is_assembled_and_no_number_is_said() -> None:
    """An ended window is frozen: it says that it stays closed, not that it may open."""
    hidden = PhotoData(TEAM, Q3, disclosable=False)
    assert assemble(EN, hidden, 5) is None
    assert not_enough_text(EN, hidden, 5) == (
        "Fewer than 5 people from “Embassy Madrid” took part in Q3 2026, so the team "
        "snapshot for that period stays closed: that way nobody can be recognised."
    )
    assert not_enough_text(NL, hidden, 3) == (
        "In de periode 3e kwartaal 2026 deden minder dan 3 mensen van “Embassy Madrid” mee, "
        "dus daar komt geen teamfoto van: zo blijft iedereen onherkenbaar."
    )
    # Even data marked disclosable is refused when it counts too few people.
    assert assemble(EN, PhotoData(TEAM, Q3, True, 9, 0, 4, DATA.counts), 5) is None


def test_a_photo_holds_no_ids_and_no_time_finer_than_the_period() -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    text = photo_text(EN, photo)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", text)
    assert str(TEAM.id) not in text


# --- chart and files ------------------------------------------------------------------


def test_the_chart_is_a_valid_png_with_no_metadata_and_always_the_same() -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    png = chart_png(EN, photo)
    kinds = png_chunks(png)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(kinds)
    assert chart_png(EN, photo) == png


def test_the_chart_keeps_no_pyplot_state() -> None:
    """Drawn with a Figure and the Agg canvas: pyplot (global state) is never imported."""
    script = (
        "import sys; from tests.test_team_photo import DATA, EN; "
        "from flows.teams.photo import assemble; from flows.teams.chart import chart_png; "
        "chart_png(EN, assemble(EN, DATA, 5)); "
        "sys.exit('matplotlib.pyplot' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, check=False)
    assert done.returncode == 0


@pytest.mark.parametrize("fmt", list(PhotoFormat))
def test_every_file_format_holds_the_same_photo(fmt: PhotoFormat) -> None:
    photo = assemble(EN, DATA, 5)
    assert photo is not None
    data = photo_file(EN, photo, str(Q3), fmt)
    if fmt is PhotoFormat.PNG:
        assert png_chunks(data)[-1] == b"IEND"
        return
    text = data.decode("utf-8")
    if fmt is PhotoFormat.JSON:
        loaded = json.loads(text)
        assert loaded["period"] == "2026-Q3" and loaded["contributors"] == 7
        sections = {s["question"]: s for s in loaded["sections"]}
        assert sections["how"]["asked"] == {"stories": 12, "checkins": 8}
        assert sections["how"]["counts"][0] == {
            "item": "By doing, trial and error",
            "count": 9,
            "share": 0.45,
        }
        assert sections["who"]["asked"] == {"stories": 12, "checkins": 0}
        assert sections["who"]["counts"][0]["share"] == 0.583
    elif fmt is PhotoFormat.CSV:
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["team", "period", "section", "item", "count", "asked", "share"]
        assert ["Embassy Madrid", "2026-Q3", "totals", "contributors", "7", "", ""] in rows
        time = ["Embassy Madrid", "2026-Q3", "obstacles", "Time, work pressure", "8", "12", "0.667"]
        assert time in rows
    else:
        assert text.startswith("# Team snapshot · Embassy Madrid · Q3 2026")
        assert "\n## How people learned (12 stories and 8 check-ins)\n" in text
        assert "\n- By doing, trial and error — 9 of 20 (45%)\n" in text
    assert "renamed_long_ago" not in text
