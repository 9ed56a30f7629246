"""/growth through the runner and real storage (SQLite and PostgreSQL), step by step."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fpdf.bidi import BidiParagraph

from bot.engine.conversation import Conversations, Speaker
from flows.callbacks import Action
from flows.content.guide import guide_for
from flows.events import Command, Media, MediaKind, Press
from flows.render import MESSAGE_LIMIT, utf16_len
from flows.states import Step
from tests.support.chat import ALICE, BOB, CHANGE, HELPED_MOST, WHO_WORDS, Chat, tell_whole_story
from tests.support.growth import (
    choose,
    listed,
    listed_since,
    make,
    message_of,
    pdf_of,
    pdf_text,
    tell_story,
    toggle,
)
from tests.support.outcomes import find_button
from tests.support.privacy import checkin, found_in_tables, traces_of

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EN, NL = guide_for("en"), guide_for("nl")
G = EN.growth
HEBREW, ARABIC = "שלום עולם, מה שלומך", "مرحبا بالعالم"


async def test_the_growth_story_tells_what_went_better_how_who_and_what_next(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    await tell_whole_story(alice)  # 2 Mar 2026
    clock.advance(days=30)
    await checkin(alice, "Briefings go smoother", pick="by_doing")
    asked = await alice.send(Command("growth"))
    assert asked is not None and asked.replies[0].text == G.period_question
    labels = [b.label for row in asked.replies[0].buttons for b in row]
    assert labels == [G.last_6, G.last_12, G.since_date, G.not_now]
    shown = await alice.press(Action.GROWTH_PERIOD, "12")
    assert shown is not None and shown.state.step is Step.GROWTH_PICK
    assert shown.replies[0].text.startswith(
        "Your growth story from 1 Apr 2025 to 1 Apr 2026, made of 1 story and 1 check-in."
    )
    assert listed(shown) == [
        "✅ 1 Apr 2026 · Check-in: Briefings go smoother",
        "✅ 2 Mar 2026 · Story: " + CHANGE[:47] + "…",
    ]
    made = await make(alice)
    assert made.replies[0].edit
    assert made.replies[0].text.startswith("Your growth story from 1 Apr 2025 to 1 Apr 2026")
    said, document = message_of(made), pdf_text(pdf_of(made))
    for text in (said, document):
        assert "My growth story" in text and "From 1 Apr 2025 to 1 Apr 2026" in text
        assert f"{CHANGE} (2 Mar 2026)" in text  # what they started doing better
        assert "Briefings go smoother (1 Apr 2026)" in text  # what went more smoothly
        assert "By doing, trial and error (2 times)" in text  # most frequent way first
        assert f"“{WHO_WORDS}”" in text and f"“{HELPED_MOST}”" in text  # own words
        assert "Time, work pressure" in text and "Shadowing a colleague" in text
        assert not re.search(r"\d\d:\d\d", text)  # no times of day: a story, not a dump
    assert said.index("How I learned it") < said.index("Who and what helped")
    assert said.index("What got in the way") < said.index("What will help me further")
    [file] = [r.file for r in made.replies if r.file is not None]
    assert file.filename == "leerverhaal-growth-2026-04-01.pdf" and not file.picture
    assert made.replies[-1].text == G.caption


async def test_a_story_left_out_is_nowhere_in_it(conversations: Conversations) -> None:
    alice = Chat(conversations)
    kept = await tell_story(alice, "Chairing the Tuesday meeting", words="By chairing it myself")
    gone = await tell_story(alice, "Writing the budget cable", "watching", "Watching Mira write")
    shown = await choose(alice)
    assert len(listed(shown)) == 2
    shown = await toggle(alice, gone)
    assert shown.state.left_out == (gone,)
    assert set(listed(shown)) == {
        "⬜ 2 Mar 2026 · Story: Writing the budget cable",
        "✅ 2 Mar 2026 · Story: Chairing the Tuesday meeting",
    }
    back_in = await toggle(alice, gone)
    assert back_in.state.left_out == ()
    await toggle(alice, gone)
    made = await make(alice)
    assert "made of 1 story" in made.replies[0].text
    for text in (message_of(made), pdf_text(pdf_of(made))):
        assert "Chairing the Tuesday meeting" in text and "By chairing it myself" in text
        assert "budget cable" not in text and "Mira" not in text
        assert "Watching someone" not in text  # not even its picks
    assert kept != gone


async def test_another_persons_words_never_appear(conversations: Conversations) -> None:
    bob = Chat(conversations, BOB, first_update=900)
    bobs = await tell_story(bob, "Negotiating with the ministry", words="Bob's secret method")
    alice = Chat(conversations)
    await tell_story(alice, "Chairing the Tuesday meeting")
    shown = await choose(alice)
    assert len(listed(shown)) == 1
    forged = await toggle(alice, bobs)
    assert forged.notice == EN.texts.invalid_button
    assert forged.state.left_out == ()
    made = await make(alice)
    for text in (message_of(made), pdf_text(pdf_of(made))):
        assert "Chairing" in text
        assert "ministry" not in text and "secret" not in text


async def test_the_period_holds_only_its_own_stories(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    await tell_story(alice, "An old story from March")  # 2 Mar 2026
    clock.advance(days=250)  # 7 Nov 2026
    await tell_story(alice, "A new story from November")
    six = await choose(alice, "6")
    assert [label.split(": ")[1] for label in listed(six)] == ["A new story from November"]
    assert "from 7 May 2026 to 7 Nov 2026" in six.replies[0].text
    made = await make(alice)
    assert "An old story" not in pdf_text(pdf_of(made))
    twelve = await choose(alice, "12")
    assert len(listed(twelve)) == 2
    await alice.send(Command("growth"))
    await alice.press(Action.GROWTH_SINCE)
    since = await alice.say("1 March")  # no year: the last 1 March, not the next one
    assert since is not None and "from 1 Mar 2026 to 7 Nov 2026" in since.replies[0].text
    assert len(listed(since)) == 2
    later = await alice.send(Command("growth"))
    await alice.press(Action.GROWTH_SINCE)
    later = await alice.say("2026-03-03")
    assert [label.split(": ")[1] for label in listed(later)] == ["A new story from November"]


async def test_a_period_without_stories_offers_the_periods_again(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    await tell_story(alice, "An old story")
    clock.advance(days=400)
    shown = await choose(alice, "12")
    assert shown.state.step is Step.IDLE
    assert shown.replies[0].text.startswith("You have no saved stories or check-ins from")
    assert find_button(shown, G.last_6) and find_button(shown, G.since_date)


async def test_bad_input_gets_a_kind_answer_and_loses_nothing(
    conversations: Conversations,
) -> None:
    alice = Chat(conversations)
    await tell_story(alice, "Chairing the Tuesday meeting")
    await alice.send(Command("growth"))
    asking = await alice.press(Action.GROWTH_SINCE)
    assert asking is not None and asking.state.step is Step.GROWTH_SINCE
    assert asking.replies[0].text == G.since_prompt
    for typed, answer in (
        ("last spring", G.bad_date),
        ("31-02-2026", G.bad_date),
        ("15-01-2099", G.future_date.format(date="15 Jan 2099")),
    ):
        wrong = await alice.say(typed)
        assert wrong is not None and [r.text for r in wrong.replies] == [answer]
        assert wrong.state.step is Step.GROWTH_SINCE
    sticker = await alice.send(Media(MediaKind.STICKER))
    assert sticker is not None and sticker.replies[0].text == G.bad_date
    shown = await alice.say("2026-01-01")
    assert shown is not None and shown.state.step is Step.GROWTH_PICK
    typed = await alice.say("make it please")
    assert typed is not None and typed.replies[0].text == G.pick_hint
    assert typed.state == shown.state and listed(typed) == listed(shown)
    period = await alice.send(Press("gp|7"))  # forged: no such period
    assert period is not None and period.notice == EN.texts.invalid_button
    stale_toggle = find_button(shown, listed(shown)[0]).data
    await alice.send(Press(stale_toggle))  # left out: none is left
    all_out = await alice.send(Press(find_button(shown, G.make).data))
    assert all_out is not None and all_out.notice == G.all_left_out and not all_out.replies
    await alice.send(Press(stale_toggle))  # back in
    await make(alice)
    for data in (stale_toggle, find_button(shown, G.make).data, "gn|2|20260101"):
        stale = await alice.send(Press(data))
        assert stale is not None and stale.notice == G.stale and not stale.replies


async def test_not_now_and_a_command_leave_the_choice(conversations: Conversations) -> None:
    alice = Chat(conversations)
    await tell_story(alice, "Chairing the Tuesday meeting")
    await choose(alice)
    stopped = await alice.press(Action.GROWTH_STOP)
    assert stopped is not None and stopped.state.step is Step.IDLE
    assert stopped.replies[0].text == G.stopped
    shown = await choose(alice)
    await alice.send(Command("help"))
    stale = await alice.send(Press(find_button(shown, G.make).data))
    assert stale is not None and stale.notice == G.stale


async def test_next_steps_say_how_they_went_and_what_they_brought(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    await tell_whole_story(alice)  # what will help further: shadowing, to follow up
    clock.advance(days=7)
    asked = await alice.send(Command("checkin"))
    assert asked is not None and asked.state.step is Step.FOLLOW_UP
    did = await alice.send(Press(find_button(asked, EN.next_steps.did_it).data))
    assert did is not None and did.state.question == "tried"
    await alice.press(Action.TOGGLE, "tried", "watching")
    await alice.say("I sat beside her for a whole afternoon")
    await alice.press(Action.DONE, "tried")
    await alice.say("Briefings go smoother")
    await alice.press(Action.TOGGLE, "how", "feedback")
    await alice.press(Action.DONE, "how")
    await choose(alice)
    made = await make(alice)
    for text in (message_of(made), pdf_text(pdf_of(made))):
        assert "Next steps I took" in text
        assert "Shadowing a colleague (2 Mar 2026): done" in text
        assert "What it brought: Watching someone · “I sat beside her for a whole" in text


async def test_a_check_in_where_nothing_went_better_says_only_what_helped_through(
    conversations: Conversations,
) -> None:
    alice = Chat(conversations)
    await tell_story(alice, "Chairing the Tuesday meeting")
    asked = await alice.send(Command("checkin"))
    assert asked is not None
    nothing = await alice.send(Press(find_button(asked, EN.checkin.texts.nothing).data))
    assert nothing is not None and nothing.state.step is Step.CHECKIN_THROUGH
    await alice.say("A long walk with my partner")
    await choose(alice)
    said = message_of(await make(alice))
    assert "What went more smoothly" not in said and EN.checkin.texts.nothing not in said
    assert "“A long walk with my partner”" in said


async def test_a_long_growth_story_comes_in_messages_that_fit(
    conversations: Conversations,
) -> None:
    alice = Chat(conversations)
    long_words = " ".join(f"word{n}" for n in range(800))  # about 6400 characters
    await tell_story(alice, "Chairing the Tuesday meeting", words=long_words[:4000])
    await tell_story(alice, "Writing cables", words=long_words[4000:])
    await choose(alice)
    made = await make(alice)
    parts = [r.text for r in made.replies[1:] if r.file is None]
    assert len(parts) >= 2 and all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    joined = " ".join(" ".join(parts).split())
    assert long_words[:4000] in joined and long_words[4000:] in joined
    document = " ".join(pdf_text(pdf_of(made)).split())
    assert long_words[:4000] in document


async def test_in_dutch(conversations: Conversations, clock: FakeClock) -> None:
    anna = Chat(conversations, Speaker("telegram", 3003, 3003, "nl"))
    await anna.send(Command("start"))
    await anna.press(Action.BEGIN)
    await anna.say("Het dinsdagoverleg voorzitten")
    await anna.press(Action.TOGGLE, "how", "feedback")
    await anna.press(Action.DONE, "how")
    for key in ("who", "resources", "obstacles", "helped_most", "next_step"):
        await anna.press(Action.SKIP, key)
    await anna.press(Action.CONFIRM)
    clock.advance(days=1)
    asked = await anna.send(Command("growth"))
    assert asked is not None and asked.replies[0].text == NL.growth.period_question
    shown = await anna.press(Action.GROWTH_PERIOD, "6")
    assert shown is not None
    assert shown.replies[0].text.startswith("Je groeiverhaal van 3 sep 2025 tot 3 mrt 2026")
    document = pdf_text(pdf_of(await make(anna)))
    assert "Mijn groeiverhaal" in document and "Van 3 sep 2025 tot 3 mrt 2026" in document
    assert "Het dinsdagoverleg voorzitten (2 mrt 2026)" in document


async def test_many_stories_come_a_page_at_a_time(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    ids = []
    for day in range(10):
        ids.append(await checkin(alice, f"Check-in number {day}"))
        clock.advance(days=1)
    first = await choose(alice)
    assert len(listed(first)) == 8 and "Stories 1–8 of 10" in first.replies[0].text
    second = await alice.press(Action.GROWTH_PAGE, "2", listed_since(alice))
    assert second is not None and len(listed(second)) == 2
    assert "Stories 9–10 of 10" in second.replies[0].text
    toggled = await toggle(alice, ids[0], "2")
    assert toggled.state.left_out == (ids[0],)
    assert listed(toggled) == [
        "✅ 3 Mar 2026 · Check-in: Check-in number 1",
        "⬜ 2 Mar 2026 · Check-in: Check-in number 0",
    ]
    said = message_of(await make(alice))
    assert "Made of 9 check-ins." in said
    assert "Check-in number 0" not in said and "Check-in number 9" in said


async def test_the_next_step_of_a_story_left_out_is_left_out_too(
    conversations: Conversations,
) -> None:
    alice = Chat(conversations)
    gone = await tell_whole_story(alice)  # its "shadowing" is the next step to follow up
    await tell_story(alice, "Chairing the Tuesday meeting")
    await choose(alice)
    with_it = message_of(await make(alice))
    assert "Shadowing a colleague (2 Mar 2026): still open" in with_it
    await choose(alice)
    await toggle(alice, gone)
    without = message_of(await make(alice))
    assert "Chairing the Tuesday meeting" in without
    assert "Shadowing" not in without and "Next steps I took" not in without


async def test_a_button_of_an_earlier_list_changes_nothing(conversations: Conversations) -> None:
    """Two lists on screen, of two periods: only the newest one's buttons act."""
    alice = Chat(conversations)
    await tell_story(alice, "Chairing the Tuesday meeting")
    twelve = await choose(alice, "12")
    six = await choose(alice, "6")
    for label in (listed(twelve)[0], G.make):
        stale = await alice.send(Press(find_button(twelve, label).data))
        assert stale is not None and stale.notice == G.stale and not stale.replies
        assert stale.state == six.state
    toggled = await alice.send(Press(find_button(six, listed(six)[0]).data))
    assert toggled is not None and toggled.state.left_out != ()


