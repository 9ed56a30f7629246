"""Check-in settings through ``flows.dialogue``: the rhythm, day, time and weekend pages,
closing the settings, settings buttons that cannot work, the offer after a first story,
and the settings in Dutch. The time zone is in ``test_checkin_zone_flow``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import time
from typing import Any

import pytest

from flows.callbacks import Action, encode
from flows.checkins.messages import when
from flows.checkins.schedule import (
    CheckinRule,
    Hours,
    Rhythm,
    allowed_hours,
    next_checkin_at,
    set_allowed_hours,
)
from flows.content.guide import guide_for
from flows.replies import PersonActive, Reply, SaveAnswer, SaveCheckinRule
from flows.states import State, Step
from tests.support.checkin_harness import (
    AMSTERDAM,
    QUICK_PICK_ZONES,
    RULE,
    CheckinPerson,
    CheckinWorld,
    menu_labels,
    saved_rule,
    zone_button,
    zones_offered,
)
from tests.support.flow_harness import assert_refused
from tests.support.outcomes import all_buttons, labels, texts

EN = guide_for("en")
NL = guide_for("nl")
T = EN.texts
S = EN.settings
MENU_BUTTONS = menu_labels()


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "label", "changed"),
    [
        ("rhythm", "every two weeks", {"rhythm": Rhythm.BIWEEKLY}),
        ("rhythm", "every four weeks", {"rhythm": Rhythm.MONTHLY}),
        ("rhythm", "every week", {"rhythm": Rhythm.WEEKLY}),
        ("day", "Thursday", {"weekday": 3}),
        ("day", "Sunday", {"weekday": 6}),
        ("time", "07:00", {"at": time(7)}),
        ("time", "08:00", {"at": time(8)}),
        ("time", "16:00", {"at": time(16)}),
        ("time", "21:00", {"at": time(21)}),
        ("weekend", "Sat–Sun", {"weekend": frozenset({5, 6})}),
        ("weekend", "Fri–Sat", {"weekend": frozenset({4, 5})}),
        ("weekend", "Fri", {"weekend": frozenset({4})}),
        ("weekend", "Sat", {"weekend": frozenset({5})}),
        ("weekend", "Sun", {"weekend": frozenset({6})}),
        ("weekend", S.weekend_none, {"weekend": frozenset()}),
    ],
)
def test_a_page_button_changes_exactly_that_setting(
    set_up: CheckinPerson, world: CheckinWorld, page: str, label: str, changed: dict[str, Any]
) -> None:
    opened = set_up.press(encode(Action.SETTINGS_PAGE, page))
    assert opened.effects == (PersonActive(),)
    expected_step = Step.SETTINGS_TIME if page == "time" else Step.IDLE
    assert opened.state == State(step=expected_step)
    assert opened.replies[0].edit
    outcome = set_up.tap(label)
    rule = replace(RULE, **changed)
    assert outcome.effects == (
        SaveCheckinRule(rule, next_checkin_at(rule, now=world.now, last_checkin=None)),
        PersonActive(),
    )
    assert outcome.state == State()
    (menu,) = outcome.replies
    assert menu.edit
    assert labels(menu) == MENU_BUTTONS


def test_the_pages_offer_their_choices(set_up: CheckinPerson) -> None:
    rhythm = set_up.press(encode(Action.SETTINGS_PAGE, "rhythm")).replies[0]
    assert rhythm.text == S.rhythm_prompt
    assert labels(rhythm) == [S.rhythm_weekly, S.rhythm_biweekly, S.rhythm_monthly, S.rhythm_off]
    day = set_up.press(encode(Action.SETTINGS_PAGE, "day")).replies[0]
    assert day.text == S.day_prompt
    assert labels(day)[:2] == ["Monday", "Tuesday"] and len(labels(day)) == 7
    at = set_up.press(encode(Action.SETTINGS_PAGE, "time")).replies[0]
    assert at.text == (
        "At what time? Tap one, or type a time between 07:00 and 21:00 (for example 7:30)."
    )
    assert labels(at) == [f"{hour:02d}:00" for hour in range(7, 22)]
    weekend = set_up.press(encode(Action.SETTINGS_PAGE, "weekend")).replies[0]
    assert weekend.text == S.weekend_prompt
    assert labels(weekend) == ["Sat–Sun", "Fri–Sat", "Fri", "Sat", "Sun", S.weekend_none]


def test_turning_check_ins_off(set_up: CheckinPerson) -> None:
    set_up.press(encode(Action.SETTINGS_PAGE, "rhythm"))
    outcome = set_up.tap(S.rhythm_off)
    assert saved_rule(outcome) == SaveCheckinRule(replace(RULE, rhythm=Rhythm.OFF), None)
    assert "How often: off" in outcome.replies[0].text
    assert "Next check-in: —" in outcome.replies[0].text
    closed = set_up.tap(S.close_button)
    assert closed.replies == (Reply(S.off, edit=True),)
    assert closed.state == State()


@pytest.mark.parametrize(
    ("typed", "at"),
    [
        ("9:30", time(9, 30)),
        ("16", time(16)),
        ("1600", time(16)),
        ("7:30", time(7, 30)),  # many posts start at 07:30
        ("07.00", time(7)),
        ("21:00", time(21)),
    ],
)
def test_typing_a_time(set_up: CheckinPerson, world: CheckinWorld, typed: str, at: time) -> None:
    set_up.press(encode(Action.SETTINGS_PAGE, "time"))
    outcome = set_up.say(typed)
    rule = replace(RULE, at=at)
    assert outcome.effects == (
        SaveCheckinRule(rule, next_checkin_at(rule, now=world.now, last_checkin=None)),
        PersonActive(),
    )
    assert outcome.state == State()
    assert f"When: Tuesday at {at:%H:%M}" in outcome.replies[0].text
    assert not outcome.replies[0].edit


@pytest.mark.parametrize("typed", ["6:59", "22:00", "21:30", "25:00", "abc", "9:75", ""])
def test_a_time_outside_the_day_is_refused(set_up: CheckinPerson, typed: str) -> None:
    set_up.press(encode(Action.SETTINGS_PAGE, "time"))
    outcome = set_up.say(typed)
    assert texts(outcome) == [
        "Please type a time between 07:00 and 21:00, for example 7:30 or 16:00."
    ]
    assert outcome.state == State(step=Step.SETTINGS_TIME)
    assert outcome.effects == (PersonActive(),)
    assert set_up.checkin is not None and set_up.checkin.rule == RULE


@pytest.fixture
def hours() -> Iterator[None]:
    """An installation whose check-ins go out from 06:30 to 20:00."""
    before = allowed_hours()
    set_allowed_hours(Hours(time(6, 30), time(20)))
    yield
    set_allowed_hours(before)


@pytest.mark.usefixtures("hours")
def test_the_installation_sets_the_hours(set_up: CheckinPerson) -> None:
    page = set_up.press(encode(Action.SETTINGS_PAGE, "time")).replies[0]
    assert "between 06:30 and 20:00" in page.text
    assert labels(page) == [f"{hour:02d}:00" for hour in range(7, 21)]
    assert texts(set_up.say("20:30")) == [
        "Please type a time between 06:30 and 20:00, for example 7:30 or 16:00."
    ]
    saved = saved_rule(set_up.say("6:45"))
    assert saved.rule.at == time(6, 45)


@pytest.mark.parametrize(
    ("language", "day", "line"),
    [
        (
            "en",
            "Saturday",
            "When: Saturday at 10:00\n"
            "Saturday is in your weekend, so I'll check in on Monday instead.\n",
        ),
        (
            "nl",
            "zaterdag",
            "Wanneer: zaterdag om 10:00\n"
            "Zaterdag valt in je weekend, dus ik kom in plaats daarvan op maandag langs.\n",
        ),
    ],
)
def test_a_day_in_the_weekend_is_explained(
    world: CheckinWorld, language: str, day: str, line: str
) -> None:
    person = world.person(language=language)
    person.set_schedule(RULE)
    person.press(encode(Action.SETTINGS_PAGE, "day"))
    menu = person.tap(day).replies[0].text
    assert line in menu
    person.press(encode(Action.SETTINGS_PAGE, "weekend"))
    sunday_only = person.tap("Sun" if language == "en" else "zo").replies[0].text
    assert line.split("\n")[1] not in sunday_only  # Saturday is a working day now
    assert person.checkin is not None and person.checkin.rule.slot_weekday == 5


def test_a_working_day_has_no_weekend_note(set_up: CheckinPerson) -> None:
    menu = set_up.command("settings").replies[0].text
    assert "When: Tuesday at 10:00\nWeekend: Sat–Sun" in menu


def test_done_shows_the_next_check_in_in_local_time(set_up: CheckinPerson) -> None:
    outcome = set_up.press(encode(Action.CLOSE_SETTINGS))
    assert set_up.checkin is not None
    expected = when(set_up.checkin.next_at, AMSTERDAM, "en")
    assert expected == "Tuesday 3 March, 10:00"
    assert outcome.replies == (Reply(S.saved.format(next=expected), edit=True),)
    assert outcome.state == State()
    assert outcome.effects == (PersonActive(),)


def test_settings_with_a_schedule_shows_the_menu(set_up: CheckinPerson) -> None:
    outcome = set_up.command("settings")
    assert outcome.state == State()
    assert labels(outcome.replies[0]) == MENU_BUTTONS
    assert "How often: every week" in outcome.replies[0].text
    assert outcome.effects == (PersonActive(),)


@pytest.mark.parametrize("command", ["settings", "resume"])
@pytest.mark.parametrize("kind", ["story", "checkin"])
def test_settings_in_the_middle_of_a_story_keep_the_question(
    set_up: CheckinPerson, command: str, kind: str
) -> None:
    if kind == "story":
        set_up.to_question("who")
    else:
        set_up.command("checkin")
        set_up.say("Briefings go smoother")
    before = set_up.state
    story_id = before.story_id
    assert story_id is not None
    set_up.command(command)
    assert set_up.state == before
    assert before.question is not None
    message_id = set_up.next_message_id
    answered = set_up.say("my answer")
    saved = SaveAnswer(story_id, before.question, "my answer", message_id=message_id)
    assert answered.effects[0] == saved


# --- buttons that cannot work ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        encode(Action.SETTINGS),
        encode(Action.SET_RHYTHM, "biweekly"),
        encode(Action.SET_WEEKDAY, "3"),
        encode(Action.SET_TIME, "0930"),
        encode(Action.SET_WEEKEND, "56"),
        encode(Action.PAUSE, "7"),
    ],
)
def test_settings_buttons_without_a_schedule_need_a_zone(person: CheckinPerson, data: str) -> None:
    assert_refused(person.press(data), State(), S.needs_zone)
    assert person.checkin is None


@pytest.mark.parametrize("page", ["rhythm", "day", "time", "weekend", "zone"])
def test_a_settings_page_without_a_schedule_opens_the_zone_page(
    person: CheckinPerson, page: str
) -> None:
    outcome = person.press(encode(Action.SETTINGS_PAGE, page))
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert texts(outcome) == [S.zone_prompt]
    assert zones_offered(outcome) == QUICK_PICK_ZONES


@pytest.mark.parametrize(
    "data",
    [
        encode(Action.SET_RHYTHM, "daily"),
        encode(Action.SET_WEEKDAY, "7"),
        encode(Action.SET_WEEKDAY, "-1"),
        encode(Action.SET_TIME, "0659"),
        encode(Action.SET_TIME, "2500"),
        encode(Action.SET_WEEKEND, "0123456"),
        encode(Action.SET_WEEKEND, "7"),
        encode(Action.PAUSE, "3"),
        encode(Action.SET_ZONE, "Mars/Olympus"),
    ],
)
def test_forged_settings_buttons_change_nothing(set_up: CheckinPerson, data: str) -> None:
    assert_refused(set_up.press(data), State(), T.invalid_button)
    assert set_up.checkin is not None and set_up.checkin.rule == RULE


# --- the offer after a first story ---------------------------------------------------------


def test_the_first_story_is_followed_by_the_check_in_offer(person: CheckinPerson) -> None:
    person.complete_story()
    outcome = person.last_outcome
    card, offer = outcome.replies
    assert card.edit and card.buttons == ()
    assert card.text.endswith(T.saved)  # the thanks ends the card
    assert offer.text == S.offer
    assert labels(offer) == [S.set_up, S.no_thanks]
    assert [b.data for b in all_buttons(outcome)[-2:]] == [
        encode(Action.SETTINGS_PAGE, "zone"),
        encode(Action.CLOSE_SETTINGS),
    ]
    page = person.tap(S.set_up)
    assert page.state == State(step=Step.SETTINGS_ZONE)
    assert texts(page) == [S.zone_prompt]
    assert zones_offered(page) == QUICK_PICK_ZONES


def test_no_thanks_to_the_offer(person: CheckinPerson) -> None:
    person.complete_story()
    outcome = person.tap(S.no_thanks)
    assert outcome.replies == (Reply(S.off, edit=True),)
    assert outcome.state == State()
    declined = CheckinRule("UTC", rhythm=Rhythm.OFF)
    assert outcome.effects == (SaveCheckinRule(declined, None), PersonActive())
    assert person.checkin is not None, "the answer is remembered: no offer after the next story"
    person.complete_story()
    assert texts(person.last_outcome)[1:] == [], "the card, and no offer"


def test_no_offer_once_check_ins_are_set_up(set_up: CheckinPerson) -> None:
    set_up.complete_story()
    assert texts(set_up.last_outcome)[1:] == [], "the card, and no offer"


# --- in Dutch -------------------------------------------------------------------------------------


def test_settings_in_dutch(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    outcome = person.command("settings")
    assert outcome.replies[0].text == f"{NL.settings.menu_not_set}\n\n{NL.settings.zone_prompt}"
    assert outcome.replies[0].buttons[0][0].label == "Den Haag · 10:00"
    outcome = person.press(zone_button(outcome, AMSTERDAM).data)
    zone_set, menu = texts(outcome)
    assert zone_set == ("Genoteerd: Den Haag (10:00, maandag). Ik kom langs volgens de klok daar.")
    assert "Plaats: Den Haag (daar is het nu 10:00, maandag)" in menu
    assert "Hoe vaak: elke week" in menu
    assert "Wanneer: dinsdag om 10:00" in menu
    assert "Weekend: za–zo" in menu
    assert "Volgende check-in: dinsdag 3 maart, 10:00" in menu
    assert labels(outcome.replies[1])[-1] == NL.settings.close_button
    day = person.press(encode(Action.SETTINGS_PAGE, "day"))
    assert labels(day.replies[0])[:2] == ["maandag", "dinsdag"]
    closed = person.press(encode(Action.CLOSE_SETTINGS))
    assert texts(closed) == [NL.settings.saved.format(next="dinsdag 3 maart, 10:00")]
