"""Teams: joining by invite, /team, and the admins' /newteam and /teams.

Every code, typed or carried by a button, is looked up again by the runner
(``Needs.teams``), so a button is never trusted on its own. A wrong code
counts as a failed try; after ``TeamRules.join_attempts`` of them the person
must wait ``TeamRules.join_lock`` before any code is looked up again.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from flows import render
from flows.callbacks import Action, Load, Pressed, decode, decode_id, encode
from flows.events import Command, Event, Press
from flows.replies import Button, Outcome, Reply, Welcomed
from flows.states import State, Step
from flows.teams import photo_command as photos
from flows.teams import render as team_render
from flows.teams.effects import (
    BecomeFacilitator,
    CreateTeam,
    JoinFailed,
    JoinTeam,
    LeaveTeam,
    NewInvite,
    RevokeInvites,
)
from flows.teams.periods import parse_period
from flows.teams.rhythm import DeliveryRhythm
from flows.teams.views import InviteView, Role, TeamNeeds, TeamRef, TeamsView
from flows.turn import IN_STORY, Turn, where_we_are
from flows.views import Needs

TEAM_COMMANDS = frozenset({"join", "team", "newteam", "teams", "photo"})
CODE_LENGTH = 16
_CODE = re.compile(rf"^[a-z2-7]{{{CODE_LENGTH}}}$")
_PAYLOAD = re.compile(r"^[jf]_")
TEAM_NAME_LIMIT = 120


def normalised_code(text: str) -> str | None:
    """A typed or linked code in its stored form (lower case, no dashes), else None."""
    code = re.sub(r"[\s-]", "", text).lower()
    return code if _CODE.match(code) else None


def is_invite_start(command: Command) -> bool:
    """True for /start with an invite payload (a deep link such as ?start=j_...)."""
    return command.name == "start" and bool(_PAYLOAD.match(command.args))


def invite_code(command: Command) -> str | None:
    """The well-formed code of an invite start (a deep link), else None."""
    return normalised_code(command.args[2:]) if is_invite_start(command) else None


def _typed_code(command: Command) -> str:
    """What the person offered as a code: /join CODE, /team CODE, or a deep link."""
    return command.args[2:] if is_invite_start(command) else command.args


def needs(event: Event, base: Needs) -> Needs:
    """Add what a team step needs: the person's teams, a code to check, a photo."""
    wanted: TeamNeeds | None = None
    if isinstance(event, Command) and (event.name in TEAM_COMMANDS or is_invite_start(event)):
        code = normalised_code(_typed_code(event))
        wanted = TeamNeeds(
            invite_code=code, all_teams=event.name == "teams", member_photos=event.name == "photo"
        )
    elif isinstance(event, Press) and (pressed := decode(event.data)) is not None:
        wanted = _pressed_needs(pressed)
    return base if wanted is None else replace(base, teams=wanted)


def _pressed_needs(pressed: Pressed) -> TeamNeeds | None:
    """What a button's row in the table says to load of teams (``Action.loads``)."""
    loads = pressed.action.loads
    if Load.INVITE in loads:  # the code is the last argument: bare, or the /start payload
        code = pressed.args[-1]
        return TeamNeeds(invite_code=normalised_code(code[2:] if _PAYLOAD.match(code) else code))
    if loads & (Load.PHOTO | Load.MEMBER_PHOTO):  # the team and the period are the first two
        team_id, period = decode_id(pressed.args[0]), parse_period(pressed.args[1])
        photo = (team_id, period) if team_id is not None and period is not None else None
        if Load.MEMBER_PHOTO in loads:
            return TeamNeeds(member_photos=True, member_photo=photo)
        return TeamNeeds(photo=photo)
    if Load.MEMBER_PHOTOS in loads:
        return TeamNeeds(member_photos=True)
    if Load.TEAM_MENU in loads:
        return TeamNeeds(menu=decode_id(pressed.args[0]))
    if Load.OWN_TEAM_MENU in loads:
        return TeamNeeds(own_menu=True)
    if loads & (Load.TEAMS | Load.ALL_TEAMS):
        return TeamNeeds(all_teams=Load.ALL_TEAMS in loads)
    return None


def _teams(turn: Turn) -> TeamsView:
    teams = turn.view.teams
    assert teams is not None, "needs() asks the runner to load teams for every team step"
    return teams


