"""Which windows of a team's photo a facilitator has seen, and whether its members see them.

A window's photo is open to the team's members once a facilitator has seen it (their own
/photo look or the photo sent unasked) and while the team's facilitators let members see
it (``Team.members_see_photo``, yes by default). What a member then sees is worked out by
the same ``TeamPhotoQuery`` under the same rules as the facilitator's photo.

A row says that a window was seen, never when or by whom: its ``shown_at`` is the
window's own end, so no facilitator's activity is kept, and nothing of them stays after
their /forget while the window stays open to the team.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.teams.periods import Period, parse_period
from storage.inbox import insert_for
from storage.models import PhotoShown, Team


class ShownPhotos:
    """Windows seen by a facilitator, per team. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def mark(self, team_id: int, period: Period) -> None:
        """A facilitator saw this window's photo (the first time counts; later ones change
        nothing). Kept as the window's end: not the moment of the look."""
        await self.session.execute(
            insert_for(self.session)(PhotoShown)
            .values(team_id=team_id, period=str(period), shown_at=period.end)
            .on_conflict_do_nothing(index_elements=["team_id", "period"])
        )

    async def shown(self, team_id: int) -> frozenset[Period]:
        """Every window of the team a facilitator has seen."""
        rows = await self.session.scalars(
            select(PhotoShown.period).where(PhotoShown.team_id == team_id)
        )
        return frozenset(p for p in map(parse_period, rows) if p is not None)

    async def members_see(self, team_id: int) -> bool:
        """Whether the team's members see the windows its facilitators saw."""
        see = await self.session.scalar(select(Team.members_see_photo).where(Team.id == team_id))
        return bool(see)

    async def hidden_from_members(self, team_ids: Iterable[int]) -> frozenset[int]:
        """Those of these teams whose members do not see the photo."""
        ids = list(team_ids)
        if not ids:
            return frozenset()
        rows = await self.session.scalars(
            select(Team.id).where(Team.id.in_(ids), Team.members_see_photo.is_(False))
        )
        return frozenset(rows)

    async def let_members_see(self, team_id: int, see: bool) -> None:
        """Members of the team see (or no longer see) the windows its facilitators saw."""
        await self.session.execute(
            update(Team).where(Team.id == team_id).values(members_see_photo=see)
        )
