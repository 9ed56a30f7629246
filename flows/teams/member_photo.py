"""/photo for a team's members: their own team's photo, back to the team.

In the method the photo was made with the team. A member may see a window of their own
team once it has ended, a facilitator has seen it (``photo_shown``) and the team's
facilitators let members see it (``Team.members_see_photo``, yes by default), under
exactly the facilitator's rules: the same ``TeamPhotoQuery`` counts it from its frozen
months, with the same minimum per window and per question and only released quotes.
Whatever a button says is checked against the person's team and its open windows now.
"""

from __future__ import annotations

from datetime import datetime

from flows.callbacks import Action, Pressed, decode_id, encode
from flows.content.guide import Guide
from flows.replies import Button, Outcome, Reply
from flows.teams.periods import Period, Span, parse_period
from flows.teams.photo import period_label
from flows.teams.render import photo_replies
from flows.teams.trends import comparable
from flows.teams.views import MemberPhotos, TeamRef
from flows.turn import Turn

PER_SPAN = 2  # the newest two open windows of every length, like the facilitator's picker


def offered(members: MemberPhotos, now: datetime) -> tuple[Period, ...]:
    """The windows a member is offered: ended, seen by a facilitator, newest first per
    length (months, then quarters, half-years, years); none when members do not see it."""
    if not members.see:
        return ()
    ended = [p for p in members.shown if p.end <= now]
    chosen: list[Period] = []
    for span in Span:
        of_span = sorted((p for p in ended if p.span is span), key=lambda p: p.end, reverse=True)
        chosen += of_span[:PER_SPAN]
    return tuple(chosen)


def picker(guide: Guide, team: TeamRef, periods: tuple[Period, ...], *, edit: bool) -> Reply:
    """The open windows of the member's team, two to a row."""
    buttons = [
        Button(period_label(guide, p), encode(Action.MEMBER_PHOTO, team.id, str(p)))
        for p in periods
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply(guide.teams.photo_member_pick.format(team=team.name), rows, edit=edit)


def on_command(turn: Turn, *, edit: bool = False) -> Outcome:
    """A member's /photo: the windows of their team open to them, or why there are none."""
    texts, teams = turn.guide.teams, turn.view.teams
    if teams is None or teams.team is None:
        return turn.outcome(None, Reply(texts.photo_no_team, edit=edit))
    team, members = teams.team, teams.members
    if members is None or not members.see:
        closed = texts.photo_members_closed.format(team=team.name)
        return turn.outcome(None, Reply(closed, edit=edit))
    periods = offered(members, turn.view.now)
    if not periods:
        return turn.outcome(None, Reply(texts.photo_none_shown.format(team=team.name), edit=edit))
    return turn.outcome(None, picker(turn.guide, team, periods, edit=edit))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A member's team or window: only their own team's, and only a window open to them."""
    texts, teams = turn.guide.teams, turn.view.teams
    if teams is None or teams.team is None or decode_id(pressed.args[0]) != teams.team.id:
        return turn.outcome(notice=texts.photo_other_team)
    if pressed.action is Action.MEMBER_PHOTO_TEAM:
        return on_command(turn, edit=True)
    team, members = teams.team, teams.members
    if members is None or not members.see:
        return turn.outcome(notice=texts.photo_members_closed.format(team=team.name))
    period = parse_period(pressed.args[1])
    if period is None or period.end > turn.view.now:  # only ended windows are offered
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if period not in members.shown:
        return turn.outcome(notice=texts.photo_not_shown)
    photo = members.photo
    if photo is None or photo.team.id != team.id or photo.period != period:
        return turn.outcome(notice=texts.photo_not_shown)
    minimum = turn.view.policy.min_group_size
    previous = comparable(photo, members.previous, minimum, members.shown)
    return turn.outcome(None, *photo_replies(turn.guide, photo, minimum, previous))


def team_button(guide: Guide, team: TeamRef) -> Button:
    """For someone who facilitates teams and belongs to another: their own team's photo."""
    label = guide.teams.photo_own_team.format(team=team.name)
    return Button(label, encode(Action.MEMBER_PHOTO_TEAM, team.id))
