"""The follow-up: the next check-in asks about the open next step first.

"Last time: sparring with a colleague. Did it happen?" Did it (then one HOW question
about what it brought: the check-in's extra question "tried", with the interview's how
options, stored in the check-in like its other answers), not yet (keep it, or choose
another), not for me. Then the usual check-in goes on. A next step asked about three
times without happening is let go quietly, as is one with nothing left to name.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.events import Event, Media
from flows.menu import next_step
from flows.menu.effects import CloseNextStep, NextStepAsked
from flows.menu.suggest import step_name
from flows.menu.views import NextStepView, StepStatus
from flows.replies import Button, CreateStory, Effect, Outcome, Reply
from flows.states import State, Step, StoryKind
from flows.turn import Turn, ask, new_story, start_story

STEPS = (Step.FOLLOW_UP, Step.FOLLOW_UP_KEEP)
LET_GO_AFTER = 3  # times "not yet"
TRIED = "tried"  # the check-in's question about what the next step brought


def pending(turn: Turn) -> tuple[NextStepView | None, tuple[Effect, ...]]:
    """The open next step a check-in asks about first, or the effect that lets it go."""
    step = turn.view.next_step
    if step is None:
        return None, ()
    if step.asked >= LET_GO_AFTER or not step_name(turn.guide, step):
        return None, (CloseNextStep(step.id, StepStatus.LET_GO),)
    return step, ()


def question(turn: Turn, step: NextStepView) -> str:
    """Last time: ... Did it happen?"""
    return turn.guide.next_steps.follow_up.format(step=step_name(turn.guide, step))


def buttons(turn: Turn, step: NextStepView) -> tuple[Button, ...]:
    """Did it, not yet, not for me."""
    words = turn.guide.next_steps
    return (
        Button(words.did_it, encode(Action.FOLLOW_DID, step.id)),
        Button(words.not_yet, encode(Action.FOLLOW_NOT_YET, step.id)),
        Button(words.not_for_me, encode(Action.FOLLOW_NOT_FOR_ME, step.id)),
    )


def asking(turn: Turn, step: NextStepView, asked_at: datetime | None = None) -> State:
    """The state of a check-in waiting for the answer about ``step`` (``asked_at``: when a
    due check-in asked, as for its own question)."""
    return State(
        step=Step.FOLLOW_UP, draft_id=turn.state.draft_id, next_step=step.id, asked_at=asked_at
    )


def start_checkin(turn: Turn) -> Outcome:
    """/checkin: the follow-up first if a next step is open, else the check-in itself."""
    step, let_go = pending(turn)
    if step is None:
        return start_story(_idle(turn), StoryKind.CHECKIN, *let_go)
    reply = Reply(question(turn, step), (buttons(turn, step),))
    return turn.outcome(asking(turn, step), reply)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Did it, not yet, not for me; after not yet: keep it, or choose another."""
    words = turn.guide.next_steps
    step, step_id = turn.view.next_step, decode_id(pressed.args[0])
    waits_for = Step.FOLLOW_UP_KEEP if pressed.action in _AFTER_NOT_YET else Step.FOLLOW_UP
    if (
        step is None
        or step.id != step_id
        or turn.state.step is not waits_for
        or turn.state.next_step != step_id
    ):
        return turn.outcome(notice=words.passed)
    name = step_name(turn.guide, step)
    match pressed.action:
        case Action.FOLLOW_DID:
            return _did_it(turn, step, name)
        case Action.FOLLOW_NOT_YET:
            state = turn.state.model_copy(update={"step": Step.FOLLOW_UP_KEEP})
            reply = replace(_keep_or_another(turn, step), edit=True)
            return Outcome(state, (reply,), (NextStepAsked(step.id),))
        case Action.FOLLOW_NOT_FOR_ME:
            closed = CloseNextStep(step.id, StepStatus.NOT_FOR_ME)
            return _checkin_goes_on(turn, words.not_for_me_done.format(step=name), closed)
        case Action.FOLLOW_KEEP:
            return _checkin_goes_on(turn, words.kept.format(step=name))
        case Action.FOLLOW_ANOTHER:
            return next_step.choose(turn, then_checkin=True, edit=True)
    return turn.outcome(notice=turn.guide.texts.invalid_button)


_AFTER_NOT_YET = (Action.FOLLOW_KEEP, Action.FOLLOW_ANOTHER)


def on_input(turn: Turn, event: Event) -> Outcome:
    """A message instead of a tap: a kind word, and the question again."""
    words, step = turn.guide.next_steps, turn.view.next_step
    if step is None or step.id != turn.state.next_step:  # closed or replaced meanwhile
        return start_checkin(_idle(turn))
    said = turn.guide.texts.media_not_supported if isinstance(event, Media) else words.tap_a_button
    if turn.state.step is Step.FOLLOW_UP:
        again = Reply(question(turn, step), (buttons(turn, step),))
    else:
        again = _keep_or_another(turn, step)
    return turn.outcome(None, Reply(said), again)


def _keep_or_another(turn: Turn, step: NextStepView) -> Reply:
    """Not yet: keep it for next time, or choose another?"""
    words = turn.guide.next_steps
    keep = Button(words.keep, encode(Action.FOLLOW_KEEP, step.id))
    another = Button(words.choose_another, encode(Action.FOLLOW_ANOTHER, step.id))
    text = words.not_yet_prompt.format(step=step_name(turn.guide, step))
    return Reply(text, ((keep, another),))


def _did_it(turn: Turn, step: NextStepView, name: str) -> Outcome:
    """Done: one HOW question about what it brought, in a new check-in; then the check-in."""
    done = CloseNextStep(step.id, StepStatus.DONE)
    said = Reply(turn.guide.next_steps.did_it_done.format(step=name), edit=True)
    idle = _idle(turn)
    checkin = new_story(idle, StoryKind.CHECKIN)
    if idle.questions(checkin).question(TRIED) is None:  # an adviser removed it
        return _checkin_goes_on(turn, said.text, done)
    asked = ask(idle, checkin, TRIED)
    created = CreateStory(checkin.id, StoryKind.CHECKIN)
    return replace(asked, replies=(said, *asked.replies), effects=(done, created))


def _checkin_goes_on(turn: Turn, said: str, *effects: Effect) -> Outcome:
    """The follow-up's message says what was noted; the usual check-in follows."""
    going_on = start_story(_idle(turn), StoryKind.CHECKIN)
    return replace(
        going_on,
        replies=(Reply(said, edit=True), *going_on.replies),
        effects=(*effects, *going_on.effects),
    )


def _idle(turn: Turn) -> Turn:
    return Turn(replace(turn.view, state=State(draft_id=turn.state.draft_id)), turn.guide)
