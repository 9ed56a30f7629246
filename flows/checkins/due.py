"""Checkins: deciding, when a check-in falls due, whether and how to ask.

A check-in is never sent while a story or a pair interview (to either of its two) is
under way, outside the allowed hours (07:00-21:00 local time unless the installation set
others) or on the person's weekend: it is moved instead. It greets, asks its question,
and says that typing the answer is all it takes; a button pressed once the check-in is
answered or has passed takes the buttons off it.
After three unanswered checkins in a row the rhythm slows down one step (weekly, every two
weeks, every four weeks), and the person is told so with the check-in that slows down.

"Later today" is offered only while today still has allowed time for it; every snooze
answer names the real moment ("on Monday at 10:00"). A check-in asked but never
recorded as sent (a sender died in between) is asked again as a marked reminder of the
same question, never as what looks like a new check-in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flows.callbacks import Action, Pressed, decode_id, encode_id
from flows.checkins import messages as checkin_messages
from flows.checkins.schedule import (
    CheckinRule,
    Rhythm,
    is_allowed,
    next_allowed,
    next_checkin_at,
    slower,
    snooze_later_today,
    snooze_tomorrow,
)
from flows.content.guide import Question
from flows.menu import follow_up
from flows.pair import moves as pair_moves
from flows.replies import Effect, Outcome, Reply, SaveCheckinRule, SetNextCheckin
from flows.states import State, Step, StoryKind
from flows.turn import IN_STORY, Turn

UNANSWERED_BEFORE_SLOWING = 3
ABANDONED_AFTER = timedelta(hours=12)  # a story untouched this long no longer holds checkins back
STAMP_TOLERANCE_MINUTES = 10
RETIRED_WITHIN = 366 * 24 * 60  # minutes: older checkins' buttons only get a notice
BUSY = (
    *IN_STORY,
    Step.SETTINGS_ZONE,
    Step.SETTINGS_TIME,
    Step.SETTINGS_PAUSE,
    Step.PAIR_ASKING,  # interviewing a colleague (flows.pair)
    Step.PAIR_CORRECTING,
)
ASKING = (Step.CHECKIN_ASKED, Step.FOLLOW_UP)  # a check-in's message waits for an answer


def stamp(at: datetime) -> str:
    """A short mark of when a check-in was sent, carried by its buttons."""
    return encode_id(int(at.timestamp()) // 60)


def _is_latest(turn: Turn, mark: str) -> bool:
    """True when a button belongs to the latest checkin, not an older one."""
    checkin, minute = turn.view.checkin, decode_id(mark)
    if checkin is None or checkin.last_at is None or minute is None:
        return False
    return abs(int(checkin.last_at.timestamp()) // 60 - minute) <= STAMP_TOLERANCE_MINUTES


def on_due(turn: Turn) -> Outcome:
    """The schedule says it is time: ask, or move the check-in to a better moment."""
    checkin, now = turn.view.checkin, turn.view.now
    if checkin is None or checkin.rule.rhythm is Rhythm.OFF:
        return Outcome(turn.state, (), (SetNextCheckin(None),))
    rule = checkin.rule
    last_active = turn.view.last_active
    busy = turn.state.step in BUSY and (last_active is None or now - last_active < ABANDONED_AFTER)
    if busy or pair_moves.holds_checkins(turn, ABANDONED_AFTER):  # either of a pair
        return Outcome(turn.state, (), (SetNextCheckin(snooze_tomorrow(rule, now)),))
    if rule.paused_until is not None and now.astimezone(rule.tz).date() <= rule.paused_until:
        later = next_checkin_at(rule, now=now, last_checkin=checkin.last_at)
        return Outcome(turn.state, (), (SetNextCheckin(later),))
    if not is_allowed(rule, now):
        return Outcome(turn.state, (), (SetNextCheckin(next_allowed(rule, now)),))
    texts = turn.guide.checkin.texts
    asked = _unrecorded(turn)
    lines = [texts.reminder if asked else texts.checkin_greeting]
    effects: list[Effect] = []
    if checkin.unanswered >= UNANSWERED_BEFORE_SLOWING and slower(rule.rhythm) is not rule.rhythm:
        slowed = replace(rule, rhythm=slower(rule.rhythm))
        effects.append(SaveCheckinRule(slowed, checkin.next_at, on_delivery=True))
        rhythm = checkin_messages.rhythm_name(turn.guide, slowed.rhythm)
        lines.append(texts.slowed_down.format(rhythm=rhythm))
    buttons = checkin_messages.checkin_buttons(turn.guide, stamp(now), rule, now)
    step, let_go = follow_up.pending(turn)  # an open next step is asked about first
    effects.extend(let_go)
    if step is not None:
        lines.append(follow_up.question(turn, step))
        buttons = (follow_up.buttons(turn, step), *buttons)
        state = follow_up.asking(turn, step, asked or now)
    else:
        lines += [_question(turn, rule, asked or now), texts.checkin_hint]
        state = State(step=Step.CHECKIN_ASKED, draft_id=turn.state.draft_id, asked_at=asked or now)
    return Outcome(state, (Reply("\n\n".join(lines), buttons),), tuple(effects))


def _question(turn: Turn, rule: CheckinRule, asked: datetime) -> str:
    """The check-in's question as the check-in asked at ``asked`` phrases it."""
    return phrasing(turn.guide.questionnaire(StoryKind.CHECKIN).opening, rule, asked)


