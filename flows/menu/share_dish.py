"""An own dish shared with the team's facilitators, only with its author's consent.

Asked once, when an own dish has been ordered by someone in a team; the facilitators
then see it beside the team's card without any name (``flows.menu.compose``) and may
put it on the card. "No" keeps it theirs alone; "Stop sharing" under the yes takes it
back at any time, from the facilitators' view (not from a card it was already put on).
"""

from __future__ import annotations

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.menu.effects import ShareOwnDish
from flows.menu.views import NextStepView
from flows.replies import Button, Outcome, Reply
from flows.turn import Turn

YES, NO = "y", "n"


def question(turn: Turn, step: NextStepView) -> tuple[Reply, ...]:
    """May the team's facilitators see this own dish? (None asked outside a team.)"""
    teams = turn.view.teams
    if not step.own_dish or teams is None or teams.team is None:
        return ()
    words = turn.guide.next_steps
    buttons = (
        (
            Button(words.share_yes, encode(Action.SHARE_DISH, step.id, YES)),
            Button(words.share_no, encode(Action.SHARE_DISH, step.id, NO)),
        ),
    )
    return (Reply(words.share_question.format(team=teams.team.name), buttons),)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Yes, for the person's own open step in a team; no (or stop sharing) for any step
    of theirs, open or not (storage only ever changes their own)."""
    words, teams, step = turn.guide.next_steps, turn.view.teams, turn.view.next_step
    step_id, answer = decode_id(pressed.args[0]), pressed.args[1]
    if step_id is None or answer not in (YES, NO):
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if answer == NO:
        return Outcome(
            turn.state, (Reply(words.kept_private, edit=True),), (ShareOwnDish(step_id, False),)
        )
    team = teams.team if teams is not None else None
    if step is None or step.id != step_id or not step.own_dish or team is None:
        return turn.outcome(notice=words.passed)
    stop = ((Button(words.stop_sharing, encode(Action.SHARE_DISH, step_id, NO)),),)
    said = Reply(words.shared.format(team=team.name), stop, edit=True)
    return Outcome(turn.state, (said,), (ShareOwnDish(step_id, True),))
