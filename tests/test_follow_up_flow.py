"""The follow-up: the next check-in asks about the open next step first (did it, not yet,
not for me), one HOW question after "did it", keep or choose another after "not yet", and
a next step let go quietly after three times "not yet"."""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.menu.effects import CloseNextStep, NextStepAsked
from flows.menu.follow_up import TRIED
from flows.menu.views import StepStatus
from flows.states import Step, StoryKind
from tests.support.checkin_harness import CheckinPerson, assert_checkin
from tests.support.flow_harness import option
from tests.support.menu_steps import EN, W, order_dish, rows_of, status_of, tell_story

pytestmark = pytest.mark.dialogue(scheduled=True)
C = EN.checkin.texts
SPARRING = "Spar with a colleague"
OPENING = EN.questionnaire(StoryKind.CHECKIN).opening.key


def asked_about(person: CheckinPerson, name: str = SPARRING) -> None:
    """The due check-in greets, then asks about the next step with its three buttons and
    the check-in's own (later today, tomorrow, skip)."""
    outcome = person.due()
    (reply,) = outcome.replies
    assert reply.text == f"{C.checkin_greeting}\n\n{W.follow_up.format(step=name)}"
    assert [b.label for b in reply.buttons[0]] == [W.did_it, W.not_yet, W.not_for_me]
    assert [b.label for b in reply.buttons[-1]] == [C.skip_checkin]
    assert outcome.state.step is Step.FOLLOW_UP


def test_did_it_closes_it_asks_how_once_then_the_check_in_goes_on(person: CheckinPerson) -> None:
    step_id = order_dish(person, SPARRING)
    asked_about(person)
    did = person.tap(W.did_it)
    assert CloseNextStep(step_id, StepStatus.DONE) in did.effects
    said, question = did.replies
    assert said.edit and said.text == W.did_it_done.format(step=SPARRING)
    assert question.text.startswith(EN.checkin.questions.question(TRIED).prompt)  # type: ignore[union-attr]
    assert did.state.step is Step.QUESTION and did.state.question == TRIED
    checkin_id = did.state.story_id
    person.press(encode(Action.TOGGLE, checkin_id, TRIED, "asking_colleague"))
    person.say("She showed me her drafts")  # typed words join the pick
    going_on = person.press(encode(Action.DONE, checkin_id, TRIED))
    assert going_on.state.question == OPENING and going_on.state.story_id == checkin_id
    person.say("Drafting is quicker")
    person.press(encode(Action.TOGGLE, checkin_id, "how", "by_doing"))
    person.press(encode(Action.DONE, checkin_id, "how"))
    stored = person.stories[checkin_id]
    tried = stored.answers[TRIED]
    assert (tried.choices, tried.text) == (("asking_colleague",), "She showed me her drafts")
    assert stored.answers[OPENING].text == "Drafting is quicker"
    assert status_of(person, step_id) is StepStatus.DONE
    assert rows_of(person, StepStatus.OPEN) == []
    assert_checkin(person.due_at_next(), person.world.now)  # never asked about again


def test_the_how_question_may_be_skipped(person: CheckinPerson) -> None:
    order_dish(person, SPARRING)
    person.command("checkin")  # /checkin asks about it first too
    did = person.tap(W.did_it)
    assert [b.label for b in did.replies[1].buttons[-1]] == [EN.texts.skip]
    skipped = person.tap(EN.texts.skip)
    assert skipped.state.question == OPENING


def test_not_yet_and_keep_it_asks_again_next_time(person: CheckinPerson) -> None:
    step_id = order_dish(person, SPARRING)
    asked_about(person)
    not_yet = person.tap(W.not_yet)
    assert NextStepAsked(step_id) in not_yet.effects
    (reply,) = not_yet.replies
    assert reply.edit and [b.label for row in reply.buttons for b in row] == [
        W.keep,
        W.choose_another,
    ]
    kept = person.tap(W.keep)
    assert kept.replies[0].text == W.kept.format(step=SPARRING)
    assert kept.state.step is Step.QUESTION and kept.state.question == OPENING
    person.say("Meetings went well")
    person.tap(option("how", "by_doing"))
    person.tap(EN.texts.done)
    (step,) = rows_of(person, StepStatus.OPEN)
    assert step.asked == 1
    person.world.advance(days=7)
    asked_about(person)


