"""Which team photos facilitators were sent unasked, and who may be sent one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.teams.periods import Period
from flows.teams.views import TeamRef
from storage.models import CheckinSchedule, Facilitator, Person, PhotoDelivery, Team


@dataclass(frozen=True)
class FacilitatorSeat:
    """One facilitator of one team, with where and in which language to reach them."""

    person_id: int
    chat_id: int
    language: str
    zone: str | None
    team: TeamRef


class Deliveries:
    """Photo deliveries, in the domain's words. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def seats(self) -> list[FacilitatorSeat]:
        """Every facilitator of every team who can be reached in a chat."""
        rows = await self.session.execute(
            select(
                Facilitator.person_id, Person.chat_id, Person.language, CheckinSchedule.zone, Team
            )
            .join(Person, Person.id == Facilitator.person_id)
            .join(Team, Team.id == Facilitator.team_id)
            .outerjoin(CheckinSchedule, CheckinSchedule.person_id == Facilitator.person_id)
            .where(Person.chat_id.is_not(None))
            .order_by(Facilitator.person_id, Team.id)
        )
        return [
            FacilitatorSeat(person_id, chat_id, language, zone, TeamRef(team.id, team.name))
            for person_id, chat_id, language, zone, team in rows
            if chat_id is not None
        ]

    async def delivered(self, person_id: int, team_id: int, period: Period) -> int | None:
        """How many contributions the photo last delivered for this window showed.

        The row is locked, so that two bot instances cannot both deliver it.
        """
        key = (person_id, team_id, str(period))
        row = await self.session.get(PhotoDelivery, key, with_for_update=True)
        return row.contributions if row else None

    async def record(
        self,
        person_id: int,
        team_id: int,
        period: Period,
        contributions: int | None,
        now: datetime,
    ) -> None:
        """Remember what was delivered (``None`` forgets it, so it is tried again)."""
        key = (person_id, team_id, str(period))
        row = await self.session.get(PhotoDelivery, key, with_for_update=True)
        if contributions is None:
            await self.session.execute(
                delete(PhotoDelivery).where(
                    PhotoDelivery.person_id == person_id,
                    PhotoDelivery.team_id == team_id,
                    PhotoDelivery.period == str(period),
                )
            )
        elif row is None:
            self.session.add(
                PhotoDelivery(
                    person_id=person_id,
                    team_id=team_id,
                    period=str(period),
                    contributions=contributions,
                    delivered_at=now,
                )
            )
        else:
            row.contributions = contributions
            row.delivered_at = now
        await self.session.flush()
