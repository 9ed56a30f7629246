"""Counting a team's photo in SQL: GROUP BY over the stored choice keys.

Only confirmed stories and check-ins count, by the window their confirmation
falls in. Nothing is loaded per story: the database returns the counts per
option, the totals per kind, and the distinct (person, month) pairs that the
disclosure rule needs. When a window may not be shown, nothing else is read.

The same rule applies to each question on its own, over the people who picked
something in it: check-ins answer only "how", so four check-ins and one story
would otherwise show that one storyteller's helpers and obstacles. A question
that fails the rule is withheld (its counts are not read), and quotes appear
only when the storytellers of the window pass it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.periods import Period
from flows.states import StoryKind, StoryStatus
from flows.team_photo import MonthContributors, disclosable
from flows.team_views import OptionCount, PhotoData, TeamRef
from storage.crypto import TextCipher
from storage.models import Answer, Choice, Story


def _in_window(team_id: int, period: Period) -> tuple[ColumnElement[bool], ...]:
    """Confirmed stories of a team whose confirmation falls in the window."""
    return (
        Story.team_id == team_id,
        Story.status == StoryStatus.COMPLETE.value,
        Story.completed_at >= period.start,
        Story.completed_at < period.end,
    )


def _month_end(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def _month_of_completion(period: Period) -> ColumnElement[int]:
    """CASE expression: the month number (1-12) a story of the window was confirmed in."""
    whens = [
        (Story.completed_at < _month_end(period.year, month), month) for month in period.months
    ]
    return case(*whens, else_=period.months[-1])


def _month_sets(pairs: Iterable[tuple[int, int]]) -> MonthContributors:
    """(person, month) pairs as the people of each month."""
    found: dict[int, set[int]] = {}
    for person_id, number in pairs:
        found.setdefault(int(number), set()).add(person_id)
    return {number: frozenset(people) for number, people in found.items()}


class TeamPhotoQuery:
    """Reads one team's photo for one window."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def photo(
        self, team: TeamRef, period: Period, minimum: int, quotes: int, opening_key: str
    ) -> PhotoData:
        """The counted photo, or an empty one marked not disclosable."""
        months = await self.contributors_by_month(team.id, period)
        if not disclosable(period, months, minimum):
            return PhotoData(team, period, disclosable=False)
        totals = await self.totals(team.id, period)
        by_question = await self.contributors_by_question(team.id, period)
        withheld = frozenset(
            question
            for question, people in by_question.items()
            if not disclosable(period, people, minimum)
        )
        quotes_shown = quotes > 0 and disclosable(
            period, await self.contributors_by_month(team.id, period, StoryKind.STORY), minimum
        )
        return PhotoData(
            team,
            period,
            disclosable=True,
            stories=totals.get(StoryKind.STORY.value, 0),
            checkins=totals.get(StoryKind.CHECKIN.value, 0),
            contributors=len(frozenset().union(*months.values())),
            counts=await self.counts(team.id, period, withheld),
            withheld=withheld,
            quotes=(
                await self.quotes(team.id, period, opening_key, quotes) if quotes_shown else ()
            ),
        )

    async def contributors_by_month(
        self, team_id: int, period: Period, kind: StoryKind | None = None
    ) -> MonthContributors:
        """Which (pseudonymous) people contributed in each month of the window."""
        month = _month_of_completion(period).label("month")
        query = select(Story.person_id, month).where(*_in_window(team_id, period)).distinct()
        if kind is not None:
            query = query.where(Story.kind == kind.value)
        return _month_sets(
            (person_id, number) for person_id, number in await self.session.execute(query)
        )

    async def contributors_by_question(
        self, team_id: int, period: Period
    ) -> dict[str, MonthContributors]:
        """For each question: who picked anything in it, in each month of the window."""
        month = _month_of_completion(period).label("month")
        rows = await self.session.execute(
            select(Choice.question, Story.person_id, month)
            .join(Story, Story.id == Choice.story_id)
            .where(*_in_window(team_id, period))
            .group_by(Choice.question, Story.person_id, month)
        )
        pairs: dict[str, list[tuple[int, int]]] = {}
        for question, person_id, number in rows:
            pairs.setdefault(question, []).append((person_id, number))
        return {question: _month_sets(found) for question, found in pairs.items()}

    async def totals(self, team_id: int, period: Period) -> dict[str, int]:
        """How many stories and check-ins, by kind."""
        rows = await self.session.execute(
            select(Story.kind, func.count())
            .where(*_in_window(team_id, period))
            .group_by(Story.kind)
        )
        return {kind: int(count) for kind, count in rows}

    async def counts(
        self, team_id: int, period: Period, withheld: frozenset[str] = frozenset()
    ) -> tuple[OptionCount, ...]:
        """How many stories picked each option of each shown question (GROUP BY in SQL)."""
        rows = await self.session.execute(
            select(Choice.question, Choice.option, func.count())
            .join(Story, Story.id == Choice.story_id)
            .where(*_in_window(team_id, period), Choice.question.not_in(withheld))
            .group_by(Choice.question, Choice.option)
        )
        return tuple(OptionCount(q, o, int(n)) for q, o, n in rows)

    async def quotes(
        self, team_id: int, period: Period, opening_key: str, limit: int
    ) -> tuple[str, ...]:
        """Up to ``limit`` openings their authors shared, in random order."""
        tokens = await self.session.scalars(
            select(Answer.text_encrypted)
            .join(Story, Story.id == Answer.story_id)
            .where(
                *_in_window(team_id, period),
                Story.kind == StoryKind.STORY.value,
                Story.quote_released.is_(True),
                Answer.question == opening_key,
                Answer.text_encrypted.is_not(None),
            )
            .order_by(func.random())
            .limit(limit)
        )
        return tuple(self.cipher.decrypt(token) for token in tokens if token)
