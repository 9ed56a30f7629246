"""When facilitators are sent photos unasked: the window that just ended, at a local hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.teams.periods import Period, Span
from flows.teams.rhythm import DeliveryRhythm, delivery_moment, due_period, is_new, tells_closed

NOVEMBER = Period(2026, Span.MONTH, 11)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Europe/Madrid", utc(2026, 12, 1, 8)),  # 09:00 CET
        ("America/New_York", utc(2026, 12, 1, 14)),  # 09:00 EST
        ("UTC", utc(2026, 12, 1, 9)),
        # 09:00 in Kiribati is still November in UTC: wait until the window has ended.
        ("Pacific/Kiritimati", utc(2026, 12, 1, 0)),
    ],
)
def test_the_photo_is_due_at_the_local_hour_after_the_window_ended(
    zone: str, moment: datetime
) -> None:
    assert delivery_moment(NOVEMBER, zone, 9) == moment


def test_due_period_is_the_window_that_just_ended_once_its_moment_passed() -> None:
    monthly = DeliveryRhythm.MONTHLY
    assert due_period(monthly, "Europe/Madrid", 9, utc(2026, 12, 1, 7, 59)) == Period(
        2026, Span.MONTH, 10
    )
    assert due_period(monthly, "Europe/Madrid", 9, utc(2026, 12, 1, 8)) == NOVEMBER
    assert due_period(monthly, "Europe/Madrid", 9, utc(2026, 12, 20)) == NOVEMBER


def test_other_rhythms_and_off() -> None:
    now = utc(2027, 1, 2, 12)
    assert str(due_period(DeliveryRhythm.QUARTERLY, "UTC", 9, now)) == "2026-Q4"
    assert str(due_period(DeliveryRhythm.HALF_YEARLY, "UTC", 9, now)) == "2026-H2"
    assert str(due_period(DeliveryRhythm.YEARLY, "UTC", 9, now)) == "2026"
    assert due_period(DeliveryRhythm.OFF, "UTC", 9, now) is None


def test_only_something_new_is_sent() -> None:
    assert is_new(3, None)
    assert is_new(0, None), "a window that stays closed is told once"
    assert not is_new(0, 0)
    assert not is_new(5, 5)
    assert is_new(6, 5)


def test_only_the_window_that_just_ended_is_told_that_it_stays_closed() -> None:
    december = utc(2026, 12, 1, 9)
    assert tells_closed(DeliveryRhythm.MONTHLY, NOVEMBER, december)
    assert not tells_closed(DeliveryRhythm.MONTHLY, NOVEMBER.previous(), december)
    assert not tells_closed(DeliveryRhythm.MONTHLY, NOVEMBER, utc(2027, 1, 1, 9))
    assert tells_closed(DeliveryRhythm.QUARTERLY, Period(2026, Span.QUARTER, 4), utc(2027, 1, 2))
    assert not tells_closed(DeliveryRhythm.OFF, NOVEMBER, december)
