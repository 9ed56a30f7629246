"""The buttons under a nudge, through ``flows.dialogue``: later today, tomorrow, skip, and
buttons of older nudges or with forged stamps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from nudge_harness import RULE, NudgePerson, NudgeWorld, assert_refused, local

from flows.callbacks import Action, encode, encode_id
from flows.events import NudgeDue
from flows.guide import guide_for
from flows.nudges import stamp
from flows.replies import PersonActive, Reply, SetNextNudge
from flows.schedule import NudgeRule, snooze_later_today, snooze_tomorrow
from flows.states import State, Step

EN = guide_for("en")
C = EN.checkin.texts


@pytest.fixture
def world() -> NudgeWorld:
    return NudgeWorld()


@pytest.fixture
def person(person: NudgePerson) -> NudgePerson:
    """Everybody here has the default schedule in Amsterdam."""
    person.set_schedule(RULE)
    return person


# --- the buttons under a nudge ------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "line", "planned"),
    [
        (C.later_today, C.snoozed_today, snooze_later_today),
        (C.tomorrow, C.snoozed_tomorrow, snooze_tomorrow),
        (C.skip_nudge, C.skipped, None),
    ],
)
def test_the_nudge_buttons(
    person: NudgePerson,
    world: NudgeWorld,
    label: str,
    line: str,
    planned: Callable[[NudgeRule, datetime], datetime] | None,
) -> None:
    person.due()
    assert person.nudge is not None
    planned_before = person.nudge.next_at
    world.advance(minutes=3)
    outcome = person.tap(label)
    assert outcome.state == State()
    assert outcome.replies == (Reply(line, edit=True),)
    if planned is None:
        assert outcome.effects == (PersonActive(),)
        assert person.nudge.next_at == planned_before
    else:
        at = planned(RULE, world.now)
        assert outcome.effects == (SetNextNudge(at), PersonActive())
        assert person.nudge.next_at == at
    assert person.nudge.unanswered == 0


def test_later_today_and_tomorrow_land_where_expected(
    person: NudgePerson, world: NudgeWorld
) -> None:
    person.due()
    assert person.tap(C.later_today).effects[0] == SetNextNudge(world.now + timedelta(hours=3))
    person.due()
    assert person.tap(C.tomorrow).effects[0] == SetNextNudge(local(date(2026, 3, 3), 10))
    world.now = local(date(2026, 3, 2), 19)
    person.due()
    # 22:00 is too late: the next allowed moment is tomorrow at 08:00
    assert person.tap(C.later_today).effects[0] == SetNextNudge(local(date(2026, 3, 3), 8))


def test_a_button_within_minutes_of_the_nudge_still_counts(
    person: NudgePerson, world: NudgeWorld
) -> None:
    person.send(NudgeDue())
    data = person.button(C.skip_nudge).data
    person.mark_sent(world.now + timedelta(minutes=9))  # sending took a while
    assert person.press(data).replies == (Reply(C.skipped, edit=True),)


def test_a_button_of_an_older_nudge_is_stale(person: NudgePerson) -> None:
    person.due()
    old = [person.button(label).data for label in (C.later_today, C.tomorrow, C.skip_nudge)]
    person.due_at_next()
    before = person.state
    for data in old:
        assert_refused(person.press(data), before, C.stale_nudge)
    assert person.state.step is Step.NUDGED


@pytest.mark.parametrize(
    "mark",
    ["ZZ", "-1", "1.5", "é", "z" * 13, "z" * 14, "hl6v0 ", "  "],
)
def test_forged_stamps_are_stale(person: NudgePerson, mark: str) -> None:
    person.due()
    before = person.state
    for action in (Action.SNOOZE_TODAY, Action.SNOOZE_TOMORROW, Action.SKIP_NUDGE):
        assert_refused(person.press(f"{action.value}|{mark}"), before, C.stale_nudge)


def test_a_stamp_far_from_the_last_nudge_is_stale(person: NudgePerson) -> None:
    person.due()
    assert person.nudge is not None and person.nudge.last_at is not None
    minute = int(person.nudge.last_at.timestamp()) // 60
    before = person.state
    for offset in (11, -11, 60 * 24 * 7):
        data = encode(Action.SNOOZE_TODAY, encode_id(minute + offset))
        assert_refused(person.press(data), before, C.stale_nudge)


def test_nudge_buttons_without_settings_are_stale(world: NudgeWorld) -> None:
    person = world.person()
    data = encode(Action.SNOOZE_TOMORROW, stamp(world.now))
    assert_refused(person.press(data), State(), C.stale_nudge)


def test_nudge_buttons_without_a_nudge_sent_are_stale(person: NudgePerson) -> None:
    assert person.nudge is not None and person.nudge.last_at is None
    data = encode(Action.SNOOZE_TOMORROW, stamp(person.world.now))
    assert_refused(person.press(data), State(), C.stale_nudge)
