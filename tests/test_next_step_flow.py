"""A matched suggestion after a story or check-in, ordering it (or any dish from /menu, or
one's own) with a "when", one open next step at a time, and the story's own next step
followed up when no dish is ordered."""

from __future__ import annotations

import pytest

from flows.callbacks import Action, encode
from flows.events import MediaKind
from flows.menu.card import menu
from flows.menu.effects import OrderNextStep, SetNextStepDue
from flows.menu.views import Due, StepStatus
from flows.states import State, Step
from tests.support.checkin_harness import CheckinPerson
from tests.support.flow_harness import option
from tests.support.menu_steps import EN, W, order_dish, rows_of, status_of, suggestions, tell_story

pytestmark = pytest.mark.dialogue
T = EN.texts
INVITE = menu().in_language("en").invite


def test_one_dish_is_offered_after_the_reflection_and_the_own_choice_comes_first(
    person: CheckinPerson,
) -> None:
    done = tell_story(person, {"obstacles": ("self_doubt",), "next_step": ("shadowing",)})
    (offer,) = suggestions(done)
    card = [r.text for r in done.replies].index(offer.text) - 1
    assert T.saved in done.replies[card].text  # right after the card, its reflect-back lines
    assert done.replies[card].text.endswith(EN.reflect.self_doubt)
    assert "Shadow a colleague" in offer.text and "Spar" not in offer.text
    assert [b.label for row in offer.buttons for b in row] == [W.order, W.something_else, W.not_now]


def test_no_dish_and_no_follow_up_when_nothing_is_needed_now(person: CheckinPerson) -> None:
    done = tell_story(person, {"obstacles": ("self_doubt",), "next_step": ("nothing_now",)})
    assert suggestions(done) == []
    assert not any(isinstance(e, OrderNextStep) for e in done.effects)
    assert rows_of(person) == []


def test_not_now_keeps_the_storys_own_next_step_to_follow_up(person: CheckinPerson) -> None:
    done = tell_story(person, {"next_step": ("sparring",)})
    story_id = done.replies[0] and person.views[-1].state.story_id
    outcome = person.tap(W.not_now)
    (reply,) = outcome.replies
    assert reply.edit and reply.text == W.not_now_done and outcome.state == State()
    (step,) = rows_of(person, StepStatus.OPEN)
    assert (step.dish, step.own_dish, step.story_id) == ("", None, story_id)


@pytest.mark.parametrize(
    ("label", "due", "said"),
    [
        (W.this_week, Due.WEEK, W.when_week),
        (W.this_month, Due.MONTH, W.when_month),
        (W.no_date, Due.NONE, W.when_none),
    ],
)
def test_order_this_asks_when_and_records_the_next_step(
    person: CheckinPerson, label: str, due: Due, said: str
) -> None:
    tell_story(person, {"obstacles": ("self_doubt",)})
    asked = person.tap(W.order)
    (order,) = [e for e in asked.effects if isinstance(e, OrderNextStep)]
    assert order.dish == "sparring" and asked.state.step is Step.ORDER_WHEN
    (when,) = asked.replies
    assert when.edit and "Spar with a colleague" in when.text
    assert [b.label for row in when.buttons for b in row] == [W.this_week, W.this_month, W.no_date]
    confirmed = person.tap(label)
    assert SetNextStepDue(order.step_id, due) in confirmed.effects
    (reply,) = confirmed.replies
    assert reply.text == W.ordered.format(step="Spar with a colleague", when=said)
    assert "next check-in" in reply.text and confirmed.state == State()
    (step,) = rows_of(person, StepStatus.OPEN)
    assert (step.id, step.dish, step.due) == (order.step_id, "sparring", due)
    [[invite]] = reply.buttons  # sparring involves someone: invite them from here
    assert (invite.label, invite.data) == (INVITE.button, encode(Action.INVITE, "sparring"))


def test_a_dish_for_oneself_has_no_invitation_under_it(person: CheckinPerson) -> None:
    tell_story(person, {"obstacles": ("time_pressure",)})
    person.tap(W.order)
    (reply,) = person.tap(W.no_date).replies
    assert reply.text == W.ordered.format(step="One time-management idea", when=W.when_none)
    assert reply.buttons == ()


def test_ordering_replaces_the_storys_next_step_and_then_any_open_one(
    person: CheckinPerson,
) -> None:
    tell_story(person, {"next_step": ("sparring",)})
    (from_story,) = rows_of(person, StepStatus.OPEN)
    person.tap(W.order)
    (sparring,) = rows_of(person, StepStatus.OPEN)
    assert status_of(person, from_story.id) is StepStatus.REPLACED
    chosen = order_dish(person, "Look in each other's kitchen", W.this_month)
    assert [s.id for s in rows_of(person, StepStatus.OPEN)] == [chosen]
    assert status_of(person, sparring.id) is StepStatus.REPLACED
    # a later story's own next step does not replace a dish that was ordered
    tell_story(person, {"next_step": ("course",)})
    assert [s.id for s in rows_of(person, StepStatus.OPEN)] == [chosen]


