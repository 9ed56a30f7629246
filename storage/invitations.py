"""Invitation cards a person prepared for colleagues: encrypted, the newest ``KEPT`` per
person, for ``KEPT_DAYS`` days (the daily retention job deletes older ones). They are
kept only so that inline mode can offer them; /export lists them and /forget erases
them with the person (their rows refer to the person). Repositories flush; the caller
commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.menu.invitation_data import KEPT, KEPT_DAYS, InvitationView, SaveInvitation
from storage.crypto import TextCipher
from storage.models import Invitation

KEPT_FOR = timedelta(days=KEPT_DAYS)


class Invitations:
    """One person's cards: stored, read (decrypted), pruned."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def save(self, person_id: int, effect: SaveInvitation, now: datetime) -> None:
        """Store a card (a card of theirs with the same id is replaced and becomes the
        newest); only the newest ``KEPT`` of theirs stay."""
        await self.session.execute(
            delete(Invitation).where(
                Invitation.id == effect.invitation_id, Invitation.person_id == person_id
            )
        )
        self.session.add(
            Invitation(
                id=effect.invitation_id,
                person_id=person_id,
                dish=effect.dish,
                text_encrypted=self.cipher.encrypt(effect.text),
                created_at=now,
            )
        )
        await self.session.flush()
        newest = (
            select(Invitation.id)
            .where(Invitation.person_id == person_id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .limit(KEPT)
        )
        keep = list((await self.session.scalars(newest)).all())
        await self.session.execute(
            delete(Invitation)
            .where(Invitation.person_id == person_id, Invitation.id.not_in(keep))
            .execution_options(synchronize_session=False)
        )

    async def cards(
        self, person_id: int, *, newest_first: bool = True
    ) -> tuple[InvitationView, ...]:
        """The person's cards, decrypted."""
        order = (Invitation.created_at, Invitation.id)
        query = (
            select(Invitation)
            .where(Invitation.person_id == person_id)
            .order_by(*(column.desc() for column in order) if newest_first else order)
        )
        return tuple(
            InvitationView(
                row.id, row.dish, self.cipher.decrypt(row.text_encrypted), row.created_at
            )
            for row in await self.session.scalars(query)
        )


async def delete_old_cards(session: AsyncSession, now: datetime) -> int:
    """Delete every card older than ``KEPT_DAYS`` days (the daily retention job); how many."""
    result = await session.execute(
        delete(Invitation)
        .where(Invitation.created_at < now - KEPT_FOR)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
