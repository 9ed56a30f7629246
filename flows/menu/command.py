"""/menu: the learning menu card, in the person's language: their team's card when
their team's facilitator composed one, with a button to compose it for facilitators.

A story or question in progress keeps its place: it is shown again under the card.
"""

from __future__ import annotations

from flows.callbacks import Action, encode
from flows.events import Command, Event, Text
from flows.menu import invitation
from flows.menu.card import menu
from flows.menu.compose import compose_buttons
from flows.menu.render import card_text
from flows.replies import Button, Outcome, Reply
from flows.states import State, Step
from flows.teams.views import TeamNeeds
from flows.turn import Turn, where_we_are


def needs(state: State, event: Event) -> TeamNeeds | None:
    """/menu: the person's teams and their team's card; an own dish typed: the card of
    the team it is for."""
    if isinstance(event, Command) and event.name == "menu":
        return TeamNeeds(own_menu=True)
    if isinstance(event, Text) and state.step is Step.MENU_OWN:
        return TeamNeeds(menu=state.team_id)
    return None


def on_command(turn: Turn) -> Outcome:
    """The card, then where the person was."""
    teams = turn.view.teams
    team = teams.team if teams is not None and teams.menu is not None else None
    card = teams.menu if teams is not None and team is not None else None
    text = card_text(menu(), turn.guide.language, card, team.name if team else None)
    invite = (invitation.menu_button(turn.guide.language),)  # a card for a colleague
    order = (Button(turn.guide.next_steps.choose, encode(Action.CHOOSE_DISH)),)  # a next step
    shown = Reply(text, (order, invite, *compose_buttons(turn)))
    return turn.outcome(None, shown, *where_we_are(turn))
