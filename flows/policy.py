"""What an installation promises about people's data: group size and retention (pure rules).

Retention counts from the day a story was begun. Its owner is told once, a week
before it expires; a story is only deleted once it has expired *and* its owner
was told at least a week earlier (so turning retention on, or shortening it,
never deletes anything without a week's notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WARNING_LEAD = timedelta(days=7)


def add_years(when: datetime, years: int) -> datetime:
    """The same moment ``years`` later (or earlier); 29 February becomes the 28th."""
    try:
        return when.replace(year=when.year + years)
    except ValueError:
        return when.replace(year=when.year + years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    """The instants that decide, at one moment, which stories to warn about or delete."""

    warn_begun_before: datetime  # begun before this: expires within a week, warn
    delete_begun_before: datetime  # begun before this: expired
    delete_warned_before: datetime  # and warned before this: a week's notice was given


@dataclass(frozen=True)
class Retention:
    """How long stories are kept: ``years`` or ``days`` after they were begun, or forever."""

    years: int | None = None
    days: int | None = None

    @property
    def forever(self) -> bool:
        """True when stories are kept until their owner deletes them."""
        return self.years is None and self.days is None

    def expired_before(self, now: datetime) -> datetime | None:
        """Stories begun before this instant have expired at ``now`` (None: never)."""
        if self.days is not None:
            return now - timedelta(days=self.days)
        if self.years is not None:
            return add_years(now, -self.years)
        return None

    def expires(self, begun: datetime) -> datetime | None:
        """When a story begun at ``begun`` expires (None: never)."""
        if self.days is not None:
            return begun + timedelta(days=self.days)
        if self.years is not None:
            return add_years(begun, self.years)
        return None

    def cutoffs(self, now: datetime) -> Cutoffs | None:
        """What the daily job warns about and deletes at ``now`` (None: nothing, ever)."""
        expired = self.expired_before(now)
        soon = self.expired_before(now + WARNING_LEAD)
        if expired is None or soon is None:
            return None
        return Cutoffs(soon, expired, now - WARNING_LEAD)


@dataclass(frozen=True)
class PrivacyPolicy:
    """The installation's privacy settings that the person is told about."""

    min_group_size: int = 5
    retention: Retention = Retention()
