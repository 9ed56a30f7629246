"""Ordering a next step: the suggested dish, one chosen from the card, or one's own.

A next step is the person's alone, and one is open at a time: ordering another replaces
it. It is recorded at once, without a date; then "when?" (this week, this month, no date)
sets one. After a story, its "what will help next" answer becomes the next step to
follow up, unless it says nothing is needed now or a dish is already ordered.
After a follow-up ("choose another"), the check-in goes on once the new one is ordered.
"""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.events import Event, Media, Text, is_blank
from flows.menu import share_dish
from flows.menu.card import menu
from flows.menu.effects import OrderNextStep, SetNextStepDue
from flows.menu.invitation import invite_button
from flows.menu.suggest import OWN_DISH_LIMIT, dish_name, follows_up, offer, offered, step_name
from flows.menu.views import Due, NextStepView
from flows.replies import Button, Effect, Outcome, Reply
from flows.states import State, Step, StoryKind
from flows.turn import IN_STORY, Turn, start_story, where_we_are
from flows.views import StoryView

STEPS = (Step.CHOOSE_DISH, Step.OWN_DISH, Step.ORDER_WHEN)
FOLLOWING_UP = (Step.FOLLOW_UP, Step.FOLLOW_UP_KEEP)
WHEN = {"week": Due.WEEK, "month": Due.MONTH, "none": Due.NONE}  # button argument -> due


