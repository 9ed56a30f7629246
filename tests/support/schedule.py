"""Shared by the check-in schedule tests (``test_schedule_*.py``): weekdays, rhythms, a zone.

``wall`` is the naive local wall time of an instant; ``utc`` builds an aware UTC instant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flows.checkins.schedule import Rhythm

TUESDAY, FRIDAY, SATURDAY, SUNDAY = 1, 4, 5, 6
RHYTHMS = (Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY)
ZONE = "Europe/Amsterdam"  # 2026-06-15 is a Monday, CEST (+02:00)


def wall(instant: datetime, zone: str) -> datetime:
    """Naive local wall time of an instant."""
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