def _retired(turn: Turn, mark: str) -> Outcome:
    """A button of a check-in already answered, passed or skipped: its message keeps its
    question but loses its buttons, and a short notice says why nothing happens."""
    texts, checkin, minute = turn.guide.checkin.texts, turn.view.checkin, decode_id(mark)
    now_minute = int(turn.view.now.timestamp()) // 60
    if checkin is None or checkin.last_at is None or minute is None:
        return turn.outcome(notice=texts.stale_checkin)  # no check-in was ever sent
    if not 0 <= now_minute - minute <= RETIRED_WITHIN:
        return turn.outcome(notice=texts.stale_checkin)  # forged, or from long ago
    answered = _is_latest(turn, mark) and turn.state.step is not Step.CHECKIN_ASKED
    asked = datetime.fromtimestamp(minute * 60, UTC)
    question = Reply(
        f"{texts.checkin_greeting}\n\n{_question(turn, checkin.rule, asked)}", edit=True
    )
    return turn.outcome(
        None, question, notice=texts.checkin_answered if answered else texts.stale_checkin
    )


def _unrecorded(turn: Turn) -> datetime | None:
    """When the check-in now waiting for an answer was decided, if it was never recorded
    as sent: a sender that claimed it may have delivered it and died before recording
    (its lease ran out), so asking again is a repeat of that question."""
    state, checkin = turn.state, turn.view.checkin
    if state.step not in ASKING or state.asked_at is None or checkin is None:
        return None
    recorded = checkin.last_at is not None and checkin.last_at >= state.asked_at
    return None if recorded else state.asked_at


def phrasing(question: Question, rule: CheckinRule, now: datetime) -> str:
    """The prompt in one of its phrasings, taking turns from one slot of the rhythm to the
    next (weekly, fortnightly or monthly alike); a resend the same day says the same."""
    interval = rule.interval or timedelta(days=1)
    slot = now.astimezone(rule.tz).date().toordinal() // interval.days
    return question.prompt_for(slot)


def undelivered(state: State) -> State:
    """After a check-in could not be delivered, nothing waits for its answer."""
    if state.step not in ASKING:
        return state
    return State(draft_id=state.draft_id)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Later today, tomorrow, or skip: only for the latest checkin."""
    texts = turn.guide.checkin.texts
    checkin, now = turn.view.checkin, turn.view.now
    if checkin is None or turn.state.step not in ASKING or not _is_latest(turn, pressed.args[0]):
        return _retired(turn, pressed.args[0])  # an older or an answered checkin
    state = State(draft_id=turn.state.draft_id)
    if checkin.rule.paused_until is not None:
        return Outcome(state, (Reply(texts.skipped, edit=True),))  # paused meanwhile
    rule = checkin.rule
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
    when = checkin_messages.snooze_moment(turn.guide, at, now, rule.zone)
    return Outcome(state, (Reply(line.format(when=when), edit=True),), (SetNextCheckin(at),))
