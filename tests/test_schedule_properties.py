"""Properties of the check-in schedule over every known zone, checked with hypothesis.

``next_checkin_at`` gives a future, allowed slot that respects the interval and any pause,
and is the earliest such slot; ``next_allowed`` skips nothing that was allowed. Without
hypothesis installed the property tests are skipped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.checkins.schedule import (
    DAY_END,
    DAY_START,
    CheckinRule,
    Rhythm,
    is_allowed,
    known_zones,
    local_instant,
    next_allowed,
    next_checkin_at,
)
from tests.support.schedule import RHYTHMS

# The fewest local days after a sent check-in before the next: a slot's checkin may go out
# up to six days late, and the next slot still comes in its usual week (never sooner
# than half the interval).
MIN_GAP = {Rhythm.WEEKLY: 3, Rhythm.BIWEEKLY: 8, Rhythm.MONTHLY: 22}


def _exists(day: date, at: time, tz: ZoneInfo) -> bool:
    local = datetime.combine(day, at, tz)
    return local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


PROPERTY_ZONES = sorted(known_zones())

rules = st.builds(
    CheckinRule,
    zone=st.sampled_from(PROPERTY_ZONES),
    rhythm=st.sampled_from(RHYTHMS),
    weekday=st.integers(0, 6),
    at=st.times(min_value=DAY_START, max_value=DAY_END),
    weekend=st.frozensets(st.integers(0, 6), max_size=6),
)
instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=500, deadline=None)
@given(
    rule=rules,
    now=instants,
    since_last=st.none() | st.timedeltas(timedelta(0), timedelta(days=120)),
    pause_days=st.none() | st.integers(-10, 60),
)
def test_property_next_checkin(
    rule: CheckinRule, now: datetime, since_last: timedelta | None, pause_days: int | None
) -> None:
    tz = rule.tz
    if pause_days is not None:
        rule = replace(rule, paused_until=now.astimezone(tz).date() + timedelta(pause_days))
    last = None if since_last is None else now - since_last
    result = next_checkin_at(rule, now=now, last_checkin=last)
    assert result is not None and result.tzinfo is UTC
    local = result.astimezone(tz)
    assert result > now
    assert is_allowed(rule, result)
    assert DAY_START <= local.time() <= DAY_END
    assert local.weekday() not in rule.weekend
    if rule.paused_until is not None:
        assert local.date() > rule.paused_until
    if last is not None:
        assert local.date() >= last.astimezone(tz).date() + timedelta(MIN_GAP[rule.rhythm])
    if local.time() != rule.at:
        # Only a gap may move the slot (and then possibly past quiet hours/weekend).
        assert any(not _exists(local.date() - timedelta(k), rule.at, tz) for k in range(8))
        return
    assert local.weekday() == rule.slot_weekday
    # Minimality: the same slot a week earlier was ruled out.
    earlier_day = local.date() - timedelta(7)
    earlier = local_instant(earlier_day, rule.at, tz)
    assert (
        earlier <= now
        or (
            last is not None
            and earlier_day < last.astimezone(tz).date() + timedelta(MIN_GAP[rule.rhythm])
        )
        or (rule.paused_until is not None and earlier_day <= rule.paused_until)
    )


@settings(max_examples=500, deadline=None)
@given(rule=rules, instant=instants, pause_days=st.none() | st.integers(-10, 30))
def test_property_next_allowed(
    rule: CheckinRule, instant: datetime, pause_days: int | None
) -> None:
    if pause_days is not None:
        local_day = instant.astimezone(rule.tz).date()
        rule = replace(rule, paused_until=local_day + timedelta(pause_days))
    result = next_allowed(rule, instant)
    assert result >= instant
    assert is_allowed(rule, result)
    if result != instant:
        # Nothing allowed was skipped just before it.
        assert not is_allowed(rule, result - timedelta(microseconds=1))
    else:
        assert is_allowed(rule, instant)
