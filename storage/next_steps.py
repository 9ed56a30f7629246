"""A person's next steps: the one open at a time, and every one for /export.

An own dish is the person's words: encrypted on the way in, decrypted only for them.
A next step that follows up a story's "what will help next" reads that answer from the
story itself (nothing copied), so deleting the story leaves nothing of it here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.menu.effects import OrderNextStep
from flows.menu.views import Due, NextStepRecord, NextStepView, SharedDish, StepStatus
from storage.crypto import TextCipher
from storage.models import Membership, NextStep
from storage.photo_months import facilitators_of
from storage.repositories import Stories

SHARED_LIMIT = 10  # shared own dishes a facilitator sees beside the card
STORY_QUESTION = "next_step"  # the story's answer a next step without a dish follows up


class NextSteps:
    """Next steps ordered from the menu, in their own words, or from a story."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def open(self, person_id: int) -> NextStepView | None:
        """The person's open next step, if any (the latest, should there be two)."""
        row = await self.session.scalar(
            select(NextStep)
            .where(NextStep.person_id == person_id, NextStep.status == StepStatus.OPEN.value)
            .order_by(NextStep.ordered_at.desc(), NextStep.id.desc())
            .limit(1)
        )
        return None if row is None else await self._view(person_id, row)

    async def records(self, person_id: int) -> tuple[NextStepRecord, ...]:
        """Every next step of the person, oldest first (for /export)."""
        rows = await self.session.scalars(
            select(NextStep)
            .where(NextStep.person_id == person_id)
            .order_by(NextStep.ordered_at, NextStep.id)
        )
        return tuple(
            [
                NextStepRecord(
                    await self._view(person_id, row), StepStatus(row.status), row.closed_at
                )
                for row in rows.all()
            ]
        )

    async def order(self, person_id: int, effect: OrderNextStep, now: datetime) -> None:
        """A new open next step, counted for the team the person is in now (frozen team
        photos count dishes chosen and tried there); the open one before it is replaced."""
        await self.session.execute(
            update(NextStep)
            .where(NextStep.person_id == person_id, NextStep.status == StepStatus.OPEN.value)
            .values(status=StepStatus.REPLACED.value, closed_at=now)
            .execution_options(synchronize_session=False)
        )
        own = self.cipher.encrypt(effect.own_dish) if effect.own_dish else None
        team = select(Membership.team_id).where(Membership.person_id == person_id)
        await self.session.execute(
            insert(NextStep).values(
                id=effect.step_id,
                person_id=person_id,
                story_id=effect.story_id,
                team_id=team.scalar_subquery(),
                dish=effect.dish,
                own_dish_encrypted=own,
                due=Due.NONE.value,
                status=StepStatus.OPEN.value,
                asked=0,
                ordered_at=now,
            )
        )

    async def set_due(self, person_id: int, step_id: int, due: Due) -> None:
        """When the person means to do it (only their own open step)."""
        await self._update(person_id, step_id, due=due.value)

    async def close(self, person_id: int, step_id: int, status: StepStatus, now: datetime) -> None:
        """Done, not for them, or let go: no longer open."""
        await self._update(person_id, step_id, status=status.value, closed_at=now)

    async def share(self, person_id: int, step_id: int, shared: bool) -> None:
        """Whether the team's facilitators may see this own dish of theirs."""
        await self.session.execute(
            update(NextStep)
            .where(NextStep.id == step_id, NextStep.person_id == person_id)
            .where(NextStep.own_dish_encrypted.is_not(None))
            .values(shared=shared)
            .execution_options(synchronize_session=False)
        )

    async def shared_with(self, team_id: int, limit: int = SHARED_LIMIT) -> tuple[SharedDish, ...]:
        """The newest own dishes the team's people (not its facilitators) shared with it."""
        rows = await self.session.execute(
            select(NextStep.id, NextStep.own_dish_encrypted)
            .where(
                NextStep.team_id == team_id,
                NextStep.shared.is_(True),
                NextStep.own_dish_encrypted.is_not(None),
                NextStep.person_id.not_in(facilitators_of(team_id)),
            )
            .order_by(NextStep.ordered_at.desc(), NextStep.id.desc())
            .limit(limit)
        )
        return tuple(SharedDish(id, self.cipher.decrypt(token)) for id, token in rows if token)

    async def asked(self, person_id: int, step_id: int) -> None:
        """One more check-in asked about it while it stayed open."""
        await self._update(person_id, step_id, asked=NextStep.asked + 1)

    async def _update(self, person_id: int, step_id: int, **values: object) -> None:
        await self.session.execute(
            update(NextStep)
            .where(
                NextStep.id == step_id,
                NextStep.person_id == person_id,
                NextStep.status == StepStatus.OPEN.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def _view(self, person_id: int, row: NextStep) -> NextStepView:
        own = self.cipher.decrypt(row.own_dish_encrypted) if row.own_dish_encrypted else None
        choices: tuple[str, ...] = ()
        text = None
        if row.story_id is not None and not row.dish and own is None:
            stories = await Stories(self.session, self.cipher).load(person_id, {row.story_id})
            if (story := stories.get(row.story_id)) is not None:
                answer = story.answer(STORY_QUESTION)
                choices, text = answer.choices, answer.text
        return NextStepView(
            id=row.id,
            dish=row.dish,
            own_dish=own,
            story_id=row.story_id,
            story_choices=choices,
            story_text=text,
            due=Due(row.due),
            asked=row.asked,
            ordered_at=row.ordered_at,
            shared=row.shared,
        )
