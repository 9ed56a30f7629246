"""Teams' learning menus as their facilitators composed them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.menu.card import menu
from flows.menu.team_card import TeamCard, from_json
from storage.inbox import insert_for
from storage.models import TeamMenu


class TeamMenus:
    """Reads and saves a team's card. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def card(self, team_id: int) -> TeamCard:
        """The team's card (the default card until its facilitator changes it)."""
        raw = await self.session.scalar(select(TeamMenu.card).where(TeamMenu.team_id == team_id))
        return from_json(menu(), raw)

    async def save(self, team_id: int, card: TeamCard, now: datetime) -> None:
        """Store the card as composed (one row per team, replaced)."""
        values = {"team_id": team_id, "card": card.to_json(), "updated_at": now}
        await self.session.execute(
            insert_for(self.session)(TeamMenu)
            .values(values)
            .on_conflict_do_update(index_elements=["team_id"], set_=values)
        )
