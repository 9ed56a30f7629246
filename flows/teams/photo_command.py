"""/photo: a facilitator picks one of their teams and a period, and sees its photo.

Who may see a team's photo is checked against the facilitators loaded at this
very moment, whatever a button says: a member, a facilitator of another team,
a former facilitator or a forged button gets the same polite refusal, and
nothing about the team.
"""

from __future__ import annotations

from flows.callbacks import Action, Pressed, decode_id
from flows.content.guide import Guide
from flows.replies import File, Outcome, Reply
from flows.teams import render as team_render
from flows.teams.chart import chart_png
from flows.teams.periods import parse_period
from flows.teams.photo import assemble, not_enough_text, photo_text
from flows.teams.views import PhotoData
from flows.turn import Turn


def photo_replies(guide: Guide, data: PhotoData, minimum: int) -> tuple[Reply, ...]:
    """The photo as a message and a chart, or only that it stays below the minimum."""
    photo = assemble(guide, data, minimum)
    if photo is None:
        return (Reply(not_enough_text(guide, data, minimum)),)
    chart = File(f"team-photo-{data.period}.png", chart_png(guide, photo), True)
    return (Reply(photo_text(guide, photo)), Reply(photo.title, file=chart))


def on_command(turn: Turn) -> Outcome:
    """/photo: the period picker for a single team, else a team picker."""
    texts, teams = turn.guide.teams, turn.view.teams
    if teams is None or not teams.facilitates:
        return turn.outcome(None, Reply(texts.photo_not_facilitator))
    if len(teams.facilitates) == 1:
        return turn.outcome(
            None, team_render.period_picker(turn.guide, teams.facilitates[0], turn.view.now)
        )
    buttons = team_render.team_buttons(teams.facilitates, Action.PHOTO_TEAM)
    return turn.outcome(None, Reply(texts.photo_pick_team, buttons))


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """A team or a period was picked: only for a team the person facilitates now."""
    texts, teams = turn.guide.teams, turn.view.teams
    team = teams.facilitated(decode_id(pressed.args[0])) if teams is not None else None
    if teams is None or team is None:
        return turn.outcome(notice=texts.photo_not_facilitator)
    if pressed.action is Action.PHOTO_TEAM:
        picker = team_render.period_picker(turn.guide, team, turn.view.now, edit=True)
        return turn.outcome(None, picker)
    period = parse_period(pressed.args[1])
    if period is None or period.end > turn.view.now:  # only ended windows are offered
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    photo = teams.photo
    if photo is None or photo.team.id != team.id or photo.period != period:
        return turn.outcome(notice=texts.photo_not_facilitator)
    replies = photo_replies(turn.guide, photo, turn.view.policy.min_group_size)
    return turn.outcome(None, *replies)
