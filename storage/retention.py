"""Stories past the retention period: whom to tell a week ahead, and what to delete.

Telling is recorded on the story (``retention_warned``, and ``updated_at`` set
to the moment of telling), so each story is announced once, and deleted only
once it has expired *and* was announced at least a week before
(``flows.policy.Cutoffs``). Should the person change the story after being
told, its deletion waits until a week after that change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.policy import Cutoffs
from flows.states import StoryKind
from storage.erasure import delete_rows
from storage.models import Base, Person, Story


@dataclass(frozen=True)
class RetentionWarning:
    """One person to tell: where, in which language, and how much will go."""

    person_id: int
    chat_id: int | None
    language: str
    stories: int
    checkins: int


class ExpiringStories:
    """Stories that retention is about to delete, or deletes now. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def announce(self, cutoffs: Cutoffs, now: datetime) -> list[RetentionWarning]:
        """Mark the stories that expire within a week as announced; whom to tell, once."""
        rows = (
            await self.session.execute(
                select(Story.id, Story.person_id, Story.kind)
                .where(
                    Story.created_at < cutoffs.warn_begun_before,
                    Story.retention_warned.is_(False),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rows:
            return []
        await self.session.execute(
            update(Story)
            .where(Story.id.in_([story_id for story_id, _, _ in rows]))
            .values(retention_warned=True, updated_at=now)
        )
        counts = Counter((person_id, kind) for _, person_id, kind in rows)
        people = await self.session.execute(
            select(Person.id, Person.chat_id, Person.language)
            .where(Person.id.in_({person_id for _, person_id, _ in rows}))
            .order_by(Person.id)
        )
        return [
            RetentionWarning(
                person_id,
                chat_id,
                language,
                counts[(person_id, StoryKind.STORY.value)],
                counts[(person_id, StoryKind.CHECKIN.value)],
            )
            for person_id, chat_id, language in people
        ]

    async def delete_expired(self, cutoffs: Cutoffs) -> int:
        """Delete the expired stories announced at least a week ago; returns how many."""
        stories = Base.metadata.tables[Story.__tablename__]
        return await delete_rows(self.session, stories, _expired(cutoffs))

    async def pending(self, cutoffs: Cutoffs) -> tuple[int, int]:
        """How many stories a run now would announce, and delete (changes nothing)."""
        counted = select(func.count()).select_from(Story)
        announce = counted.where(
            Story.created_at < cutoffs.warn_begun_before, Story.retention_warned.is_(False)
        )
        return (
            int(await self.session.scalar(announce) or 0),
            int(await self.session.scalar(counted.where(_expired(cutoffs))) or 0),
        )


def _expired(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return (
        (Story.created_at < cutoffs.delete_begun_before)
        & Story.retention_warned.is_(True)
        & (Story.updated_at < cutoffs.delete_warned_before)
    )
