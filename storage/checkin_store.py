"""Check-in schedules: settings, the next due instant, and claims by the dispatcher.

Claiming is ``UPDATE ... WHERE person_id IN (SELECT ... FOR UPDATE SKIP LOCKED)``
with a lease: a dispatcher that crashes after claiming loses its claim when
the lease runs out, and the check-in is sent again (at most once more).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.checkins.schedule import CheckinRule, Rhythm, next_checkin_at
from flows.replies import Effect, SaveCheckinRule
from flows.views import CheckinView
from storage.models import CheckinSchedule, Person
from storage.repositories import known_schedules


@dataclass(frozen=True)
class DueCheckin:
    """A claimed checkin: whom to ask, and where."""

    person_id: int
    chat_id: int | None


def rule_of(row: CheckinSchedule) -> CheckinRule:
    """The stored settings as a rule."""
    return CheckinRule(
        zone=row.zone,
        rhythm=Rhythm(row.rhythm),
        weekday=row.weekday,
        at=time(row.at_minute // 60, row.at_minute % 60),
        weekend=frozenset(int(d) for d in row.weekend if d.isdigit()),
        paused_until=row.paused_until,
        place=row.place or "",
        placed_at=row.placed_at,
    )


def _store_rule(row: CheckinSchedule, rule: CheckinRule) -> None:
    row.zone = rule.zone
    row.rhythm = rule.rhythm.value
    row.weekday = rule.weekday
    row.at_minute = rule.at.hour * 60 + rule.at.minute
    row.weekend = "".join(str(d) for d in sorted(rule.weekend))
    row.paused_until = rule.paused_until
    row.place = rule.place
    row.placed_at = rule.placed_at


class Checkins:
    """Check-in schedules, in the domain's words. Flushes; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _row(self, person_id: int) -> CheckinSchedule | None:
        """The schedule row, from what this session already read when it can."""
        known = known_schedules(self.session)
        if person_id in known:
            return known[person_id]
        row = await self.session.get(CheckinSchedule, person_id)
        known[person_id] = row
        return row

    async def view(self, person_id: int) -> CheckinView | None:
        """A person's check-in settings, or None when they never set them up."""
        row = await self._row(person_id)
        if row is None:
            return None
        return CheckinView(rule_of(row), row.next_checkin_at, row.last_checkin_at, row.unanswered)

    async def save_rule(self, person_id: int, rule: CheckinRule, next_at: datetime | None) -> None:
        """New check-in settings and the next check-in; nothing is unanswered any more."""
        row = await self._row(person_id)
        if row is None:
            row = CheckinSchedule(person_id=person_id, unanswered=0, blocked=False)
            self.session.add(row)
            known_schedules(self.session)[person_id] = row
        _store_rule(row, rule)
        row.next_checkin_at = next_at
        row.unanswered = 0

    async def set_next(self, person_id: int, at: datetime | None) -> None:
        """Move the next check-in (none without settings)."""
        row = await self._row(person_id)
        if row is not None:
            row.next_checkin_at = at

    async def active(self, person_id: int, now: datetime) -> None:
        """The person wrote or tapped: nothing is unanswered, and they are reachable.

        A person who had blocked the bot and writes again gets their next check-in at
        their next regular slot after ``now``, not the one that was waiting meanwhile.
        """
        row = await self._row(person_id)
        if row is None:
            return
        if row.blocked and row.next_checkin_at is not None:
            row.next_checkin_at = next_checkin_at(
                rule_of(row), now=now, last_checkin=row.last_checkin_at
            )
        row.unanswered = 0
        row.blocked = False

    async def delivered(self, person_id: int, effects: Iterable[Effect]) -> None:
        """The check-in went out: store the settings that waited for its delivery
        (``SaveCheckinRule(on_delivery=True)``, which ``storage.effects`` leaves for this)."""
        for effect in effects:
            if isinstance(effect, SaveCheckinRule) and effect.on_delivery:
                await self.save_rule(person_id, effect.rule, effect.next_at)
        await self.session.flush()

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueCheckin]:
        """Claim up to ``limit`` due checkins for ``lease``; others skip them meanwhile."""
        due = (
            select(CheckinSchedule.person_id)
            .where(
                CheckinSchedule.next_checkin_at <= now,
                CheckinSchedule.blocked.is_(False),
                or_(CheckinSchedule.claimed_until.is_(None), CheckinSchedule.claimed_until < now),
            )
            .order_by(CheckinSchedule.next_checkin_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = (
            await self.session.scalars(
                update(CheckinSchedule)
                .where(CheckinSchedule.person_id.in_(due.scalar_subquery()))
                .values(claimed_until=now + lease)
                .returning(CheckinSchedule.person_id)
            )
        ).all()
        if not claimed:
            return []
        chats = await self.session.execute(
            select(Person.id, Person.chat_id).where(Person.id.in_(claimed))
        )
        return [DueCheckin(person_id, chat_id) for person_id, chat_id in chats]

    async def mark_sent(self, person_id: int, now: datetime, *, counted: bool = True) -> None:
        """The check-in went out: count it (unless it could not be shown) and plan the next."""
        row = await self.session.get(CheckinSchedule, person_id)
        if row is None:
            return
        row.last_checkin_at = now
        if counted:
            row.unanswered += 1
        row.next_checkin_at = next_checkin_at(rule_of(row), now=now, last_checkin=now)
        row.claimed_until = None
        await self.session.flush()

    async def mark_sent_many(self, person_ids: dict[int, bool], now: datetime) -> None:
        """``mark_sent`` for several people (id -> counted) with one query to read them."""
        rows = await self.session.scalars(
            select(CheckinSchedule).where(CheckinSchedule.person_id.in_(list(person_ids)))
        )
        for row in rows:
            row.last_checkin_at = now
            if person_ids[row.person_id]:
                row.unanswered += 1
            row.next_checkin_at = next_checkin_at(rule_of(row), now=now, last_checkin=now)
            row.claimed_until = None
        await self.session.flush()

    async def release(self, person_id: int, *, blocked: bool = False) -> None:
        """Give a claim back (nothing was sent); ``blocked`` stops check-ins until they write."""
        values: dict[str, object] = {"claimed_until": None}
        if blocked:
            values["blocked"] = True
        await self.session.execute(
            update(CheckinSchedule).where(CheckinSchedule.person_id == person_id).values(**values)
        )

    async def block_chat(self, chat_id: int) -> None:
        """The person in this chat blocked the bot: no check-ins until they write again."""
        await self.session.execute(
            update(CheckinSchedule)
            .where(
                CheckinSchedule.person_id.in_(select(Person.id).where(Person.chat_id == chat_id))
            )
            .values(blocked=True, claimed_until=None)
            .execution_options(synchronize_session=False)
        )

    async def due_count(self, now: datetime) -> int:
        """How many checkins are due and not claimed (for tests and monitoring)."""
        count = await self.session.scalar(
            select(func.count()).where(
                and_(CheckinSchedule.next_checkin_at <= now, CheckinSchedule.blocked.is_(False))
            )
        )
        return int(count or 0)
