"""Checkins through ``flows.dialogue``: when a due check-in is asked or moved, how it reads,
how the rhythm slows down after unanswered checkins, and who counts as active. The buttons
under a check-in are in ``test_checkin_buttons_flow``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest

from flows.callbacks import Action, encode
from flows.checkins.schedule import Rhythm, next_allowed, snooze_tomorrow
from flows.content.guide import guide_for
from flows.events import CheckinDue
from flows.replies import Outcome, PersonActive, Reply, SaveCheckinRule, SetNextCheckin, Welcomed
from flows.states import State, Step
from tests.support.checkin_harness import (
    MONDAY,
    RULE,
    CheckinPerson,
    CheckinWorld,
    assert_checkin,
    checkin_prompts,
    checkin_question,
    local,
    schedule_effects,
)

EN = guide_for("en")
T = EN.texts
C = EN.checkin.texts
S = EN.settings
PROMPTS = checkin_prompts()


# The whole dialogue; everybody here has the default check-in settings in Amsterdam.
pytestmark = pytest.mark.dialogue(scheduled=True)


# --- whether to ask -------------------------------------------------------------------------


def test_no_settings_means_no_more_checkins(world: CheckinWorld) -> None:
    person = world.person()
    outcome = person.send(CheckinDue())
    assert outcome == Outcome(State(), (), (SetNextCheckin(None),))


def test_rhythm_off_means_no_more_checkins(person: CheckinPerson) -> None:
    person.set_schedule(replace(RULE, rhythm=Rhythm.OFF))
    outcome = person.send(CheckinDue())
    assert outcome == Outcome(State(), (), (SetNextCheckin(None),))


def test_a_due_checkin_asks_the_checkin_question(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    outcome = person.send(CheckinDue())
    assert outcome.effects == ()
    assert outcome.state == State(step=Step.CHECKIN_ASKED, asked_at=world.now)
    reply = assert_checkin(outcome, world.now)
    assert checkin_question(reply) in PROMPTS
    assert reply.text == (
        f"Hello! Time for a short check-in.\n\n{checkin_question(reply)}\n\n"
        "Just type your answer here: a few words are enough."
    )


def test_a_checkin_keeps_an_unfinished_story_to_come_back_to(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    draft_id = person.to_question("who")
    person.command("cancel")
    outcome = person.send(CheckinDue())
    assert outcome.state == State(step=Step.CHECKIN_ASKED, draft_id=draft_id, asked_at=world.now)


def busy_in_a_question(person: CheckinPerson) -> None:
    person.to_question("who")


def busy_in_a_checkin(person: CheckinPerson) -> None:
    person.command("checkin")


def busy_at_the_review(person: CheckinPerson) -> None:
    person.story_to_card()


def busy_on_the_zone_page(person: CheckinPerson) -> None:
    person.press(encode(Action.SETTINGS_PAGE, "zone"))


def busy_on_the_time_page(person: CheckinPerson) -> None:
    person.press(encode(Action.SETTINGS_PAGE, "time"))


def busy_on_the_pause_page(person: CheckinPerson) -> None:
    person.command("pause")


@pytest.mark.parametrize(
    ("get_busy", "step"),
    [
        (busy_in_a_question, Step.QUESTION),
        (busy_in_a_checkin, Step.QUESTION),
        (busy_at_the_review, Step.REVIEW),
        (busy_on_the_zone_page, Step.SETTINGS_ZONE),
        (busy_on_the_time_page, Step.SETTINGS_TIME),
        (busy_on_the_pause_page, Step.SETTINGS_PAUSE),
    ],
)
def test_a_checkin_waits_until_tomorrow_while_the_person_is_busy(
    person: CheckinPerson,
    world: CheckinWorld,
    get_busy: Callable[[CheckinPerson], None],
    step: Step,
) -> None:
    get_busy(person)
    before = person.state
    assert before.step is step
    outcome = person.send(CheckinDue())
    expected = snooze_tomorrow(RULE, world.now)
    assert outcome == Outcome(before, (), (SetNextCheckin(expected),))
    assert expected == local(date(2026, 3, 3), 10)  # Tuesday at the rule's time
    assert person.checkin is not None and person.checkin.next_at == expected


@pytest.mark.parametrize(
    "get_busy",
    [busy_in_a_question, busy_in_a_checkin, busy_at_the_review, busy_on_the_time_page],
)
def test_a_draft_left_13_hours_ago_no_longer_holds_the_checkin_back(
    person: CheckinPerson, world: CheckinWorld, get_busy: Callable[[CheckinPerson], None]
) -> None:
    slot = local(date(2026, 3, 3), 10)  # Tuesday
    world.now = slot - timedelta(hours=13)
    get_busy(person)
    left = person.state
    world.now = slot
    outcome = person.send(CheckinDue())
    assert_checkin(outcome, slot)
    assert outcome.state == State(step=Step.CHECKIN_ASKED, draft_id=left.draft_id, asked_at=slot)


@pytest.mark.parametrize(
    "get_busy",
    [busy_in_a_question, busy_in_a_checkin, busy_at_the_review, busy_on_the_time_page],
)
def test_a_draft_left_an_hour_ago_still_holds_the_checkin_back(
    person: CheckinPerson, world: CheckinWorld, get_busy: Callable[[CheckinPerson], None]
) -> None:
    slot = local(date(2026, 3, 3), 10)  # Tuesday
    world.now = slot - timedelta(hours=1)
    get_busy(person)
    left = person.state
    world.now = slot
    outcome = person.send(CheckinDue())
    assert outcome == Outcome(left, (), (SetNextCheckin(local(date(2026, 3, 4), 10)),))
    # The hold is not the person acting: the next day the draft is old enough.
    world.now = local(date(2026, 3, 4), 10)
    assert_checkin(person.send(CheckinDue()), world.now)


@pytest.mark.parametrize(
    ("now", "moved_to"),
    [
        (local(date(2026, 3, 2), 6, 59), local(date(2026, 3, 2), 7)),  # before 07:00
        (local(date(2026, 3, 2), 21, 1), local(date(2026, 3, 3), 7)),  # after 21:00
        (local(date(2026, 3, 3), 2), local(date(2026, 3, 3), 7)),  # at night
        (local(date(2026, 3, 7), 10), local(date(2026, 3, 9), 7)),  # Saturday
        (local(date(2026, 3, 8), 20), local(date(2026, 3, 9), 7)),  # Sunday
        (local(date(2026, 3, 6), 22), local(date(2026, 3, 9), 7)),  # Friday night
    ],
)
def test_a_checkin_outside_the_allowed_hours_is_moved(
    person: CheckinPerson, world: CheckinWorld, now: datetime, moved_to: datetime
) -> None:
    world.now = now
    outcome = person.send(CheckinDue())
    assert outcome == Outcome(State(), (), (SetNextCheckin(next_allowed(RULE, now)),))
    assert next_allowed(RULE, now) == moved_to


@pytest.mark.parametrize("hour", [7, 21])
def test_the_edges_of_the_allowed_hours_are_allowed(
    person: CheckinPerson, world: CheckinWorld, hour: int
) -> None:
    world.now = local(date(2026, 3, 2), hour)
    assert_checkin(person.send(CheckinDue()), world.now, later_today=hour < 18)


def test_a_checkin_follows_the_persons_own_weekend(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    rule = replace(RULE, weekend=frozenset({4, 5}))  # Friday and Saturday
    person.set_schedule(rule)
    world.now = local(date(2026, 3, 6), 10)  # a Friday
    moved = person.send(CheckinDue())
    assert moved.effects == (SetNextCheckin(local(date(2026, 3, 8), 7)),)  # Sunday
    world.now = local(date(2026, 3, 8), 10)
    assert_checkin(person.send(CheckinDue()), world.now)


def test_a_checkin_during_a_pause_waits_for_its_end(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    person.set_schedule(replace(RULE, paused_until=date(2026, 3, 10)))
    outcome = person.send(CheckinDue())
    assert outcome.replies == ()
    # The regular slot after the pause: Tuesday 17 March at 10:00, not 07:00 on the 11th.
    assert outcome.effects == (SetNextCheckin(local(date(2026, 3, 17), 10)),)


def test_the_prompt_varies_over_the_days(person: CheckinPerson, world: CheckinWorld) -> None:
    person.set_schedule(replace(RULE, weekend=frozenset()))
    asked = []
    for day in range(7):
        world.now = MONDAY + timedelta(days=day)
        asked.append(checkin_question(assert_checkin(person.due(), world.now)))
        assert person.checkin is not None
        person.checkin = replace(person.checkin, unanswered=0)  # answered: no slowing down
    assert len(set(asked)) >= 2
    assert set(asked) <= set(PROMPTS)


@pytest.mark.parametrize("rhythm", [Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY])
def test_every_rhythm_hears_every_phrasing_and_never_the_same_twice(
    person: CheckinPerson, rhythm: Rhythm
) -> None:
    person.set_schedule(replace(RULE, rhythm=rhythm))
    asked = []
    for _ in range(24):
        assert person.checkin is not None
        person.checkin = replace(person.checkin, unanswered=0)  # answered: no slowing down
        asked.append(checkin_question(assert_checkin(person.due_at_next(), person.world.now)))
    assert set(asked) == set(PROMPTS)
    assert all(a != b for a, b in pairwise(asked)), asked


def test_a_second_checkin_while_the_first_is_unanswered(person: CheckinPerson) -> None:
    first = person.due()
    asked_first = person.world.now
    second = person.due_at_next()
    assert first.state == State(step=Step.CHECKIN_ASKED, asked_at=asked_first)
    assert second.state == State(step=Step.CHECKIN_ASKED, asked_at=person.world.now)
    assert not second.replies[0].text.startswith(C.reminder), "recorded: a new check-in"
    assert person.checkin is not None and person.checkin.unanswered == 2


# --- slowing down ---------------------------------------------------------------------------


def slowed_line(rhythm: Rhythm) -> str:
    return C.slowed_down.format(rhythm=getattr(S, f"rhythm_{rhythm.value}"))


def test_three_unanswered_checkins_slow_the_rhythm_down_once(person: CheckinPerson) -> None:
    for _ in range(3):
        outcome = person.due_at_next()
        assert outcome.effects == ()
        assert len(outcome.replies[0].text.split("\n\n")) == 3  # greeting, question, hint
    assert person.checkin is not None and person.checkin.unanswered == 3
    due_at = person.checkin.next_at
    assert due_at is not None

    fourth = person.due_at_next()
    slower = replace(RULE, rhythm=Rhythm.BIWEEKLY)
    assert fourth.effects == (SaveCheckinRule(slower, due_at, on_delivery=True),)
    reply = assert_checkin(fourth, due_at)
    greeting, line, prompt, hint = reply.text.split("\n\n")
    assert (greeting, hint) == (C.checkin_greeting, C.checkin_hint)
    assert line == slowed_line(Rhythm.BIWEEKLY)
    assert "every two weeks" in line
    assert prompt in PROMPTS
    # the dispatcher plans the next one in the new rhythm, and counts afresh
    assert person.checkin.rule == slower
    assert person.checkin.unanswered == 1
    assert due_at == local(date(2026, 3, 24), 10)
    assert person.checkin.next_at == local(date(2026, 4, 7), 10)  # two weeks, across DST

    fifth = person.due_at_next()
    assert fifth.effects == ()
    assert checkin_question(fifth.replies[0]) in PROMPTS


def test_biweekly_slows_to_monthly_and_monthly_stays(person: CheckinPerson) -> None:
    person.set_schedule(replace(RULE, rhythm=Rhythm.BIWEEKLY))
    for _ in range(3):
        person.due_at_next()
    slowed = person.due_at_next()
    monthly = replace(RULE, rhythm=Rhythm.MONTHLY)
    assert [type(e) for e in slowed.effects] == [SaveCheckinRule]
    assert person.checkin is not None and person.checkin.rule == monthly
    assert slowed.replies[0].text.split("\n\n")[1] == slowed_line(Rhythm.MONTHLY)

    for _ in range(5):
        outcome = person.due_at_next()
        assert outcome.effects == ()
        assert checkin_question(outcome.replies[0]) in PROMPTS
    assert person.checkin.rule == monthly
    assert person.checkin.unanswered == 6


def test_an_answer_counts_the_unanswered_checkins_afresh(person: CheckinPerson) -> None:
    person.due_at_next()
    person.due_at_next()
    person.say("Less rework on reports")
    person.tap(T.skip)
    assert person.checkin is not None and person.checkin.unanswered == 0
    for _ in range(3):
        outcome = person.due_at_next()
        assert outcome.effects == ()
    assert person.checkin.unanswered == 3
    assert [type(e) for e in schedule_effects(person.due_at_next())] == [SaveCheckinRule]


# --- who is active ------------------------------------------------------------------------


def test_every_event_of_the_person_marks_them_active(person: CheckinPerson) -> None:
    assert person.send(CheckinDue()).effects == ()
    person.mark_sent()
    events: list[Callable[[], Outcome]] = [
        lambda: person.say("x"),
        lambda: person.command("help"),
        lambda: person.command("settings"),
        lambda: person.press("garbage"),
        lambda: person.share_location(40.4168, -3.7038),
        lambda: person.edit(99, "edited"),
    ]
    for event in events:
        outcome = event()
        assert outcome.effects.count(PersonActive()) == 1
        assert outcome.effects[-1] == PersonActive()
    assert person.checkin is not None and person.checkin.unanswered == 0


def test_a_moved_checkin_does_not_mark_the_person_active(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    world.now = local(date(2026, 3, 7), 10)
    outcome = person.send(CheckinDue())
    assert PersonActive() not in outcome.effects
    said = person.say("hello")  # their first message: the long welcome, and active
    assert said.effects == (Welcomed(), PersonActive())


def test_a_dutch_checkin(world: CheckinWorld) -> None:
    nl = guide_for("nl").checkin.texts
    person = world.person(language="nl")
    person.set_schedule(RULE)
    outcome = person.due()
    reply = assert_checkin(outcome, world.now, "nl")
    assert checkin_question(reply) in checkin_prompts("nl")
    assert reply.text == (
        f"Hoi! Tijd voor een korte check-in.\n\n{checkin_question(reply)}\n\n"
        "Typ je antwoord gewoon hier: een paar woorden is genoeg."
    )
    tomorrow = "Prima, ik vraag het morgen om 10:00 nog eens."
    assert person.tap(nl.tomorrow).replies == (Reply(tomorrow, edit=True),)