def on_command(turn: Turn, command: Command) -> Outcome:
    """/join, /team, /photo, the admins' /newteam and /teams, and /start with an invite."""
    match command.name:
        case "newteam":
            return _new_team(turn, command.args)
        case "teams":
            return _team_list(turn)
        case "photo":
            return photos.on_command(turn)
        case "team" if not command.args:
            return _show_team(turn)
    if not _typed_code(command).strip():
        return turn.outcome(None, Reply(turn.guide.teams.join_usage))
    return offer_join(turn)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Buttons of joining and leaving."""
    texts, teams = turn.guide.teams, _teams(turn)
    team_id = decode_id(pressed.args[0]) if pressed.args else None
    match pressed.action:
        case Action.JOIN_YES:
            return _join(turn)
        case Action.JOIN_NO:
            return turn.outcome(None, Reply(texts.join_cancelled, edit=True))
        case Action.LEAVE_TEAM if teams.team is not None:
            return turn.outcome(None, team_render.leave_question(turn.guide, teams.team))
        case Action.LEAVE_YES if teams.team is not None and teams.team.id == team_id:
            reply = Reply(texts.left.format(team=teams.team.name), edit=True)
            return Outcome(turn.state, (reply,), (LeaveTeam(),))
    return turn.outcome(notice=turn.guide.texts.stale_button)


# --- joining --------------------------------------------------------------------------


def _checked_invite(turn: Turn) -> InviteView | Outcome:
    """The invite the runner found for the offered code, or the outcome of a refusal."""
    texts, teams, now = turn.guide.teams, _teams(turn), turn.view.now
    if teams.join_locked_until is not None and teams.join_locked_until > now:
        return turn.outcome(None, Reply(_locked_text(turn, teams)))
    if teams.invite is not None:
        return teams.invite
    rules = teams.rules
    if teams.join_failures + 1 < rules.join_attempts:
        return Outcome(turn.state, (Reply(texts.code_invalid),), (JoinFailed(),))
    until = now + rules.join_lock
    locked = replace(teams, join_locked_until=until)
    return Outcome(turn.state, (Reply(_locked_text(turn, locked)),), (JoinFailed(until),))


def _locked_text(turn: Turn, teams: TeamsView) -> str:
    assert teams.join_locked_until is not None
    seconds = (teams.join_locked_until - turn.view.now).total_seconds()
    return turn.guide.teams.join_locked.format(minutes=max(1, math.ceil(seconds / 60)))


def offer_join(turn: Turn) -> Outcome:
    """A code was offered: ask to confirm, or say it was already done."""
    texts, teams = turn.guide.teams, _teams(turn)
    invite = _checked_invite(turn)
    if isinstance(invite, Outcome):
        return invite
    team = invite.team
    if (refused := _both_roles(turn, invite)) is not None:
        return refused
    if invite.role is Role.FACILITATOR:
        if teams.facilitated(team.id):
            return turn.outcome(None, Reply(texts.already_facilitator.format(team=team.name)))
        size = turn.view.policy.min_group_size
        text = texts.facilitator_confirm.format(team=team.name, size=size)
    elif teams.team is not None and teams.team.id == team.id:
        return turn.outcome(None, Reply(texts.already_member.format(team=team.name)))
    elif teams.team is not None:
        text = texts.join_switch.format(current=teams.team.name, team=team.name)
    else:
        text = texts.join_confirm.format(team=team.name)
    return turn.outcome(None, team_render.confirm_join(turn.guide, text, invite.code, invite.role))


def _both_roles(turn: Turn, invite: InviteView) -> Outcome | None:
    """Nobody is both a member and a facilitator of one team (one could then count
    themselves toward the minimum of the photo they see): the second role is refused."""
    texts, teams, team = turn.guide.teams, _teams(turn), invite.team
    if invite.role is Role.FACILITATOR and teams.team is not None and teams.team.id == team.id:
        return turn.outcome(None, Reply(texts.member_cannot_facilitate.format(team=team.name)))
    if invite.role is Role.MEMBER and teams.facilitated(team.id):
        return turn.outcome(None, Reply(texts.facilitator_cannot_join.format(team=team.name)))
    return None


def _join(turn: Turn) -> Outcome:
    """'Yes' under an invite: the code is checked again, then the person joins."""
    texts = turn.guide.teams
    invite = _checked_invite(turn)
    if isinstance(invite, Outcome):
        return invite
    name = invite.team.name
    if (refused := _both_roles(turn, invite)) is not None:
        return refused
    first = not turn.view.welcomed  # first contact by invite: no welcome shown yet
    if invite.role is Role.FACILITATOR:  # their role, introduced: it is their welcome
        done = Reply(_facilitator_introduction(turn, name), edit=True)
        became = BecomeFacilitator(invite.team.id, invite.code)
        return Outcome(turn.state, (done,), (became, Welcomed()) if first else (became,))
    joined = Reply(texts.joined.format(team=name), edit=True)
    if first and turn.state.step not in IN_STORY:
        state = State(step=Step.WELCOME, draft_id=turn.state.draft_id)
        welcome = render.welcome(turn.guide)
        return Outcome(state, (joined, welcome), (JoinTeam(invite.team.id), Welcomed()))
    return Outcome(turn.state, (joined, *where_we_are(turn)), (JoinTeam(invite.team.id),))


def _facilitator_introduction(turn: Turn, team: str) -> str:
    """What a facilitator will see, when, and what never."""
    texts = turn.guide.teams
    delivery = {
        DeliveryRhythm.MONTHLY: texts.facilitator_delivery_monthly,
        DeliveryRhythm.QUARTERLY: texts.facilitator_delivery_quarterly,
        DeliveryRhythm.HALF_YEARLY: texts.facilitator_delivery_half_yearly,
        DeliveryRhythm.YEARLY: texts.facilitator_delivery_yearly,
        DeliveryRhythm.OFF: texts.facilitator_delivery_off,
    }[_teams(turn).rules.delivery]
    size = turn.view.policy.min_group_size
    return texts.facilitator_added.format(team=team, size=size, delivery=delivery)


def _show_team(turn: Turn) -> Outcome:
    """/team: the person's team (and the teams they facilitate), and how to move."""
    texts, teams = turn.guide.teams, _teams(turn)
    team = teams.team
    lines = [texts.team_current.format(team=team.name) if team else texts.team_none]
    if teams.facilitates:
        names = ", ".join(f"“{t.name}”" for t in teams.facilitates)
        lines.append(texts.team_facilitates.format(teams=names))
    buttons: tuple[tuple[Button, ...], ...] = ()
    if team is not None:
        buttons = ((Button(texts.leave, encode(Action.LEAVE_TEAM)),),)
    return turn.outcome(None, Reply("\n\n".join(lines), buttons), *where_we_are(turn))


