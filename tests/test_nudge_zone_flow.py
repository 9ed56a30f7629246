"""The time zone of check-ins through ``flows.dialogue``: typed, tapped or shared as a
location, a move to another zone, and forged zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from flow_harness import labels, texts
from nudge_harness import (
    AMSTERDAM,
    MONDAY,
    QUICK_PICK_ZONES,
    RULE,
    NudgePerson,
    NudgeWorld,
    assert_refused,
    menu_labels,
    saved_rule,
    wall,
    zone_button,
    zones_offered,
)

from flows.callbacks import Action, encode
from flows.guide import guide_for
from flows.places import local_time_text
from flows.replies import CreateStory, PersonActive, Reply
from flows.schedule import NudgeRule, Rhythm, next_nudge_at
from flows.states import State, Step, StoryKind

EN = guide_for("en")
T = EN.texts
S = EN.settings


@pytest.fixture
def world() -> NudgeWorld:
    return NudgeWorld()


# --- the time zone ----------------------------------------------------------------------------


def test_settings_without_a_schedule_asks_where_the_person_is(person: NudgePerson) -> None:
    outcome = person.command("settings")
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)
    (reply,) = outcome.replies
    assert reply.text == f"{S.menu_not_set}\n\n{S.zone_prompt}"
    assert zones_offered(outcome) == QUICK_PICK_ZONES
    first = reply.buttons[0][0]
    assert first.label == f"The Hague, NL · {local_time_text(AMSTERDAM, MONDAY, 'en')}"
    assert "10:00, Monday" in first.label


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Madrid", "Europe/Madrid"), ("Den Haag", AMSTERDAM), ("kathmandu", "Asia/Kathmandu")],
)
def test_typing_a_city_offers_its_zone_first(person: NudgePerson, typed: str, zone: str) -> None:
    person.command("settings")
    outcome = person.say(typed)
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)
    assert texts(outcome) == [S.zone_pick]
    assert zones_offered(outcome)[0] == zone
    assert person.nudge is None


def test_an_unknown_city_is_not_found(person: NudgePerson) -> None:
    person.command("settings")
    outcome = person.say("Xyzzyville")
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert texts(outcome) == [S.zone_not_found]
    assert outcome.effects == (PersonActive(),)
    assert person.say("Madrid").replies[0].text == S.zone_pick


def test_tapping_a_zone_saves_the_default_schedule(person: NudgePerson, world: NudgeWorld) -> None:
    person.command("settings")
    person.say("Madrid")
    outcome = person.press(zone_button(person.last_outcome, "Europe/Madrid").data)
    effect = saved_rule(outcome)
    assert effect.rule == NudgeRule("Europe/Madrid")
    rule = effect.rule
    assert (rule.rhythm, rule.weekday, rule.at, rule.weekend, rule.paused_until) == (
        Rhythm.WEEKLY,
        1,
        time(10),
        frozenset({5, 6}),
        None,
    )
    assert effect.next_at == next_nudge_at(rule, now=world.now, last_nudge=None)
    assert effect.next_at == wall("Europe/Madrid", date(2026, 3, 3), 10)
    assert outcome.state == State()
    zone_set, menu = outcome.replies
    assert zone_set == Reply(
        S.zone_set.format(zone="Europe/Madrid", local_time="10:00, Monday"), edit=True
    )
    assert "Time zone: Europe/Madrid (it is 10:00, Monday there now)" in menu.text
    assert "When: Tuesday at 10:00" in menu.text
    assert "Weekend: Sat–Sun" in menu.text
    assert "Next check-in: Tuesday 3 March, 10:00" in menu.text
    assert labels(menu) == menu_labels()
    assert not menu.edit
    assert person.nudge is not None and person.nudge.unanswered == 0


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [(40.4168, -3.7038, "Europe/Madrid"), (47.8864, 106.9057, "Asia/Ulaanbaatar")],
)
def test_a_shared_location_sets_the_zone(
    person: NudgePerson, world: NudgeWorld, latitude: float, longitude: float, zone: str
) -> None:
    person.command("settings")
    outcome = person.share_location(latitude, longitude)
    effect = saved_rule(outcome)
    assert effect.rule == NudgeRule(zone)
    assert effect.next_at == next_nudge_at(NudgeRule(zone), now=world.now, last_nudge=None)
    local_now = local_time_text(zone, world.now, "en")
    assert outcome.replies[0] == Reply(S.zone_set.format(zone=zone, local_time=local_now))
    assert outcome.state == State()


@pytest.mark.parametrize(("latitude", "longitude"), [(0.0, -30.0), (35.0, -40.0), (91.0, 0.0)])
def test_a_location_at_sea_asks_for_a_city(
    person: NudgePerson, latitude: float, longitude: float
) -> None:
    person.command("settings")
    outcome = person.share_location(latitude, longitude)
    assert texts(outcome) == [S.location_unknown]
    assert outcome.state == State(step=Step.SETTINGS_ZONE)
    assert outcome.effects == (PersonActive(),)


def test_a_location_outside_the_zone_page_is_not_read(set_up: NudgePerson) -> None:
    outcome = set_up.share_location(40.4168, -3.7038)
    assert texts(outcome) == [T.media_not_supported]
    assert outcome.effects == (PersonActive(),)


def test_a_move_changes_the_zone_and_asks_once_about_it(
    set_up: NudgePerson, world: NudgeWorld
) -> None:
    person = set_up
    person.due()  # a nudge went out on Monday
    last = world.now
    world.advance(days=2)
    page = person.press(encode(Action.SETTINGS_PAGE, "zone"))
    assert page.state == State(step=Step.SETTINGS_ZONE)
    assert page.replies[0].text == S.zone_prompt
    person.say("Kathmandu")
    outcome = person.press(zone_button(person.last_outcome, "Asia/Kathmandu").data)

    moved = replace(RULE, zone="Asia/Kathmandu")
    effect = saved_rule(outcome)
    assert effect.rule == moved
    assert effect.next_at == next_nudge_at(moved, now=world.now, last_nudge=last)
    assert effect.next_at == wall("Asia/Kathmandu", date(2026, 3, 10), 10)  # 04:15 UTC
    zone_set, menu, question = outcome.replies
    assert zone_set.text.startswith(S.zone_set.split("{")[0] + "Asia/Kathmandu")
    assert menu.text.startswith(S.menu.split("\n")[0])
    assert question.text == S.moved
    assert [[b.data for b in row] for row in question.buttons] == [[encode(Action.REFLECT_MOVE)]]
    assert labels(question) == [S.reflect_on_move]
    assert [r.text for r in outcome.replies].count(S.moved) == 1
    assert person.nudge is not None and person.nudge.rule == moved

    again = person.press(zone_button(page, "Asia/Shanghai").data)  # a second move
    assert [r.text for r in again.replies].count(S.moved) == 1
    same = person.press(zone_button(page, "Asia/Shanghai").data)  # not a move
    assert S.moved not in texts(same)
    assert saved_rule(same).rule.zone == "Asia/Shanghai"


def test_reflecting_on_a_move_starts_a_learning_story(set_up: NudgePerson) -> None:
    set_up.press(encode(Action.SETTINGS_PAGE, "zone"))
    set_up.press(zone_button(set_up.last_outcome, "Europe/London").data)
    outcome = set_up.tap(S.reflect_on_move)
    story_id = set_up.views[-1].new_story_id
    assert outcome.state == State(
        step=Step.QUESTION, story_id=story_id, question=EN.opening.key, draft_id=story_id
    )
    assert outcome.effects == (CreateStory(story_id, StoryKind.STORY), PersonActive())
    assert EN.opening.prompt in outcome.replies[0].text


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
def test_a_forged_zone_is_refused(person: NudgePerson, zone: str) -> None:
    person.command("settings")
    before = person.state
    assert_refused(person.press(encode(Action.SET_ZONE, zone)), before, T.invalid_button)
    assert person.nudge is None
