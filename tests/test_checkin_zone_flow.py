"""The place of check-ins through ``flows.dialogue``: typed, tapped or shared as a
location, shown as the person named it; a move to another place, a quick correction that
is no move, and forged places."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from flows.callbacks import Action, encode, encode_id
from flows.checkins.places import local_time_text
from flows.checkins.schedule import CheckinRule, Rhythm, next_checkin_at
from flows.content.guide import guide_for
from flows.replies import CreateStory, PersonActive, Reply
from flows.states import State, Step, StoryKind
from tests.support.checkin_harness import (
    AMSTERDAM,
    MONDAY,
    QUICK_PICK_ZONES,
    RULE,
    CheckinPerson,
    CheckinWorld,
    menu_labels,
    saved_rule,
    wall,
    zone_button,
    zones_offered,
)
from tests.support.flow_harness import assert_refused
from tests.support.outcomes import labels, texts

EN = guide_for("en")
T = EN.texts
S = EN.settings


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


# --- the time zone ----------------------------------------------------------------------------


def test_settings_without_a_schedule_asks_where_the_person_is(person: CheckinPerson) -> None:
    outcome = person.command("settings")
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)
    (reply,) = outcome.replies
    assert reply.text == f"{S.menu_not_set}\n\n{S.zone_prompt}"
    assert zones_offered(outcome) == QUICK_PICK_ZONES
    assert labels(reply) == [
        "Den Haag · 10:00",
        "Brussels · 10:00",
        "London · 09:00",
        "New York · 04:00",
        "Nairobi · 12:00",
        "Beijing · 17:00",
    ]
    assert MONDAY.hour == 9  # UTC: 10:00 in Den Haag


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Madrid", ["Madrid, ES · 10:00", "Madrid, CO · 04:00"]),
        ("Islamabad", ["Islamabad · 14:00", "Chattogram · 15:00", "Anantnag · 14:30"]),
        (
            "Washington",
            [
                "Washington, D.C. · 04:00",
                "Washington · 09:00",
                "Reisterstown · 04:00",
                "Piqua · 04:00",
                "Macomb · 03:00",
                "South River · 04:00",
            ],
        ),
        ("Caracus", ["Caracas · 05:00", "Bahía de Caráquez · 04:00"]),  # misspelled
        ("Nieuw-Delhi", ["New Delhi · 14:30", "Delhi · 14:30"]),
    ],
)
def test_typing_a_name_of_several_places_offers_them_best_first(
    person: CheckinPerson, typed: str, shown: list[str]
) -> None:
    person.command("settings")
    outcome = person.say(typed)
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)
    assert texts(outcome) == [S.zone_pick]
    assert labels(outcome.replies[0]) == shown
    assert person.checkin is None


@pytest.mark.parametrize(
    ("typed", "place", "zone", "local"),
    [
        ("Den Haag", "Den Haag", AMSTERDAM, "10:00, Monday"),
        ("kathmandu", "Kathmandu", "Asia/Kathmandu", "14:45, Monday"),
        ("Kathmandoo", "Kathmandu", "Asia/Kathmandu", "14:45, Monday"),
        ("Kinshasa, DRC", "Kinshasa", "Africa/Kinshasa", "10:00, Monday"),
        ("Ulaanbataar", "Ulan Bator", "Asia/Ulaanbaatar", "17:00, Monday"),
    ],
)
def test_a_single_clear_match_is_set_at_once(
    person: CheckinPerson, world: CheckinWorld, typed: str, place: str, zone: str, local: str
) -> None:
    person.command("settings")
    outcome = person.say(typed)
    effect = saved_rule(outcome)
    assert effect.rule == CheckinRule(zone, place=place, placed_at=world.now)
    assert outcome.state == State()
    zone_set, menu = outcome.replies
    assert zone_set == Reply(f"Got it: {place} ({local}). I'll check in by the clock there.")
    assert f"Place: {place} (it is {local} there now)" in menu.text
    assert "/" not in menu.text.split("\n")[1], "no raw zone ids"


def test_an_unknown_city_is_not_found(person: CheckinPerson) -> None:
    person.command("settings")
    outcome = person.say("Xyzzyville")
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert texts(outcome) == [S.zone_not_found]
    assert outcome.effects == (PersonActive(),)
    assert person.say("Madrid").replies[0].text == S.zone_pick


def test_tapping_a_zone_saves_the_default_schedule(
    person: CheckinPerson, world: CheckinWorld
) -> None:
    person.command("settings")
    person.say("Madrid")
    outcome = person.press(zone_button(person.last_outcome, "Europe/Madrid").data)
    effect = saved_rule(outcome)
    assert effect.rule == CheckinRule("Europe/Madrid", place="Madrid", placed_at=world.now)
    rule = effect.rule
    assert (rule.rhythm, rule.weekday, rule.at, rule.weekend, rule.paused_until) == (
        Rhythm.WEEKLY,
        1,
        time(10),
        frozenset({5, 6}),
        None,
    )
    assert effect.next_at == next_checkin_at(rule, now=world.now, last_checkin=None)
    assert effect.next_at == wall("Europe/Madrid", date(2026, 3, 3), 10)
    assert outcome.state == State()
    zone_set, menu = outcome.replies
    assert zone_set == Reply(
        "Got it: Madrid (10:00, Monday). I'll check in by the clock there.",
        edit=True,
    )
    assert "Place: Madrid (it is 10:00, Monday there now)" in menu.text
    assert "When: Tuesday at 10:00" in menu.text
    assert "Weekend: Sat–Sun" in menu.text
    assert "Next check-in: Tuesday 3 March, 10:00" in menu.text
    assert labels(menu) == menu_labels()
    assert not menu.edit
    assert person.checkin is not None and person.checkin.unanswered == 0


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone", "place"),
    [
        (40.4168, -3.7038, "Europe/Madrid", "Madrid"),
        (47.8864, 106.9057, "Asia/Ulaanbaatar", "Ulan Bator"),
        (33.70, 73.05, "Asia/Karachi", "Islamabad"),  # not "Karachi", nor "Asia/Karachi"
        (64.0, -150.0, "America/Anchorage", "Anchorage"),  # no city near: the zone's
    ],
)
def test_a_shared_location_sets_the_place(
    person: CheckinPerson,
    world: CheckinWorld,
    latitude: float,
    longitude: float,
    zone: str,
    place: str,
) -> None:
    person.command("settings")
    outcome = person.share_location(latitude, longitude)
    effect = saved_rule(outcome)
    assert effect.rule == CheckinRule(zone, place=place, placed_at=world.now)
    assert effect.next_at == next_checkin_at(CheckinRule(zone), now=world.now, last_checkin=None)
    local_now = local_time_text(zone, world.now, "en")
    assert outcome.replies[0] == Reply(S.zone_set.format(place=place, local_time=local_now))
    assert outcome.state == State()


@pytest.mark.parametrize(("latitude", "longitude"), [(0.0, -30.0), (35.0, -40.0), (91.0, 0.0)])
def test_a_location_at_sea_asks_for_a_city(
    person: CheckinPerson, latitude: float, longitude: float
) -> None:
    person.command("settings")
    outcome = person.share_location(latitude, longitude)
    assert texts(outcome) == [S.location_unknown]
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)


def test_a_location_outside_the_zone_page_changes_nothing_by_itself(set_up: CheckinPerson) -> None:
    outcome = set_up.share_location(40.4168, -3.7038)
    assert outcome.effects == (PersonActive(),)
    assert set_up.checkin is not None and set_up.checkin.rule == RULE


def test_a_move_changes_the_zone_and_asks_once_about_it(
    set_up: CheckinPerson, world: CheckinWorld
) -> None:
    person = set_up
    person.due()  # a check-in went out on Monday
    last = world.now
    world.advance(days=2)
    page = person.press(encode(Action.SETTINGS_PAGE, "zone"))
    assert page.state == State(step=Step.SETTINGS_ZONE)
    assert page.replies[0].text == S.zone_prompt
    outcome = person.say("Kathmandu")  # one place of that name: set at once

    moved = replace(RULE, zone="Asia/Kathmandu", place="Kathmandu", placed_at=world.now)
    effect = saved_rule(outcome)
    assert effect.rule == moved
    assert effect.next_at == next_checkin_at(moved, now=world.now, last_checkin=last)
    assert effect.next_at == wall("Asia/Kathmandu", date(2026, 3, 10), 10)  # 04:15 UTC
    zone_set, menu, question = outcome.replies
    assert zone_set.text.startswith("Got it: Kathmandu (")
    assert menu.text.startswith(S.menu.split("\n")[0])
    assert question.text == S.moved
    assert [[b.data for b in row] for row in question.buttons] == [[encode(Action.REFLECT_MOVE)]]
    assert labels(question) == [S.reflect_on_move]
    assert [r.text for r in outcome.replies].count(S.moved) == 1
    assert person.checkin is not None and person.checkin.rule == moved

    world.advance(days=30)
    again = person.press(zone_button(page, "Asia/Shanghai").data)  # a second move
    assert [r.text for r in again.replies].count(S.moved) == 1
    world.advance(days=30)
    same = person.press(zone_button(page, "Asia/Shanghai").data)  # not a move
    assert S.moved not in texts(same)
    assert saved_rule(same).rule.zone == "Asia/Shanghai"


def test_correcting_a_wrong_tap_is_no_move(set_up: CheckinPerson, world: CheckinWorld) -> None:
    person = set_up
    world.advance(days=40)
    person.press(encode(Action.SETTINGS_PAGE, "zone"))
    person.say("Islamabad")
    wrong = person.press(zone_button(person.last_outcome, "Asia/Dhaka").data)  # Chattogram
    assert S.moved in texts(wrong), "from Den Haag: a real move"
    world.advance(minutes=3)
    person.press(encode(Action.SETTINGS_PAGE, "zone"))
    person.say("Islamabad")
    right = person.press(zone_button(person.last_outcome, "Asia/Karachi").data)
    assert S.moved not in texts(right), "a correction, minutes later"
    assert person.checkin is not None
    assert (person.checkin.rule.place, person.checkin.rule.zone) == ("Islamabad", "Asia/Karachi")
    assert person.checkin.rule.placed_at == world.now


@pytest.mark.parametrize(
    ("later", "place", "zone", "moved"),
    [
        (timedelta(minutes=15), "Islamabad", "Asia/Karachi", False),
        (timedelta(minutes=16), "Islamabad", "Asia/Karachi", True),
        (timedelta(days=60), "Den Haag", AMSTERDAM, False),  # the same place again
        (timedelta(days=60), "Amsterdam", AMSTERDAM, True),  # another city, the same zone
    ],
)
def test_a_move_is_a_real_change_of_place(
    world: CheckinWorld, later: timedelta, place: str, zone: str, moved: bool
) -> None:
    person = world.person()
    person.set_schedule(replace(RULE, place="Den Haag", placed_at=world.now))
    world.advance(seconds=later.total_seconds())
    person.press(encode(Action.SETTINGS_PAGE, "zone"))
    outcome = person.say(place)
    if texts(outcome) == [S.zone_pick]:  # several places of that name
        outcome = person.press(zone_button(outcome, zone).data)
    assert (S.moved in texts(outcome)) is moved


def test_reflecting_on_a_move_starts_a_learning_story(set_up: CheckinPerson) -> None:
    set_up.press(encode(Action.SETTINGS_PAGE, "zone"))
    set_up.press(zone_button(set_up.last_outcome, "Europe/London").data)
    outcome = set_up.tap(S.reflect_on_move)
    story_id = set_up.views[-1].new_story_id
    assert outcome.state == State(
        step=Step.QUESTION, story_id=story_id, question=EN.opening.key, draft_id=story_id
    )
    assert outcome.effects == (CreateStory(story_id, StoryKind.STORY), PersonActive())
    assert EN.opening.prompt in outcome.replies[0].text


def test_an_older_zone_button_still_works_and_names_the_zone_as_a_place(
    set_up: CheckinPerson,
) -> None:
    outcome = set_up.press(encode(Action.SET_ZONE, "America/Sao_Paulo"))
    assert saved_rule(outcome).rule.place == "Sao Paulo"
    assert texts(outcome)[0].startswith("Got it: Sao Paulo (06:00, Monday).")


@pytest.mark.parametrize(
    "data",
    [
        encode(Action.SET_PLACE, encode_id(999_999_999), "0"),  # no such city
        encode(Action.SET_PLACE, "!", "0"),
        encode(Action.SET_PLACE, encode_id(2747373), "-1"),
        encode(Action.SET_PLACE, encode_id(2747373), "99999"),
    ],
)
def test_a_forged_place_is_refused(person: CheckinPerson, data: str) -> None:
    person.command("settings")
    before = person.state
    assert_refused(person.press(data), before, T.invalid_button)
    assert person.checkin is None


@pytest.mark.parametrize(
    "zone",
    [
        "Mars/Olympus",
        "../../etc/passwd",
        "europe/nowhere",
        "Asia/",
        "Europe",  # a folder of tzdata, not a zone
        "America",
    ],
)
def test_a_forged_zone_is_refused(person: CheckinPerson, zone: str) -> None:
    person.command("settings")
    before = person.state
    assert_refused(person.press(encode(Action.SET_ZONE, zone)), before, T.invalid_button)
    assert person.checkin is None
