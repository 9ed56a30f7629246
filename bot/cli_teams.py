"""Operator commands for teams and their photos.

leerverhaal team create NAME [--bot USERNAME]
leerverhaal team list
leerverhaal team invite TEAM [--facilitator] [--bot USERNAME]
leerverhaal team revoke TEAM
leerverhaal team facilitator TEAM (--add TELEGRAM_ID | --remove TELEGRAM_ID)
leerverhaal photo TEAM --period 2026-Q3 [--format md|csv|png|json] [--language en] [--out FILE]

TEAM is a team's number (see ``team list``) or its exact name. A photo file
obeys the same rules as in the chat: below ``privacy.min_group_size``
contributors (or where a nested window would single someone out) nothing is
written and the command says so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.engine.conversation import utc_now
from bot.services import Program, Services, with_services
from flows.content.guide import guide_for, guides
from flows.teams.files import PhotoFormat, photo_file
from flows.teams.periods import parse_period
from flows.teams.photo import assemble, not_enough_text, photo_rules
from flows.teams.render import invite_link, shown_code
from flows.teams.views import Role, TeamRef
from storage.crypto import write_private
from storage.repositories import People
from storage.team_photo_query import TeamPhotoQuery
from storage.team_store import Teams

TELEGRAM = "telegram"  # the channel whose user ids operators type
OnTeams = Callable[[Services, Teams, argparse.Namespace], Awaitable[int]]
OnTeam = Callable[[Services, Teams, TeamRef, argparse.Namespace], Awaitable[int]]


def _on_teams(handler: OnTeams, *, existing: bool = False) -> Program:
    """Run ``handler`` in one transaction (``existing``: refused without a database)."""

    async def run(services: Services, args: argparse.Namespace) -> int:
        async with services.database.transaction() as session:
            return await handler(services, Teams(session, services.cipher), args)

    return with_services(run, migrate=True, existing=existing)


def _on_team(handler: OnTeam, *, existing: bool = False) -> Program:
    """Run ``handler`` on the team ``args.team`` names (by number or exact name)."""

    async def run(services: Services, teams: Teams, args: argparse.Namespace) -> int:
        team = await teams.find(args.team)
        if team is None:
            print(f"leerverhaal: no single team {args.team!r} (see `team list`)", file=sys.stderr)
            return 1
        return await handler(services, teams, team, args)

    return _on_teams(run, existing=existing)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``team`` and ``photo`` on the ``leerverhaal`` parser."""
    team = commands.add_parser("team", help="teams, invites and facilitators")
    actions = team.add_subparsers(dest="team_command", required=True)
    create = actions.add_parser("create", help="a new team, with a member invite")
    create.add_argument("name", nargs="+")
    create.set_defaults(program=_on_teams(_create))
    listing = actions.add_parser("list", help="every team with its numbers of members and invites")
    listing.set_defaults(program=_on_teams(_list))
    invite = actions.add_parser("invite", help="a new invite; the old one of that kind stops")
    invite.add_argument("team")
    invite.set_defaults(program=_on_team(_invite))
    invite.add_argument("--facilitator", action="store_true", help="a facilitator invite")
    for parser in (create, invite):
        parser.add_argument("--bot", help="the bot's username, for the link")
    revoke = actions.add_parser("revoke", help="revoke every invite of a team")
    revoke.add_argument("team")
    revoke.set_defaults(program=_on_team(_revoke))
    facilitator = actions.add_parser("facilitator", help="who may see a team's photo")
    facilitator.add_argument("team")
    facilitator.set_defaults(program=_on_team(_facilitator))
    who = facilitator.add_mutually_exclusive_group(required=True)
    who.add_argument("--add", type=int, metavar="TELEGRAM_ID")
    who.add_argument("--remove", type=int, metavar="TELEGRAM_ID")

    photo = commands.add_parser("photo", help="write a team's anonymous photo to a file")
    photo.add_argument("team")
    photo.add_argument("--period", required=True, help="2026-07, 2026-Q3, 2026-H2 or 2026")
    photo.add_argument("--format", choices=[f.value for f in PhotoFormat], default="md")
    photo.add_argument("--language", choices=sorted(guides()), default="en")
    photo.add_argument("--out", type=Path, help="the file (default: team-photo-TEAM-PERIOD.EXT)")
    photo.set_defaults(program=_on_team(_photo, existing=True))


