"""Pausing and resuming check-ins through ``flows.dialogue``: /pause with its buttons or a
date, /resume, and both without a schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.callbacks import Action, encode
from flows.checkins.messages import when
from flows.checkins.schedule import OPEN_PAUSE, CheckinRule, next_checkin_at
from flows.content.guide import guide_for
from flows.dates import day_text
from flows.replies import PersonActive, Reply, SaveCheckinRule
from flows.states import State, Step
from flows.views import CheckinView
from tests.support.checkin_harness import (
    AMSTERDAM,
    CheckinPerson,
    CheckinWorld,
    schedule_effects,
    wall,
)
from tests.support.outcomes import texts

EN = guide_for("en")
S = EN.settings
TOKYO = "Asia/Tokyo"
# Monday 2 March 2026, 20:00 UTC: already Tuesday 3 March, 05:00 in Tokyo
LATE = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
TOKYO_TODAY = date(2026, 3, 3)


# The whole dialogue; everybody here has the default check-in settings in Amsterdam.
pytestmark = pytest.mark.dialogue(scheduled=True)


@pytest.fixture
def in_tokyo(world: CheckinWorld) -> CheckinPerson:
    world.now = LATE
    person = world.person()
    person.set_schedule(CheckinRule(TOKYO))
    return person


def test_pause_offers_its_options(person: CheckinPerson) -> None:
    outcome = person.command("pause")
    assert outcome.state == State(step=Step.SETTINGS_PAUSE)
    assert outcome.effects == (PersonActive(),)
    (reply,) = outcome.replies
    assert reply.text == S.pause_prompt
    assert [[(b.label, b.data) for b in row] for row in reply.buttons] == [
        [
            (S.pause_week, encode(Action.PAUSE, "7")),
            (S.pause_two_weeks, encode(Action.PAUSE, "14")),
            (S.pause_month, encode(Action.PAUSE, "30")),
        ],
        [(S.pause_open, encode(Action.PAUSE, "0"))],
    ]


@pytest.mark.parametrize(
    ("label", "days"), [(S.pause_week, 7), (S.pause_two_weeks, 14), (S.pause_month, 30)]
)
def test_pausing_for_a_while_counts_from_the_local_date(
    in_tokyo: CheckinPerson, world: CheckinWorld, label: str, days: int
) -> None:
    in_tokyo.command("pause")
    outcome = in_tokyo.tap(label)
    until = TOKYO_TODAY + timedelta(days=days - 1)  # today is the first paused day
    rule = replace(CheckinRule(TOKYO), paused_until=until)
    next_at = next_checkin_at(rule, now=world.now, last_checkin=None)
    assert outcome.effects == (SaveCheckinRule(rule, next_at), PersonActive())
    assert next_at is not None and next_at.astimezone(ZoneInfo(TOKYO)).date() > until
    paused = S.paused_until.format(
        date=day_text(until, "en", TOKYO_TODAY), next=when(next_at, TOKYO, "en", world.now)
    )
    assert outcome.replies == (Reply(paused, edit=True),), "the tapped prompt is replaced"
    assert outcome.state == State()


def test_a_week_from_tokyo_reads_well(in_tokyo: CheckinPerson) -> None:
    in_tokyo.command("pause")
    outcome = in_tokyo.tap(S.pause_week)
    assert texts(outcome) == [
        "Paused up to and including Monday 9 March. Your next check-in: Tuesday 10 March, "
        "10:00. /resume brings them back sooner."
    ]
    assert in_tokyo.checkin is not None
    assert in_tokyo.checkin.next_at == wall(TOKYO, date(2026, 3, 10), 10)  # a week on


def test_a_week_from_a_monday_skips_one_monday_only(world: CheckinWorld) -> None:
    world.now = wall(AMSTERDAM, date(2026, 3, 2), 7, 30)  # Monday, before its check-in
    person = world.person()
    person.set_schedule(CheckinRule(AMSTERDAM, weekday=0))
    person.command("pause")
    outcome = person.tap(S.pause_week)
    assert person.checkin is not None
    assert person.checkin.rule.paused_until == date(2026, 3, 8)  # up to and including Sunday
    assert person.checkin.next_at == wall(AMSTERDAM, date(2026, 3, 9), 10)  # the next Monday
    assert texts(outcome) == [
        "Paused up to and including Sunday 8 March. Your next check-in: Monday 9 March, "
        "10:00. /resume brings them back sooner."
    ]


def test_pausing_until_resumed(person: CheckinPerson) -> None:
    person.command("pause")
    outcome = person.tap(S.pause_open)
    rule = replace(CheckinRule(AMSTERDAM), paused_until=OPEN_PAUSE)
    assert outcome.effects == (SaveCheckinRule(rule, None), PersonActive())
    assert outcome.replies == (Reply(S.paused_open, edit=True),)


@pytest.mark.parametrize("typed", ["9999-12-31", "9999-12-30"])
def test_pausing_until_the_end_of_the_calendar(person: CheckinPerson, typed: str) -> None:
    outcome = person.command("pause", typed)
    (effect,) = schedule_effects(outcome)
    assert isinstance(effect, SaveCheckinRule)
    assert effect.rule.paused_until == date.fromisoformat(typed)


def test_pause_with_a_date(person: CheckinPerson, world: CheckinWorld) -> None:
    outcome = person.command("pause", "2027-01-15")
    rule = replace(CheckinRule(AMSTERDAM), paused_until=date(2027, 1, 15))
    next_at = next_checkin_at(rule, now=world.now, last_checkin=None)
    assert next_at == wall(AMSTERDAM, date(2027, 1, 19), 10)
    assert outcome.effects == (SaveCheckinRule(rule, next_at), PersonActive())
    assert texts(outcome) == [
        "Paused up to and including Friday 15 January 2027. Your next check-in: "
        "Tuesday 19 January 2027, 10:00. /resume brings them back sooner."
    ]
    assert outcome.state == State()
    menu = person.command("settings").replies[0].text
    assert "\nPaused up to and including Friday 15 January 2027\n" in menu


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("2027-01-15", date(2027, 1, 15)),
        (" 2026-4-1 ", date(2026, 4, 1)),
        ("15-01-2027", date(2027, 1, 15)),
        ("15 January", date(2027, 1, 15)),  # the clock says March 2026: next January
        ("31-12", date(2026, 12, 31)),  # no year: the next 31 December
        ("31/12", date(2026, 12, 31)),
        ("31 dec", date(2026, 12, 31)),
        ("1-3", date(2027, 3, 1)),  # 1 March has passed: next year's
    ],
)
def test_typing_a_date_on_the_pause_page(
    person: CheckinPerson, world: CheckinWorld, typed: str, until: date
) -> None:
    person.command("pause")
    outcome = person.say(typed)
    (effect,) = schedule_effects(outcome)
    assert isinstance(effect, SaveCheckinRule)
    assert effect.rule == replace(CheckinRule(AMSTERDAM), paused_until=until)
    back = when(effect.next_at, AMSTERDAM, "en", world.now)
    line = S.paused_until.format(date=day_text(until, "en", world.now.date()), next=back)
    assert texts(outcome) == [line]
    assert outcome.state == State()


def test_pause_until_the_end_of_the_year_says_when_check_ins_come_back(
    person: CheckinPerson,
) -> None:
    outcome = person.command("pause", "31-12")
    assert texts(outcome) == [
        "Paused up to and including Thursday 31 December. Your next check-in: "
        "Tuesday 5 January 2027, 10:00. /resume brings them back sooner."
    ]


@pytest.mark.parametrize(
    "typed",
    ["2027-02-30", "2027/01/15", "soon", "2027-13-01", "1 March 2026", "01-03-2026", "31-02"],
)
def test_a_bad_date_on_the_pause_page(person: CheckinPerson, typed: str) -> None:
    person.command("pause")
    outcome = person.say(typed)
    assert texts(outcome) == [S.pause_invalid]
    assert outcome.state == State(step=Step.SETTINGS_PAUSE)
    assert outcome.effects == (PersonActive(),)
    assert person.checkin is not None and person.checkin.rule.paused_until is None


def test_a_bad_date_after_pause(person: CheckinPerson) -> None:
    outcome = person.command("pause", "next week")
    assert texts(outcome) == [S.pause_invalid]
    assert outcome.effects == (PersonActive(),)


def test_resume_ends_a_pause(person: CheckinPerson, world: CheckinWorld) -> None:
    person.command("pause", "2027-01-15")
    world.advance(days=3)  # Thursday 5 March
    outcome = person.command("resume")
    rule = CheckinRule(AMSTERDAM)
    next_at = next_checkin_at(rule, now=world.now, last_checkin=None)
    assert next_at == wall(AMSTERDAM, date(2026, 3, 10), 10)
    assert outcome.effects == (SaveCheckinRule(rule, next_at), PersonActive())
    assert texts(outcome) == [S.resumed.format(next="Tuesday 10 March, 10:00")]
    assert outcome.state == State()


def test_resume_after_pausing_until_resumed(person: CheckinPerson, world: CheckinWorld) -> None:
    paused = replace(CheckinRule(AMSTERDAM), paused_until=OPEN_PAUSE)
    person.checkin = CheckinView(paused, None, None, 0)
    outcome = person.command("resume")
    rule = CheckinRule(AMSTERDAM)
    assert outcome.effects == (
        SaveCheckinRule(rule, next_checkin_at(rule, now=world.now, last_checkin=None)),
        PersonActive(),
    )
    assert texts(outcome) == [S.resumed.format(next="Tuesday 3 March, 10:00")]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_menu_of_an_open_pause_reads_well(world: CheckinWorld, language: str) -> None:
    person = world.person(language=language)
    paused = replace(CheckinRule(AMSTERDAM), paused_until=OPEN_PAUSE)
    person.checkin = CheckinView(paused, None, None, 0)
    menu = person.command("settings").replies[0].text
    assert "/resume" in menu
    repeated = {"en": "until until", "nl": "tot tot"}[language]
    assert repeated not in menu.lower()


def test_resume_when_not_paused(person: CheckinPerson) -> None:
    outcome = person.command("resume")
    assert texts(outcome) == [S.not_paused.format(next="Tuesday 3 March, 10:00")]
    assert outcome.effects == (PersonActive(),)
    assert outcome.state == State()


def test_resume_after_a_pause_has_ended(person: CheckinPerson, world: CheckinWorld) -> None:
    person.command("pause", "2026-03-04")
    world.advance(days=3)  # Thursday 5 March: the pause is over
    outcome = person.command("resume")
    assert person.checkin is not None
    next_text = when(person.checkin.next_at, AMSTERDAM, "en")
    assert texts(outcome) == [S.not_paused.format(next=next_text)]
    assert outcome.effects == (PersonActive(),)


@pytest.mark.parametrize(("name", "args"), [("pause", ""), ("pause", "2027-01-15"), ("resume", "")])
def test_pause_and_resume_without_a_schedule(world: CheckinWorld, name: str, args: str) -> None:
    person = world.person()
    outcome = person.command(name, args)
    assert outcome.replies == (Reply(S.needs_zone),)
    assert outcome.state == State()
    assert outcome.effects == (PersonActive(),)
    assert person.checkin is None


def test_pause_in_dutch(world: CheckinWorld) -> None:
    nl = guide_for("nl").settings
    person = world.person(language="nl")
    person.set_schedule(CheckinRule(AMSTERDAM))
    assert texts(person.command("pause")) == [nl.pause_prompt]
    outcome = person.tap(nl.pause_week)
    assert texts(outcome) == [
        "Gepauzeerd tot en met zondag 8 maart. Je volgende check-in: dinsdag 10 maart, 10:00. "
        "Met /resume komen ze eerder terug."
    ]
    resumed = person.command("resume")
    assert texts(resumed) == [nl.resumed.format(next="dinsdag 3 maart, 10:00")]
