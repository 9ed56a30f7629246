"""The pair interview's place in the conversation: what its steps need loaded, and
which event goes to which step (``flows.dialogue`` asks ``on_event`` first)."""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Handler, Pressed, decode, decode_id
from flows.events import CheckinDue, Command, Edited, Event, Location, Media, Press, Text
from flows.pair import invite, newcomer, notes, parts
from flows.pair.data import START, PairNeeds
from flows.pair.moves import ended, words
from flows.replies import Outcome, Reply
from flows.states import State, Step
from flows.turn import Turn
from flows.views import Needs

COMMANDS = frozenset({"pair", "stop"})
LARGEST_ID = 2**63 - 1  # a BIGINT
STEPS = (Step.PAIR_INVITED, Step.PAIR_ASKING, Step.PAIR_CORRECTING)
TYPING = (Step.PAIR_ASKING, Step.PAIR_CORRECTING)  # a text answers the pair
PASS = frozenset({"help", "privacy", "export", "forget", "language"})  # also mid-interview


def _pressed(event: Event) -> Pressed | None:
    """A pair button, decoded (None: not one)."""
    pressed = decode(event.data) if isinstance(event, Press) else None
    return pressed if pressed is not None and pressed.action.handler is Handler.PAIR else None


def _pair_id(pressed: Pressed) -> int | None:
    """The pair a button names (its first argument), when it names one that can be stored
    (forged data may name any number)."""
    pair_id = decode_id(pressed.args[0]) if "pair" in pressed.action.args else None
    return pair_id if pair_id is not None and pair_id <= LARGEST_ID else None


def _forgets(event: Event) -> bool:
    """/forget confirmed: a pair the person is in ends with them."""
    pressed = decode(event.data) if isinstance(event, Press) else None
    return pressed is not None and pressed.action is Action.FORGET_YES


def farewell(turn: Turn, outcome: Outcome) -> Outcome:
    """After any step: /forget in the middle of a pair tells the partner (``invite``)."""
    return invite.farewell(turn, outcome) if turn.view.pair is not None else outcome


def is_link(event: Event) -> bool:
    """/start with an invitation's token."""
    return isinstance(event, Command) and event.name == "start" and event.args.startswith(START)


def needs(state: State, event: Event, base: Needs) -> Needs:
    """Which pair to load: the link's, the button's, the step's, or the person's own."""
    wanted: PairNeeds | None = None
    if is_link(event):
        assert isinstance(event, Command)
        wanted = PairNeeds(token=event.args.removeprefix(START))
    elif isinstance(event, Command) and event.name in COMMANDS:
        wanted = PairNeeds()
    elif (pressed := _pressed(event)) is not None:
        wanted = PairNeeds(pair_id=_pair_id(pressed))
    elif state.step in STEPS and state.pair is not None:
        wanted = PairNeeds(pair_id=state.pair)
    elif isinstance(event, Text) and state.split is not None and state.split.pair:
        wanted = PairNeeds(pair_id=state.split.story)  # perhaps the next part of an answer
    elif isinstance(event, CheckinDue) or _forgets(event):  # a check-in waits; /forget ends it
        wanted = PairNeeds()
    return base if wanted is None else replace(base, pair=wanted)


def on_event(turn: Turn, event: Event) -> Outcome | None:
    """The pair's step for this event, or None when it is not the pair's."""
    if is_link(event):
        return newcomer.open_link(turn)
    if isinstance(event, Command) and event.name == "pair":
        return invite.on_command(turn)
    if isinstance(event, Command) and event.name == "stop":
        return invite.stop(turn)
    if (pressed := _pressed(event)) is not None:
        assert isinstance(event, Press)
        return _on_press(turn, pressed, event.message_id)
    if isinstance(event, Text) and parts.continues(turn):  # the next part of a long answer
        return parts.join(turn, event)
    if turn.state.step not in TYPING:
        return None
    match event:
        case Text() if turn.state.step is Step.PAIR_ASKING:
            return notes.on_text(turn, event)
        case Text():
            return notes.on_correction(turn, event)
        case Media() | Location():
            return turn.outcome(None, Reply(words(turn).text_only))
        case Edited():  # the note keeps what was sent; the one who tells corrects it
            return turn.outcome(None, Reply(words(turn).edit_not_noted))
        case Command(name=name) if name not in PASS:
            return turn.outcome(None, Reply(words(turn).commands_wait))
    return None


def _on_press(turn: Turn, pressed: Pressed, message_id: int | None) -> Outcome:
    """A pair button, by its action; the pair it names is checked by each step."""
    action, args = pressed.action, pressed.args
    if action is Action.PAIR_ROLE:
        return invite.invite(turn, args[0])
    if action is Action.PAIR_NOT_NOW:
        return invite.not_now(turn)
    pair_id = _pair_id(pressed)
    if pair_id is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    match action:
        case Action.PAIR_LANGUAGE:
            return newcomer.choose_language(turn, args[1])
        case Action.PAIR_ACCEPT:
            return invite.accept(turn, pair_id)
        case Action.PAIR_START:
            return invite.start(turn, pair_id)
        case Action.PAIR_SWAP:
            return invite.swap(turn, pair_id)
        case Action.PAIR_STOP:
            return invite.stop(turn, pair_id, pressed=True)
        case Action.PAIR_TOGGLE:
            return notes.toggle(turn, pair_id, args[1], args[2], message_id)
        case Action.PAIR_DONE:
            return notes.done(turn, pair_id, args[1])
        case Action.PAIR_SKIP:
            return notes.done(turn, pair_id, args[1], skip=True)
        case Action.PAIR_CORRECT:
            return notes.correct(turn, pair_id, args[1])
        case Action.PAIR_SAVE:
            return notes.save(turn, pair_id)
        case Action.PAIR_DISCARD:
            return notes.discard(turn, pair_id)
    return ended(turn, pair_id, notice=True)
