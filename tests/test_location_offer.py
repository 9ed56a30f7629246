"""A location shared in the middle of something (a story, a check-in, nothing at all) is
not an answer: the bot offers to use it for the check-ins, and asks its question again."""

from __future__ import annotations

import pytest

from flows.checkins.schedule import CheckinRule
from flows.content.guide import guide_for
from flows.events import MediaKind
from flows.states import State, Step, StoryKind
from tests.support.checkin_harness import RULE, CheckinPerson, CheckinWorld, only_active, saved_rule
from tests.support.flow_harness import option
from tests.support.outcomes import labels, texts

EN = guide_for("en")
T, S = EN.texts, EN.settings
MADRID = (40.4168, -3.7038)
AT_SEA = (0.0, -30.0)


pytestmark = pytest.mark.dialogue  # the whole dialogue: ``person`` is a CheckinPerson


def test_a_location_mid_question_is_offered_for_the_checkins(person: CheckinPerson) -> None:
    person.to_question("who")
    asked = person.screen
    assert asked is not None
    before = person.state
    outcome = person.share_location(*MADRID)
    assert outcome.state == before
    assert only_active(outcome)
    offer, question = outcome.replies
    assert offer.text == S.location_offer
    assert labels(offer) == [S.location_use.format(place="Madrid")]
    assert question == asked.replies[-1]  # and the question, again

    used = person.tap(S.location_use.format(place="Madrid"))
    effect = saved_rule(used)
    assert effect.rule.zone == "Europe/Madrid"
    assert effect.rule.place == "Madrid"
    assert used.state == before, "the story keeps its place"
    assert used.replies[-1] == asked.replies[-1]
    person.tap(option("who", "manager"))
    assert person.tap(T.done).state.question == "resources"


def test_a_location_mid_checkin_then_the_question_again(person: CheckinPerson) -> None:
    person.command("checkin")
    person.say("Briefings go smoother")
    outcome = person.share_location(*MADRID)
    assert texts(outcome)[0] == S.location_offer
    how = EN.questionnaire(StoryKind.CHECKIN).questions[1]
    assert how.prompt in outcome.replies[1].text


def test_a_location_when_idle_is_offered_alone(set_up: CheckinPerson) -> None:
    outcome = set_up.share_location(*MADRID)
    assert texts(outcome) == [S.location_offer]
    assert outcome.state == State()
    assert only_active(outcome)
    assert set_up.checkin is not None and set_up.checkin.rule == RULE  # nothing until tapped


def test_a_location_at_sea_mid_question(person: CheckinPerson) -> None:
    person.to_question("who")
    asked = person.screen
    assert asked is not None
    outcome = person.share_location(*AT_SEA)
    assert texts(outcome)[0] == T.media_not_supported
    assert outcome.replies[1:] == asked.replies[-1:]
    assert only_active(outcome)


def test_settings_still_take_a_shared_location(person: CheckinPerson) -> None:
    person.command("settings")
    outcome = person.share_location(*MADRID)
    assert saved_rule(outcome).rule.zone == "Europe/Madrid"
    assert outcome.state == State()


def test_a_dutch_offer(world: CheckinWorld) -> None:
    person = world.person(language="nl")
    person.to_question("who")
    outcome = person.share_location(*MADRID)
    nl = guide_for("nl").settings
    assert texts(outcome)[0] == nl.location_offer
    assert labels(outcome.replies[0]) == [nl.location_use.format(place="Madrid")]


@pytest.mark.parametrize("kind", [MediaKind.PHOTO, MediaKind.STICKER, MediaKind.VOICE])
def test_media_mid_checkin_shows_the_question_again(person: CheckinPerson, kind: MediaKind) -> None:
    person.command("checkin")
    asked = person.screen
    assert asked is not None
    outcome = person.media(kind)
    assert texts(outcome)[0] == T.media_not_supported
    assert outcome.replies[1:] == asked.replies
    assert outcome.state.step is Step.QUESTION


def test_a_zone_tapped_outside_a_story_leaves_nothing_behind(person: CheckinPerson) -> None:
    person.set_schedule(CheckinRule("Europe/Amsterdam"))
    offered = person.share_location(*MADRID)
    assert len(offered.replies) == 1
    used = person.tap(S.location_use.format(place="Madrid"))
    assert used.state == State()
    assert saved_rule(used).rule.zone == "Europe/Madrid"
