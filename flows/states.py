"""Conversation state: where a person is in a dialogue, stored as JSON."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Step(StrEnum):
    """Named steps of the interview. Stored in the database: never rename one."""

    IDLE = "idle"
    WELCOME = "welcome"
    QUESTION = "question"
    REVIEW = "review"
    CHECKIN_ASKED = "checkin_asked"  # a check-in question was sent; the next text answers it
    SETTINGS_ZONE = "settings_zone"  # waiting for a city name or a location
    SETTINGS_TIME = "settings_time"  # waiting for a typed time of day
    SETTINGS_PAUSE = "settings_pause"  # waiting for a typed date to pause until
    CHECKIN_THROUGH = "checkin_through"  # nothing went better: a text may say what helped

    @classmethod
    def _missing_(cls, value: object) -> Step | None:
        """A step stored under its earlier name, from before check-ins had one word."""
        return cls.CHECKIN_ASKED if value == "nudged" else None


class StoryKind(StrEnum):
    """What a stored story is."""

    STORY = "story"
    CHECKIN = "checkin"


class StoryStatus(StrEnum):
    """A story is a draft until the person confirms its card."""

    DRAFT = "draft"
    COMPLETE = "complete"


class SplitAnswer(BaseModel):
    """An answer that filled a whole message: a text until ``until`` may continue it."""

    model_config = ConfigDict(frozen=True)

    story: int
    question: str
    until: datetime


class State(BaseModel):
    """Where one person is. Small, JSON-serialisable, and safe to log (no text)."""

    model_config = ConfigDict(frozen=True)

    step: Step = Step.IDLE
    story_id: int | None = None
    question: str | None = None
    draft_id: int | None = None
    returning: bool = False  # after this question, go back to the card
    split: SplitAnswer | None = None  # see flows.interview.long_text
    asked_at: datetime | None = (
        None  # CHECKIN_ASKED: when that check-in was decided (flows.checkins.due)
    )

    def to_json(self) -> str:
        """Serialise for storage."""
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def from_json(cls, raw: str | None) -> State:
        """Deserialise; an empty or unreadable value means a fresh start."""
        if not raw:
            return cls()
        try:
            return cls.model_validate_json(raw)
        except ValueError:
            return cls()
