"""Check-in settings: place, rhythm, day, time, weekend; pausing and resuming.

A place is confirmed at once when what the person typed names one place only; otherwise
they choose among the candidates. Choosing another place counts as a move (and earns
one question about it) unless it corrects the choice made shortly before.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.checkins import messages as checkin_messages
from flows.checkins.place_names import name_key
from flows.checkins.places import (
    Place,
    find_places,
    local_time_text,
    nearest_place,
    place_by_id,
    quick_picks,
    zone_at,
    zone_name,
)
from flows.checkins.schedule import OPEN_PAUSE, CheckinRule, Rhythm, allowed_hours, next_checkin_at
from flows.dates import clock, day_text, parse_date
from flows.events import Command, Location, Text
from flows.replies import Button, Outcome, Reply, SaveCheckinRule
from flows.states import State, Step
from flows.turn import Turn
from flows.views import CheckinView

SUGGESTED_PLACES = ("Den Haag", "Brussels", "London", "New York", "Nairobi", "Beijing")
MAX_CANDIDATES = 6
PAUSE_DAYS = {"7": 7, "14": 14, "30": 30}
CORRECTION = timedelta(minutes=15)  # another place chosen this soon corrects, not moves
_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*$")


def _idle(turn: Turn) -> State:
    return State(draft_id=turn.state.draft_id)


def _zone_page(turn: Turn, prompt: str) -> Outcome:
    """Ask where the person is; their next text or location answers."""
    picks = list(quick_picks(SUGGESTED_PLACES))
    reply = checkin_messages.place_choices(prompt, picks, turn.view.now)
    return turn.outcome(State(step=Step.SETTINGS_ZONE, draft_id=turn.state.draft_id), reply)


def place_at(latitude: float, longitude: float) -> Place | None:
    """The place of a shared location: its nearest city, else its zone; None at sea."""
    zone = zone_at(latitude, longitude)
    if zone is None:
        return None
    return nearest_place(latitude, longitude, zone) or Place(zone_name(zone), "", zone)


def _save(turn: Turn, rule: CheckinRule, *before: Reply, edit: bool = True) -> Outcome:
    """Store a changed rule with its next check-in, and show the menu."""
    old = turn.view.checkin
    last = old.last_at if old else None
    next_at = next_checkin_at(rule, now=turn.view.now, last_checkin=last)
    view = CheckinView(rule, next_at, last, 0)
    shown = checkin_messages.menu(turn.guide, view, turn.view.now, edit=edit and not before)
    return Outcome(_idle(turn), (*before, shown), (SaveCheckinRule(rule, next_at),))


def on_command(turn: Turn, command: Command) -> Outcome:
    """/settings, /pause and /resume."""
    texts, checkin = turn.guide.settings, turn.view.checkin
    if checkin is None:
        if command.name == "settings":
            return _zone_page(turn, f"{texts.menu_not_set}\n\n{texts.zone_prompt}")
        return turn.outcome(_idle(turn), Reply(texts.needs_zone))
    if command.name == "pause":
        if command.args:
            return _pause_until_text(turn, command.args)
        return _pause_prompt(turn)
    if command.name == "resume":
        return _resume(turn, checkin)
    return turn.outcome(_idle(turn), checkin_messages.menu(turn.guide, checkin, turn.view.now))


def offer(turn: Turn) -> Reply:
    """After a first story: would the person like check-ins?"""
    texts = turn.guide.settings
    buttons = (
        (Button(texts.set_up, encode(Action.SETTINGS_PAGE, "zone")),),
        (Button(texts.no_thanks, encode(Action.CLOSE_SETTINGS)),),
    )
    return Reply(texts.offer, buttons)


def on_text(turn: Turn, message: Text) -> Outcome:
    """A typed city, time or date, depending on the page the person is on."""
    if turn.state.step is Step.SETTINGS_ZONE:
        places = find_places(message.text, limit=MAX_CANDIDATES)
        if not places:
            return turn.outcome(None, Reply(turn.guide.settings.zone_not_found))
        if len(places) == 1:  # one clear match: no need to ask which
            return _set_place(turn, places[0], edit=False)
        prompt = turn.guide.settings.zone_pick
        return turn.outcome(None, checkin_messages.place_choices(prompt, places, turn.view.now))
    if turn.state.step is Step.SETTINGS_TIME:
        at = parse_time(message.text)
        if at is None or turn.view.checkin is None:
            hours, invalid = allowed_hours(), turn.guide.settings.time_invalid
            text = invalid.format(earliest=clock(hours.start), latest=clock(hours.end))
            return turn.outcome(None, Reply(text))
        return _save(turn, replace(turn.view.checkin.rule, at=at), edit=False)
    return _pause_until_text(turn, message.text)


def on_location(turn: Turn, location: Location) -> Outcome:
    """A shared location sets the place (its nearest city) and time zone."""
    place = place_at(location.latitude, location.longitude)
    if place is None:
        return turn.outcome(None, Reply(turn.guide.settings.location_unknown))
    return _set_place(turn, place, edit=False)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Buttons of the settings pages."""
    texts, checkin = turn.guide.settings, turn.view.checkin
    arg = pressed.args[0] if pressed.args else ""
    if pressed.action is Action.SET_ZONE:
        return _set_place(turn, Place(zone_name(arg), "", arg), edit=True)
    if pressed.action is Action.SET_PLACE:
        return _pressed_place(turn, pressed.args)
    if pressed.action is Action.CLOSE_SETTINGS:
        return _close(turn)
    if pressed.action is Action.SETTINGS_PAGE and arg not in checkin_messages.PAGES:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if pressed.action is Action.SETTINGS_PAGE and (arg == "zone" or checkin is None):
        return _zone_page(turn, texts.zone_prompt)
    if checkin is None:
        return turn.outcome(notice=texts.needs_zone)
    rule = checkin.rule
    match pressed.action:
        case Action.SETTINGS:
            return turn.outcome(
                _idle(turn), checkin_messages.menu(turn.guide, checkin, turn.view.now)
            )
        case Action.SETTINGS_PAGE:
            step = Step.SETTINGS_TIME if arg == "time" else Step.IDLE
            reply = checkin_messages.page(turn.guide, arg)
            return turn.outcome(State(step=step, draft_id=turn.state.draft_id), reply)
        case Action.SET_RHYTHM if arg in set(Rhythm):
            return _save(turn, replace(rule, rhythm=Rhythm(arg)))
        case Action.SET_WEEKDAY if arg.isdigit() and int(arg) < 7:
            return _save(turn, replace(rule, weekday=int(arg)))
        case Action.SET_TIME if (at := parse_time(arg)) is not None:
            return _save(turn, replace(rule, at=at))
        case Action.SET_WEEKEND if re.fullmatch(r"-|[0-6]{1,6}", arg):
            return _save(turn, replace(rule, weekend=frozenset(int(c) for c in arg if c != "-")))
        case Action.PAUSE if arg in PAUSE_DAYS or arg == "0":
            today = turn.view.now.astimezone(rule.tz).date()
            # "one week" from a Monday: paused up to and including Sunday, back on Monday
            until = OPEN_PAUSE if arg == "0" else today + timedelta(PAUSE_DAYS[arg] - 1)
            return _pause(turn, checkin, until, edit=True)
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def _pressed_place(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """A city's button: its geonames id and which of its names was shown."""
    city_id = decode_id(args[0])
    place = None
    if city_id is not None and args[1].isdigit() and len(args[1]) < 4:
        place = place_by_id(city_id, int(args[1]))
    if place is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    return _set_place(turn, place, edit=True)


def _set_place(turn: Turn, place: Place, *, edit: bool) -> Outcome:
    """A place chosen: the next check-in follows its zone; a real move earns one question."""
    texts, old, now = turn.guide.settings, turn.view.checkin, turn.view.now
    try:
        if old is None:
            rule = CheckinRule(place.zone, place=place.name, placed_at=now)
        else:
            rule = replace(old.rule, zone=place.zone, place=place.name, placed_at=now)
    except ValueError:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    local = local_time_text(place.zone, now, turn.guide.language)
    replies = [Reply(texts.zone_set.format(place=place.name, local_time=local), edit=edit)]
    saved = _save(turn, rule, *replies)
    if old is not None and is_move(old.rule, rule, now):
        button = Button(texts.reflect_on_move, encode(Action.REFLECT_MOVE))
        saved = replace(saved, replies=(*saved.replies, Reply(texts.moved, ((button,),))))
    return saved


def is_move(old: CheckinRule, new: CheckinRule, now: datetime) -> bool:
    """Another zone, or another named place, and not a correction of a recent choice."""
    if old.placed_at is not None and now - old.placed_at <= CORRECTION:
        return False
    if old.zone != new.zone:
        return True
    return bool(old.place and new.place) and name_key(old.place) != name_key(new.place)


def _close(turn: Turn) -> Outcome:
    texts, checkin = turn.guide.settings, turn.view.checkin
    if checkin is None:  # "no, thanks" to the offer: remembered as check-ins switched off
        declined = CheckinRule("UTC", rhythm=Rhythm.OFF)
        return Outcome(
            _idle(turn), (Reply(texts.off, edit=True),), (SaveCheckinRule(declined, None),)
        )
    if checkin.rule.rhythm is Rhythm.OFF:
        return turn.outcome(_idle(turn), Reply(texts.off, edit=True))
    next_text = checkin_messages.when(
        checkin.next_at, checkin.rule.zone, turn.guide.language, turn.view.now
    )
    return turn.outcome(_idle(turn), Reply(texts.saved.format(next=next_text), edit=True))


def _pause_prompt(turn: Turn) -> Outcome:
    texts = turn.guide.settings
    options = [("7", texts.pause_week), ("14", texts.pause_two_weeks), ("30", texts.pause_month)]
    buttons = [Button(label, encode(Action.PAUSE, d)) for d, label in options]
    open_button = Button(texts.pause_open, encode(Action.PAUSE, "0"))
    reply = Reply(texts.pause_prompt, (tuple(buttons), (open_button,)))
    return turn.outcome(State(step=Step.SETTINGS_PAUSE, draft_id=turn.state.draft_id), reply)


def _pause_until_text(turn: Turn, text: str) -> Outcome:
    checkin = turn.view.checkin
    if checkin is None:
        return turn.outcome(None, Reply(turn.guide.settings.pause_invalid))
    today = turn.view.now.astimezone(checkin.rule.tz).date()
    until = parse_date(text, turn.guide.language, today)
    if until is None or until < today:
        return turn.outcome(None, Reply(turn.guide.settings.pause_invalid))  # past: no pause
    return _pause(turn, checkin, until)


def _pause(turn: Turn, checkin: CheckinView, until: date, *, edit: bool = False) -> Outcome:
    """Pause up to and including ``until``; say when check-ins come back."""
    texts, language, now = turn.guide.settings, turn.guide.language, turn.view.now
    saved = _save(turn, replace(checkin.rule, paused_until=until))
    if until == OPEN_PAUSE:
        line = texts.paused_open
    else:
        effect = saved.effects[0]
        assert isinstance(effect, SaveCheckinRule)
        today = now.astimezone(checkin.rule.tz).date()
        line = texts.paused_until.format(
            date=day_text(until, language, today),
            next=checkin_messages.when(effect.next_at, checkin.rule.zone, language, now),
        )
    return replace(saved, replies=(Reply(line, edit=edit),))


def _resume(turn: Turn, checkin: CheckinView) -> Outcome:
    texts, language, now = turn.guide.settings, turn.guide.language, turn.view.now
    today = now.astimezone(checkin.rule.tz).date()
    if checkin.rule.paused_until is None or checkin.rule.paused_until < today:
        next_text = checkin_messages.when(checkin.next_at, checkin.rule.zone, language, now)
        return turn.outcome(_idle(turn), Reply(texts.not_paused.format(next=next_text)))
    saved = _save(turn, replace(checkin.rule, paused_until=None))
    effect = saved.effects[0]
    assert isinstance(effect, SaveCheckinRule)
    next_text = checkin_messages.when(effect.next_at, checkin.rule.zone, language, now)
    return replace(saved, replies=(Reply(texts.resumed.format(next=next_text)),))


def parse_time(text: str) -> time | None:
    """'9:30', '09.30', '16', '1600' -> a time within the allowed hours, else None."""
    digits = text.strip()
    if re.fullmatch(r"\d{3,4}", digits):
        digits = f"{digits[:-2]}:{digits[-2:]}"
    match = _TIME.match(digits)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    at = time(hour, minute)
    return at if at in allowed_hours() else None
