"""Check-in settings: time zone, rhythm, day, time, weekend; pausing and resuming."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time, timedelta

from flows import nudge_render
from flows.callbacks import Action, Pressed, encode
from flows.dates import parse_date
from flows.events import Command, Location, Text
from flows.places import Place, find_places, local_time_text, quick_picks, zone_at
from flows.replies import Button, Outcome, Reply, SaveNudgeRule
from flows.schedule import DAY_END, DAY_START, OPEN_PAUSE, NudgeRule, Rhythm, next_nudge_at
from flows.states import State, Step
from flows.turn import Turn
from flows.views import NudgeView

SUGGESTED_PLACES = ("Den Haag", "Brussels", "London", "New York", "Nairobi", "Beijing")
MAX_CANDIDATES = 6
PAUSE_DAYS = {"7": 7, "14": 14, "30": 30}
_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*$")


def _idle(turn: Turn) -> State:
    return State(draft_id=turn.state.draft_id)


def _label(place: Place, turn: Turn) -> str:
    where = f"{place.name}, {place.country}" if place.country else place.name
    return f"{where} · {local_time_text(place.zone, turn.view.now, turn.guide.language)}"


def _zone_page(turn: Turn, prompt: str) -> Outcome:
    """Ask where the person is; their next text or location answers."""
    picks = [(_label(p, turn), p.zone) for p in quick_picks(SUGGESTED_PLACES)]
    reply = nudge_render.zone_choices(prompt, picks)
    return turn.outcome(State(step=Step.SETTINGS_ZONE, draft_id=turn.state.draft_id), reply)


def _save(turn: Turn, rule: NudgeRule, *before: Reply, edit: bool = True) -> Outcome:
    """Store a changed rule with its next check-in, and show the menu."""
    old = turn.view.nudge
    last = old.last_at if old else None
    next_at = next_nudge_at(rule, now=turn.view.now, last_nudge=last)
    view = NudgeView(rule, next_at, last, 0)
    shown = nudge_render.menu(turn.guide, view, turn.view.now, edit=edit and not before)
    return Outcome(_idle(turn), (*before, shown), (SaveNudgeRule(rule, next_at),))


def on_command(turn: Turn, command: Command) -> Outcome:
    """/settings, /pause and /resume."""
    texts, nudge = turn.guide.settings, turn.view.nudge
    if nudge is None:
        if command.name == "settings":
            return _zone_page(turn, f"{texts.menu_not_set}\n\n{texts.zone_prompt}")
        return turn.outcome(_idle(turn), Reply(texts.needs_zone))
    if command.name == "pause":
        if command.args:
            return _pause_until_text(turn, command.args)
        return _pause_prompt(turn)
    if command.name == "resume":
        return _resume(turn, nudge)
    return turn.outcome(_idle(turn), nudge_render.menu(turn.guide, nudge, turn.view.now))


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
        picks = [(_label(p, turn), p.zone) for p in places]
        return turn.outcome(None, nudge_render.zone_choices(turn.guide.settings.zone_pick, picks))
    if turn.state.step is Step.SETTINGS_TIME:
        at = parse_time(message.text)
        if at is None or turn.view.nudge is None:
            return turn.outcome(None, Reply(turn.guide.settings.time_invalid))
        return _save(turn, replace(turn.view.nudge.rule, at=at), edit=False)
    return _pause_until_text(turn, message.text)


def on_location(turn: Turn, location: Location) -> Outcome:
    """A shared location sets the time zone."""
    zone = zone_at(location.latitude, location.longitude)
    if zone is None:
        return turn.outcome(None, Reply(turn.guide.settings.location_unknown))
    return _set_zone(turn, zone, edit=False)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Buttons of the settings pages."""
    texts, nudge = turn.guide.settings, turn.view.nudge
    arg = pressed.args[0] if pressed.args else ""
    if pressed.action is Action.SET_ZONE:
        return _set_zone(turn, arg, edit=True)
    if pressed.action is Action.CLOSE_SETTINGS:
        return _close(turn)
    if pressed.action is Action.SETTINGS_PAGE and arg not in nudge_render.PAGES:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if pressed.action is Action.SETTINGS_PAGE and (arg == "zone" or nudge is None):
        return _zone_page(turn, texts.zone_prompt)
    if nudge is None:
        return turn.outcome(notice=texts.needs_zone)
    rule = nudge.rule
    match pressed.action:
        case Action.SETTINGS:
            return turn.outcome(_idle(turn), nudge_render.menu(turn.guide, nudge, turn.view.now))
        case Action.SETTINGS_PAGE:
            step = Step.SETTINGS_TIME if arg == "time" else Step.IDLE
            reply = nudge_render.page(turn.guide, arg, rule, [])
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
            until = OPEN_PAUSE if arg == "0" else today + timedelta(PAUSE_DAYS[arg])
            return _pause(turn, nudge, until, edit=True)
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def _set_zone(turn: Turn, zone: str, *, edit: bool) -> Outcome:
    """A new time zone: the next check-in follows it; a move earns one question."""
    texts, old = turn.guide.settings, turn.view.nudge
    try:
        rule = replace(old.rule, zone=zone) if old else NudgeRule(zone)
    except ValueError:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    local = local_time_text(zone, turn.view.now, turn.guide.language)
    replies = [Reply(texts.zone_set.format(zone=zone, local_time=local), edit=edit)]
    saved = _save(turn, rule, *replies)
    if old is not None and old.rule.zone != zone:
        button = Button(texts.reflect_on_move, encode(Action.REFLECT_MOVE))
        saved = replace(saved, replies=(*saved.replies, Reply(texts.moved, ((button,),))))
    return saved


