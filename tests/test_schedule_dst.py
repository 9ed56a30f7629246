"""Checkin scheduling across time-zone transitions: DST gaps and folds, slots, intervals.

The 2026 transition dates are not typed in by hand: :func:`transitions` finds them in the
installed tz database by scanning ``utcoffset`` changes, and the tests assert only the
dates the brief states (Amsterdam 29 Mar / 25 Oct, Santiago April / September).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.checkins.schedule import (
    INTERVAL_DAYS,
    CheckinRule,
    Rhythm,
    is_allowed,
    local_instant,
    next_checkin_at,
)
from tests.support.schedule import RHYTHMS, SATURDAY, TUESDAY, utc, wall

DST_ZONES = ("Europe/Amsterdam", "America/Santiago", "Australia/Lord_Howe", "Pacific/Chatham")
ALL_ZONES = (*DST_ZONES, "Asia/Kathmandu", "Asia/Ulaanbaatar")


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset: at ``at`` (UTC) from ``before`` to ``after``."""

    zone: str
    at: datetime
    before: timedelta
    after: timedelta

    @property
    def is_gap(self) -> bool:
        return self.after > self.before

    @property
    def wall_before(self) -> datetime:
        """Naive local wall time at which the old offset stops."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def wall_after(self) -> datetime:
        """Naive local wall time at which the new offset starts."""
        return (self.at + self.after).replace(tzinfo=None)

    @property
    def local_date(self) -> date:
        return self.wall_after.date()


@functools.cache
def transitions(zone: str, year: int) -> tuple[Transition, ...]:
    """Every offset change in ``year``: a 6-hourly scan, then bisection to the second."""
    tz = ZoneInfo(zone)

    def offset(ts: int) -> timedelta:
        value = datetime.fromtimestamp(ts, tz).utcoffset()
        assert value is not None
        return value

    step = 6 * 3600
    ts = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    while ts < end:
        if offset(ts) != offset(ts + step):
            lo, hi = ts, ts + step
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            found.append(Transition(zone, datetime.fromtimestamp(hi, UTC), offset(lo), offset(hi)))
        ts += step
    return tuple(found)


def transition(zone: str, *, gap: bool) -> Transition:
    (only,) = [t for t in transitions(zone, 2026) if t.is_gap is gap]
    return only


def tuesday_before(day: date) -> date:
    """The last Tuesday strictly before ``day``."""
    back = (day.weekday() - TUESDAY) % 7 or 7
    return day - timedelta(days=back)


# --- the transitions themselves (looked up, not remembered) ------------------------------


def test_transition_dates_2026() -> None:
    amsterdam = transitions("Europe/Amsterdam", 2026)
    assert [t.local_date for t in amsterdam] == [date(2026, 3, 29), date(2026, 10, 25)]
    santiago = transitions("America/Santiago", 2026)
    assert [(t.local_date.month, t.is_gap) for t in santiago] == [(4, False), (9, True)]
    assert {t.after - t.before for t in transitions("Australia/Lord_Howe", 2026)} == {
        timedelta(minutes=30),
        timedelta(minutes=-30),
    }
    assert {t.after for t in transitions("Pacific/Chatham", 2026)} == {
        timedelta(hours=12, minutes=45),
        timedelta(hours=13, minutes=45),
    }
    assert transitions("Asia/Kathmandu", 2026) == ()
    assert transitions("Asia/Ulaanbaatar", 2026) == ()


# --- local_instant: gaps and folds -------------------------------------------------------


@pytest.mark.parametrize("zone", DST_ZONES)
def test_time_in_gap_moves_to_end_of_gap(zone: str) -> None:
    t = transition(zone, gap=True)
    inside = t.wall_before + (t.after - t.before) / 2
    result = local_instant(inside.date(), inside.time(), ZoneInfo(zone))
    assert result == t.at
    assert result.tzinfo is UTC
    assert wall(result, zone) == t.wall_after


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_wall"),
    [
        ("Europe/Amsterdam", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 3, 0)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 10), datetime(2026, 10, 4, 2, 30)),
        ("Pacific/Chatham", date(2026, 9, 27), time(3, 0), datetime(2026, 9, 27, 3, 45)),
        ("America/Santiago", date(2026, 9, 6), time(0, 30), datetime(2026, 9, 6, 1, 0)),
        # Historical gaps inside the day and of a whole day:
        ("Africa/Juba", date(2000, 1, 15), time(12, 30), datetime(2000, 1, 15, 13, 0)),
        ("Pacific/Apia", date(2011, 12, 30), time(10, 0), datetime(2011, 12, 31, 0, 0)),
    ],
)
def test_gap_examples(zone: str, day: date, at: time, expected_wall: datetime) -> None:
    assert wall(local_instant(day, at, ZoneInfo(zone)), zone) == expected_wall


@pytest.mark.parametrize("zone", DST_ZONES)
def test_time_in_fold_takes_first_occurrence(zone: str) -> None:
    t = transition(zone, gap=False)
    inside = t.wall_after + (t.before - t.after) / 2
    result = local_instant(inside.date(), inside.time(), ZoneInfo(zone))
    assert result == inside.replace(tzinfo=UTC) - t.before
    assert result < t.at
    local = result.astimezone(ZoneInfo(zone))
    assert local.replace(tzinfo=None) == inside
    assert local.utcoffset() == t.before


def test_amsterdam_fold_example() -> None:
    result = local_instant(date(2026, 10, 25), time(2, 30), ZoneInfo("Europe/Amsterdam"))
    assert result == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not 02:30 CET


@pytest.mark.parametrize("zone", ALL_ZONES)
def test_normal_time_round_trips(zone: str) -> None:
    result = local_instant(date(2026, 6, 16), time(10, 0), ZoneInfo(zone))
    assert wall(result, zone) == datetime(2026, 6, 16, 10, 0)


# --- next_checkin_at: the slot -------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Amsterdam", utc(2026, 6, 16, 8, 0)),
        ("America/Santiago", utc(2026, 6, 16, 14, 0)),
        ("Australia/Lord_Howe", utc(2026, 6, 15, 23, 30)),
        ("Asia/Kathmandu", utc(2026, 6, 16, 4, 15)),
        ("Pacific/Chatham", utc(2026, 6, 15, 21, 15)),
        ("Asia/Ulaanbaatar", utc(2026, 6, 16, 2, 0)),
    ],
)
def test_normal_week_slot_is_exactly_local_time(zone: str, expected: datetime) -> None:
    rule = CheckinRule(zone)  # Tuesdays at 10:00
    result = next_checkin_at(rule, now=utc(2026, 6, 13, 12), last_checkin=None)
    assert result == expected
    assert wall(result, zone) == datetime(2026, 6, 16, 10, 0)


def test_slot_later_today_counts_but_not_the_current_instant() -> None:
    rule = CheckinRule("Asia/Kathmandu")
    slot = utc(2026, 6, 16, 4, 15)
    assert next_checkin_at(rule, now=slot - timedelta(seconds=1), last_checkin=None) == slot
    assert next_checkin_at(rule, now=slot, last_checkin=None) == slot + timedelta(days=7)


@pytest.mark.parametrize("rhythm", RHYTHMS)
@pytest.mark.parametrize("gap", [True, False], ids=["spring", "autumn"])
@pytest.mark.parametrize("zone", DST_ZONES)
def test_interval_in_local_days_across_dst(zone: str, gap: bool, rhythm: Rhythm) -> None:
    t = transition(zone, gap=gap)
    rule = CheckinRule(zone, rhythm=rhythm)
    tz = ZoneInfo(zone)
    last = local_instant(tuesday_before(t.local_date), rule.at, tz)
    result = next_checkin_at(rule, now=last + timedelta(minutes=1), last_checkin=last)
    assert result is not None
    days = INTERVAL_DAYS[rhythm]
    assert wall(result, zone) == wall(last, zone) + timedelta(days=days)
    # The elapsed time is not a whole number of days: the offset change is in between.
    assert result - last == timedelta(days=days) - (t.after - t.before)


@pytest.mark.parametrize("zone", ALL_ZONES)
def test_interval_without_dst_is_whole_days(zone: str) -> None:
    rule = CheckinRule(zone, rhythm=Rhythm.BIWEEKLY)
    last = local_instant(date(2026, 6, 2), rule.at, rule.tz)
    result = next_checkin_at(rule, now=last, last_checkin=last)
    assert result == last + timedelta(days=14)


def test_a_late_checkin_is_followed_by_the_next_slot_not_a_week_after_it() -> None:
    # Tuesday's check-in went out on Thursday (snoozed): the next one is next Tuesday.
    rule = CheckinRule("Europe/Amsterdam")
    last = utc(2026, 6, 18, 12)  # Thursday
    result = next_checkin_at(rule, now=last, last_checkin=last)
    assert result is not None and wall(result, rule.zone) == datetime(2026, 6, 23, 10)
    # Sent six days late, on Monday: never the next day, but the Tuesday after.
    last = utc(2026, 6, 22, 12)
    result = next_checkin_at(rule, now=last, last_checkin=last)
    assert result is not None and wall(result, rule.zone) == datetime(2026, 6, 30, 10)
    # Every two weeks: a day late still keeps the fortnightly Tuesdays.
    biweekly = CheckinRule("Europe/Amsterdam", rhythm=Rhythm.BIWEEKLY)
    last = utc(2026, 6, 17, 12)  # Wednesday, for Tuesday the 16th
    result = next_checkin_at(biweekly, now=last, last_checkin=last)
    assert result is not None and wall(result, rule.zone) == datetime(2026, 6, 30, 10)


def test_a_check_in_at_nine_pm_goes_out_during_that_minute() -> None:
    rule = CheckinRule("Europe/Amsterdam", at=time(21))
    slot = next_checkin_at(rule, now=utc(2026, 6, 15), last_checkin=None)
    assert slot is not None and wall(slot, rule.zone) == datetime(2026, 6, 16, 21)
    assert is_allowed(rule, slot + timedelta(seconds=40)), "the tick came 40 s later"
    assert not is_allowed(rule, slot + timedelta(minutes=1))


def test_pacific_easter_fold_in_allowed_hours_takes_first() -> None:
    # Pacific/Easter falls back 22:00 → 21:00 on Saturday 4 April 2026: 21:00 happens twice.
    rule = CheckinRule("Pacific/Easter", weekday=SATURDAY, at=time(21), weekend=frozenset({0}))
    result = next_checkin_at(rule, now=utc(2026, 4, 1), last_checkin=None)
    assert result == utc(2026, 4, 5, 2)  # 21:00 at -05:00, one hour before the repeat


def test_rule_time_in_a_gap_moves_forward() -> None:
    # Africa/Juba skipped 12:00–13:00 on Saturday 15 January 2000.
    rule = CheckinRule("Africa/Juba", weekday=SATURDAY, at=time(12, 30), weekend=frozenset())
    result = next_checkin_at(rule, now=utc(2000, 1, 10), last_checkin=None)
    assert result is not None and wall(result, rule.zone) == datetime(2000, 1, 15, 13, 0)