async def test_right_to_left_words_keep_the_dates_after_them_in_order(
    conversations: Conversations,
) -> None:
    """A Hebrew or Arabic answer, then our date: laid out by the Unicode bidirectional
    algorithm (fpdf2's, as Telegram's apps do), the date still reads "(2 Mar 2026)"."""
    alice = Chat(conversations)
    await tell_story(alice, f"{HEBREW} 🙂", words=f"{ARABIC} 👍🏽 and sparring")
    await tell_story(alice, f"Cables in Arabic: {ARABIC}")
    await choose(alice)
    made = await make(alice)
    dated = [line for line in message_of(made).splitlines() if line.endswith("2 Mar 2026)")]
    assert len(dated) == 2  # what they started doing better, each with its date
    for line in dated:
        assert "(2 Mar 2026)" in BidiParagraph(line).get_reordered_string(), line
    assert HEBREW in message_of(made) and ARABIC in message_of(made)
    document = pdf_text(pdf_of(made))
    assert "2 Mar 2026" in document and "שלום" in document


async def test_forget_while_choosing_leaves_nothing_and_the_list_changes_nothing(
    conversations: Conversations,
) -> None:
    alice = Chat(conversations)
    kept = await tell_story(alice, "Chairing the Tuesday meeting")
    await tell_story(alice, "Writing cables")
    shown = await choose(alice)
    await toggle(alice, kept)  # a choice in the state: the period, a story left out
    traces = await traces_of(conversations.database, ALICE)
    await alice.send(Command("forget"))
    gone = await alice.send(Press(find_button(alice.last, EN.privacy.forget_yes).data))
    assert gone is not None and gone.replies[0].text == EN.privacy.forgotten
    assert await found_in_tables(conversations.database, traces) == []
    for label in (G.make, listed(shown)[0]):
        stale = await alice.send(Press(find_button(shown, label).data))
        assert stale is not None and stale.notice == G.stale and not stale.replies