def test_the_suggestion_is_ordered_once_and_forged_dishes_are_refused(
    person: CheckinPerson,
) -> None:
    done = tell_story(person, {"obstacles": ("self_doubt",)})
    order = person.button(W.order).data
    person.press(order)
    when = person.button(W.this_week).data
    person.press(when)
    assert person.press(order).notice == W.passed  # ordered already
    assert person.press(when).notice == W.passed  # answered already
    story_id = done.effects[0].story_id  # type: ignore[union-attr]
    forged = person.press(encode(Action.ORDER, story_id, "course"))
    assert forged.notice == T.invalid_button
    assert person.press(encode(Action.WHEN, 12345, "week")).notice == W.passed
    assert person.press(encode(Action.WHEN, 12345, "someday")).notice == T.invalid_button
    assert len(rows_of(person)) == 1  # the dish (the story named no next step)


def test_an_own_dish_is_typed_checked_and_ordered(person: CheckinPerson) -> None:
    tell_story(person, {"obstacles": ("time_pressure",)})
    asked = person.tap(W.something_else)
    assert asked.state.step is Step.OWN_DISH and asked.replies[0].text == W.own_prompt
    sticker = person.media(MediaKind.STICKER)
    assert [r.text for r in sticker.replies] == [T.media_not_supported, W.own_prompt]
    too_long = person.say("x" * 201)
    assert too_long.replies[0].text == W.own_too_long.format(limit=200)
    assert person.state.step is Step.OWN_DISH and rows_of(person, StepStatus.OPEN) == []
    ordered = person.say("Lunch   with the political team")
    (order,) = [e for e in ordered.effects if isinstance(e, OrderNextStep)]
    assert (order.dish, order.own_dish) == ("", "Lunch with the political team")
    assert "Lunch with the political team" in ordered.replies[0].text
    person.tap(W.no_date)
    (step,) = rows_of(person, StepStatus.OPEN)
    assert step.own_dish == "Lunch with the political team" and step.due is Due.NONE


def test_a_check_in_gets_one_dish_matched_on_its_picks(person: CheckinPerson) -> None:
    person.command("checkin")
    person.say("Meetings go faster")
    story_id = person.state.story_id
    assert story_id is not None
    person.press(encode(Action.TOGGLE, story_id, "how", "watching"))
    done = person.press(encode(Action.DONE, story_id, "how"))
    (offer,) = suggestions(done)
    assert "Shadow a colleague" in offer.text
    assert done.replies[0].text == EN.checkin.texts.closing


def test_a_check_in_offers_nothing_that_is_already_the_next_step(person: CheckinPerson) -> None:
    order_dish(person, "Shadow a colleague")
    person.command("checkin")  # asks about the open next step first
    person.tap(W.not_yet)
    person.tap(W.keep)
    person.say("Meetings go faster")
    story_id = person.state.story_id
    assert story_id is not None
    person.press(encode(Action.TOGGLE, story_id, "how", "watching"))
    assert suggestions(person.press(encode(Action.DONE, story_id, "how"))) == []


def test_any_dish_can_be_ordered_from_the_menu_but_not_mid_story(person: CheckinPerson) -> None:
    step_id = order_dish(person, "Peer consultation", W.this_month)
    (step,) = rows_of(person, StepStatus.OPEN)
    assert (step.id, step.dish, step.due) == (step_id, "peer_consultation", Due.MONTH)
    person.command("reflect")
    question = person.state
    person.command("menu")
    refused = person.tap(W.choose)
    assert refused.replies[0].text == T.in_progress and refused.state == question


def test_a_typed_message_under_when_gets_the_buttons_again(person: CheckinPerson) -> None:
    person.command("menu")
    person.tap(W.choose)
    person.tap("Speed coaching")
    outcome = person.say("next week")
    assert outcome.replies[0].text == W.tap_a_button
    assert outcome.replies[1].buttons and outcome.state.step is Step.ORDER_WHEN


def test_the_story_follow_up_names_its_answer_in_dutch(world: object) -> None:
    dutch = world.person(language="nl")  # type: ignore[attr-defined]
    tell_story(dutch, {"next_step": ("time",)}, {"next_step": "een rustige ochtend"})
    dutch.tap(dutch.guide.next_steps.not_now)
    step = dutch.open_next_step()
    assert step is not None and step.story_choices == ("time",)
    assert step.story_text == "een rustige ochtend"
    assert option("next_step", "time", "nl") == "Tijd"
