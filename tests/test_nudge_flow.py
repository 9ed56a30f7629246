"""Nudges through ``flows.dialogue``: when a due check-in is asked or moved, how it reads,
how the rhythm slows down after unanswered nudges, and who counts as active. The buttons
under a nudge are in ``test_nudge_buttons_flow``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest

from flows.callbacks import Action, encode
from flows.checkins.schedule import Rhythm, next_allowed, snooze_tomorrow
from flows.content.guide import guide_for
from flows.events import NudgeDue
from flows.replies import Outcome, PersonActive, Reply, SaveNudgeRule, SetNextNudge, Welcomed
from flows.states import State, Step
from tests.support.nudge_harness import (
    MONDAY,
    RULE,
    NudgePerson,
    NudgeWorld,
    assert_nudge,
    local,
    nudge_prompts,
    nudge_question,
    schedule_effects,
)

EN = guide_for("en")
T = EN.texts
C = EN.checkin.texts
S = EN.settings
PROMPTS = nudge_prompts()


# The whole dialogue; everybody here has the default check-in settings in Amsterdam.
pytestmark = pytest.mark.dialogue(scheduled=True)


# --- whether to ask -------------------------------------------------------------------------


def test_no_settings_means_no_more_nudges(world: NudgeWorld) -> None:
    person = world.person()
    outcome = person.send(NudgeDue())
    assert outcome == Outcome(State(), (), (SetNextNudge(None),))


def test_rhythm_off_means_no_more_nudges(person: NudgePerson) -> None:
    person.set_schedule(replace(RULE, rhythm=Rhythm.OFF))
    outcome = person.send(NudgeDue())
    assert outcome == Outcome(State(), (), (SetNextNudge(None),))


def test_a_due_nudge_asks_the_checkin_question(person: NudgePerson, world: NudgeWorld) -> None:
    outcome = person.send(NudgeDue())
    assert outcome.effects == ()
    assert outcome.state == State(step=Step.NUDGED, asked_at=world.now)
    reply = assert_nudge(outcome, world.now)
    assert nudge_question(reply) in PROMPTS
    assert reply.text == (
        f"Hello! Time for a short check-in.\n\n{nudge_question(reply)}\n\n"
        "Just type your answer here: a few words are enough."
    )


def test_a_nudge_keeps_an_unfinished_story_to_come_back_to(
    person: NudgePerson, world: NudgeWorld
) -> None:
    draft_id = person.to_question("who")
    person.command("cancel")
    outcome = person.send(NudgeDue())
    assert outcome.state == State(step=Step.NUDGED, draft_id=draft_id, asked_at=world.now)


def busy_in_a_question(person: NudgePerson) -> None:
    person.to_question("who")


def busy_in_a_checkin(person: NudgePerson) -> None:
    person.command("checkin")


def busy_at_the_review(person: NudgePerson) -> None:
    person.story_to_card()


def busy_on_the_zone_page(person: NudgePerson) -> None:
    person.press(encode(Action.SETTINGS_PAGE, "zone"))


def busy_on_the_time_page(person: NudgePerson) -> None:
    person.press(encode(Action.SETTINGS_PAGE, "time"))


def busy_on_the_pause_page(person: NudgePerson) -> None:
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
def test_a_nudge_waits_until_tomorrow_while_the_person_is_busy(
    person: NudgePerson, world: NudgeWorld, get_busy: Callable[[NudgePerson], None], step: Step
) -> None:
    get_busy(person)
    before = person.state
    assert before.step is step
    outcome = person.send(NudgeDue())
    expected = snooze_tomorrow(RULE, world.now)
    assert outcome == Outcome(before, (), (SetNextNudge(expected),))
    assert expected == local(date(2026, 3, 3), 10)  # Tuesday at the rule's time
    assert person.nudge is not None and person.nudge.next_at == expected


@pytest.mark.parametrize(
    "get_busy",
    [busy_in_a_question, busy_in_a_checkin, busy_at_the_review, busy_on_the_time_page],
)
def test_a_draft_left_13_hours_ago_no_longer_holds_the_nudge_back(
    person: NudgePerson, world: NudgeWorld, get_busy: Callable[[NudgePerson], None]
) -> None:
    slot = local(date(2026, 3, 3), 10)  # Tuesday
    world.now = slot - timedelta(hours=13)
    get_busy(person)
    left = person.state
    world.now = slot
    outcome = person.send(NudgeDue())
    assert_nudge(outcome, slot)
    assert outcome.state == State(step=Step.NUDGED, draft_id=left.draft_id, asked_at=slot)


@pytest.mark.parametrize(
    "get_busy",
    [busy_in_a_question, busy_in_a_checkin, busy_at_the_review, busy_on_the_time_page],
)
def test_a_draft_left_an_hour_ago_still_holds_the_nudge_back(
    person: NudgePerson, world: NudgeWorld, get_busy: Callable[[NudgePerson], None]
) -> None:
    slot = local(date(2026, 3, 3), 10)  # Tuesday
    world.now = slot - timedelta(hours=1)
    get_busy(person)
    left = person.state
    world.now = slot
    outcome = person.send(NudgeDue())
    assert outcome == Outcome(left, (), (SetNextNudge(local(date(2026, 3, 4), 10)),))
    # The hold is not the person acting: the next day the draft is old enough.
    world.now = local(date(2026, 3, 4), 10)
    assert_nudge(person.send(NudgeDue()), world.now)


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
def test_a_nudge_outside_the_allowed_hours_is_moved(
    person: NudgePerson, world: NudgeWorld, now: datetime, moved_to: datetime
) -> None:
    world.now = now
    outcome = person.send(NudgeDue())
    assert outcome == Outcome(State(), (), (SetNextNudge(next_allowed(RULE, now)),))
    assert next_allowed(RULE, now) == moved_to


@pytest.mark.parametrize("hour", [7, 21])
def test_the_edges_of_the_allowed_hours_are_allowed(
    person: NudgePerson, world: NudgeWorld, hour: int
) -> None:
    world.now = local(date(2026, 3, 2), hour)
    assert_nudge(person.send(NudgeDue()), world.now, later_today=hour < 18)


def test_a_nudge_follows_the_persons_own_weekend(person: NudgePerson, world: NudgeWorld) -> None:
    rule = replace(RULE, weekend=frozenset({4, 5}))  # Friday and Saturday
    person.set_schedule(rule)
    world.now = local(date(2026, 3, 6), 10)  # a Friday
    moved = person.send(NudgeDue())
    assert moved.effects == (SetNextNudge(local(date(2026, 3, 8), 7)),)  # Sunday
    world.now = local(date(2026, 3, 8), 10)
    assert_nudge(person.send(NudgeDue()), world.now)


def test_a_nudge_during_a_pause_waits_for_its_end(person: NudgePerson, world: NudgeWorld) -> None:
    person.set_schedule(replace(RULE, paused_until=date(2026, 3, 10)))
    outcome = person.send(NudgeDue())
    assert outcome.replies == ()
    # The regular slot after the pause: Tuesday 17 March at 10:00, not 07:00 on the 11th.
    assert outcome.effects == (SetNextNudge(local(date(2026, 3, 17), 10)),)


def test_the_prompt_varies_over_the_days(person: NudgePerson, world: NudgeWorld) -> None:
    person.set_schedule(replace(RULE, weekend=frozenset()))
    asked = []
    for day in range(7):
        world.now = MONDAY + timedelta(days=day)
        asked.append(nudge_question(assert_nudge(person.due(), world.now)))
        assert person.nudge is not None
        person.nudge = replace(person.nudge, unanswered=0)  # answered: no slowing down
    assert len(set(asked)) >= 2
    assert set(asked) <= set(PROMPTS)


@pytest.mark.parametrize("rhythm", [Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY])
def test_every_rhythm_hears_every_phrasing_and_never_the_same_twice(
    person: NudgePerson, rhythm: Rhythm
) -> None:
    person.set_schedule(replace(RULE, rhythm=rhythm))
    asked = []
    for _ in range(24):
        assert person.nudge is not None
        person.nudge = replace(person.nudge, unanswered=0)  # answered: no slowing down
        asked.append(nudge_question(assert_nudge(person.due_at_next(), person.world.now)))
    assert set(asked) == set(PROMPTS)
    assert all(a != b for a, b in pairwise(asked)), asked


def test_a_second_nudge_while_the_first_is_unanswered(person: NudgePerson) -> None:
    first = person.due()
    asked_first = person.world.now
    second = person.due_at_next()
    assert first.state == State(step=Step.NUDGED, asked_at=asked_first)
    assert second.state == State(step=Step.NUDGED, asked_at=person.world.now)
    assert not second.replies[0].text.startswith(C.reminder), "recorded: a new check-in"
    assert person.nudge is not None and person.nudge.unanswered == 2


# --- slowing down ---------------------------------------------------------------------------


def slowed_line(rhythm: Rhythm) -> str:
    return C.slowed_down.format(rhythm=getattr(S, f"rhythm_{rhythm.value}"))


def test_three_unanswered_nudges_slow_the_rhythm_down_once(person: NudgePerson) -> None:
    for _ in range(3):
        outcome = person.due_at_next()
        assert outcome.effects == ()
        assert len(outcome.replies[0].text.split("\n\n")) == 3  # greeting, question, hint
    assert person.nudge is not None and person.nudge.unanswered == 3
    due_at = person.nudge.next_at
    assert due_at is not None

    fourth = person.due_at_next()
    slower = replace(RULE, rhythm=Rhythm.BIWEEKLY)
    assert fourth.effects == (SaveNudgeRule(slower, due_at, on_delivery=True),)
    reply = assert_nudge(fourth, due_at)
    greeting, line, prompt, hint = reply.text.split("\n\n")
    assert (greeting, hint) == (C.nudge_greeting, C.nudge_hint)
    assert line == slowed_line(Rhythm.BIWEEKLY)
    assert "every two weeks" in line
    assert prompt in PROMPTS
    # the dispatcher plans the next one in the new rhythm, and counts afresh
    assert person.nudge.rule == slower
    assert person.nudge.unanswered == 1
    assert due_at == local(date(2026, 3, 24), 10)
    assert person.nudge.next_at == local(date(2026, 4, 7), 10)  # two weeks, across DST

    fifth = person.due_at_next()
    assert fifth.effects == ()
    assert nudge_question(fifth.replies[0]) in PROMPTS


def test_biweekly_slows_to_monthly_and_monthly_stays(person: NudgePerson) -> None:
    person.set_schedule(replace(RULE, rhythm=Rhythm.BIWEEKLY))
    for _ in range(3):
        person.due_at_next()
    slowed = person.due_at_next()
    monthly = replace(RULE, rhythm=Rhythm.MONTHLY)
    assert [type(e) for e in slowed.effects] == [SaveNudgeRule]
    assert person.nudge is not None and person.nudge.rule == monthly
    assert slowed.replies[0].text.split("\n\n")[1] == slowed_line(Rhythm.MONTHLY)

    for _ in range(5):
        outcome = person.due_at_next()
        assert outcome.effects == ()
        assert nudge_question(outcome.replies[0]) in PROMPTS
    assert person.nudge.rule == monthly
    assert person.nudge.unanswered == 6


def test_an_answer_counts_the_unanswered_nudges_afresh(person: NudgePerson) -> None:
    person.due_at_next()
    person.due_at_next()
    person.say("Less rework on reports")
    person.tap(T.skip)
    assert person.nudge is not None and person.nudge.unanswered == 0
    for _ in range(3):
        outcome = person.due_at_next()
        assert outcome.effects == ()
    assert person.nudge.unanswered == 3
    assert [type(e) for e in schedule_effects(person.due_at_next())] == [SaveNudgeRule]


# --- who is active ------------------------------------------------------------------------


def test_every_event_of_the_person_marks_them_active(person: NudgePerson) -> None:
    assert person.send(NudgeDue()).effects == ()
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
    assert person.nudge is not None and person.nudge.unanswered == 0


def test_a_moved_nudge_does_not_mark_the_person_active(
    person: NudgePerson, world: NudgeWorld
) -> None:
    world.now = local(date(2026, 3, 7), 10)
    outcome = person.send(NudgeDue())
    assert PersonActive() not in outcome.effects
    said = person.say("hello")  # their first message: the long welcome, and active
    assert said.effects == (Welcomed(), PersonActive())


def test_a_dutch_nudge(world: NudgeWorld) -> None:
    nl = guide_for("nl").checkin.texts
    person = world.person(language="nl")
    person.set_schedule(RULE)
    outcome = person.due()
    reply = assert_nudge(outcome, world.now, "nl")
    assert nudge_question(reply) in nudge_prompts("nl")
    assert reply.text == (
        f"Hoi! Tijd voor een korte check-in.\n\n{nudge_question(reply)}\n\n"
        "Typ je antwoord gewoon hier: een paar woorden is genoeg."
    )
    tomorrow = "Prima, ik vraag het morgen om 10:00 nog eens."
    assert person.tap(nl.tomorrow).replies == (Reply(tomorrow, edit=True),)
