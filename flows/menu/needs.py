"""When a step needs the person's open next step loaded."""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Load, decode
from flows.events import CheckinDue, Command, Event, Press, Text
from flows.states import State, Step
from flows.views import Needs

# a check-in may ask about it; ordering, choosing and the follow-up show or check it;
# Done or Skip under a question may finish a check-in (no dish offered that is already
# theirs); a typed answer or a tick never does: nothing loaded for them
_STEPS = frozenset(
    {
        Step.CHOOSE_DISH,
        Step.OWN_DISH,
        Step.ORDER_WHEN,
        Step.FOLLOW_UP,
        Step.FOLLOW_UP_KEEP,
    }
)


_FINISHING = frozenset({Action.DONE, Action.SKIP})  # may finish a check-in: a dish offered


def menu_needs(state: State, event: Event, needed: Needs) -> Needs:
    """``needed``, with the open next step when this event may use it."""
    if _wants(state, event):
        return replace(needed, next_step=True)
    return needed


def _wants(state: State, event: Event) -> bool:
    match event:
        case CheckinDue() | Command(name="checkin"):
            return True
        case Press(data=data):
            pressed = decode(data)
            if pressed is None:
                return False
            finishes = pressed.action in _FINISHING and state.step is Step.QUESTION
            return Load.NEXT_STEP in pressed.action.loads or finishes
        case Text():
            return state.step in _STEPS
    return False
