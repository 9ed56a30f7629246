"""Nudges: deciding, when a check-in falls due, whether and how to ask.

A nudge is never sent while a story is under way, outside the allowed hours (07:00-21:00
local time unless the installation set others) or on the person's weekend: it is moved
instead. It greets, asks its question, and says that typing the answer is all it takes;
a button pressed once the nudge is answered or has passed takes the buttons off it.
After three unanswered nudges in a row the rhythm slows down one step (weekly, every two
weeks, every four weeks), and the person is told so with the nudge that slows down.

"Later today" is offered only while today still has allowed time for it; every snooze
answer names the real moment ("on Monday at 10:00"). A check-in asked but never
recorded as sent (a sender died in between) is asked again as a marked reminder of the
same question, never as what looks like a new check-in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flows.callbacks import Action, Pressed, decode_id, encode_id
from flows.checkins import messages as nudge_render
from flows.checkins.schedule import (
    NudgeRule,
    Rhythm,
    is_allowed,
    next_allowed,
    next_nudge_at,
    slower,
    snooze_later_today,
    snooze_tomorrow,
)
from flows.content.guide import Question
from flows.replies import Effect, Outcome, Reply, SaveNudgeRule, SetNextNudge
from flows.states import State, Step, StoryKind
from flows.turn import IN_STORY, Turn

UNANSWERED_BEFORE_SLOWING = 3
ABANDONED_AFTER = timedelta(hours=12)  # a story untouched this long no longer holds nudges back
STAMP_TOLERANCE_MINUTES = 10
RETIRED_WITHIN = 366 * 24 * 60  # minutes: older nudges' buttons only get a notice
BUSY = (*IN_STORY, Step.SETTINGS_ZONE, Step.SETTINGS_TIME, Step.SETTINGS_PAUSE)


def stamp(at: datetime) -> str:
    """A short mark of when a nudge was sent, carried by its buttons."""
    return encode_id(int(at.timestamp()) // 60)


def _is_latest(turn: Turn, mark: str) -> bool:
    """True when a button belongs to the latest nudge, not an older one."""
    nudge, minute = turn.view.nudge, decode_id(mark)
    if nudge is None or nudge.last_at is None or minute is None:
        return False
    return abs(int(nudge.last_at.timestamp()) // 60 - minute) <= STAMP_TOLERANCE_MINUTES


def on_due(turn: Turn) -> Outcome:
    """The schedule says it is time: ask, or move the nudge to a better moment."""
    nudge, now = turn.view.nudge, turn.view.now
    if nudge is None or nudge.rule.rhythm is Rhythm.OFF:
        return Outcome(turn.state, (), (SetNextNudge(None),))
    rule = nudge.rule
    last_active = turn.view.last_active
    if turn.state.step in BUSY and (last_active is None or now - last_active < ABANDONED_AFTER):
        return Outcome(turn.state, (), (SetNextNudge(snooze_tomorrow(rule, now)),))
    if rule.paused_until is not None and now.astimezone(rule.tz).date() <= rule.paused_until:
        later = next_nudge_at(rule, now=now, last_nudge=nudge.last_at)
        return Outcome(turn.state, (), (SetNextNudge(later),))
    if not is_allowed(rule, now):
        return Outcome(turn.state, (), (SetNextNudge(next_allowed(rule, now)),))
    texts = turn.guide.checkin.texts
    asked = _unrecorded(turn)
    lines = [texts.reminder if asked else texts.nudge_greeting]
    effects: list[Effect] = []
    if nudge.unanswered >= UNANSWERED_BEFORE_SLOWING and slower(rule.rhythm) is not rule.rhythm:
        slowed = replace(rule, rhythm=slower(rule.rhythm))
        effects.append(SaveNudgeRule(slowed, nudge.next_at, on_delivery=True))
        rhythm = nudge_render.rhythm_name(turn.guide, slowed.rhythm)
        lines.append(texts.slowed_down.format(rhythm=rhythm))
    lines += [_question(turn, rule, asked or now), texts.nudge_hint]
    buttons = nudge_render.nudge_buttons(turn.guide, stamp(now), rule, now)
    state = State(step=Step.NUDGED, draft_id=turn.state.draft_id, asked_at=asked or now)
    return Outcome(state, (Reply("\n\n".join(lines), buttons),), tuple(effects))


def _question(turn: Turn, rule: NudgeRule, asked: datetime) -> str:
    """The check-in's question as the nudge asked at ``asked`` phrases it."""
    return phrasing(turn.guide.questionnaire(StoryKind.CHECKIN).opening, rule, asked)


