"""The whole conversation: routes each event to the flow it belongs to.

The runner calls ``needs`` and ``step`` here. Each flow (interview, check-in,
checkins, settings) decides its own steps; this module only chooses the flow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from flows.callbacks import Handler, Pressed, decode
from flows.checkins import due as checkins
from flows.checkins import location_offer
from flows.checkins import settings as checkin_settings
from flows.checkins import story as checkin
from flows.content.guide import guide_for
from flows.events import CheckinDue, Command, Event, Location, Media, Press, Text
from flows.growth import command as growth
from flows.interview import greeting, hello, long_text, thanks
from flows.interview import steps as interview
from flows.menu import command as menu_command
from flows.menu import compose, follow_up, invitation, next_step
from flows.menu.needs import menu_needs
from flows.pair import route as pair
from flows.privacy import commands as privacy
from flows.replies import Outcome, PersonActive
from flows.states import State, Step
from flows.teams import membership as teams
from flows.teams import photo_command as photos
from flows.teams import quotes
from flows.turn import IN_STORY, Turn, repaired, where_we_are
from flows.views import Needs, PersonView

SETTINGS_COMMANDS = frozenset({"settings", "pause", "resume"})
SETTINGS_STEPS = frozenset({Step.SETTINGS_ZONE, Step.SETTINGS_TIME, Step.SETTINGS_PAUSE})


def needs(state: State, event: Event) -> Needs:
    """What the runner must load (the check-in settings are always loaded)."""
    base = invitation.needs(
        event, teams.needs(event, privacy.needs(event, interview.needs(state, event)))
    )
    base = growth.needs(state, event, base)
    wanted = menu_command.needs(state, event)
    base = pair.needs(state, event, menu_needs(state, event, base))
    return base if wanted is None else replace(base, teams=wanted)


def step(view: PersonView, event: Event) -> Outcome:
    """Decide one step; anything the person does also marks them as active."""
    turn = repaired(Turn(view, guide_for(view.language)))
    if isinstance(event, Text) and long_text.continues(turn):
        outcome = long_text.join(turn, event)
    else:
        outcome = pair.farewell(turn, _route(turn, event))
    if isinstance(event, Text):
        outcome = long_text.after(outcome, event, view.now)
    if isinstance(event, CheckinDue):
        return outcome
    return replace(outcome, effects=(*outcome.effects, PersonActive()))


def _route(turn: Turn, event: Event) -> Outcome:
    step_now = turn.state.step
    if hello.is_hello(event):  # someone passed the bot's link on: introduce it, then greet
        return hello.introduce(turn, _route(turn, hello.GREETING))
    if (paired := pair.on_event(turn, event)) is not None:  # before all: two people wait
        return paired
    if greeting.asks_language(turn, event):  # first contact: which language, before all
        return greeting.ask_language(_leave_settings(turn), event)
    if (invited := invitation.on_event(turn, event)) is not None:
        return invited
    match event:
        case CheckinDue():
            return checkins.on_due(turn)
        case Command(name="checkin"):
            return checkin.start(_leave_settings(turn))
        case Command(name=growth.COMMAND):
            return growth.on_command(_leave_settings(turn))
        case Command(name="menu"):
            return menu_command.on_command(turn)
        case Command(name=name) if name in SETTINGS_COMMANDS and step_now in IN_STORY:
            # Settings may change mid-story, but the story keeps its place.
            return _story_keeps_its_place(turn, checkin_settings.on_command(turn, event))
        case Command(name=name) if name in SETTINGS_COMMANDS:
            return checkin_settings.on_command(turn, event)
        case Command(name=name) if name in privacy.PRIVACY_COMMANDS:
            return privacy.on_command(_leave_settings(turn), event)
        case Command(name=name) if name in teams.TEAM_COMMANDS or teams.is_invite_start(event):
            return teams.on_command(_leave_settings(turn), event)
        case Command():
            return interview.handle(_leave_settings(turn), event)
        case Press():
            return _on_press(turn, event)
        case Text() if step_now is Step.CHECKIN_ASKED:
            return checkin.answer_checkin(turn, event)
        case Text() if step_now is Step.CHECKIN_THROUGH:
            return checkin.answer_through(turn, event)
        case Text() if step_now is Step.MENU_OWN:
            return compose.on_text(turn, event.text)
        case Text() | Media() if step_now in next_step.STEPS:
            return next_step.on_input(turn, event)
        case Text() | Media() if step_now in follow_up.STEPS:
            return follow_up.on_input(turn, event)
        case Text() | Media() if step_now in growth.STEPS:
            return growth.on_input(turn, event)
        case Text() if step_now in SETTINGS_STEPS:
            return checkin_settings.on_text(turn, event)
        case Location() if step_now is Step.SETTINGS_ZONE:
            return checkin_settings.on_location(turn, event)
        case Location():  # not asked for: offered for the check-ins
            return location_offer.offer(turn, event)
    return interview.handle(turn, event)


def _on_press(turn: Turn, press: Press) -> Outcome:
    """A button, routed by its handler in the table (``flows.callbacks.Action``)."""
    pressed = decode(press.data)
    if pressed is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    match pressed.action.handler:
        case Handler.INTERVIEW | Handler.QUESTION | Handler.STORY:
            return interview.on_press(turn, pressed)
        case Handler.LANGUAGE:
            return greeting.on_press(turn, pressed)
        case Handler.CHECKIN:
            return checkins.on_press(turn, pressed)
        case Handler.CHECKIN_STORY:
            return checkin.on_press(turn, pressed)
        case Handler.SETTINGS:
            return checkin_settings.on_press(turn, pressed)
        case Handler.PLACE if turn.state.step in IN_STORY:
            # tapped mid-story, or offered for a location shared mid-story
            return _story_keeps_its_place(turn, checkin_settings.on_press(turn, pressed))
        case Handler.PLACE:
            return checkin_settings.on_press(turn, pressed)
        case Handler.REFLECT:
            return interview.begin(_leave_settings(turn))
        case Handler.PRIVACY:
            return privacy.on_press(turn, pressed)
        case Handler.TEAM:
            return teams.on_press(turn, pressed)
        case Handler.TEAM_ADMIN:
            return teams.on_admin_press(turn, pressed)
        case Handler.PHOTO:
            return photos.on_press(turn, pressed)
        case Handler.QUOTE:
            return _on_quote(turn, pressed)
        case Handler.NEXT_STEP:
            return next_step.on_press(turn, pressed)
        case Handler.FOLLOW_UP:
            return follow_up.on_press(turn, pressed)
        case Handler.MENU:
            return compose.on_press(turn, pressed)
        case Handler.INVITE:
            return invitation.on_press(turn, pressed)
        case Handler.THANKS:
            return thanks.on_press(turn, pressed)
        case Handler.GROWTH:
            return growth.on_press(turn, pressed)
        case Handler.PAIR:  # (taken by pair.on_event before this)
            return turn.outcome(notice=turn.guide.texts.invalid_button)
        case _:
            assert_never(pressed.action.handler)


def _on_quote(turn: Turn, pressed: Pressed) -> Outcome:
    story = turn.story(pressed.story_id)
    if story is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    return quotes.on_press(turn, pressed, story)


def _story_keeps_its_place(turn: Turn, shown: Outcome) -> Outcome:
    """A settings step taken mid-story: its replies, then the story's question again."""
    return replace(shown, state=turn.state, replies=(*shown.replies, *where_we_are(turn)))


def _leave_settings(turn: Turn) -> Turn:
    """A command or a new story ends a settings page, an open checkin question, or the optional
    question after a check-in where nothing went better."""
    leaves = (
        *SETTINGS_STEPS,
        *invitation.STEPS,
        *next_step.STEPS,
        *follow_up.STEPS,
        Step.CHECKIN_ASKED,
        Step.CHECKIN_THROUGH,
        *growth.STEPS,
        Step.PAIR_INVITED,
    )
    if turn.state.step not in leaves:
        return turn
    return Turn(replace(turn.view, state=State(draft_id=turn.state.draft_id)), turn.guide)
