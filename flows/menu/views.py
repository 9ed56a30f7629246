"""A person's next step as the flows see it: the open one, and every one for /export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Due(StrEnum):
    """When the person means to do their next step (stored; never rename one)."""

    WEEK = "week"
    MONTH = "month"
    NONE = ""


class StepStatus(StrEnum):
    """Where a next step stands (stored; never rename one)."""

    OPEN = "open"
    DONE = "done"
    NOT_FOR_ME = "not_for_me"
    LET_GO = "let_go"  # asked about three times without happening: never asked again
    REPLACED = "replaced"  # another was ordered


@dataclass(frozen=True)
class NextStepView:
    """The open next step: a dish, the person's own dish (decrypted), or the answer to
    "what will help next" of ``story_id`` (its picks and words, when the story is kept)."""

    id: int
    dish: str = ""
    own_dish: str | None = None
    story_id: int | None = None
    story_choices: tuple[str, ...] = ()
    story_text: str | None = None
    due: Due = Due.NONE
    asked: int = 0
    ordered_at: datetime | None = None
    shared: bool = False  # an own dish its author let the team's facilitators see

    @property
    def ordered(self) -> bool:
        """Chosen from the menu or in their own words, not only said at a story's end."""
        return bool(self.dish or self.own_dish)


@dataclass(frozen=True)
class SharedDish:
    """An own dish its author let the team's facilitators see (no name, no date)."""

    id: int
    text: str


@dataclass(frozen=True)
class NextStepRecord:
    """One next step, whatever its status, as /export hands it over."""

    step: NextStepView
    status: StepStatus
    closed_at: datetime | None
