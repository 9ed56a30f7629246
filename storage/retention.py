"""Stories past the retention period: whom to tell, and what to delete.

A notice is due for a person when a story of theirs that nobody told them
about expires within a week, and they were not told in the last 30 days. It
covers every such story expiring within 37 days (``flows.policy.Cutoffs``).
Only once the notice went out is it recorded, with its time, on those stories
(``Story.retention_notice_at``) and on the person
(``Person.retention_notice_at``); ``updated_at`` is never touched. A story is
deleted once it has expired and its notice is at least a week old; should the
person change the story (or one of its answers) after being told, its deletion
waits until a week after that change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.policy import Cutoffs
from flows.states import StoryKind
from storage.erasure import delete_rows
from storage.models import Answer, Base, Person, Story


@dataclass(frozen=True)
class RetentionNotice:
    """One person to tell: where, in which language, which stories, begun since when."""

    person_id: int
    chat_id: int | None
    language: str
    story_ids: tuple[int, ...]
    stories: int
    checkins: int
    oldest_begun: datetime


class ExpiringStories:
    """Stories that retention is about to delete, or deletes now. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due_notices(
        self, cutoffs: Cutoffs, person_id: int | None = None
    ) -> list[RetentionNotice]:
        """Who is to be told now (changes nothing): all of them, or the one person."""
        people = select(Person.id, Person.chat_id, Person.language).where(
            Person.id.in_(select(Story.person_id).where(_untold(), _soon(cutoffs))),
            or_(
                Person.retention_notice_at.is_(None),
                Person.retention_notice_at < cutoffs.told_before,
            ),
        )
        if person_id is not None:
            people = people.where(Person.id == person_id)
        found = {row.id: row for row in await self.session.execute(people.order_by(Person.id))}
        if not found:
            return []
        covered = await self.session.execute(
            select(Story.person_id, Story.id, Story.kind, Story.created_at)
            .where(
                _untold(),
                Story.created_at < cutoffs.cover_begun_before,
                Story.person_id.in_(list(found)),
            )
            .order_by(Story.created_at, Story.id)
        )
        stories = defaultdict(list)
        for owner, story_id, kind, begun in covered:
            stories[owner].append((story_id, kind, begun))
        return [
            RetentionNotice(
                person.id,
                person.chat_id,
                person.language,
                tuple(story_id for story_id, _, _ in stories[person.id]),
                sum(1 for _, kind, _ in stories[person.id] if kind != StoryKind.CHECKIN.value),
                sum(1 for _, kind, _ in stories[person.id] if kind == StoryKind.CHECKIN.value),
                stories[person.id][0][2],
            )
            for person in found.values()
            if stories[person.id]
        ]

    async def mark_told(self, notice: RetentionNotice, now: datetime) -> None:
        """Record that the notice went out (or could never reach the person) at ``now``."""
        await self.session.execute(
            update(Story)
            .where(Story.id.in_(notice.story_ids), _untold())
            .values(retention_notice_at=now)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(Person)
            .where(Person.id == notice.person_id)
            .values(retention_notice_at=now)
            .execution_options(synchronize_session=False)
        )

    async def delete_expired(self, cutoffs: Cutoffs) -> int:
        """Delete the expired stories whose owner was told at least a week ago; how many."""
        stories = Base.metadata.tables[Story.__tablename__]
        return await delete_rows(self.session, stories, _expired(cutoffs))

    async def pending(self, cutoffs: Cutoffs) -> tuple[int, int]:
        """How many people a run now would tell, and how many stories it would delete."""
        expired = select(func.count()).select_from(Story).where(_expired(cutoffs))
        return (
            len(await self.due_notices(cutoffs)),
            int(await self.session.scalar(expired) or 0),
        )


def _untold() -> ColumnElement[bool]:
    return Story.retention_notice_at.is_(None)


def _soon(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return Story.created_at < cutoffs.warn_begun_before


def _expired(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return (
        (Story.created_at < cutoffs.delete_begun_before)
        & (Story.retention_notice_at < cutoffs.delete_warned_before)
        & (Story.updated_at < cutoffs.delete_warned_before)
        & ~exists().where(
            Answer.story_id == Story.id, Answer.updated_at >= cutoffs.delete_warned_before
        )
    )
