"""The buttons under a check-in, through ``flows.dialogue``: later today, tomorrow, skip, and
buttons of older checkins or with forged stamps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from flows.callbacks import Action, encode, encode_id
from flows.checkins.due import stamp
from flows.checkins.schedule import CheckinRule, snooze_later_today, snooze_tomorrow
from flows.content.guide import guide_for
from flows.events import CheckinDue
from flows.replies import Outcome, PersonActive, Reply, SetNextCheckin
from flows.states import State, Step
from tests.support.checkin_harness import (
    RULE,
    CheckinPerson,
    CheckinWorld,
    assert_checkin,
    local,
    wall,
)
from tests.support.flow_harness import assert_refused
from tests.support.outcomes import find_button

EN = guide_for("en")
C = EN.checkin.texts
T = EN.texts


# The whole dialogue; everybody here has the default check-in settings in Amsterdam.
pytestmark = pytest.mark.dialogue(scheduled=True)


# --- the buttons under a check-in ------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "line", "planned"),
    [
        (C.later_today, "Fine, I'll ask again later today at 13:03.", snooze_later_today),
        (C.tomorrow, "Fine, I'll ask again tomorrow at 10:00.", snooze_tomorrow),
        (C.skip_checkin, C.skipped, None),
    ],
)
def test_the_checkin_buttons(
    person: CheckinPerson,
    world: CheckinWorld,
    label: str,
    line: str,
    planned: Callable[[CheckinRule, datetime], datetime | None] | None,
) -> None:
    person.due()  # Monday 10:00 in Amsterdam
    assert person.checkin is not None
    planned_before = person.checkin.next_at
    world.advance(minutes=3)
    outcome = person.tap(label)
    assert outcome.state == State()
    assert outcome.replies == (Reply(line, edit=True),)
    if planned is None:
        assert outcome.effects == (PersonActive(),)
        assert person.checkin.next_at == planned_before
    else:
        at = planned(RULE, world.now)
        assert outcome.effects == (SetNextCheckin(at), PersonActive())
        assert person.checkin.next_at == at
    assert person.checkin.unanswered == 0


def test_later_today_and_tomorrow_land_where_they_say(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    person.due()
    assert person.tap(C.later_today).effects[0] == SetNextCheckin(world.now + timedelta(hours=3))
    person.due()
    assert person.tap(C.tomorrow).effects[0] == SetNextCheckin(local(date(2026, 3, 3), 10))
    world.now = local(date(2026, 3, 2), 18)  # 21:00 is still today's last allowed minute
    assert_checkin(person.due(), world.now)
    later = person.tap(C.later_today)
    assert later.replies == (Reply("Fine, I'll ask again later today at 21:00.", edit=True),)
    assert later.effects[0] == SetNextCheckin(local(date(2026, 3, 2), 21))


@pytest.mark.parametrize(("hour", "minute"), [(18, 1), (20, 4), (21, 0)])
def test_an_evening_checkin_offers_no_later_today(
    person: CheckinPerson, world: CheckinWorld, hour: int, minute: int
) -> None:
    world.now = local(date(2026, 3, 2), hour, minute)  # Monday evening
    assert_checkin(person.due(), world.now, later_today=False)
    outcome = person.tap(C.tomorrow)
    assert outcome.replies == (Reply("Fine, I'll ask again tomorrow at 10:00.", edit=True),)
    assert outcome.effects[0] == SetNextCheckin(local(date(2026, 3, 3), 10))


def test_a_later_today_pressed_too_late_says_when_it_really_comes(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    world.now = local(date(2026, 3, 2), 17)
    person.due()
    later_today = person.button(C.later_today).data
    world.now = local(date(2026, 3, 2), 20, 4)  # the button is pressed hours later
    outcome = person.press(later_today)
    honest = "Later today is no longer possible, so I'll ask again tomorrow at 10:00."
    assert outcome.replies == (Reply(honest, edit=True),)
    assert outcome.effects == (SetNextCheckin(local(date(2026, 3, 3), 10)), PersonActive())


def test_a_later_today_pressed_on_the_weekend_says_monday(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    world.now = local(date(2026, 3, 6), 12)  # Friday
    person.due()
    later_today = person.button(C.later_today).data
    world.now = local(date(2026, 3, 7), 9)  # Saturday
    outcome = person.press(later_today)
    honest = "Later today is no longer possible, so I'll ask again on Monday at 10:00."
    assert outcome.replies == (Reply(honest, edit=True),)
    assert outcome.effects[0] == SetNextCheckin(local(date(2026, 3, 9), 10))


@pytest.mark.parametrize(("at", "said"), [(time(10), "10:00"), (time(9, 30), "09:30")])
def test_tomorrow_on_a_friday_is_monday_at_the_persons_hour(
    person: CheckinPerson, world: CheckinWorld, at: time, said: str
) -> None:
    person.set_schedule(replace(RULE, at=at))
    world.now = local(date(2026, 3, 6), 10)  # Friday; Saturday and Sunday are the weekend
    assert_checkin(person.due(), world.now, next_day="Monday")
    outcome = person.tap("Monday")
    assert outcome.replies == (Reply(f"Fine, I'll ask again on Monday at {said}.", edit=True),)
    assert outcome.effects[0] == SetNextCheckin(local(date(2026, 3, 9), at.hour, at.minute))


def test_a_snooze_is_told_in_the_persons_language_and_zone(world: CheckinWorld) -> None:
    nl = guide_for("nl").checkin.texts
    person = world.person(language="nl")
    rule = CheckinRule("Asia/Kathmandu", weekend=frozenset({4, 5}))  # Friday and Saturday
    person.set_schedule(rule)
    world.now = wall("Asia/Kathmandu", date(2026, 3, 5), 10)  # Thursday
    assert_checkin(person.due(), world.now, "nl", next_day="Zondag")
    outcome = person.tap("Zondag")
    assert outcome.replies == (Reply("Prima, ik vraag het zondag om 10:00 nog eens.", edit=True),)
    assert outcome.effects[0] == SetNextCheckin(wall("Asia/Kathmandu", date(2026, 3, 8), 10))
    world.now = wall("Asia/Kathmandu", date(2026, 3, 8), 10, 15)
    person.due()
    outcome = person.tap(nl.later_today)
    text = "Prima, ik vraag het later vandaag om 13:15 nog eens."
    assert outcome.replies == (Reply(text, edit=True),)


def test_a_button_within_minutes_of_the_checkin_still_counts(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    person.send(CheckinDue())
    data = person.button(C.skip_checkin).data
    person.mark_sent(world.now + timedelta(minutes=9))  # sending took a while
    assert person.press(data).replies == (Reply(C.skipped, edit=True),)


def assert_retired(outcome: Outcome, before: State, notice: str, asked: Reply) -> None:
    """A button of a check-in that is over: a toast, and its message keeps the greeting and
    the question but loses its buttons (and the hint to type); nothing else changes."""
    assert outcome.notice == notice
    greeting, question, _ = asked.text.split("\n\n")
    assert outcome.replies == (Reply(f"{greeting}\n\n{question}", edit=True),)
    assert outcome.effects == (PersonActive(),)
    assert outcome.state == before


def test_a_button_of_an_older_checkin_is_stale(person: CheckinPerson) -> None:
    first = person.due().replies[0]
    old = [person.button(label).data for label in (C.later_today, C.tomorrow, C.skip_checkin)]
    person.due_at_next()
    before = person.state
    for data in old:
        assert_retired(person.press(data), before, C.stale_checkin, first)
    assert person.state.step is Step.CHECKIN_ASKED


@pytest.mark.parametrize("label", [C.later_today, C.tomorrow, C.skip_checkin])
def test_a_button_of_an_answered_checkin_takes_the_buttons_off(
    person: CheckinPerson, label: str
) -> None:
    asked = person.due().replies[0]
    data = person.button(label).data
    how = person.say("Handing over the consular desk went smoothly")
    before, planned = person.state, person.checkin
    assert before.step is Step.QUESTION
    outcome = person.press(data)
    assert outcome.notice == "You've already answered this check-in. Thank you!"
    assert_retired(outcome, before, C.checkin_answered, asked)
    assert person.checkin == planned, "no snooze, no skip"
    person.press(find_button(how, T.skip).data)  # the check-in's last question: done
    assert_retired(person.press(data), person.state, C.checkin_answered, asked)


def test_an_answered_dutch_checkin(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    person.set_schedule(RULE)
    asked = person.due().replies[0]
    data = person.button(guide_for("nl").checkin.texts.tomorrow).data
    person.say("Het overdragen ging soepel")
    outcome = person.press(data)
    assert outcome.notice == "Deze check-in heb je al beantwoord. Dank je!"
    assert outcome.replies[0].text == asked.text.rsplit("\n\n", 1)[0]
    assert outcome.replies[0].text.startswith("Hoi! Tijd voor een korte check-in.\n\n")


@pytest.mark.parametrize(
    "mark",
    ["ZZ", "-1", "1.5", "é", "z" * 13, "z" * 14, "hl6v0 ", "  "],
)
def test_forged_stamps_are_stale(person: CheckinPerson, mark: str) -> None:
    person.due()
    before = person.state
    for action in (Action.SNOOZE_TODAY, Action.SNOOZE_TOMORROW, Action.SKIP_CHECKIN):
        assert_refused(person.press(f"{action.value}|{mark}"), before, C.stale_checkin)


def test_a_stamp_far_from_the_last_checkin_is_stale(person: CheckinPerson) -> None:
    person.due()
    assert person.checkin is not None and person.checkin.last_at is not None
    minute = int(person.checkin.last_at.timestamp()) // 60
    before = person.state
    for offset in (11, 60 * 24 * 7, -366 * 24 * 60 - 1):  # ahead of now, or over a year ago
        data = encode(Action.SNOOZE_TODAY, encode_id(minute + offset))
        assert_refused(person.press(data), before, C.stale_checkin)
    earlier = person.press(encode(Action.SNOOZE_TODAY, encode_id(minute - 11)))
    assert earlier.notice == C.stale_checkin and earlier.replies[0].edit  # an older message


def test_checkin_buttons_without_settings_are_stale(world: CheckinWorld) -> None:
    person = world.person()
    data = encode(Action.SNOOZE_TOMORROW, stamp(world.now))
    assert_refused(person.press(data), State(), C.stale_checkin)


def test_checkin_buttons_without_a_checkin_sent_are_stale(person: CheckinPerson) -> None:
    assert person.checkin is not None and person.checkin.last_at is None
    data = encode(Action.SNOOZE_TOMORROW, stamp(person.world.now))
    assert_refused(person.press(data), State(), C.stale_checkin)