def test_not_yet_and_choose_another_orders_it_then_the_check_in_goes_on(
    person: CheckinPerson,
) -> None:
    old = order_dish(person, SPARRING)
    asked_about(person)
    person.tap(W.not_yet)
    listing = person.tap(W.choose_another)
    assert listing.replies[0].text == W.choose_prompt and listing.replies[0].edit
    assert listing.state.step is Step.CHOOSE_DISH and listing.state.then_checkin
    person.tap("Shadow a colleague")
    confirmed = person.tap(W.this_month)
    said, _question = confirmed.replies
    assert said.text.startswith("Noted as your next step, for this month: Shadow a colleague")
    assert confirmed.state.step is Step.QUESTION and confirmed.state.question == OPENING
    assert status_of(person, old) is StepStatus.REPLACED
    (new,) = rows_of(person, StepStatus.OPEN)
    assert new.dish == "shadowing"


def test_choose_another_may_be_an_own_dish(person: CheckinPerson) -> None:
    order_dish(person, SPARRING)
    asked_about(person)
    person.tap(W.not_yet)
    person.tap(W.choose_another)
    person.tap(W.something_else)
    person.say("Read the handbook on protocol")
    confirmed = person.tap(W.no_date)
    assert confirmed.state.question == OPENING
    person.world.advance(days=7)
    person.command("cancel")
    asked_about(person, "Read the handbook on protocol")


def test_not_for_me_closes_it_and_the_check_in_goes_on(person: CheckinPerson) -> None:
    step_id = order_dish(person, SPARRING)
    asked_about(person)
    outcome = person.tap(W.not_for_me)
    assert CloseNextStep(step_id, StepStatus.NOT_FOR_ME) in outcome.effects
    assert outcome.replies[0].text == W.not_for_me_done.format(step=SPARRING)
    assert outcome.state.question == OPENING
    assert status_of(person, step_id) is StepStatus.NOT_FOR_ME


def test_let_go_quietly_after_three_times_not_yet(person: CheckinPerson) -> None:
    step_id = order_dish(person, SPARRING)
    for _ in range(3):
        asked_about(person)
        person.tap(W.not_yet)
        person.tap(W.keep)
        person.command("cancel")
        person.world.advance(days=7)
    quiet = person.due()
    assert_checkin(quiet, person.world.now)  # the usual check-in, not a word about it
    assert CloseNextStep(step_id, StepStatus.LET_GO) in quiet.effects
    assert status_of(person, step_id) is StepStatus.LET_GO


def test_the_storys_next_step_is_followed_up_when_no_dish_was_ordered(
    person: CheckinPerson,
) -> None:
    tell_story(person, {"next_step": ("feedback", "time")}, {"next_step": "from my manager"})
    person.tap(W.not_now)
    asked_about(person, "Feedback · Time · from my manager")
    person.tap(W.did_it)
    (closed,) = rows_of(person, StepStatus.DONE)
    assert closed.dish == "" and closed.own_dish is None


def test_a_story_deleted_meanwhile_lets_its_next_step_go(person: CheckinPerson) -> None:
    tell_story(person, {"next_step": ("feedback",)})
    (step,) = rows_of(person)
    del person.world.stories[step.story_id]  # type: ignore[arg-type]
    assert_checkin(person.due(), person.world.now)
    assert status_of(person, step.id) is StepStatus.LET_GO


def test_stale_and_forged_buttons_have_passed(person: CheckinPerson) -> None:
    step_id = order_dish(person, SPARRING)
    asked_about(person)
    did = person.button(W.did_it).data
    not_yet = person.button(W.not_yet).data
    person.press(did)
    before = person.state
    for data in (did, not_yet, encode(Action.FOLLOW_KEEP, step_id)):
        stale = person.press(data)
        assert stale.notice == W.passed and stale.replies == () and stale.state == before
    assert person.press(encode(Action.FOLLOW_DID, 999)).notice == W.passed


def test_a_message_instead_of_a_tap_gets_the_question_again(person: CheckinPerson) -> None:
    order_dish(person, SPARRING)
    asked_about(person)
    outcome = person.say("yes!")
    assert [r.text for r in outcome.replies] == [W.tap_a_button, W.follow_up.format(step=SPARRING)]
    assert outcome.state.step is Step.FOLLOW_UP


def test_a_snooze_under_the_follow_up_still_works(person: CheckinPerson) -> None:
    order_dish(person, SPARRING)
    asked_about(person)
    outcome = person.tap(C.tomorrow)
    assert outcome.state.step is Step.IDLE
    (step,) = rows_of(person, StepStatus.OPEN)
    assert step.asked == 0