# --- admins ---------------------------------------------------------------------------


def _new_team(turn: Turn, name: str) -> Outcome:
    """/newteam NAME: a team with a member invite and a facilitator invite."""
    texts, teams = turn.guide.teams, _teams(turn)
    if not turn.view.is_admin:
        return turn.outcome(None, Reply(texts.admin_only))
    name = " ".join(name.split())
    if not name or len(name) > TEAM_NAME_LIMIT:
        return turn.outcome(None, Reply(texts.newteam_usage))
    member, facilitator = teams.new_codes
    bot = turn.view.bot_username
    replies = (
        Reply(texts.team_created.format(team=name)),
        team_render.invite(turn.guide, bot, name, Role.MEMBER, member),
        team_render.invite(turn.guide, bot, name, Role.FACILITATOR, facilitator),
    )
    return Outcome(turn.state, replies, (CreateTeam(name, member, facilitator),))


def _team_list(turn: Turn) -> Outcome:
    """/teams: every team, one button each (admins only)."""
    texts, teams = turn.guide.teams, _teams(turn)
    if not turn.view.is_admin:
        return turn.outcome(None, Reply(texts.admin_only))
    if not teams.all_teams:
        return turn.outcome(None, Reply(texts.teams_empty))
    buttons = team_render.team_buttons(teams.all_teams, Action.ADMIN_TEAM)
    return turn.outcome(None, Reply(texts.teams_title, buttons))


def on_admin_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A team's menu, a new invite, or revoking them: checked against admins and teams now."""
    texts, teams = turn.guide.teams, _teams(turn)
    if not turn.view.is_admin:
        return turn.outcome(notice=texts.admin_only)
    team_id = decode_id(pressed.args[0])
    team = next((t for t in teams.all_teams if t.id == team_id), None)
    if team is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    match pressed.action:
        case Action.ADMIN_TEAM:
            return turn.outcome(None, team_render.admin_menu(turn.guide, team))
        case Action.ADMIN_INVITE if pressed.args[1] in set(Role):
            return _new_invite(turn, team, Role(pressed.args[1]))
        case Action.ADMIN_REVOKE:
            reply = Reply(texts.codes_revoked.format(team=team.name), edit=True)
            return Outcome(turn.state, (reply,), (RevokeInvites(team.id),))
    return turn.outcome(notice=turn.guide.texts.invalid_button)


def _new_invite(turn: Turn, team: TeamRef, role: Role) -> Outcome:
    code = _teams(turn).new_codes[0]
    reply = team_render.invite(turn.guide, turn.view.bot_username, team.name, role, code)
    return Outcome(turn.state, (reply,), (NewInvite(team.id, role, code),))
