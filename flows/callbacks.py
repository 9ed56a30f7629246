"""Every button in one table (``Action``): its code, its arguments, who handles it, and
what its step needs loaded; and its callback data: the code plus the arguments.

Callback data comes back from the outside world, so it is never trusted:
``decode`` returns None for anything malformed, and flows check every decoded
button against the stored state before acting on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, Flag, StrEnum, auto

MAX_BYTES = 64  # Telegram's limit for callback_data
SEPARATOR = "|"
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
STORY = "story"  # an argument naming one of the person's stories (always the first)


class Handler(Enum):
    """Which part of the conversation handles a button (``flows.dialogue`` routes each)."""

    INTERVIEW = auto()  # begin, not now, the story lists
    QUESTION = auto()  # the buttons under the question being asked
    STORY = auto()  # a story's card: confirm, change, delete, resume, start afresh
    LANGUAGE = auto()  # the language question (and /language)
    CHECKIN = auto()  # a check-in's later today, tomorrow, skip
    CHECKIN_STORY = auto()  # after a check-in: "that's all", make it a learning story
    SETTINGS = auto()  # the check-in settings pages
    PLACE = auto()  # a place or zone picked (mid-story the story keeps its place)
    REFLECT = auto()  # after a move: tell a story about it
    PRIVACY = auto()  # export, forget
    TEAM = auto()  # join, leave
    TEAM_ADMIN = auto()  # an admin's menus for a team
    PHOTO = auto()  # a facilitator picks a team and a period; a member, a period of theirs
    QUOTE = auto()  # share a story's opening with the team, or stop
    NEXT_STEP = auto()  # a suggested or chosen dish: order it, own dish, when
    FOLLOW_UP = auto()  # a check-in's question about the next step: did it, not yet, ...
    INVITE = auto()  # an invitation card for a colleague: dish, topic, own version, send
    MENU = auto()  # a facilitator composes their team's card
    THANKS = auto()  # after "what or who helped most": a thank-you note to pass on, or not
    GROWTH = auto()  # /growth: the period, the stories left out, make it
    PAIR = auto()  # a pair interview: who tells, accept, the interviewer's notes, the card


class Load(Flag):
    """What the runner loads before a button's step, besides the stories it names."""

    NOTHING = 0
    STORY_LIST = auto()  # the person's story list
    EXPORT = auto()  # everything kept about the person
    TEAMS = auto()  # the person's teams
    ALL_TEAMS = auto()  # the person's teams and every team (admins)
    INVITE = auto()  # the person's teams and the invite of the code the button carries
    PHOTO = auto()  # the person's teams and the photo of the team and period it names
    NEXT_STEP = auto()  # the person's open next step
    INVITATIONS = auto()  # the person's invitation cards
    TEAM_MENU = auto()  # the person's teams and the card of the team the button names
    OWN_TEAM_MENU = auto()  # the person's teams and the card of the team they belong to
    MEMBER_PHOTOS = auto()  # the person's teams and which windows their team's members see
    MEMBER_PHOTO = auto()  # ... and the photo of the window it names, if open to them


@dataclass(frozen=True)
class _Button:
    code: str
    handler: Handler
    args: tuple[str, ...]
    loads: Load


def _button(code: str, handler: Handler, *args: str, loads: Load = Load.NOTHING) -> _Button:
    return _Button(code, handler, args, loads)


