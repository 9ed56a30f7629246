"""A facilitator composes their team's learning menu: hide or show a dish, move one up,
add or remove a dish of their own. Members of the team see the card under /menu.

Every button names the team; it acts only for a team the person facilitates now,
and only on the card as loaded (a stale index is refused kindly).
"""

from __future__ import annotations

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.menu.card import MenuWords, menu
from flows.menu.hints import hint_lines
from flows.menu.suggest import OWN_DISH_LIMIT
from flows.menu.team_card import TeamCard, add_own, move_up, remove_own, toggle
from flows.menu.views import SharedDish
from flows.render import one_line
from flows.replies import Button, Outcome, Reply
from flows.states import State, Step
from flows.teams.effects import SaveTeamCard
from flows.teams.views import TeamRef
from flows.turn import Turn

ADOPT = "adopt"  # MENU_PICK: which shared own dish to put on the card
ASK = "-"  # MENU_ADOPT's course when it is still to be asked
LABEL = 48  # characters of a shared dish on its button
LINE = 120  # characters of a shared dish in the list beside the card
OPERATIONS = {"hide": toggle, "up": move_up, "drop": remove_own}


def compose_buttons(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    """Under /menu: one button per team the person facilitates, to compose its card."""
    teams, words = turn.view.teams, _words(turn)
    if teams is None:
        return ()
    return tuple(
        (Button(words.compose.button.format(team=t.name), encode(Action.MENU_COMPOSE, t.id)),)
        for t in teams.facilitates
    )


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A compose button: only for a team the person facilitates, on its card as loaded."""
    teams, words = turn.view.teams, _words(turn)
    team = teams.facilitated(decode_id(pressed.args[0])) if teams is not None else None
    card = teams.menu if teams is not None else None
    if team is None or card is None:
        return turn.outcome(notice=words.compose.not_facilitator)
    idle = State(draft_id=turn.state.draft_id)
    match pressed.action:
        case Action.MENU_COMPOSE:
            return turn.outcome(idle, composing(turn, team, card))
        case Action.MENU_PICK if pressed.args[1] == ADOPT:
            return turn.outcome(None, _pick_shared(turn, team))
        case Action.MENU_ADOPT:
            return _adopt(turn, idle, team, card, pressed)
        case Action.MENU_PICK if pressed.args[1] in OPERATIONS:
            return turn.outcome(None, _pick(turn, team, card, pressed.args[1]))
        case Action.MENU_APPLY if pressed.args[1] in OPERATIONS:
            index = int(pressed.args[2]) if pressed.args[2].isdigit() else -1
            if not 0 <= index < len(card.dishes):
                return turn.outcome(notice=turn.guide.texts.invalid_button)
            changed = OPERATIONS[pressed.args[1]](card, index)
            return _saved(turn, idle, team, changed)
        case Action.MENU_OWN:
            return turn.outcome(None, _which_course(words, Action.MENU_OWN_COURSE, team.id))
        case Action.MENU_OWN_COURSE if pressed.args[1] in menu().card.courses:
            asking = State(
                step=Step.MENU_OWN,
                draft_id=turn.state.draft_id,
                team_id=team.id,
                course=pressed.args[1],
            )
            return turn.outcome(asking, Reply(words.compose.own_prompt, edit=True))
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def on_text(turn: Turn, text: str) -> Outcome:
    """The typed name (and what it is) of an own dish."""
    teams, words, state = turn.view.teams, _words(turn), turn.state
    team = teams.facilitated(state.team_id) if teams is not None else None
    card = teams.menu if teams is not None else None
    idle = State(draft_id=state.draft_id)
    if team is None or card is None or state.course is None:
        return turn.outcome(idle, notice=words.compose.not_facilitator)
    added = add_own(card, state.course, text)
    if added is None:
        return turn.outcome(None, Reply(words.compose.own_refused))
    return _saved(turn, idle, team, added, edit=False)


def composing(turn: Turn, team: TeamRef, card: TeamCard, *, edit: bool = True) -> Reply:
    """The card as its facilitator sees it: every dish numbered, hidden ones marked."""
    words = _words(turn)
    lines = [words.compose.title.format(team=team.name)]
    for course in menu().card.courses:
        lines.append("")
        lines.append(words.courses[course])
        lines += [
            f"{i + 1}. {_name(words, d.key, d.name)}{words.compose.hidden if d.hidden else ''}"
            for i, d in enumerate(card.dishes)
            if d.course == course
        ]
    photo = turn.view.teams.photo if turn.view.teams is not None else None
    if photo is not None and photo.team.id == team.id:
        minimum = turn.view.policy.min_group_size
        if hints := hint_lines(turn.guide, menu(), photo, minimum):
            lines += ["", *hints]
    if shared := _shared(turn):
        lines += ["", words.compose.shared, *(f"• {one_line(d.text, LINE)}" for d in shared)]
    lines += ["", words.compose.hint.format(team=team.name)]

    def button(label: str, action: Action, *args: str) -> Button:
        return Button(label, encode(action, team.id, *args))

    rows = (
        (
            button(words.compose.hide, Action.MENU_PICK, "hide"),
            button(words.compose.up, Action.MENU_PICK, "up"),
        ),
        (button(words.compose.add, Action.MENU_OWN),)
        + (
            (button(words.compose.drop, Action.MENU_PICK, "drop"),)
            if any(d.own for d in card.dishes)
            else ()
        ),
    ) + (((button(words.compose.adopt, Action.MENU_PICK, ADOPT),),) if shared else ())
    return Reply("\n".join(lines), rows, edit=edit)


def _pick_shared(turn: Turn, team: TeamRef) -> Reply:
    """Which shared own dish to put on the card."""
    return _picker(
        turn,
        team,
        [
            Button(one_line(d.text, LABEL), encode(Action.MENU_ADOPT, team.id, d.id, ASK))
            for d in _shared(turn)
        ],
    )


def _adopt(turn: Turn, idle: State, team: TeamRef, card: TeamCard, pressed: Pressed) -> Outcome:
    """A shared own dish: which course (first), then onto the card in its author's words."""
    words = _words(turn)
    step_id, course = decode_id(pressed.args[1]), pressed.args[2]
    dish = next((d for d in _shared(turn) if d.id == step_id), None)
    if dish is None:  # no longer shared, or never
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if course == ASK:
        return turn.outcome(None, _which_course(words, Action.MENU_ADOPT, team.id, dish.id))
    # a dish someone named (up to OWN_DISH_LIMIT characters) may be a name alone
    added = (
        add_own(card, course, dish.text, OWN_DISH_LIMIT) if course in menu().card.courses else None
    )
    if added is None:
        return turn.outcome(notice=words.compose.own_refused)
    return _saved(turn, idle, team, added)


def _pick(turn: Turn, team: TeamRef, card: TeamCard, operation: str) -> Reply:
    """Which dish: one button each (own dishes only, to remove one)."""
    words = _words(turn)
    return _picker(
        turn,
        team,
        [
            Button(
                f"{i + 1}. {_name(words, d.key, d.name)}",
                encode(Action.MENU_APPLY, team.id, operation, str(i)),
            )
            for i, d in enumerate(card.dishes)
            if operation != "drop" or d.own
        ],
    )


def _picker(turn: Turn, team: TeamRef, choices: list[Button]) -> Reply:
    """ "Which dish?": one button a row, and back to the card."""
    back = Button(_words(turn).compose.back, encode(Action.MENU_COMPOSE, team.id))
    return Reply(_words(turn).compose.pick, tuple((b,) for b in [*choices, back]), edit=True)


def _which_course(words: MenuWords, action: Action, *args: str | int) -> Reply:
    """ "In which course?": a button per course, ``action`` with ``args`` and the course."""
    rows = tuple((Button(words.courses[c], encode(action, *args, c)),) for c in menu().card.courses)
    return Reply(words.compose.course, rows, edit=True)


def _shared(turn: Turn) -> tuple[SharedDish, ...]:
    """The own dishes the team's people shared, loaded with the card being composed."""
    return turn.view.teams.shared_dishes if turn.view.teams is not None else ()


def _saved(turn: Turn, idle: State, team: TeamRef, card: TeamCard, *, edit: bool = True) -> Outcome:
    shown = composing(turn, team, card, edit=edit)
    return Outcome(idle, (shown,), (SaveTeamCard(team.id, card),))


def _name(words: MenuWords, key: str, own_name: str) -> str:
    return words.dishes[key].name if key else own_name


def _words(turn: Turn) -> MenuWords:
    return menu().in_language(turn.guide.language)
