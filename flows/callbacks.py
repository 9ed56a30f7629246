"""Button callback data: a short action code plus arguments, in one place.

Callback data comes back from the outside world, so it is never trusted:
``decode`` returns None for anything malformed, and flows check every decoded
button against the stored state before acting on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64  # Telegram's limit for callback_data
SEPARATOR = "|"
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


class Action(StrEnum):
    """What a button does. The values are stored in sent messages: keep them."""

    BEGIN = "go"
    NOT_NOW = "nn"
    TOGGLE = "t"  # story, question, option
    DONE = "d"  # story, question
    SKIP = "s"  # story, question
    BACK = "b"  # story, question
    CONFIRM = "ok"  # story
    CHANGE = "ch"  # story: show which answers can be changed
    EDIT = "e"  # story, question: change this answer
    CARD = "c"  # story: show the card
    DISCARD = "x"  # story: ask to confirm
    DISCARD_YES = "xy"  # story
    RESUME = "r"  # story
    FRESH = "f"  # story: ask to confirm discarding this draft and starting afresh
    LIST = "l"  # page of the story list, from 1 (a bare "l" from older messages: page 1)
    LANGUAGE = "lg"  # language code
    LANGUAGE_INVITE = "li"  # language code, invite ("j_..." or "f_..."): first contact by invite
    TO_STORY = "ts"  # check-in story: turn it into a learning story
    SNOOZE_TODAY = "zl"  # nudge stamp
    SNOOZE_TOMORROW = "zt"  # nudge stamp
    SKIP_NUDGE = "zs"  # nudge stamp
    SETTINGS = "so"
    SETTINGS_PAGE = "sp"  # page: zone, rhythm, day, time, weekend
    SET_ZONE = "zz"  # IANA zone name
    SET_RHYTHM = "sr"  # rhythm
    SET_WEEKDAY = "sd"  # 0-6, Monday first
    SET_TIME = "st"  # HHMM
    SET_WEEKEND = "sw"  # weekend days as digits, or "-" for none
    CLOSE_SETTINGS = "sx"
    REFLECT_MOVE = "mv"
    PAUSE = "pz"  # days, or 0 for "until I resume"
    EXPORT = "ex"  # send me everything you keep about me
    FORGET = "fg"  # ask to confirm deleting everything
    FORGET_YES = "fy"  # how many stories the question counted
    FORGET_NO = "fn"
    JOIN_YES = "jy"  # invite code: join the team, or become its facilitator
    JOIN_NO = "jn"
    LEAVE_TEAM = "tl"  # ask to confirm leaving the team
    LEAVE_YES = "ty"  # team
    ADMIN_TEAM = "ta"  # team: an admin's menu for one team
    ADMIN_INVITE = "ti"  # team, role ("member" or "facilitator"): a new code
    ADMIN_REVOKE = "tr"  # team: revoke every code
    PHOTO_TEAM = "pt"  # team: pick a period
    PHOTO_PERIOD = "pp"  # team, period (2026-07, 2026-Q3, 2026-H2, 2026)
    QUOTE_SHARE = "qs"  # story: share its opening anonymously
    QUOTE_KEEP = "qk"  # story
    QUOTE_WITHDRAW = "qw"  # story: stop sharing it
    FRESH_YES = "fx"  # story: discard this draft and start afresh
    EXAMPLE = "eg"  # story, question, example number: show that example as a hint
    NOTHING = "nt"  # story, question: nothing went better this time (a check-in's opening)
    THROUGH_DONE = "nd"  # story: no answer to the optional question after "nothing"
    LIST_STORIES = "ls"  # page of the list of learning stories only (no check-ins), from 1
    SET_PLACE = "zp"  # city (geonames id), which of its names (0: its own)


ARITY: dict[Action, int] = {
    Action.BEGIN: 0,
    Action.NOT_NOW: 0,
    Action.TOGGLE: 3,
    Action.DONE: 2,
    Action.SKIP: 2,
    Action.BACK: 2,
    Action.CONFIRM: 1,
    Action.CHANGE: 1,
    Action.EDIT: 2,
    Action.CARD: 1,
    Action.DISCARD: 1,
    Action.DISCARD_YES: 1,
    Action.RESUME: 1,
    Action.FRESH: 1,
    Action.FRESH_YES: 1,
    Action.EXAMPLE: 3,
    Action.NOTHING: 2,
    Action.THROUGH_DONE: 1,
    Action.LIST: 1,
    Action.LIST_STORIES: 1,
    Action.LANGUAGE: 1,
    Action.LANGUAGE_INVITE: 2,
    Action.TO_STORY: 1,
    Action.SNOOZE_TODAY: 1,
    Action.SNOOZE_TOMORROW: 1,
    Action.SKIP_NUDGE: 1,
    Action.SETTINGS: 0,
    Action.SETTINGS_PAGE: 1,
    Action.SET_ZONE: 1,
    Action.SET_PLACE: 2,
    Action.SET_RHYTHM: 1,
    Action.SET_WEEKDAY: 1,
    Action.SET_TIME: 1,
    Action.SET_WEEKEND: 1,
    Action.CLOSE_SETTINGS: 0,
    Action.REFLECT_MOVE: 0,
    Action.PAUSE: 1,
    Action.EXPORT: 0,
    Action.FORGET: 0,
    Action.FORGET_YES: 1,
    Action.FORGET_NO: 0,
    Action.JOIN_YES: 1,
    Action.JOIN_NO: 0,
    Action.LEAVE_TEAM: 0,
    Action.LEAVE_YES: 1,
    Action.ADMIN_TEAM: 1,
    Action.ADMIN_INVITE: 2,
    Action.ADMIN_REVOKE: 1,
    Action.PHOTO_TEAM: 1,
    Action.PHOTO_PERIOD: 2,
    Action.QUOTE_SHARE: 1,
    Action.QUOTE_KEEP: 1,
    Action.QUOTE_WITHDRAW: 1,
}
# Buttons sent by older versions, read as what they meant then.
LEGACY: dict[str, str] = {"l": "l|1"}  # the story list, before it had pages
STORY_ARG = 0  # for actions that name a story, it is always the first argument
STORY_ACTIONS = frozenset(
    {
        Action.TOGGLE,
        Action.DONE,
        Action.SKIP,
        Action.BACK,
        Action.CONFIRM,
        Action.CHANGE,
        Action.EDIT,
        Action.CARD,
        Action.DISCARD,
        Action.DISCARD_YES,
        Action.RESUME,
        Action.FRESH,
        Action.FRESH_YES,
        Action.EXAMPLE,
        Action.NOTHING,
        Action.THROUGH_DONE,
        Action.TO_STORY,
        Action.QUOTE_SHARE,
        Action.QUOTE_KEEP,
        Action.QUOTE_WITHDRAW,
    }
)


@dataclass(frozen=True)
class Pressed:
    """A decoded button: action, the story it names (if any), other arguments."""

    action: Action
    story_id: int | None
    args: tuple[str, ...]


def encode_id(value: int) -> str:
    """A non-negative integer in base 36, to keep callback data short."""
    if value < 0:
        raise ValueError("ids are non-negative")
    digits = ""
    while True:
        value, rest = divmod(value, 36)
        digits = _ALPHABET[rest] + digits
        if not value:
            return digits


def decode_id(text: str) -> int | None:
    """The inverse of ``encode_id``; None when it is not a valid id."""
    if not text or len(text) > 13 or any(c not in _ALPHABET for c in text):
        return None
    return int(text, 36)


def _names_story(action: Action) -> bool:
    return action in STORY_ACTIONS


def encode(action: Action, *args: str | int) -> str:
    """Callback data for a button; raises if it would exceed Telegram's limit."""
    if len(args) != ARITY[action]:
        raise ValueError(f"{action.name} takes {ARITY[action]} arguments")
    parts = [action.value]
    for position, arg in enumerate(args):
        if isinstance(arg, int):
            parts.append(encode_id(arg))
        elif SEPARATOR in arg or not arg:
            raise ValueError("callback arguments must be non-empty and not contain |")
        else:
            parts.append(arg)
        if position == STORY_ARG and _names_story(action) and not isinstance(arg, int):
            raise ValueError("the first argument must be a story id")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data longer than 64 bytes")
    return data


def decode(data: str | None) -> Pressed | None:
    """Parse callback data; None for anything that is not one of our buttons."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    data = LEGACY.get(data, data)
    head, *args = data.split(SEPARATOR)
    try:
        action = Action(head)
    except ValueError:
        return None
    if len(args) != ARITY[action] or any(not a for a in args):
        return None
    story_id = None
    if _names_story(action):
        story_id = decode_id(args[STORY_ARG])
        if story_id is None:
            return None
        args = args[1:]
    return Pressed(action, story_id, tuple(args))
