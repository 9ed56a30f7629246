"""Ended months of a team's photo, frozen the first time a photo needs them.

A photo of an ended window is read only from its months' frozen rows
(``PhotoMonth`` and its counts, people and quotes): later edits, deletions and
erasures never change a month once frozen, so nobody can learn one person's
change by comparing two looks, and a year reads twelve small aggregates instead
of every answer.

Freezing counts the live rows once: confirmed stories and check-ins of the team
whose confirmation (UTC) falls in the month, leaving out everyone who
facilitates the team at that moment. People are kept as their random
``Person.photo_token`` (an erased person's token points at nobody). Quotes are
the shared opening answers, still encrypted; a quote goes from every frozen
month when its author withdraws it or the story is erased.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.states import StoryKind, StoryStatus
from flows.teams.dishes import CHOSEN, OWN, TRIED
from flows.teams.dishes import scope as dish_scope
from flows.teams.periods import Period, Span
from flows.teams.photo import ANYTHING, STORYTELLERS, FrozenWindow
from storage.crypto import TextCipher
from storage.inbox import insert_for
from storage.models import (
    Answer,
    Choice,
    Facilitator,
    NextStep,
    Person,
    PhotoMonth,
    PhotoMonthCount,
    PhotoMonthPerson,
    PhotoMonthQuote,
    Story,
)


def month_key(year: int, month: int) -> str:
    """'2026-10': how a month is named in the frozen tables (same as ``str(Period)``)."""
    return f"{year}-{month:02d}"


def months_of(period: Period) -> dict[str, int]:
    """The month keys of a window, with their month numbers (1-12)."""
    return {month_key(period.year, number): number for number in period.months}


class PhotoMonths:
    """Freezes and reads a team's months. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def frozen(self, team_id: int, period: Period, now: datetime, opening_key: str) -> None:
        """Freeze every month of an ended window that is not frozen yet."""
        assert period.end <= now, "only ended windows are frozen"
        keys = months_of(period)
        done = set(
            await self.session.scalars(
                select(PhotoMonth.month).where(
                    PhotoMonth.team_id == team_id, PhotoMonth.month.in_(keys)
                )
            )
        )
        for key, number in keys.items():
            if key not in done:
                await self._freeze(
                    team_id, Period(period.year, Span.MONTH, number), now, opening_key
                )

    async def read(self, team_id: int, period: Period) -> FrozenWindow:
        """The window's frozen months (a month frozen with no contribution adds nothing)."""
        keys = months_of(period)
        window = FrozenWindow()
        mine = (PhotoMonth.team_id == team_id, PhotoMonth.month.in_(keys))
        for stories, checkins in await self.session.execute(
            select(func.sum(PhotoMonth.stories), func.sum(PhotoMonth.checkins)).where(*mine)
        ):
            window.stories, window.checkins = int(stories or 0), int(checkins or 0)
        people: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for month, scope, token in await self.session.execute(
            select(PhotoMonthPerson.month, PhotoMonthPerson.scope, PhotoMonthPerson.token).where(
                PhotoMonthPerson.team_id == team_id, PhotoMonthPerson.month.in_(keys)
            )
        ):
            people[scope][keys[month]].add(token)
        window.people = {
            scope: {month: frozenset(tokens) for month, tokens in by_month.items()}
            for scope, by_month in people.items()
        }
        for question, option, count in await self.session.execute(
            select(
                PhotoMonthCount.question, PhotoMonthCount.option, func.sum(PhotoMonthCount.count)
            )
            .where(PhotoMonthCount.team_id == team_id, PhotoMonthCount.month.in_(keys))
            .group_by(PhotoMonthCount.question, PhotoMonthCount.option)
        ):
            window.counts[(question, option)] = int(count)
        return window

    async def quotes(
        self, team_id: int, period: Period, limit: int, *, members: bool = False
    ) -> tuple[str, ...]:
        """Up to ``limit`` of the window's frozen quotes, in random order (``members``: only
        those shared knowing the team's members may read them)."""
        query = select(PhotoMonthQuote.text_encrypted).where(
            PhotoMonthQuote.team_id == team_id,
            PhotoMonthQuote.month.in_(months_of(period)),
        )
        if members:
            query = query.where(PhotoMonthQuote.for_members.is_(True))
        tokens = list(await self.session.scalars(query))
        chosen = random.sample(tokens, min(limit, len(tokens)))
        return tuple(self.cipher.decrypt(token) for token in chosen)

    async def withdraw_quote(self, story_id: int) -> None:
        """A quote its author no longer shares leaves every frozen photo."""
        await self.session.execute(
            delete(PhotoMonthQuote).where(PhotoMonthQuote.story_id == story_id)
        )

    # --- freezing one month --------------------------------------------------------------

    async def _freeze(self, team_id: int, month: Period, now: datetime, opening_key: str) -> None:
        key = str(month)
        counted = _counted(team_id, month)
        kinds = dict(
            (kind, int(n))
            for kind, n in await self.session.execute(
                select(Story.kind, func.count()).where(*counted).group_by(Story.kind)
            )
        )
        claimed = await self.session.execute(
            insert_for(self.session)(PhotoMonth)
            .values(
                team_id=team_id,
                month=key,
                stories=kinds.get(StoryKind.STORY.value, 0),
                checkins=kinds.get(StoryKind.CHECKIN.value, 0),
                frozen_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "month"])
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return  # frozen meanwhile by another step: theirs stands
        contributions = list(
            await self.session.execute(
                select(Person.photo_token, Story.kind)
                .join(Person, Person.id == Story.person_id)
                .where(*counted)
                .distinct()
            )
        )
        people = [{"scope": ANYTHING, "token": token} for token, _ in contributions]
        people += [
            {"scope": STORYTELLERS, "token": token}
            for token, kind in contributions
            if kind == StoryKind.STORY.value
        ]
        people += [
            {"scope": question, "token": token}
            for question, token in await self.session.execute(
                select(Choice.question, Person.photo_token)
                .join(Story, Story.id == Choice.story_id)
                .join(Person, Person.id == Story.person_id)
                .where(*counted)
                .distinct()
            )
        ]
        dish_people, dish_counts = await self._dishes(team_id, month)
        await self._insert(PhotoMonthPerson, team_id, key, [*_unique(people), *dish_people])
        counts = [
            {"question": question, "option": option, "count": int(n)}
            for question, option, n in await self.session.execute(
                select(Choice.question, Choice.option, func.count())
                .join(Story, Story.id == Choice.story_id)
                .where(*counted)
                .group_by(Choice.question, Choice.option)
            )
        ]
        await self._insert(PhotoMonthCount, team_id, key, counts + dish_counts)
        quotes = [
            {"story_id": story_id, "text_encrypted": token, "for_members": for_members}
            for story_id, token, for_members in await self.session.execute(
                select(Story.id, Answer.text_encrypted, Story.for_members)
                .join(Answer, Answer.story_id == Story.id)
                .where(
                    *counted,
                    Story.kind == StoryKind.STORY.value,
                    Story.quote_released.is_(True),
                    Answer.question == opening_key,
                    Answer.text_encrypted.is_not(None),
                )
            )
        ]
        await self._insert(PhotoMonthQuote, team_id, key, quotes)

    async def _dishes(
        self, team_id: int, month: Period
    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """Next steps chosen and tried in the month by the team's people (not its
        facilitators): who, per dish, and how many, per dish (own dishes as ``OWN``)."""
        chosen = (NextStep.ordered_at >= month.start) & (NextStep.ordered_at < month.end)
        tried = (
            (NextStep.status == "done")
            & (NextStep.closed_at >= month.start)
            & (NextStep.closed_at < month.end)
        )
        people: set[tuple[str, str]] = set()
        counts: Counter[tuple[str, str]] = Counter()
        for dish, token, was_chosen, was_tried in await self.session.execute(
            select(NextStep.dish, Person.photo_token, chosen, tried)
            .join(Person, Person.id == NextStep.person_id)
            .where(
                NextStep.team_id == team_id,
                NextStep.person_id.not_in(facilitators_of(team_id)),
                (NextStep.dish != "") | NextStep.own_dish_encrypted.is_not(None),
                chosen | tried,
            )
        ):
            key = dish or OWN
            people.add((dish_scope(key), token))
            for question, happened in ((CHOSEN, was_chosen), (TRIED, was_tried)):
                if happened:
                    counts[(question, key)] += 1
        return (
            [{"scope": name, "token": token} for name, token in sorted(people)],
            [{"question": q, "option": o, "count": n} for (q, o), n in sorted(counts.items())],
        )

    async def _insert(
        self, model: type[object], team_id: int, key: str, rows: Sequence[Mapping[str, object]]
    ) -> None:
        if rows:
            await self.session.execute(
                insert_for(self.session)(model),
                [{"team_id": team_id, "month": key, **row} for row in rows],
            )


def facilitators_of(team_id: int) -> Select[int]:
    """Who facilitates the team now: never counted in its photo, nor shown its own dishes."""
    return select(Facilitator.person_id).where(Facilitator.team_id == team_id)


def _counted(team_id: int, month: Period) -> tuple[ColumnElement[bool], ...]:
    """Confirmed stories of the team in the month, by people who do not facilitate it."""
    return (
        Story.team_id == team_id,
        Story.status == StoryStatus.COMPLETE.value,
        Story.completed_at >= month.start,
        Story.completed_at < month.end,
        Story.person_id.not_in(facilitators_of(team_id)),
    )


def _unique(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        seen.setdefault((row["scope"], row["token"]), row)
    return list(seen.values())
