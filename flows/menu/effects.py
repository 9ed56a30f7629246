"""What the learning menu asks storage to do, as plain data (applied by ``storage.effects``)."""

from __future__ import annotations

from dataclasses import dataclass

from flows.menu.views import Due, StepStatus


@dataclass(frozen=True)
class OrderNextStep:
    """A new open next step, with no date yet; an open one before it is "replaced".

    ``dish``: a menu dish, or "" with ``own_dish`` (their words, stored encrypted) or,
    with neither, the "what will help next" answer of ``story_id``.
    """

    step_id: int
    dish: str = ""
    own_dish: str | None = None
    story_id: int | None = None


@dataclass(frozen=True)
class SetNextStepDue:
    """When the person means to do it."""

    step_id: int
    due: Due


@dataclass(frozen=True)
class CloseNextStep:
    """The next step is done, not for them, or let go: never asked about again."""

    step_id: int
    status: StepStatus


@dataclass(frozen=True)
class NextStepAsked:
    """A check-in asked about it and it did not happen yet: one more time asked."""

    step_id: int


@dataclass(frozen=True)
class ShareOwnDish:
    """The person lets their team's facilitators see their own dish, or no longer does."""

    step_id: int
    shared: bool


NextStepEffect = OrderNextStep | SetNextStepDue | CloseNextStep | NextStepAsked | ShareOwnDish
