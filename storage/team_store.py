"""Teams, invites, memberships and facilitators, in the domain's words.

Invite codes are 80 random bits (16 base32 letters); only their SHA-256 hash
is stored, so a database copy does not let anyone join. Like the other
repositories this one flushes and never commits.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.menu.hints import hint_periods
from flows.menu.team_card import TeamCard
from flows.menu.views import SharedDish
from flows.teams.periods import Period
from flows.teams.photo import photo_rules
from flows.teams.views import (
    InviteView,
    MemberPhotos,
    Role,
    TeamNeeds,
    TeamRef,
    TeamRules,
    TeamsView,
)
from storage.crypto import TextCipher
from storage.models import Facilitator, Membership, Person, Story, Team, TeamInvite
from storage.next_steps import NextSteps
from storage.photo_months import PhotoMonths
from storage.photo_shown import ShownPhotos
from storage.repositories import StaleDecision
from storage.team_menus import TeamMenus
from storage.team_photo_query import TeamPhotoQuery

CODE_BYTES = 10  # 80 bits: 16 base32 letters


def new_invite_code() -> str:
    """A fresh, unguessable invite code (cryptographically random)."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").lower()


def code_hash(code: str) -> str:
    """What is stored of a code: its SHA-256, in hex."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class TeamSummary:
    """One line of ``leerverhaal team list``: numbers only, no people."""

    team: TeamRef
    members: int
    facilitators: int
    open_invites: int


def _ref(team: Team) -> TeamRef:
    return TeamRef(team.id, team.name)


class Teams:
    """Teams and who belongs to them. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    # --- what a flow sees ---------------------------------------------------------------

    async def view(
        self,
        person: Person,
        needs: TeamNeeds,
        now: datetime,
        rules: TeamRules,
        *,
        minimum: int,
    ) -> TeamsView:
        """The person's teams, plus the invite or photo the step asked for."""
        facilitates = await self.facilitated_by(person.id)
        locked = person.join_locked_until is not None and person.join_locked_until > now
        invite = None
        if needs.invite_code is not None and not locked:
            invite = await self.lookup(needs.invite_code)
        # checked here too: nobody else's photo or card is ever loaded
        facilitated = {t.id: t for t in facilitates}
        query = TeamPhotoQuery(self.session, self.cipher, photo_rules(minimum, rules))
        photo = previous = None
        if needs.photo is not None and (team := facilitated.get(needs.photo[0])) is not None:
            photo = await query.photo(team, needs.photo[1], now)
            previous = await query.previous(photo, now)
        menu: TeamCard | None = None
        shared: tuple[SharedDish, ...] = ()
        if needs.menu is not None and (composed := facilitated.get(needs.menu)) is not None:
            menu = await TeamMenus(self.session).card(composed.id)
            shared = await NextSteps(self.session, self.cipher).shared_with(composed.id)
            for period in hint_periods(now):  # beside the card: what its photo says
                if (shown := await query.photo(composed, period, now)).disclosable:
                    photo = shown
                    break
        team = await self.team_of(person.id)
        if needs.own_menu and team is not None:
            menu = await TeamMenus(self.session).card(team.id)
        members = None
        if (needs.member_photos or needs.member_photo) and team is not None:
            seen_by_members = TeamPhotoQuery(self.session, self.cipher, query.rules, members=True)
            members = await self._member_photos(seen_by_members, team, needs.member_photo, now)
        return TeamsView(
            rules=rules,
            new_codes=(new_invite_code(), new_invite_code()),
            team=team,
            facilitates=facilitates,
            join_failures=person.join_failures or 0,
            join_locked_until=person.join_locked_until,
            invite=invite,
            photo=photo,
            previous=previous,
            members=members,
            hidden_from_members=await ShownPhotos(self.session).hidden_from_members(facilitated),
            all_teams=await self.all() if needs.all_teams else (),
            menu=menu,
            shared_dishes=shared,
        )

    async def _member_photos(
        self,
        query: TeamPhotoQuery,
        team: TeamRef,
        asked: tuple[int, Period] | None,
        now: datetime,
    ) -> MemberPhotos:
        """What the person's own team's members may see; the photo asked for only when it
        is open to them (and the window before it only when that is open too)."""
        shown = ShownPhotos(self.session)
        if not await shown.members_see(team.id):
            return MemberPhotos(see=False)
        windows = await shown.shown(team.id)
        if asked is None or asked[0] != team.id or asked[1] not in windows:
            return MemberPhotos(see=True, shown=windows)
        photo = await query.photo(team, asked[1], now)
        previous = await query.previous(photo, now, windows)
        return MemberPhotos(True, windows, photo, previous)

    async def photo_seen(self, person_id: int, team_id: int, period: Period) -> None:
        """A facilitator saw a window's photo: its members may see it from now on (only
        when the person facilitates the team now)."""
        if await self.facilitates(person_id, team_id):
            await ShownPhotos(self.session).mark(team_id, period)

    async def let_members_see(self, person_id: int, team_id: int, see: bool) -> None:
        """Whether the team's members see its photo (only when the person facilitates it)."""
        if await self.facilitates(person_id, team_id):
            await ShownPhotos(self.session).let_members_see(team_id, see)

    async def save_card(self, person_id: int, team_id: int, card: TeamCard, now: datetime) -> None:
        """Store a team's card, only when the person facilitates the team now."""
        if await self.facilitates(person_id, team_id):
            await TeamMenus(self.session).save(team_id, card, now)

    async def team_of(self, person_id: int) -> TeamRef | None:
        """The team a person belongs to now."""
        row = await self.session.execute(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.person_id == person_id)
        )
        team = row.scalar_one_or_none()
        return _ref(team) if team else None

    async def facilitates(self, person_id: int, team_id: int) -> bool:
        """Whether the person facilitates this team now (whatever a button said)."""
        found = await self.session.scalar(
            select(Facilitator.person_id).where(
                Facilitator.person_id == person_id, Facilitator.team_id == team_id
            )
        )
        return found is not None

    async def facilitated_by(self, person_id: int) -> tuple[TeamRef, ...]:
        """The teams whose photo a person may see now, by name."""
        rows = await self.session.scalars(
            select(Team)
            .join(Facilitator, Facilitator.team_id == Team.id)
            .where(Facilitator.person_id == person_id)
            .order_by(Team.name, Team.id)
        )
        return tuple(_ref(team) for team in rows)

    async def all(self) -> tuple[TeamRef, ...]:
        """Every team, by name."""
        rows = await self.session.scalars(select(Team).order_by(Team.name, Team.id))
        return tuple(_ref(team) for team in rows)

    async def lookup(self, code: str) -> InviteView | None:
        """The team and role of a code that is stored and not revoked."""
        row = await self.session.execute(
            select(TeamInvite.role, Team)
            .join(Team, Team.id == TeamInvite.team_id)
            .where(TeamInvite.code_hash == code_hash(code), TeamInvite.revoked_at.is_(None))
        )
        found = row.first()
        return InviteView(code, _ref(found[1]), Role(found[0])) if found else None

    # --- what a flow decided ------------------------------------------------------------

    async def create_with_codes(
        self, name: str, member_code: str, facilitator_code: str, now: datetime
    ) -> TeamRef:
        """A new team with its first member code and facilitator code."""
        team = await self.create(name, now)
        await self.new_invite(team.id, Role.MEMBER, now, member_code)
        await self.new_invite(team.id, Role.FACILITATOR, now, facilitator_code)
        return team

    async def join(self, person: Person, team_id: int, now: datetime) -> None:
        """The person belongs to this team now (and to no other); failed tries are forgotten."""
        membership = await self.session.get(Membership, person.id)
        if membership is None:
            self.session.add(Membership(person_id=person.id, team_id=team_id, joined_at=now))
        elif membership.team_id != team_id:
            membership.team_id = team_id
            membership.joined_at = now
        person.join_failures = 0
        person.join_locked_until = None

    async def leave(self, person_id: int) -> None:
        """The person leaves their team; their stories keep the team they were told in."""
        await self.session.execute(delete(Membership).where(Membership.person_id == person_id))

    @staticmethod
    def join_failed(person: Person, locked_until: datetime | None) -> None:
        """A wrong code: count it; with ``locked_until``, no code is looked up until then."""
        person.join_failures = (person.join_failures or 0) + 1
        if locked_until is not None:
            person.join_failures = 0
            person.join_locked_until = locked_until

    async def share_quote(self, person_id: int, story_id: int, shared: bool) -> None:
        """Share (or stop sharing) one of the person's stories' opening with the team;
        a withdrawn quote also leaves the frozen photos it was in."""
        result = await self.session.execute(
            update(Story)
            .where(Story.id == story_id, Story.person_id == person_id)
            .values(quote_released=shared, for_members=shared)
        )
        if result.rowcount and not shared:  # type: ignore[attr-defined]
            await PhotoMonths(self.session, self.cipher).withdraw_quote(story_id)

    async def use_facilitator_code(
        self, person: Person, team_id: int, code: str, now: datetime
    ) -> None:
        """A facilitator code works once: it is revoked as it is used.

        When another use revoked it first (two people at the same moment), the step is
        decided again, and then finds the code used.
        """
        used = await self.session.execute(
            update(TeamInvite)
            .where(TeamInvite.code_hash == code_hash(code), TeamInvite.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if getattr(used, "rowcount", 0) != 1:
            raise StaleDecision
        await self.add_facilitator(team_id, person.id, now)
        person.join_failures = 0
        person.join_locked_until = None

    # --- operators (command line) and admins --------------------------------------------

    async def create(self, name: str, now: datetime) -> TeamRef:
        """A new team."""
        team = Team(name=name, created_at=now)
        self.session.add(team)
        await self.session.flush()
        return _ref(team)

    async def find(self, ref: str) -> TeamRef | None:
        """A team by its id, or else by its exact name (when only one team has it)."""
        if ref.isdigit():
            team = await self.session.get(Team, int(ref))
            if team is not None:
                return _ref(team)
        named = (await self.session.scalars(select(Team).where(Team.name == ref))).all()
        return _ref(named[0]) if len(named) == 1 else None

    async def new_invite(
        self, team_id: int, role: Role, now: datetime, code: str | None = None
    ) -> str:
        """A new code for a team and role; earlier codes of that role stop working."""
        code = code or new_invite_code()
        await self.session.execute(
            update(TeamInvite)
            .where(
                TeamInvite.team_id == team_id,
                TeamInvite.role == role.value,
                TeamInvite.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        self.session.add(
            TeamInvite(code_hash=code_hash(code), team_id=team_id, role=role.value, created_at=now)
        )
        await self.session.flush()
        return code

    async def revoke(self, team_id: int, now: datetime) -> int:
        """Revoke every open code of a team; returns how many."""
        result = await self.session.execute(
            update(TeamInvite)
            .where(TeamInvite.team_id == team_id, TeamInvite.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def add_facilitator(self, team_id: int, person_id: int, now: datetime) -> bool:
        """Let a person see a team's photo; False when they already could."""
        if await self.session.get(Facilitator, (person_id, team_id)) is not None:
            return False
        self.session.add(Facilitator(person_id=person_id, team_id=team_id, added_at=now))
        await self.session.flush()
        return True

    async def remove_facilitator(self, team_id: int, person_id: int) -> bool:
        """A person no longer sees a team's photo; False when they did not."""
        result = await self.session.execute(
            delete(Facilitator).where(
                Facilitator.team_id == team_id, Facilitator.person_id == person_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def summaries(self) -> list[TeamSummary]:
        """Every team with how many members, facilitators and open invites it has."""

        def count(model: type[Membership] | type[Facilitator]) -> ScalarSelect[int]:
            query = select(func.count()).select_from(model).where(model.team_id == Team.id)
            return query.scalar_subquery()

        invites = (
            select(func.count())
            .select_from(TeamInvite)
            .where(TeamInvite.team_id == Team.id, TeamInvite.revoked_at.is_(None))
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Team, count(Membership), count(Facilitator), invites).order_by(Team.id)
        )
        return [TeamSummary(_ref(t), int(m), int(f), int(i)) for t, m, f, i in rows]