def after_story(turn: Turn, story: StoryView) -> tuple[tuple[Reply, ...], tuple[Effect, ...]]:
    """Once a story is saved: the suggestion, and its next-step answer to follow up."""
    open_step = turn.view.next_step
    effects: tuple[Effect, ...] = ()
    if follows_up(story) and not (open_step and open_step.ordered):
        effects = (OrderNextStep(turn.view.new_story_id, story_id=story.id),)
    return offer(turn.guide, story, open_step), effects


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Order this, not now, something else, choose a dish, a dish, when."""
    words = turn.guide.next_steps
    match pressed.action:
        case Action.SUGGESTION_NOT_NOW:
            return turn.outcome(None, Reply(words.not_now_done, edit=True))
        case Action.WHEN:
            return _when(turn, pressed)
        case Action.SHARE_DISH:
            return share_dish.on_press(turn, pressed)
    if turn.state.step in IN_STORY:  # a story keeps its place
        return turn.outcome(None, Reply(turn.guide.texts.in_progress), *where_we_are(turn))
    match pressed.action:
        case Action.ORDER:
            return _order_suggested(turn, pressed)
        case Action.OWN_DISH:
            state = _state(turn, Step.OWN_DISH)
            return turn.outcome(state, Reply(words.own_prompt, edit=True))
        case Action.CHOOSE_DISH:
            return choose(turn)
        case Action.MENU_DISH if dish_name(turn.guide, pressed.args[0]) is not None:
            return order(turn, pressed.args[0], edit=True)
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def choose(turn: Turn, *, then_checkin: bool | None = None, edit: bool = False) -> Outcome:
    """The card's dishes as buttons, and something of one's own."""
    words = turn.guide.next_steps
    names = menu().in_language(turn.guide.language).dishes
    rows = [
        (Button(names[key].name, encode(Action.MENU_DISH, key)),) for key in _dishes_offered(turn)
    ]
    rows.append((Button(words.something_else, encode(Action.OWN_DISH)),))
    state = _state(turn, Step.CHOOSE_DISH, then_checkin=then_checkin)
    return turn.outcome(state, Reply(words.choose_prompt, tuple(rows), edit=edit))


def _dishes_offered(turn: Turn) -> list[str]:
    """The shipped dishes of the person's team's card in its order (hidden ones left
    out), or of the default card."""
    teams = turn.view.teams
    if teams is not None and teams.menu is not None:
        courses = menu().card.courses
        return [d.key for c in courses for d in teams.menu.visible(c) if not d.own]
    return [dish.key for dish in menu().card.dishes]


def order(
    turn: Turn,
    dish: str = "",
    own_dish: str | None = None,
    story_id: int | None = None,
    *,
    edit: bool = False,
) -> Outcome:
    """Record the next step (replacing an open one) and ask when."""
    step = NextStepView(turn.view.new_story_id, dish, own_dish, story_id)
    state = _state(turn, Step.ORDER_WHEN, step.id)
    effect = OrderNextStep(step.id, dish, own_dish, story_id)
    return Outcome(state, (when_question(turn, step, edit=edit),), (effect,))


def when_question(turn: Turn, step: NextStepView, *, edit: bool = False) -> Reply:
    """When would you like to do it: this week, this month, no date."""
    words = turn.guide.next_steps
    labels = {"week": words.this_week, "month": words.this_month, "none": words.no_date}
    row = tuple(Button(label, encode(Action.WHEN, step.id, due)) for due, label in labels.items())
    text = words.when_prompt.format(step=step_name(turn.guide, step))
    return Reply(text, (row,), edit=edit)


def on_input(turn: Turn, event: Event) -> Outcome:
    """A message while choosing: the own dish when asked for, else the buttons again."""
    words, texts = turn.guide.next_steps, turn.guide.texts
    if turn.state.step is Step.OWN_DISH:
        if not isinstance(event, Text):
            return turn.outcome(None, Reply(texts.media_not_supported), Reply(words.own_prompt))
        own = " ".join(event.text.split())
        if is_blank(event.text):
            return turn.outcome(None, Reply(words.own_prompt))
        if len(own) > OWN_DISH_LIMIT:
            return turn.outcome(None, Reply(words.own_too_long.format(limit=OWN_DISH_LIMIT)))
        return order(turn, own_dish=own)
    note = Reply(texts.media_not_supported if isinstance(event, Media) else words.tap_a_button)
    if turn.state.step is Step.CHOOSE_DISH:
        shown = choose(turn, then_checkin=turn.state.then_checkin)
        return replace(shown, replies=(note, *shown.replies))
    step = turn.view.next_step
    if step is None or step.id != turn.state.next_step:  # replaced meanwhile
        return turn.outcome(State(draft_id=turn.state.draft_id), Reply(words.passed))
    return turn.outcome(None, note, when_question(turn, step))


def _order_suggested(turn: Turn, pressed: Pressed) -> Outcome:
    """ "Order this" under a suggestion: only the dish suggested for that story."""
    story, dish = turn.story(pressed.story_id), pressed.args[0]
    if story is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    suggested = offered(story, None)
    if suggested is None or suggested.key != dish:  # forged, or the rules changed
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if turn.view.next_step is not None and turn.view.next_step.dish == dish:
        return turn.outcome(notice=turn.guide.next_steps.passed)  # ordered already
    return order(turn, dish, story_id=story.id, edit=True)


def _when(turn: Turn, pressed: Pressed) -> Outcome:
    """This week, this month, no date: for the next step just ordered."""
    words = turn.guide.next_steps
    step_id, due = decode_id(pressed.args[0]), WHEN.get(pressed.args[1])
    step = turn.view.next_step
    if due is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if (
        turn.state.step is not Step.ORDER_WHEN
        or step is None
        or step.id != step_id
        or turn.state.next_step != step_id
    ):
        return turn.outcome(notice=words.passed)
    when = {Due.WEEK: words.when_week, Due.MONTH: words.when_month, Due.NONE: words.when_none}
    text = words.ordered.format(step=step_name(turn.guide, step), when=when[due])
    dish = menu().card.dish(step.dish)
    invite = ((invite_button(turn.guide.language, dish),),) if dish and dish.with_someone else ()
    confirmed = Outcome(
        State(draft_id=turn.state.draft_id),
        (Reply(text, invite, edit=True),),
        (SetNextStepDue(step.id, due),),
    )
    if not turn.state.then_checkin:
        return replace(confirmed, replies=(*confirmed.replies, *share_dish.question(turn, step)))
    idle = Turn(replace(turn.view, state=confirmed.state), turn.guide)
    going_on = start_story(idle, StoryKind.CHECKIN)
    return replace(
        going_on,
        replies=(*confirmed.replies, *going_on.replies),
        effects=(*confirmed.effects, *going_on.effects),
    )


def _state(
    turn: Turn, step: Step, next_step: int | None = None, *, then_checkin: bool | None = None
) -> State:
    """The state of a step in ordering; after a follow-up the check-in goes on afterwards."""
    if then_checkin is None:
        then_checkin = turn.state.then_checkin or turn.state.step in FOLLOWING_UP
    return State(
        step=step, draft_id=turn.state.draft_id, next_step=next_step, then_checkin=then_checkin
    )