class Action(StrEnum):
    """Every button: its code, who handles it, its arguments, what its step needs loaded.

    The codes are stored in messages already sent: keep them (and the order of the
    arguments). Adding a button is one line here, and its case in its handler.
    """

    _value_: str
    handler: Handler
    args: tuple[str, ...]  # the arguments' names, in order
    loads: Load

    def __new__(cls, button: _Button) -> Action:
        """A member from its row of the table (its value is the code)."""
        action = str.__new__(cls, button.code)
        action._value_ = button.code
        action.handler, action.args, action.loads = button.handler, button.args, button.loads
        return action

    @property
    def arity(self) -> int:
        """How many arguments the button carries."""
        return len(self.args)

    @property
    def names_story(self) -> bool:
        """Whether its first argument is one of the person's stories."""
        return self.args[:1] == (STORY,)

    BEGIN = _button("go", Handler.INTERVIEW)
    NOT_NOW = _button("nn", Handler.INTERVIEW)
    TOGGLE = _button("t", Handler.QUESTION, STORY, "question", "option")
    DONE = _button("d", Handler.QUESTION, STORY, "question")
    SKIP = _button("s", Handler.QUESTION, STORY, "question")
    BACK = _button("b", Handler.QUESTION, STORY, "question")
    # joins the person's team; offers a dish, follows up the next step unless one is ordered
    CONFIRM = _button("ok", Handler.STORY, STORY, loads=Load.TEAMS | Load.NEXT_STEP)
    CHANGE = _button("ch", Handler.STORY, STORY)  # which answers can be changed
    EDIT = _button("e", Handler.STORY, STORY, "question")  # change this answer
    CARD = _button("c", Handler.STORY, STORY)  # show the card
    DISCARD = _button("x", Handler.STORY, STORY)  # ask to confirm
    DISCARD_YES = _button("xy", Handler.STORY, STORY)
    RESUME = _button("r", Handler.STORY, STORY)
    FRESH = _button("f", Handler.STORY, STORY)  # ask to confirm discarding it, start afresh
    # the story list, from page 1 (a bare "l" from older messages: page 1)
    LIST = _button("l", Handler.INTERVIEW, "page", loads=Load.STORY_LIST)
    LANGUAGE = _button("lg", Handler.LANGUAGE, "language")
    # first contact by invite: the invite as its /start payload ("j_..." or "f_...")
    LANGUAGE_INVITE = _button("li", Handler.LANGUAGE, "language", "invite", loads=Load.INVITE)
    TO_STORY = _button("ts", Handler.CHECKIN_STORY, STORY)  # a check-in: make it a story
    SNOOZE_TODAY = _button("zl", Handler.CHECKIN, "stamp")  # the check-in's stamp
    SNOOZE_TOMORROW = _button("zt", Handler.CHECKIN, "stamp")
    SKIP_CHECKIN = _button("zs", Handler.CHECKIN, "stamp")
    SETTINGS = _button("so", Handler.SETTINGS)
    SETTINGS_PAGE = _button("sp", Handler.SETTINGS, "page")  # zone, rhythm, day, time, weekend
    SET_ZONE = _button("zz", Handler.PLACE, "zone")  # IANA zone name
    SET_RHYTHM = _button("sr", Handler.SETTINGS, "rhythm")
    SET_WEEKDAY = _button("sd", Handler.SETTINGS, "weekday")  # 0-6, Monday first
    SET_TIME = _button("st", Handler.SETTINGS, "time")  # HHMM
    SET_WEEKEND = _button("sw", Handler.SETTINGS, "weekend")  # digits, or "-" for none
    CLOSE_SETTINGS = _button("sx", Handler.SETTINGS)
    REFLECT_MOVE = _button("mv", Handler.REFLECT)
    PAUSE = _button("pz", Handler.SETTINGS, "days")  # or 0 for "until I resume"
    EXPORT = _button("ex", Handler.PRIVACY, loads=Load.EXPORT)  # everything kept about me
    FORGET = _button("fg", Handler.PRIVACY, loads=Load.STORY_LIST)  # ask to confirm
    # how many stories the question counted
    FORGET_YES = _button("fy", Handler.PRIVACY, "stories", loads=Load.STORY_LIST)
    FORGET_NO = _button("fn", Handler.PRIVACY)
    # join the team, or become its facilitator
    JOIN_YES = _button("jy", Handler.TEAM, "code", loads=Load.INVITE)
    JOIN_NO = _button("jn", Handler.TEAM, loads=Load.TEAMS)
    LEAVE_TEAM = _button("tl", Handler.TEAM, loads=Load.TEAMS)  # ask to confirm
    LEAVE_YES = _button("ty", Handler.TEAM, "team", loads=Load.TEAMS)
    ADMIN_TEAM = _button("ta", Handler.TEAM_ADMIN, "team", loads=Load.ALL_TEAMS)
    # role: "member" or "facilitator": a new code
    ADMIN_INVITE = _button("ti", Handler.TEAM_ADMIN, "team", "role", loads=Load.ALL_TEAMS)
    ADMIN_REVOKE = _button("tr", Handler.TEAM_ADMIN, "team", loads=Load.ALL_TEAMS)  # every code
    PHOTO_TEAM = _button("pt", Handler.PHOTO, "team", loads=Load.TEAMS)  # pick a period
    # period: 2026-07, 2026-Q3, 2026-H2, 2026
    PHOTO_PERIOD = _button("pp", Handler.PHOTO, "team", "period", loads=Load.PHOTO)
    # whether the team's members see the windows its facilitators saw; see: "y" or "n"
    PHOTO_MEMBERS = _button("pv", Handler.PHOTO, "team", "see", loads=Load.TEAMS)
    # a member: the windows of their own team open to them, then one of them
    MEMBER_PHOTO_TEAM = _button("pw", Handler.PHOTO, "team", loads=Load.MEMBER_PHOTOS)
    MEMBER_PHOTO = _button("pm", Handler.PHOTO, "team", "period", loads=Load.MEMBER_PHOTO)
    # the photo for a team meeting, with the method's questions, as a PDF and a message
    SESSION_KIT = _button("pk", Handler.PHOTO, "team", "period", loads=Load.PHOTO)
    QUOTE_SHARE = _button("qs", Handler.QUOTE, STORY)  # share its opening anonymously
    QUOTE_KEEP = _button("qk", Handler.QUOTE, STORY)
    QUOTE_WITHDRAW = _button("qw", Handler.QUOTE, STORY)  # stop sharing it
    FRESH_YES = _button("fx", Handler.STORY, STORY)  # discard this draft and start afresh
    EXAMPLE = _button("eg", Handler.QUESTION, STORY, "question", "example")  # as a hint
    # nothing went better this time (a check-in's opening)
    NOTHING = _button("nt", Handler.QUESTION, STORY, "question")
    # no answer to the optional question after "nothing"
    THROUGH_DONE = _button("nd", Handler.CHECKIN_STORY, STORY)
    # the list of learning stories only (no check-ins), from page 1
    LIST_STORIES = _button("ls", Handler.INTERVIEW, "page", loads=Load.STORY_LIST)
    SET_PLACE = _button("zp", Handler.PLACE, "city", "name")  # geonames id, name (0: its own)
    # the learning menu: the dish suggested after a story or check-in, ordered
    ORDER = _button("no", Handler.NEXT_STEP, STORY, "dish", loads=Load.NEXT_STEP)
    SUGGESTION_NOT_NOW = _button("nx", Handler.NEXT_STEP, STORY)
    OWN_DISH = _button("ns", Handler.NEXT_STEP)  # "something else": type your own
    CHOOSE_DISH = _button(
        "nc", Handler.NEXT_STEP, loads=Load.OWN_TEAM_MENU
    )  # under /menu: the dishes as buttons
    MENU_DISH = _button("nm", Handler.NEXT_STEP, "dish")  # a dish chosen from the list
    # when: "week", "month" or "none", for the next step (its id) just ordered
    # the team, to ask whether an own dish may be shared with its facilitators
    WHEN = _button("nw", Handler.NEXT_STEP, "step", "when", loads=Load.NEXT_STEP | Load.TEAMS)
    # a check-in asks about the open next step (its id)
    FOLLOW_DID = _button("ud", Handler.FOLLOW_UP, "step", loads=Load.NEXT_STEP)
    FOLLOW_NOT_YET = _button("uy", Handler.FOLLOW_UP, "step", loads=Load.NEXT_STEP)
    FOLLOW_NOT_FOR_ME = _button("un", Handler.FOLLOW_UP, "step", loads=Load.NEXT_STEP)
    FOLLOW_KEEP = _button("uk", Handler.FOLLOW_UP, "step", loads=Load.NEXT_STEP)
    FOLLOW_ANOTHER = _button(
        "uc", Handler.FOLLOW_UP, "step", loads=Load.NEXT_STEP | Load.OWN_TEAM_MENU
    )

    # an invitation card for a colleague (flows.menu.invitation): which dish (under /menu)
    INVITE_PICK = _button("vp", Handler.INVITE)
    # a card for this dish (with someone): asks the topic, offering the latest story's
    INVITE = _button("vd", Handler.INVITE, "dish", loads=Load.STORY_LIST)
    INVITE_STORY = _button("vs", Handler.INVITE, STORY, "dish")  # its opening as the topic
    INVITE_SEND = _button("vk", Handler.INVITE, "card", loads=Load.INVITATIONS)  # like this
    INVITE_OWN = _button("vo", Handler.INVITE, "card", loads=Load.INVITATIONS)  # my own version
    INVITE_STOP = _button("vx", Handler.INVITE)  # not now
    THANKS = _button("hy", Handler.THANKS, STORY)  # a thank-you note, please
    THANKS_NO = _button("hn", Handler.THANKS, STORY)
    # a facilitator composes a team's card (flows.menu.compose); op: hide, up, drop
    MENU_COMPOSE = _button("mc", Handler.MENU, "team", loads=Load.TEAM_MENU)
    MENU_PICK = _button("mk", Handler.MENU, "team", "op", loads=Load.TEAM_MENU)
    MENU_APPLY = _button("ma", Handler.MENU, "team", "op", "index", loads=Load.TEAM_MENU)
    MENU_OWN = _button("mo", Handler.MENU, "team", loads=Load.TEAM_MENU)  # add an own dish
    MENU_OWN_COURSE = _button("mq", Handler.MENU, "team", "course", loads=Load.TEAM_MENU)
    # an own dish: may the team's facilitators see it? answer: "y" or "n"
    SHARE_DISH = _button(
        "nh", Handler.NEXT_STEP, "step", "answer", loads=Load.NEXT_STEP | Load.TEAMS
    )
    # a shared own dish onto the team's card; course "-": ask which course first
    MENU_ADOPT = _button("mj", Handler.MENU, "team", "step", "course", loads=Load.TEAM_MENU)
    # a pair interview (flows.pair); "pair": its id, checked against the stored pair
    PAIR_ROLE = _button("yr", Handler.PAIR, "tells")  # who tells: "me" or "you"
    PAIR_NOT_NOW = _button("yn", Handler.PAIR)
    PAIR_ACCEPT = _button("ya", Handler.PAIR, "pair")  # the colleague who opened the link
    PAIR_START = _button("yg", Handler.PAIR, "pair")  # the interviewer is ready
    PAIR_TOGGLE = _button("yo", Handler.PAIR, "pair", "question", "option")
    PAIR_DONE = _button("yd", Handler.PAIR, "pair", "question")
    PAIR_SKIP = _button("yk", Handler.PAIR, "pair", "question")
    PAIR_STOP = _button("yx", Handler.PAIR, "pair")
    PAIR_CORRECT = _button("yc", Handler.PAIR, "pair", "question")  # by the one interviewed
    PAIR_SAVE = _button("ys", Handler.PAIR, "pair")
    PAIR_DISCARD = _button("yq", Handler.PAIR, "pair")
    PAIR_SWAP = _button("yw", Handler.PAIR, "pair")  # after saving: the other one tells
    PAIR_LANGUAGE = _button("yl", Handler.PAIR, "pair", "language")  # first contact by a link

    # the growth story (flows.growth): months "6" or "12", or a typed date; then the stories
    # of the period (a page of them), each left out or taken back in; then make it. "since":
    # the first day of the list's period (20260301), so a button of an earlier list is stale
    GROWTH_PERIOD = _button("gp", Handler.GROWTH, "months", loads=Load.STORY_LIST)
    GROWTH_SINCE = _button("gd", Handler.GROWTH)
    GROWTH_TOGGLE = _button("gt", Handler.GROWTH, STORY, "page", "since", loads=Load.STORY_LIST)
    GROWTH_PAGE = _button("gn", Handler.GROWTH, "page", "since", loads=Load.STORY_LIST)
    GROWTH_MAKE = _button("gm", Handler.GROWTH, "since", loads=Load.EXPORT)
    GROWTH_STOP = _button("gx", Handler.GROWTH)


_BY_CODE = {action.value: action for action in Action}
# Buttons sent by older versions, read as what they meant then.
LEGACY: dict[str, str] = {"l": "l|1"}  # the story list, before it had pages


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


def encode(action: Action, *args: str | int) -> str:
    """Callback data for a button; raises if it would exceed Telegram's limit."""
    if len(args) != action.arity:
        raise ValueError(f"{action.name} takes {action.arity} arguments")
    parts = [action.value]
    for position, arg in enumerate(args):
        if isinstance(arg, int):
            parts.append(encode_id(arg))
        elif SEPARATOR in arg or not arg:
            raise ValueError("callback arguments must be non-empty and not contain |")
        else:
            parts.append(arg)
        if position == 0 and action.names_story and not isinstance(arg, int):
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
    action = _BY_CODE.get(head)
    if action is None or len(args) != action.arity or any(not a for a in args):
        return None
    story_id = None
    if action.names_story:
        story_id = decode_id(args[0])
        if story_id is None:
            return None
        args = args[1:]
    return Pressed(action, story_id, tuple(args))
