"""What an installation promises about people's data: group size and retention (pure rules).

Retention counts from the day a story was begun. A person is told before any of
their stories is deleted: when one of them expires within a week
(``NOTICE_LEAD``), in one message that covers every story of theirs expiring
within ``NOTICE_COVERS``, and at most once every ``NOTICE_SPACING``. A story is
only deleted once it has expired *and* its owner was told at least a week
earlier (so turning retention on, or shortening it, never deletes anything
without a week's notice). With a period shorter than ``NOTICE_COVERS`` a story
begun after a notice may wait for the next one, and so be deleted later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOTICE_LEAD = timedelta(days=7)  # told at least this long before a story is deleted
NOTICE_COVERS = timedelta(days=37)  # a notice covers the stories expiring this soon
NOTICE_SPACING = timedelta(days=30)  # a person is told at most once in this long


def add_years(when: datetime, years: int) -> datetime:
    """The same moment ``years`` later (or earlier); 29 February becomes the 28th."""
    try:
        return when.replace(year=when.year + years)
    except ValueError:
        return when.replace(year=when.year + years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    """The instants that decide, at one moment, which stories to warn about or delete."""

    warn_begun_before: datetime  # begun before this: expires within a week, tell its owner
    cover_begun_before: datetime  # begun before this: the notice mentions it too
    told_before: datetime  # a person told before this may be told again
    delete_begun_before: datetime  # begun before this: expired
    delete_warned_before: datetime  # and told before this: a week's notice was given


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
        """What the daily job tells about and deletes at ``now`` (None: nothing, ever)."""
        expired = self.expired_before(now)
        soon = self.expired_before(now + NOTICE_LEAD)
        covered = self.expired_before(now + NOTICE_COVERS)
        if expired is None or soon is None or covered is None:
            return None
        return Cutoffs(soon, covered, now - NOTICE_SPACING, expired, now - NOTICE_LEAD)

    def first_deletion(self, begun: datetime, told: datetime) -> datetime:
        """When a story begun at ``begun`` goes, its owner told at ``told`` (never sooner)."""
        expires = self.expires(begun)
        return max(expires, told + NOTICE_LEAD) if expires else told + NOTICE_LEAD


@dataclass(frozen=True)
class PrivacyPolicy:
    """The installation's privacy settings that the person is told about."""

    min_group_size: int = 5
    retention: Retention = Retention()
