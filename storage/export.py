"""Gathering everything stored about one person, decrypted, for /export."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.views import PersonRecord, PhotoRecord, StoryRecord, TeamRecord
from storage.checkin_store import Checkins
from storage.crypto import TextCipher
from storage.invitations import Invitations
from storage.models import (
    Answer,
    CheckinSchedule,
    Facilitator,
    Membership,
    Person,
    PhotoDelivery,
    Story,
    Team,
)
from storage.next_steps import NextSteps
from storage.repositories import Stories


async def gather(session: AsyncSession, cipher: TextCipher, person: Person) -> PersonRecord:
    """The person's record: identity, settings, team, and every story with its answers."""
    last_answer = (
        select(func.max(Answer.updated_at)).where(Answer.story_id == Story.id).scalar_subquery()
    )
    rows = (
        await session.execute(
            select(Story, Team.name, last_answer)
            .outerjoin(Team, Team.id == Story.team_id)
            .where(Story.person_id == person.id)
            .order_by(Story.created_at, Story.id)
        )
    ).all()
    views = await Stories(session, cipher).load(person.id, [story.id for story, _, _ in rows])
    stories = tuple(
        StoryRecord(
            views[story.id],
            max(story.updated_at, answered or story.updated_at),
            story.completed_at,
            team,
            story.retention_notice_at,
        )
        for story, team, answered in rows
    )
    team = (
        await session.execute(
            select(Team.name, Membership.joined_at)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.person_id == person.id)
        )
    ).first()
    facilitates = await session.execute(
        select(Team.name, Facilitator.added_at)
        .join(Facilitator, Facilitator.team_id == Team.id)
        .where(Facilitator.person_id == person.id)
        .order_by(Team.name)
    )
    photos = await session.execute(
        select(Team.name, PhotoDelivery.period, PhotoDelivery.delivered_at)
        .join(PhotoDelivery, PhotoDelivery.team_id == Team.id)
        .where(PhotoDelivery.person_id == person.id)
        .order_by(PhotoDelivery.delivered_at)
    )
    schedule = await session.get(CheckinSchedule, person.id)
    return PersonRecord(
        channel=person.channel,
        external_id=person.external_id,
        chat_id=person.chat_id,
        language=person.language,
        first_contact=person.created_at,
        checkin=await Checkins(session).view(person.id),
        team=TeamRecord(team[0], team[1]) if team else None,
        facilitates=tuple(TeamRecord(name, since) for name, since in facilitates),
        photos=tuple(PhotoRecord(name, period, at) for name, period, at in photos),
        stories=stories,
        checkins_blocked=bool(schedule and schedule.blocked),
        join_failures=person.join_failures or 0,
        join_locked_until=person.join_locked_until,
        retention_notice_at=person.retention_notice_at,
        next_steps=await NextSteps(session, cipher).records(person.id),
        invitations=await Invitations(session, cipher).cards(person.id, newest_first=False),
    )
