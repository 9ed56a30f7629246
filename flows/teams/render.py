"""How teams look in the chat: invites, pickers and menus (no decisions here)."""

from __future__ import annotations

from datetime import datetime

from flows.callbacks import Action, encode
from flows.content.guide import Guide
from flows.replies import Button, Reply
from flows.teams.periods import ended_periods
from flows.teams.photo import period_label
from flows.teams.views import Role, TeamRef

CODE_GROUP = 4


def shown_code(code: str) -> str:
    """A code as people read it: 'abcd-efgh-ijkl-mnop'."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def invite_link(bot_username: str | None, role: Role, code: str) -> str:
    """A Telegram deep link, or the equivalent command where there is no bot name."""
    payload = f"{role.link_prefix}_{code}"
    if bot_username:
        return f"https://t.me/{bot_username}?start={payload}"
    return f"/start {payload}"


def invite(guide: Guide, bot_username: str | None, team: str, role: Role, code: str) -> Reply:
    """An invite to pass on: the member invite with its code, or a facilitator's link."""
    link = invite_link(bot_username, role, code)
    if role is Role.MEMBER:
        return Reply(guide.teams.member_invite.format(team=team, link=link, code=shown_code(code)))
    return Reply(guide.teams.facilitator_invite.format(team=team, link=link))


def team_buttons(teams: tuple[TeamRef, ...], action: Action) -> tuple[tuple[Button, ...], ...]:
    """One button per team, pressing ``action`` with the team's id."""
    return tuple((Button(team.name, encode(action, team.id)),) for team in teams)


def period_picker(guide: Guide, team: TeamRef, now: datetime, *, edit: bool = False) -> Reply:
    """The last two ended months, quarters, half-years and years, two to a row."""
    buttons = [
        Button(period_label(guide, p), encode(Action.PHOTO_PERIOD, team.id, str(p)))
        for p in ended_periods(now)
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply(guide.teams.photo_pick_period.format(team=team.name), rows, edit=edit)


def admin_menu(guide: Guide, team: TeamRef) -> Reply:
    """An admin's buttons for one team: new invites, or revoke them all."""
    texts = guide.teams
    rows = (
        (Button(texts.new_member_code, encode(Action.ADMIN_INVITE, team.id, Role.MEMBER.value)),),
        (
            Button(
                texts.new_facilitator_link,
                encode(Action.ADMIN_INVITE, team.id, Role.FACILITATOR.value),
            ),
        ),
        (Button(texts.revoke_codes, encode(Action.ADMIN_REVOKE, team.id)),),
    )
    return Reply(texts.team_menu.format(team=team.name), rows, edit=True)


def confirm_join(guide: Guide, text: str, code: str, role: Role) -> Reply:
    """Ask before joining a team or becoming its facilitator."""
    texts = guide.teams
    yes = texts.join_yes if role is Role.MEMBER else texts.facilitator_yes
    rows = (
        (Button(yes, encode(Action.JOIN_YES, code)),),
        (Button(texts.join_no, encode(Action.JOIN_NO)),),
    )
    return Reply(text, rows)


def leave_question(guide: Guide, team: TeamRef) -> Reply:
    """Ask once before leaving a team."""
    texts = guide.teams
    rows = (
        (Button(texts.leave_yes, encode(Action.LEAVE_YES, team.id)),),
        (Button(texts.join_no, encode(Action.JOIN_NO)),),
    )
    return Reply(texts.leave_sure.format(team=team.name), rows, edit=True)
