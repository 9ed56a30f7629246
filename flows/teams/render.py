"""How teams look in the chat: invites, pickers and menus (no decisions here)."""

from __future__ import annotations

from datetime import datetime

from flows.callbacks import Action, encode
from flows.content.guide import Guide
from flows.replies import Button, File, Reply
from flows.teams.chart import chart_of
from flows.teams.periods import ended_periods
from flows.teams.photo import assemble, not_enough_text, period_label, photo_text
from flows.teams.views import PhotoData, Role, TeamRef

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


def photo_replies(
    guide: Guide,
    data: PhotoData,
    minimum: int,
    previous: PhotoData | None = None,
    buttons: tuple[tuple[Button, ...], ...] = (),
) -> tuple[Reply, ...]:
    """The photo as a message (``buttons`` under it) and a chart, or only that it stays
    below the minimum; ``previous``: the window before it, for its trends."""
    photo = assemble(guide, data, minimum, previous)
    if photo is None:
        return (Reply(not_enough_text(guide, data, minimum)),)
    chart = File(f"team-photo-{data.period}.png", b"", True, chart_of(guide, photo))
    return (Reply(photo_text(guide, photo), buttons), Reply(photo.title, file=chart))


def period_picker(
    guide: Guide, team: TeamRef, now: datetime, members_see: bool, *, edit: bool = False
) -> Reply:
    """The last two ended months, quarters, half-years and years, two to a row, and
    whether the team's members see the windows a facilitator saw (a tap changes it)."""
    buttons = [
        Button(period_label(guide, p), encode(Action.PHOTO_PERIOD, team.id, str(p)))
        for p in ended_periods(now)
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    texts = guide.teams
    label = texts.photo_members_yes if members_see else texts.photo_members_no
    toggle = Button(label, encode(Action.PHOTO_MEMBERS, team.id, "n" if members_see else "y"))
    return Reply(texts.photo_pick_period.format(team=team.name), (*rows, (toggle,)), edit=edit)


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