def _close(turn: Turn) -> Outcome:
    texts, nudge = turn.guide.settings, turn.view.nudge
    if nudge is None:  # "no, thanks" to the offer: remembered as check-ins switched off
        declined = NudgeRule("UTC", rhythm=Rhythm.OFF)
        return Outcome(
            _idle(turn), (Reply(texts.off, edit=True),), (SaveNudgeRule(declined, None),)
        )
    if nudge.rule.rhythm is Rhythm.OFF:
        return turn.outcome(_idle(turn), Reply(texts.off, edit=True))
    next_text = nudge_render.when(nudge.next_at, nudge.rule.zone, turn.guide.language)
    return turn.outcome(_idle(turn), Reply(texts.saved.format(next=next_text), edit=True))


def _pause_prompt(turn: Turn) -> Outcome:
    texts = turn.guide.settings
    options = [("7", texts.pause_week), ("14", texts.pause_two_weeks), ("30", texts.pause_month)]
    buttons = [Button(label, encode(Action.PAUSE, d)) for d, label in options]
    open_button = Button(texts.pause_open, encode(Action.PAUSE, "0"))
    reply = Reply(texts.pause_prompt, (tuple(buttons), (open_button,)))
    return turn.outcome(State(step=Step.SETTINGS_PAUSE, draft_id=turn.state.draft_id), reply)


def _pause_until_text(turn: Turn, text: str) -> Outcome:
    nudge = turn.view.nudge
    if nudge is None:
        return turn.outcome(None, Reply(turn.guide.settings.pause_invalid))
    today = turn.view.now.astimezone(nudge.rule.tz).date()
    until = parse_date(text, turn.guide.language, today)
    if until is None or until < today:
        return turn.outcome(None, Reply(turn.guide.settings.pause_invalid))  # past: no pause
    return _pause(turn, nudge, until)


def _pause(turn: Turn, nudge: NudgeView, until: date, *, edit: bool = False) -> Outcome:
    texts = turn.guide.settings
    saved = _save(turn, replace(nudge.rule, paused_until=until))
    if until == OPEN_PAUSE:
        line = texts.paused_open
    else:
        line = texts.paused_until.format(date=nudge_render.long_date(until, turn.guide.language))
    return replace(saved, replies=(Reply(line, edit=edit),))


def _resume(turn: Turn, nudge: NudgeView) -> Outcome:
    texts = turn.guide.settings
    today = turn.view.now.astimezone(nudge.rule.tz).date()
    if nudge.rule.paused_until is None or nudge.rule.paused_until < today:
        next_text = nudge_render.when(nudge.next_at, nudge.rule.zone, turn.guide.language)
        return turn.outcome(_idle(turn), Reply(texts.not_paused.format(next=next_text)))
    saved = _save(turn, replace(nudge.rule, paused_until=None))
    effect = saved.effects[0]
    assert isinstance(effect, SaveNudgeRule)
    next_text = nudge_render.when(effect.next_at, nudge.rule.zone, turn.guide.language)
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
    return at if DAY_START <= at <= DAY_END else None
