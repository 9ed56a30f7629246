"""Checkin scheduling rules in local time: weekends, quiet hours, pauses, rhythm, snoozing.

Also a change of zone, downtime (one future slot, not a backlog) and the validation of a
``CheckinRule``. The DST transitions have their own module, ``test_schedule_dst.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.checkins.schedule import (
    DAY_END,
    DAY_START,
    INTERVAL_DAYS,
    CheckinRule,
    Hours,
    Rhythm,
    allowed_hours,
    is_allowed,
    local_instant,
    next_allowed,
    next_checkin_at,
    set_allowed_hours,
    slower,
    snooze_later_today,
    snooze_tomorrow,
)
from tests.support.schedule import FRIDAY, RHYTHMS, SATURDAY, SUNDAY, TUESDAY, ZONE, utc, wall

# --- weekends ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "weekend", "expected_day"),
    [
        (TUESDAY, {5, 6}, date(2026, 6, 16)),
        (SATURDAY, {5, 6}, date(2026, 6, 15)),  # → Monday
        (SUNDAY, {5, 6}, date(2026, 6, 15)),  # → Monday
        (FRIDAY, {4, 5}, date(2026, 6, 14)),  # → Sunday, a working day there
        (SATURDAY, {4, 5}, date(2026, 6, 14)),  # → Sunday
        (SUNDAY, {4, 5}, date(2026, 6, 14)),
        (FRIDAY, {5, 6}, date(2026, 6, 19)),
    ],
)
def test_weekend_moves_to_next_working_day(
    weekday: int, weekend: set[int], expected_day: date
) -> None:
    rule = CheckinRule("Asia/Kathmandu", weekday=weekday, weekend=frozenset(weekend))
    result = next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=None)  # a Saturday
    assert result is not None
    assert wall(result, rule.zone) == datetime.combine(expected_day, time(10))
    assert is_allowed(rule, result)


@pytest.mark.parametrize("weekend", [{5, 6}, {4, 5}])
def test_weekly_rhythm_on_a_weekend_weekday_stays_weekly(weekend: set[int]) -> None:
    rule = CheckinRule("Asia/Kathmandu", weekday=SATURDAY, weekend=frozenset(weekend))
    first = next_checkin_at(rule, now=utc(2026, 6, 1), last_checkin=None)
    assert first is not None
    second = next_checkin_at(rule, now=first, last_checkin=first)
    assert second == first + timedelta(days=7)


# --- quiet hours -------------------------------------------------------------------------


def test_the_default_hours_are_seven_to_nine() -> None:
    assert allowed_hours() == Hours(DAY_START, DAY_END) == Hours(time(7), time(21))
    assert time(7, 30) in allowed_hours()  # many posts start at 07:30


@pytest.mark.parametrize("at", [DAY_START, DAY_END, time(7, 30), time(12, 34)])
def test_rule_time_inside_allowed_hours_is_accepted(at: time) -> None:
    assert CheckinRule("Europe/Amsterdam", at=at).at == at


@pytest.mark.parametrize(("start", "end"), [(time(9), time(8)), (time(9), time(9))])
def test_hours_must_start_before_they_end(start: time, end: time) -> None:
    with pytest.raises(ValueError, match="before"):
        Hours(start, end)


@pytest.fixture
def eight_to_eight() -> Iterator[None]:
    """An installation that narrowed the hours to 08:00-20:00."""
    before = allowed_hours()
    set_allowed_hours(Hours(time(8), time(20)))
    yield
    set_allowed_hours(before)


@pytest.mark.usefixtures("eight_to_eight")
@pytest.mark.parametrize(
    ("at", "expected"),
    [(time(7, 30), datetime(2026, 6, 16, 8)), (time(20, 30), datetime(2026, 6, 17, 8))],
)
def test_a_time_outside_narrowed_hours_goes_out_at_their_edge(at: time, expected: datetime) -> None:
    rule = CheckinRule(ZONE, at=at)  # chosen before the hours were narrowed: still loads
    result = next_checkin_at(rule, now=utc(2026, 6, 15, 12), last_checkin=None)
    assert result is not None and wall(result, ZONE) == expected
    assert not is_allowed(rule, datetime(2026, 6, 16, 7, 59, tzinfo=rule.tz))


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 6, 15, 6, 0), datetime(2026, 6, 15, 7, 0)),
        (datetime(2026, 6, 15, 6, 59, 59), datetime(2026, 6, 15, 7, 0)),
        (datetime(2026, 6, 15, 7, 0), datetime(2026, 6, 15, 7, 0)),
        (datetime(2026, 6, 15, 12, 0), datetime(2026, 6, 15, 12, 0)),
        (datetime(2026, 6, 15, 21, 0), datetime(2026, 6, 15, 21, 0)),
        (datetime(2026, 6, 15, 21, 1), datetime(2026, 6, 16, 7, 0)),
        (datetime(2026, 6, 15, 22, 0), datetime(2026, 6, 16, 7, 0)),
        (datetime(2026, 6, 19, 22, 0), datetime(2026, 6, 22, 7, 0)),  # Friday → Monday
        (datetime(2026, 6, 20, 12, 0), datetime(2026, 6, 22, 7, 0)),  # Saturday → Monday
        (datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 30, 7, 0)),  # over the DST Sunday
    ],
)
def test_next_allowed(local: datetime, expected: datetime) -> None:
    rule = CheckinRule(ZONE)
    result = next_allowed(rule, local.replace(tzinfo=rule.tz))
    assert result.tzinfo is UTC
    assert wall(result, ZONE) == expected


def test_next_allowed_with_friday_saturday_weekend() -> None:
    rule = CheckinRule(ZONE, weekend=frozenset({4, 5}))
    thursday_night = datetime(2026, 6, 18, 22, tzinfo=rule.tz)
    assert wall(next_allowed(rule, thursday_night), ZONE) == datetime(2026, 6, 21, 7)


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        (datetime(2026, 6, 15, 6, 59), False),
        (datetime(2026, 6, 15, 7, 0), True),
        (datetime(2026, 6, 15, 21, 0), True),
        (datetime(2026, 6, 15, 21, 1), False),
        (datetime(2026, 6, 20, 12, 0), False),  # Saturday
    ],
)
def test_is_allowed(local: datetime, allowed: bool) -> None:
    rule = CheckinRule(ZONE)
    assert is_allowed(rule, local.replace(tzinfo=rule.tz)) is allowed


# --- pauses, off, back-off ---------------------------------------------------------------


def test_pause_skips_slots_up_to_and_including_its_last_day() -> None:
    rule = CheckinRule(ZONE, paused_until=date(2026, 6, 23))  # a Tuesday
    result = next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=None)
    assert result is not None and wall(result, ZONE) == datetime(2026, 6, 30, 10)


def test_pause_ending_the_day_before_the_slot() -> None:
    rule = CheckinRule(ZONE, paused_until=date(2026, 6, 22))  # Monday
    result = next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=None)
    assert result is not None and wall(result, ZONE) == datetime(2026, 6, 23, 10)


def test_pause_and_interval_both_hold() -> None:
    rule = CheckinRule(ZONE, rhythm=Rhythm.MONTHLY, paused_until=date(2026, 6, 1))
    last = local_instant(date(2026, 5, 26), rule.at, rule.tz)
    result = next_checkin_at(rule, now=utc(2026, 6, 2), last_checkin=last)
    assert result is not None and wall(result, ZONE) == datetime(2026, 6, 23, 10)


def test_paused_days_are_not_allowed() -> None:
    rule = CheckinRule(ZONE, paused_until=date(2026, 6, 17))
    assert not is_allowed(rule, datetime(2026, 6, 17, 12, tzinfo=rule.tz))
    assert is_allowed(rule, datetime(2026, 6, 18, 12, tzinfo=rule.tz))
    assert wall(next_allowed(rule, datetime(2026, 6, 15, 12, tzinfo=rule.tz)), ZONE) == (
        datetime(2026, 6, 18, 7)
    )


def test_off_has_no_next_checkin() -> None:
    rule = CheckinRule(ZONE, rhythm=Rhythm.OFF)
    assert next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=None) is None
    assert next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=utc(2026, 6, 2)) is None


def test_slower() -> None:
    assert slower(Rhythm.WEEKLY) is Rhythm.BIWEEKLY
    assert slower(Rhythm.BIWEEKLY) is Rhythm.MONTHLY
    assert slower(Rhythm.MONTHLY) is Rhythm.MONTHLY
    assert slower(Rhythm.OFF) is Rhythm.OFF
    assert INTERVAL_DAYS == {Rhythm.WEEKLY: 7, Rhythm.BIWEEKLY: 14, Rhythm.MONTHLY: 28}


# --- moving post, downtime ---------------------------------------------------------------


def test_change_of_zone_follows_the_new_zone() -> None:
    amsterdam = CheckinRule(ZONE)
    last = local_instant(date(2026, 6, 16), time(10), amsterdam.tz)  # Tue 10:00 Amsterdam
    ulaanbaatar = replace(amsterdam, zone="Asia/Ulaanbaatar")
    assert ulaanbaatar.tz == ZoneInfo("Asia/Ulaanbaatar")
    result = next_checkin_at(ulaanbaatar, now=last + timedelta(days=2), last_checkin=last)
    assert result == utc(2026, 6, 23, 2)  # Tue 23 June 10:00 at +08:00
    assert wall(result, "Asia/Ulaanbaatar") == datetime(2026, 6, 23, 10)


@pytest.mark.parametrize("rhythm", RHYTHMS)
def test_overdue_after_downtime_gives_one_future_slot(rhythm: Rhythm) -> None:
    rule = CheckinRule(ZONE, rhythm=rhythm)
    last = local_instant(date(2026, 1, 6), rule.at, rule.tz)
    now = utc(2026, 6, 17, 15)  # Wednesday, months later
    result = next_checkin_at(rule, now=now, last_checkin=last)
    assert result is not None
    assert wall(result, ZONE) == datetime(2026, 6, 23, 10)  # the very next Tuesday
    assert now < result < now + timedelta(days=7)


# --- snoozing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 6, 15, 10, 0), datetime(2026, 6, 15, 13, 0)),
        (datetime(2026, 6, 15, 18, 0), datetime(2026, 6, 15, 21, 0)),  # the last minute
        (datetime(2026, 6, 15, 18, 1), None),  # 21:01 is too late: today has no room
        (datetime(2026, 6, 15, 19, 0), None),
        (datetime(2026, 6, 15, 20, 4), None),
        (datetime(2026, 6, 19, 19, 0), None),  # Friday evening
        (datetime(2026, 6, 20, 10, 0), None),  # Saturday: the weekend
        (datetime(2026, 6, 15, 3, 0), datetime(2026, 6, 15, 7, 0)),  # still today
        (datetime(2026, 6, 15, 6, 0), datetime(2026, 6, 15, 9, 0)),
    ],
)
def test_snooze_later_today(local: datetime, expected: datetime | None) -> None:
    rule = CheckinRule(ZONE)
    later = snooze_later_today(rule, local.replace(tzinfo=rule.tz))
    assert (None if later is None else wall(later, ZONE)) == expected


@pytest.mark.parametrize(
    ("local", "at", "expected"),
    [
        (datetime(2026, 6, 15, 15, 0), time(10), datetime(2026, 6, 16, 10, 0)),
        (datetime(2026, 6, 15, 23, 30), time(10), datetime(2026, 6, 16, 10, 0)),
        (datetime(2026, 6, 19, 10, 0), time(10), datetime(2026, 6, 22, 10, 0)),  # Fri → Mon
        (datetime(2026, 6, 19, 20, 4), time(14, 30), datetime(2026, 6, 22, 14, 30)),
        (datetime(2026, 6, 20, 9, 0), time(10), datetime(2026, 6, 22, 10, 0)),  # Sat → Mon
        (datetime(2026, 3, 28, 12, 0), time(10), datetime(2026, 3, 30, 10, 0)),  # over DST
    ],
)
def test_snooze_tomorrow_keeps_the_persons_hour(
    local: datetime, at: time, expected: datetime
) -> None:
    rule = CheckinRule(ZONE, at=at)
    assert wall(snooze_tomorrow(rule, local.replace(tzinfo=rule.tz)), ZONE) == expected


def test_snooze_tomorrow_follows_the_persons_weekend_and_pause() -> None:
    rule = CheckinRule(ZONE, weekend=frozenset({4, 5}), paused_until=date(2026, 6, 21))
    thursday = datetime(2026, 6, 18, 12, tzinfo=rule.tz)
    assert wall(snooze_tomorrow(rule, thursday), ZONE) == datetime(2026, 6, 22, 10, 0)
    rule = replace(rule, paused_until=None)
    assert wall(snooze_tomorrow(rule, thursday), ZONE) == datetime(2026, 6, 21, 10, 0)  # Sunday


def test_snooze_tomorrow_over_dst_keeps_local_time() -> None:
    rule = CheckinRule(ZONE, weekend=frozenset())
    result = snooze_tomorrow(rule, datetime(2026, 3, 28, 12, tzinfo=rule.tz))
    assert wall(result, ZONE) == datetime(2026, 3, 29, 10)
    assert result == utc(2026, 3, 29, 8)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"zone": "Mars/Olympus_Mons"},
        {"zone": "../etc/passwd"},
        {"zone": ""},
        {"zone": ZONE, "weekday": 7},
        {"zone": ZONE, "weekday": -1},
        {"zone": ZONE, "weekend": frozenset(range(7))},
        {"zone": ZONE, "weekend": frozenset({7})},
        {"zone": ZONE, "rhythm": "daily"},
        {"zone": ZONE, "at": time(10, tzinfo=UTC)},
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CheckinRule(**kwargs)  # type: ignore[arg-type]


def test_rule_accepts_stored_strings_and_compares_by_value() -> None:
    rule = CheckinRule(ZONE, rhythm="biweekly", weekend={4, 5})  # type: ignore[arg-type]
    assert rule.rhythm is Rhythm.BIWEEKLY
    assert rule.weekend == frozenset({4, 5})
    assert rule == CheckinRule(ZONE, rhythm=Rhythm.BIWEEKLY, weekend=frozenset({4, 5}))
    assert len({rule, replace(rule)}) == 1


def test_naive_datetimes_are_refused() -> None:
    rule = CheckinRule(ZONE)
    with pytest.raises(ValueError, match="aware"):
        next_checkin_at(rule, now=datetime(2026, 6, 13), last_checkin=None)
    with pytest.raises(ValueError, match="aware"):
        next_checkin_at(rule, now=utc(2026, 6, 13), last_checkin=datetime(2026, 6, 2))
    with pytest.raises(ValueError, match="aware"):
        next_allowed(rule, datetime(2026, 6, 13))
