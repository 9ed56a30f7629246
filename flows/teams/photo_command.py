"""/photo: a facilitator picks one of their teams and a period, and sees its photo; a
member sees the windows of their own team open to them (``flows.teams.member_photo``).

Who may see a team's photo is checked against the facilitators loaded at this
very moment, whatever a button says: a member, a facilitator of another team,
a former facilitator or a forged button gets the same polite refusal, and
nothing about the team. A facilitator's look at a window that may be shown opens
it to the team's members (``PhotoSeen``), unless the facilitators keep the photo
to themselves (the picker's "members see it" button). Under the photo, a button
makes the session kit for a team meeting (``flows.teams.session_kit``).
"""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.replies import Button, Outcome, Reply
from flows.teams import member_photo
from flows.teams import render as team_render
from flows.teams.effects import MembersSeePhoto, PhotoSeen
from flows.teams.periods import parse_period
from flows.teams.photo import assemble, not_enough_text
from flows.teams.render import photo_replies
from flows.teams.session_kit import kit_replies
from flows.teams.trends import may_show
from flows.teams.views import PhotoData, TeamRef, TeamsView
from flows.turn import Turn

MEMBER_ACTIONS = frozenset({Action.MEMBER_PHOTO_TEAM, Action.MEMBER_PHOTO})
SEE = {"y": True, "n": False}


def _picker(turn: Turn, teams: TeamsView, team: TeamRef, *, edit: bool = False) -> Reply:
    see = team.id not in teams.hidden_from_members
    return team_render.period_picker(turn.guide, team, turn.view.now, see, edit=edit)


def on_command(turn: Turn) -> Outcome:
    """/photo: the period picker for a single team, else a team picker; for a member,
    the windows of their own team open to them."""
    texts, teams = turn.guide.teams, turn.view.teams
    if teams is None or not teams.facilitates:
        return member_photo.on_command(turn)
    if len(teams.facilitates) == 1 and teams.team is None:
        return turn.outcome(None, _picker(turn, teams, teams.facilitates[0]))
    buttons = team_render.team_buttons(teams.facilitates, Action.PHOTO_TEAM)
    if teams.team is not None:  # they belong to another team: its photo as a member
        buttons = (*buttons, (member_photo.team_button(turn.guide, teams.team),))
    return turn.outcome(None, Reply(texts.photo_pick_team, buttons))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A team or a period was picked: only for a team the person facilitates now."""
    if pressed.action in MEMBER_ACTIONS:
        return member_photo.on_press(turn, pressed)
    texts, teams = turn.guide.teams, turn.view.teams
    team = teams.facilitated(decode_id(pressed.args[0])) if teams is not None else None
    if teams is None or team is None:
        return turn.outcome(notice=texts.photo_not_facilitator)
    if pressed.action is Action.PHOTO_TEAM:
        return turn.outcome(None, _picker(turn, teams, team, edit=True))
    if pressed.action is Action.PHOTO_MEMBERS:
        return _members_see(turn, teams, team, pressed.args[1])
    photo = _photo(turn, teams, team, pressed.args[1])
    if isinstance(photo, Outcome):
        return photo
    minimum = turn.view.policy.min_group_size
    seen = (PhotoSeen(team.id, photo.period),) if may_show(photo, minimum) else ()
    if pressed.action is Action.SESSION_KIT:
        return _session_kit(turn, photo, teams.previous, seen)
    kit = Button(texts.kit_button, encode(Action.SESSION_KIT, team.id, str(photo.period)))
    replies = photo_replies(turn.guide, photo, minimum, teams.previous, ((kit,),))
    return Outcome(turn.state, replies, seen)


def _photo(turn: Turn, teams: TeamsView, team: TeamRef, asked: str) -> PhotoData | Outcome:
    """The photo a button asks for, as loaded for this team, or the refusal."""
    period = parse_period(asked)
    if period is None or period.end > turn.view.now:  # only ended windows are offered
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    photo = teams.photo
    if photo is None or photo.team.id != team.id or photo.period != period:
        return turn.outcome(notice=turn.guide.teams.photo_not_facilitator)
    return photo


def _session_kit(
    turn: Turn, photo: PhotoData, previous: PhotoData | None, seen: tuple[PhotoSeen, ...]
) -> Outcome:
    """The photo and the method's questions for a team meeting: a message and a PDF, to
    forward to the team, so only with quotes shared knowing the team may read them."""
    minimum = turn.view.policy.min_group_size
    assembled = assemble(turn.guide, replace(photo, quotes=photo.team_quotes), minimum, previous)
    if assembled is None:
        return turn.outcome(None, Reply(not_enough_text(turn.guide, photo, minimum)))
    return Outcome(turn.state, kit_replies(turn.guide, assembled, str(photo.period)), seen)


def _members_see(turn: Turn, teams: TeamsView, team: TeamRef, answer: str) -> Outcome:
    """The picker's button: the team's members see the windows a facilitator saw, or not."""
    see = SEE.get(answer)
    if see is None:
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    texts = turn.guide.teams
    hidden = teams.hidden_from_members - {team.id} if see else teams.hidden_from_members | {team.id}
    picker = _picker(turn, replace(teams, hidden_from_members=hidden), team, edit=True)
    notice = (texts.photo_members_on if see else texts.photo_members_off).format(team=team.name)
    return Outcome(turn.state, (picker,), (MembersSeePhoto(team.id, see),), notice)
