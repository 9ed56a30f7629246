"""Callback data: every action round-trips, and anything malformed decodes to None; every
button in the table is routed to its handler and loads what its row says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import dialogue
from flows.callbacks import (
    MAX_BYTES,
    SEPARATOR,
    Action,
    Load,
    Pressed,
    decode,
    decode_id,
    encode,
    encode_id,
)
from flows.events import Press
from flows.states import State
from flows.teams.views import TeamRules, TeamsView
from flows.views import Needs, PersonRecord, PersonView

BIGGEST_STORY_ID = 2**52 + 1  # bot.engine.conversation.new_story_id: randbits(52) + 1
PAIR_ID = encode_id(BIGGEST_STORY_ID)

# Typical arguments for every action, as the renderer passes them.
EXAMPLES: dict[Action, tuple[str | int, ...]] = {
    Action.BEGIN: (),
    Action.NOT_NOW: (),
    Action.TOGGLE: (BIGGEST_STORY_ID, "obstacles", "unclear_expectations"),
    Action.DONE: (7, "how"),
    Action.SKIP: (0, "change"),
    Action.BACK: (36, "helped_most"),
    Action.CONFIRM: (12345,),
    Action.CHANGE: (1,),
    Action.EDIT: (99, "next_step"),
    Action.CARD: (35,),
    Action.DISCARD: (BIGGEST_STORY_ID,),
    Action.DISCARD_YES: (4,),
    Action.RESUME: (5,),
    Action.FRESH: (6,),
    Action.FRESH_YES: (6,),
    Action.EXAMPLE: (BIGGEST_STORY_ID, "change", "2"),
    Action.NOTHING: (BIGGEST_STORY_ID, "smoother"),
    Action.THROUGH_DONE: (BIGGEST_STORY_ID,),
    Action.LIST: ("17",),
    Action.LIST_STORIES: ("3",),
    Action.LANGUAGE: ("nl",),
    Action.LANGUAGE_INVITE: ("nl", "j_abcdefghijklmnop"),
    Action.TO_STORY: (BIGGEST_STORY_ID,),
    Action.SNOOZE_TODAY: ("abc123",),
    Action.SNOOZE_TOMORROW: ("abc123",),
    Action.SKIP_CHECKIN: ("abc123",),
    Action.SETTINGS: (),
    Action.SETTINGS_PAGE: ("weekend",),
    Action.SET_ZONE: ("America/Argentina/ComodRivadavia",),
    Action.SET_PLACE: ("2f8xo", "215"),
    Action.SET_RHYTHM: ("biweekly",),
    Action.SET_WEEKDAY: ("4",),
    Action.SET_TIME: ("0930",),
    Action.SET_WEEKEND: ("45",),
    Action.CLOSE_SETTINGS: (),
    Action.REFLECT_MOVE: (),
    Action.PAUSE: ("14",),
    Action.EXPORT: (),
    Action.FORGET: (),
    Action.FORGET_YES: ("12",),
    Action.FORGET_NO: (),
    Action.JOIN_YES: ("abcdefghijklmnop",),
    Action.JOIN_NO: (),
    Action.LEAVE_TEAM: (),
    Action.LEAVE_YES: ("2s",),
    Action.ADMIN_TEAM: ("2s",),
    Action.ADMIN_INVITE: ("2s", "facilitator"),
    Action.ADMIN_REVOKE: ("2s",),
    Action.PHOTO_TEAM: ("zzzzzz",),
    Action.PHOTO_PERIOD: ("zzzzzz", "2026-Q3"),
    Action.PHOTO_MEMBERS: ("zzzzzz", "n"),
    Action.MEMBER_PHOTO_TEAM: ("zzzzzz",),
    Action.MEMBER_PHOTO: ("zzzzzz", "2026-Q3"),
    Action.SESSION_KIT: ("zzzzzz", "2026-Q3"),
    Action.QUOTE_SHARE: (BIGGEST_STORY_ID,),
    Action.QUOTE_KEEP: (BIGGEST_STORY_ID,),
    Action.QUOTE_WITHDRAW: (BIGGEST_STORY_ID,),
    Action.ORDER: (BIGGEST_STORY_ID, "peer_consultation"),
    Action.SUGGESTION_NOT_NOW: (BIGGEST_STORY_ID,),
    Action.OWN_DISH: (),
    Action.CHOOSE_DISH: (),
    Action.MENU_DISH: ("feedback_session",),
    Action.WHEN: ("18ce53un18h", "month"),  # a next step's id in base 36
    Action.FOLLOW_DID: ("18ce53un18h",),
    Action.FOLLOW_NOT_YET: ("18ce53un18h",),
    Action.FOLLOW_NOT_FOR_ME: ("18ce53un18h",),
    Action.FOLLOW_KEEP: ("18ce53un18h",),
    Action.FOLLOW_ANOTHER: ("18ce53un18h",),
    Action.MENU_COMPOSE: ("zzzzzz",),
    Action.MENU_PICK: ("zzzzzz", "drop"),
    Action.MENU_APPLY: ("zzzzzz", "hide", "31"),
    Action.MENU_OWN: ("zzzzzz",),
    Action.MENU_OWN_COURSE: ("zzzzzz", "medium"),
    Action.SHARE_DISH: ("2f8xo1abc", "y"),
    Action.MENU_ADOPT: ("zzzzzz", "2f8xo1abc", "-"),
    Action.INVITE_PICK: (),
    Action.INVITE: ("peer_consultation",),
    Action.INVITE_STORY: (BIGGEST_STORY_ID, "peer_consultation"),
    Action.INVITE_SEND: ("18ce53un18h",),  # a card's id in base 36
    Action.INVITE_OWN: ("18ce53un18h",),
    Action.INVITE_STOP: (),
    Action.THANKS: (BIGGEST_STORY_ID,),
    Action.THANKS_NO: (BIGGEST_STORY_ID,),
    # a pair interview: its id (in base 36) is a story id reserved by the step that invited
    Action.PAIR_ROLE: ("you",),
    Action.PAIR_NOT_NOW: (),
    Action.PAIR_ACCEPT: (PAIR_ID,),
    Action.PAIR_START: (PAIR_ID,),
    Action.PAIR_TOGGLE: (PAIR_ID, "obstacles", "unclear_expectations"),
    Action.PAIR_DONE: (PAIR_ID, "helped_most"),
    Action.PAIR_SKIP: (PAIR_ID, "helped_most"),
    Action.PAIR_STOP: (PAIR_ID,),
    Action.PAIR_CORRECT: (PAIR_ID, "helped_most"),
    Action.PAIR_SAVE: (PAIR_ID,),
    Action.PAIR_DISCARD: (PAIR_ID,),
    Action.PAIR_SWAP: (PAIR_ID,),
    Action.PAIR_LANGUAGE: (PAIR_ID, "nl"),
    Action.GROWTH_PERIOD: ("12",),
    Action.GROWTH_SINCE: (),
    Action.GROWTH_TOGGLE: (BIGGEST_STORY_ID, "2", "20250302"),  # story, page, period's start
    Action.GROWTH_PAGE: ("2", "20250302"),
    Action.GROWTH_MAKE: ("20250302",),
    Action.GROWTH_STOP: (),
}


def test_examples_cover_every_action() -> None:
    assert set(EXAMPLES) == set(Action)
    assert all(len(args) == action.arity for action, args in EXAMPLES.items())


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_round_trip(action: Action) -> None:
    args = EXAMPLES[action]
    data = encode(action, *args)
    assert len(data.encode()) <= MAX_BYTES
    names_story = action.names_story
    expected = (
        Pressed(action, int(args[0]), tuple(str(a) for a in args[1:]))
        if names_story
        else Pressed(action, None, tuple(str(a) for a in args))
    )
    assert decode(data) == expected


def test_action_codes_are_unique_and_stable() -> None:
    # The codes are stored in messages already sent: they must never change.
    assert [a.value for a in Action] == [
        "go", "nn", "t", "d", "s", "b", "ok", "ch", "e", "c", "x", "xy", "r", "f", "l", "lg",
        "li", "ts", "zl", "zt", "zs", "so", "sp", "zz", "sr", "sd", "st", "sw", "sx", "mv", "pz",
        "ex", "fg", "fy", "fn", "jy", "jn", "tl", "ty", "ta", "ti", "tr", "pt", "pp", "pv",
        "pw", "pm", "pk", "qs",
        "qk", "qw", "fx", "eg", "nt", "nd", "ls", "zp",
        "no", "nx", "ns", "nc", "nm", "nw", "ud", "uy", "un", "uk", "uc",
        "vp", "vd", "vs", "vk", "vo", "vx", "hy", "hn", "mc", "mk", "ma", "mo", "mq", "nh",
        "mj",
        "yr", "yn", "ya", "yg", "yo", "yd", "yk", "yx", "yc", "ys", "yq", "yw", "yl",
        "gp", "gd", "gt", "gn", "gm", "gx",
    ]  # fmt: skip


def test_encoded_form_is_compact() -> None:
    assert encode(Action.BEGIN) == "go"
    assert encode(Action.TOGGLE, 36, "how", "by_doing") == "t|10|how|by_doing"
    assert encode(Action.LANGUAGE, "nl") == "lg|nl"


@pytest.mark.parametrize("value", [0, 1, 9, 10, 35, 36, 1295, 1296, 2**31, 2**52, 2**63])
def test_id_round_trip(value: int) -> None:
    text = encode_id(value)
    assert set(text) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
    assert decode_id(text) == value


def test_biggest_story_id_is_short() -> None:
    assert len(encode_id(BIGGEST_STORY_ID)) <= 11


def test_negative_id_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_id(-1)
    with pytest.raises(ValueError):
        encode(Action.CONFIRM, -5)


@pytest.mark.parametrize(
    "text", ["", "-1", "A", "1A", "1 ", " 1", "1.0", "١", "z" * 14, "1-2", "+1", "1_0"]
)
def test_bad_ids(text: str) -> None:
    assert decode_id(text) is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zz",  # unknown action
        "GO",  # actions are case-sensitive
        " go",
        "go ",
        "go\n",
        "go|",  # BEGIN takes no arguments
        "go|x",
        "l|1|2",  # LIST takes one page number
        "l|",
        "ok",  # CONFIRM needs a story
        "ok|1|2",
        "t|1|how",  # TOGGLE needs three
        "t|1|how|by_doing|x",
        "t|1||by_doing",  # empty argument
        "t||how|by_doing",
        "t|1|how|",
        "|",
        "||",
        "ok|",
        "ok|-1",  # bad ids
        "ok|A",
        "ok|1.5",
        "ok| 1",
        "ok|" + "z" * 14,
        "ok|١٢",  # Arabic-Indic digits are not ids
        "lg|",
        "lg|nl|en",
        "e|1",
        "x|😀",
        "ok|1\x00",
        "t|1|how|" + "a" * 60,  # longer than 64 bytes
        "lg|" + "é" * 31,  # 65 bytes, though only 34 characters
    ],
)
def test_malformed_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None


def test_a_bare_list_button_from_older_messages_is_the_first_page() -> None:
    assert decode("l") == Pressed(Action.LIST, None, ("1",))
    assert decode("l|3") == Pressed(Action.LIST, None, ("3",))


def test_exactly_64_bytes_is_accepted() -> None:
    data = "lg|" + "n" * (MAX_BYTES - 3)
    assert len(data.encode()) == MAX_BYTES
    assert decode(data) == Pressed(Action.LANGUAGE, None, ("n" * (MAX_BYTES - 3),))
    assert decode(data + "n") is None


def test_decode_does_not_validate_question_or_option_keys() -> None:
    # Keys are checked by the flow against the guide, not here.
    assert decode("t|1|nope|nothing") == Pressed(Action.TOGGLE, 1, ("nope", "nothing"))


@pytest.mark.parametrize(
    ("action", "args"),
    [
        (Action.BEGIN, (1,)),
        (Action.TOGGLE, (1, "how")),
        (Action.CONFIRM, ()),
        (Action.CONFIRM, (1, 2)),
        (Action.LANGUAGE, ()),
    ],
)
def test_encode_refuses_wrong_arity(action: Action, args: tuple[str | int, ...]) -> None:
    with pytest.raises(ValueError):
        encode(action, *args)


@pytest.mark.parametrize(
    ("action", "args"),
    [
        (Action.TOGGLE, (1, "how", "a|b")),
        (Action.TOGGLE, (1, "", "x")),
        (Action.EDIT, (1, SEPARATOR)),
        (Action.CONFIRM, ("1",)),  # a story must be an id, not text
        (Action.TOGGLE, ("abc", "how", "x")),
    ],
)
def test_encode_refuses_bad_arguments(action: Action, args: tuple[str | int, ...]) -> None:
    with pytest.raises(ValueError):
        encode(action, *args)


def test_encode_refuses_over_long_data() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode(Action.TOGGLE, BIGGEST_STORY_ID, "q" * 30, "o" * 30)
    with pytest.raises(ValueError, match="64 bytes"):
        encode(Action.LANGUAGE, "é" * 31)  # counted in bytes, not characters


def test_longest_keys_the_guide_allows_still_fit() -> None:
    # Question keys have at most 16 characters and option keys at most 24.
    data = encode(Action.TOGGLE, BIGGEST_STORY_ID, "q" * 16, "o" * 24)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == Pressed(Action.TOGGLE, BIGGEST_STORY_ID, ("q" * 16, "o" * 24))


# --- the table routes every button and says what its step loads ---------------------

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
LOADS_TEAMS = (
    Load.TEAMS
    | Load.ALL_TEAMS
    | Load.INVITE
    | Load.PHOTO
    | Load.TEAM_MENU
    | Load.OWN_TEAM_MENU
    | Load.MEMBER_PHOTOS
    | Load.MEMBER_PHOTO
)


def _view(needed: Needs) -> PersonView:
    """A new person's view, holding what the step asked to load (no stories of theirs)."""
    record = PersonRecord("telegram", 1, 1, "en", NOW, None, None, (), (), ())
    return PersonView(
        language="en",
        state=State(),
        now=NOW,
        new_story_id=1,
        story_list=() if needed.story_list else None,
        record=record if needed.export else None,
        teams=TeamsView(TeamRules(), ("a" * 16, "b" * 16)) if needed.teams else None,
    )


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_every_button_loads_what_its_row_says_and_gets_an_answer(action: Action) -> None:
    press = Press(encode(action, *EXAMPLES[action]))
    needed = dialogue.needs(State(), press)
    assert needed.story_list == (Load.STORY_LIST in action.loads)
    assert needed.export == (Load.EXPORT in action.loads)
    assert needed.next_step == (Load.NEXT_STEP in action.loads)
    assert needed.invitations == (Load.INVITATIONS in action.loads)
    assert (needed.teams is not None) == bool(action.loads & LOADS_TEAMS)
    if needed.teams is not None:
        assert needed.teams.all_teams == (Load.ALL_TEAMS in action.loads)
    pressed = decode(press.data)
    assert pressed is not None
    assert needed.story_ids == ({pressed.story_id} if action.names_story else set())
    outcome = dialogue.step(_view(needed), press)
    assert outcome.replies or outcome.notice, "every button is answered, if only by a refusal"
