"""Helpers for the privacy tests: a check-in, a team around a person, every row of every
table, and the retention period of a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot.engine.conversation import Speaker
from flows.callbacks import Action
from flows.checkins.schedule import CheckinRule
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.policy import Retention
from flows.states import Step
from storage.checkin_store import Checkins
from storage.database import Database
from storage.models import (
    Answer,
    Base,
    Facilitator,
    Membership,
    Person,
    PhotoDelivery,
    Story,
    Team,
)
from tests.support.chat import Chat, person_id
from tests.support.outcomes import find_button

PERSON_TABLE, STORY_TABLE = Person.__tablename__, Story.__tablename__
YEAR = Retention(days=365)


async def checkin(chat: Chat, words: str, pick: str = "feedback") -> int:
    """/checkin answered with ``words`` and one quick pick; returns its id."""
    asked = await chat.send(Command("checkin"))
    if asked is not None and asked.state.step is Step.FOLLOW_UP:  # about the next step first
        await chat.send(Press(find_button(asked, guide_for("en").next_steps.not_for_me).data))
    await chat.say(words)
    story_id = chat.story_id
    await chat.press(Action.TOGGLE, "how", pick)
    done = await chat.press(Action.DONE, "how")
    assert done is not None and done.state.step.value == "idle"
    return story_id


async def stories_left(database: Database) -> int:
    """How many stories (and check-ins) are stored, anybody's."""
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Story)) or 0)


async def join_team(
    database: Database, who: int, now: datetime, team: str = "Embassy Rabat"
) -> int:
    """Put a person in a team that they also facilitate, with a delivered photo; the team id."""
    async with database.transaction() as session:
        row = Team(name=team, created_at=now)
        session.add(row)
        await session.flush()
        session.add(Membership(person_id=who, team_id=row.id, joined_at=now))
        session.add(Facilitator(person_id=who, team_id=row.id, added_at=now))
        session.add(
            PhotoDelivery(
                person_id=who, team_id=row.id, period="2026-Q1", contributions=6, delivered_at=now
            )
        )
        await session.execute(update(Story).where(Story.person_id == who).values(team_id=row.id))
        return row.id


async def schedule_checkins(database: Database, who: int, now: datetime) -> None:
    """Check-ins every week from Amsterdam, the next one a day from now."""
    rule = CheckinRule(zone="Europe/Amsterdam")
    async with database.transaction() as session:
        await Checkins(session).save_rule(who, rule, now + timedelta(days=1))


async def release_quote(database: Database, story_id: int) -> None:
    """Mark a story's quote as released to the team."""
    async with database.transaction() as session:
        story = await session.get(Story, story_id)
        assert story is not None
        story.quote_released = True


@dataclass(frozen=True)
class Traces:
    """What would betray a person if found in a row."""

    person_id: int
    external_id: int
    story_ids: frozenset[int]
    tokens: frozenset[bytes]


async def traces_of(database: Database, speaker: Speaker) -> Traces:
    """Everything that identifies a person's rows: ids and their encrypted words."""
    who = await person_id(database, speaker)
    async with database.transaction() as session:
        stories = frozenset(await session.scalars(select(Story.id).where(Story.person_id == who)))
        tokens = await session.scalars(
            select(Answer.text_encrypted).where(
                Answer.story_id.in_(stories), Answer.text_encrypted.is_not(None)
            )
        )
        return Traces(who, speaker.external_id, stories, frozenset(t for t in tokens if t))


def _refers_to(column: Any, table: str) -> bool:
    return (column.table.name == table and column.primary_key) or any(
        key.column.table.name == table for key in column.foreign_keys
    )


async def found_in_tables(database: Database, traces: Traces) -> list[str]:
    """Every table.column, in every table, that still holds one of the traces."""
    found = []
    async with database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column in table.columns:
                    value = row[column]
                    hit = (
                        (_refers_to(column, PERSON_TABLE) and value == traces.person_id)
                        or (_refers_to(column, STORY_TABLE) and value in traces.story_ids)
                        or value == traces.external_id
                        or (isinstance(value, bytes) and value in traces.tokens)
                        or (isinstance(value, str) and str(traces.external_id) in value)
                    )
                    if hit:
                        found.append(f"{table.name}.{column.name}")
    return found
