"""Everything stored about one person, as plain data: what /export hands over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.views import NudgeView, StoryView


@dataclass(frozen=True)
class TeamRecord:
    """A team the person belongs to or facilitates, and since when."""

    name: str
    since: datetime


@dataclass(frozen=True)
class PhotoRecord:
    """A team photo the person received as a facilitator (counts only, never words)."""

    team: str
    period: str
    delivered_at: datetime


@dataclass(frozen=True)
class StoryRecord:
    """A story with its decrypted answers and what storage keeps around it."""

    story: StoryView
    updated_at: datetime
    completed_at: datetime | None
    team: str | None
    retention_notice_at: datetime | None = None  # when its owner was told it will be deleted


@dataclass(frozen=True)
class PersonRecord:
    """One person's data, complete: identity, settings, team, stories."""

    channel: str
    external_id: int
    chat_id: int | None
    language: str
    first_contact: datetime
    nudge: NudgeView | None
    team: TeamRecord | None
    facilitates: tuple[TeamRecord, ...]
    photos: tuple[PhotoRecord, ...]
    stories: tuple[StoryRecord, ...]
    checkins_blocked: bool = False  # check-ins stopped: Telegram said the bot was blocked
    join_failures: int = 0  # team codes that did not work, since the last one that did
    join_locked_until: datetime | None = None  # no /join until then, after too many
    retention_notice_at: datetime | None = None  # last told that stories will be deleted
