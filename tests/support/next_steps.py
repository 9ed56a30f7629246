"""Next steps as the in-memory harness keeps them, the way ``storage.next_steps`` does:
one open at a time (ordering replaces it), closed ones kept, each with its owner."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flows.menu.effects import CloseNextStep, NextStepAsked, OrderNextStep, SetNextStepDue
from flows.menu.suggest import STORY_QUESTION
from flows.menu.views import Due, NextStepView, StepStatus
from flows.views import StoryView

NextStepEffect = OrderNextStep | SetNextStepDue | CloseNextStep | NextStepAsked


@dataclass
class StoredNextStep:
    """One next_steps row."""

    owner: int
    step: NextStepView
    status: StepStatus = StepStatus.OPEN
    closed_at: datetime | None = None


def apply(
    rows: dict[int, StoredNextStep], owner: int, effect: NextStepEffect, now: datetime
) -> None:
    """Carry out one next-step effect for ``owner`` (only their own open step changes)."""
    if isinstance(effect, OrderNextStep):
        if effect.step_id in rows:
            raise AssertionError(f"next step id {effect.step_id} used twice")
        for row in rows.values():
            if row.owner == owner and row.status is StepStatus.OPEN:
                row.status, row.closed_at = StepStatus.REPLACED, now
        step = NextStepView(
            effect.step_id, effect.dish, effect.own_dish, effect.story_id, ordered_at=now
        )
        rows[effect.step_id] = StoredNextStep(owner, step)
        return
    row = rows.get(effect.step_id)
    if row is None or row.owner != owner or row.status is not StepStatus.OPEN:
        return
    match effect:
        case SetNextStepDue():
            row.step = replace(row.step, due=effect.due)
        case CloseNextStep():
            row.status, row.closed_at = effect.status, now
        case NextStepAsked():
            row.step = replace(row.step, asked=row.step.asked + 1)


def open_step(
    rows: dict[int, StoredNextStep], owner: int, stories: dict[int, StoryView]
) -> NextStepView | None:
    """The owner's open next step, with its story's answer when it follows one up."""
    for row in rows.values():
        if row.owner == owner and row.status is StepStatus.OPEN:
            step = row.step
            story = stories.get(step.story_id) if step.story_id is not None else None
            if story is not None and not step.ordered:
                answer = story.answer(STORY_QUESTION)
                step = replace(step, story_choices=answer.choices, story_text=answer.text)
            return step
    return None


__all__ = ["Due", "NextStepEffect", "StoredNextStep", "apply", "open_step"]