def _retired(turn: Turn, mark: str) -> Outcome:
    """A button of a nudge already answered, passed or skipped: its message keeps its
    question but loses its buttons, and a short notice says why nothing happens."""
    texts, nudge, minute = turn.guide.checkin.texts, turn.view.nudge, decode_id(mark)
    now_minute = int(turn.view.now.timestamp()) // 60
    if nudge is None or nudge.last_at is None or minute is None:
        return turn.outcome(notice=texts.stale_nudge)  # no check-in was ever sent
    if not 0 <= now_minute - minute <= RETIRED_WITHIN:
        return turn.outcome(notice=texts.stale_nudge)  # forged, or from long ago
    answered = _is_latest(turn, mark) and turn.state.step is not Step.NUDGED
    asked = datetime.fromtimestamp(minute * 60, UTC)
    question = Reply(f"{texts.nudge_greeting}\n\n{_question(turn, nudge.rule, asked)}", edit=True)
    return turn.outcome(
        None, question, notice=texts.nudge_answered if answered else texts.stale_nudge
    )


def _unrecorded(turn: Turn) -> datetime | None:
    """When the check-in now waiting for an answer was decided, if it was never recorded
    as sent: a sender that claimed it may have delivered it and died before recording
    (its lease ran out), so asking again is a repeat of that question."""
    state, nudge = turn.state, turn.view.nudge
    if state.step is not Step.NUDGED or state.asked_at is None or nudge is None:
        return None
    recorded = nudge.last_at is not None and nudge.last_at >= state.asked_at
    return None if recorded else state.asked_at


def phrasing(question: Question, rule: NudgeRule, now: datetime) -> str:
    """The prompt in one of its phrasings, taking turns from one slot of the rhythm to the
    next (weekly, fortnightly or monthly alike); a resend the same day says the same."""
    interval = rule.interval or timedelta(days=1)
    slot = now.astimezone(rule.tz).date().toordinal() // interval.days
    return question.prompt_for(slot)


def undelivered(state: State) -> State:
    """After a nudge could not be delivered, nothing waits for its answer."""
    if state.step is not Step.NUDGED:
        return state
    return State(draft_id=state.draft_id)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Later today, tomorrow, or skip: only for the latest nudge."""
    texts = turn.guide.checkin.texts
    nudge, now = turn.view.nudge, turn.view.now
    if nudge is None or turn.state.step is not Step.NUDGED or not _is_latest(turn, pressed.args[0]):
        return _retired(turn, pressed.args[0])  # an older or an answered nudge
    state = State(draft_id=turn.state.draft_id)
    if nudge.rule.paused_until is not None:
        return Outcome(state, (Reply(texts.skipped, edit=True),))  # paused meanwhile
    rule = nudge.rule
    at: datetime | None
    match pressed.action:
        case Action.SNOOZE_TODAY:
            at, line = snooze_later_today(rule, now), texts.snoozed
            if at is None:  # a button from when today still had room, pressed too late
                at, line = snooze_tomorrow(rule, now), texts.snoozed_too_late
        case Action.SNOOZE_TOMORROW:
            at, line = snooze_tomorrow(rule, now), texts.snoozed
        case _:
            return Outcome(state, (Reply(texts.skipped, edit=True),))
    when = nudge_render.snooze_moment(turn.guide, at, now, rule.zone)
    return Outcome(state, (Reply(line.format(when=when), edit=True),), (SetNextNudge(at),))