async def _list(_services: Services, teams: Teams, _args: argparse.Namespace) -> int:
    for line in await teams.summaries():
        print(
            f"{line.team.id}\t{line.team.name}\tmembers: {line.members}\t"
            f"facilitators: {line.facilitators}\topen invites: {line.open_invites}"
        )
    return 0


async def _create(services: Services, teams: Teams, args: argparse.Namespace) -> int:
    team = await teams.create(" ".join(args.name), utc_now())
    print(f"created team {team.id}: {team.name}")
    return await _invite(services, teams, team, args)


async def _revoke(
    _services: Services, teams: Teams, team: TeamRef, _args: argparse.Namespace
) -> int:
    revoked = await teams.revoke(team.id, utc_now())
    print(f"revoked {revoked} invite(s) of {team.name}")
    return 0


async def _invite(services: Services, teams: Teams, team: TeamRef, args: argparse.Namespace) -> int:
    role = Role.FACILITATOR if getattr(args, "facilitator", False) else Role.MEMBER
    code = await teams.new_invite(team.id, role, utc_now())
    bot = args.bot or services.settings.teams.bot_username
    link = invite_link(bot, role, code)
    print(f"{role.value} invite for {team.name}: {link}")
    if role is Role.MEMBER:
        print(f"or /join {shown_code(code)}")
    if not bot:
        print("(give --bot USERNAME or teams.bot_username for a t.me link)", file=sys.stderr)
    return 0


async def _facilitator(
    services: Services, teams: Teams, team: TeamRef, args: argparse.Namespace
) -> int:
    telegram_id = args.add if args.add is not None else args.remove
    person = await People(teams.session).find(TELEGRAM, telegram_id)
    if person is None:
        print("leerverhaal: nobody with that Telegram id has talked to the bot", file=sys.stderr)
        return 1
    if args.add is not None:
        member_of = await teams.team_of(person.id)
        if member_of is not None and member_of.id == team.id:
            print(
                f"leerverhaal: that person is a member of {team.name}; a member cannot also "
                "facilitate the team (they would count in the photo they see)",
                file=sys.stderr,
            )
            return 1
        added = await teams.add_facilitator(team.id, person.id, utc_now())
        print(f"{'now' if added else 'already'} a facilitator of {team.name}")
    else:
        removed = await teams.remove_facilitator(team.id, person.id)
        print(f"{'no longer' if removed else 'was not'} a facilitator of {team.name}")
    return 0


async def _photo(services: Services, teams: Teams, team: TeamRef, args: argparse.Namespace) -> int:
    period = parse_period(args.period)
    now = utc_now()
    if period is None or period.end > now:
        print(
            "leerverhaal: --period must be a month (2026-07), quarter (2026-Q3), "
            "half-year (2026-H2) or year (2026) that has ended",
            file=sys.stderr,
        )
        return 2
    guide = guide_for(args.language)
    minimum = services.settings.privacy.min_group_size
    rules = photo_rules(minimum, services.settings.teams.rules())
    data = await TeamPhotoQuery(teams.session, services.cipher, rules).photo(team, period, now)
    photo = assemble(guide, data, minimum)
    if photo is None:
        print(not_enough_text(guide, data, minimum), file=sys.stderr)
        return 1
    fmt = PhotoFormat(args.format)
    out: Path = args.out or Path(f"team-photo-{team.id}-{period}.{fmt.value}")
    await asyncio.to_thread(write_private, out, photo_file(guide, photo, str(period), fmt))
    print(f"wrote {out} (readable only by you)")
    return 0
