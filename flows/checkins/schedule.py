"""When is a person next asked? Pure time arithmetic, no I/O and no clock.

Every function takes the current instant as an argument and returns aware UTC datetimes;
the database keeps the UTC instant ``next_checkin_at``. Rules are expressed in the person's
local time (an IANA zone), so a check-in stays at 10:00 local across DST changes and moves
with the person when the zone changes (a new zone is simply a new :class:`CheckinRule`).

Local-time conventions:

- A local time that does not exist (DST gap) becomes the first instant after the gap
  (02:30 in a 02:00→03:00 gap is 03:00); an ambiguous one (DST fold) is its first
  occurrence (``fold=0``).
- Checkins only go out within the allowed hours, local time: :data:`DAY_START` to
  :data:`DAY_END` unless the installation set others at start-up (``set_allowed_hours``);
  both inclusive, to the minute (a 21:00 check-in sent at 21:00:40 is still on time);
  never on the rule's weekend days and never on or before ``paused_until``. A rule's
  time outside the hours (they were narrowed since) goes out at their edge.
- The rhythm counts in slots, not from the moment of sending: a weekly check-in that
  went out a day late (snoozed, held back by a story or the weekend) is followed by
  the usual slot of the next week, never by one a week after the late send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "DAY_END",
    "DAY_START",
    "INTERVAL_DAYS",
    "CheckinRule",
    "Hours",
    "Rhythm",
    "allowed_hours",
    "is_allowed",
    "local_instant",
    "next_allowed",
    "next_checkin_at",
    "set_allowed_hours",
    "slower",
    "snooze_later_today",
    "snooze_tomorrow",
]

OPEN_PAUSE = date(9999, 12, 31)  # paused "until I resume"
DAY_START = time(7)  # the allowed hours unless the installation sets others
DAY_END = time(21)
PLACE_LENGTH = 200  # characters of a place's name
SNOOZE_LATER = timedelta(hours=3)
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_LATE_BY_AT_MOST = timedelta(days=6)  # a slot's checkin can go out this much later


@dataclass(frozen=True)
class Hours:
    """The local hours within which check-ins go out and a person may choose a time."""

    start: time = DAY_START
    end: time = DAY_END

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("allowed hours are local wall times and must be naive")
        if not self.start < self.end:
            raise ValueError(f"allowed hours must start before they end: {self.start}-{self.end}")

    def __contains__(self, wall: object) -> bool:
        """Whether a wall time lies within, to the minute (21:00:40 is still 21:00)."""
        if not isinstance(wall, time):
            return False
        return self.start <= wall and wall.replace(second=0, microsecond=0) <= self.end


_hours = Hours()


def allowed_hours() -> Hours:
    """The hours in force."""
    return _hours


def set_allowed_hours(hours: Hours) -> None:
    """Set the installation's hours, once at start-up (from its settings)."""
    global _hours
    _hours = hours


class Rhythm(StrEnum):
    """How often a person is asked. ``MONTHLY`` means every four weeks (28 days)."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    OFF = "off"


#: Local calendar days from one slot to the next.
INTERVAL_DAYS: dict[Rhythm, int] = {Rhythm.WEEKLY: 7, Rhythm.BIWEEKLY: 14, Rhythm.MONTHLY: 28}

_SLOWER = {Rhythm.WEEKLY: Rhythm.BIWEEKLY, Rhythm.BIWEEKLY: Rhythm.MONTHLY}


def slower(rhythm: Rhythm) -> Rhythm:
    """The next slower rhythm (weekly → biweekly → monthly → monthly; off stays off)."""
    return _SLOWER.get(rhythm, rhythm)


def paused_for_good(rule: CheckinRule) -> bool:
    """Paused "until I resume" (or so far ahead that it amounts to the same)."""
    return rule.paused_until is not None and rule.paused_until.year >= OPEN_PAUSE.year - 1


@cache
def known_zones() -> frozenset[str]:
    """The IANA zone names a person may live in (not 'localtime', 'posixrules', 'Factory')."""
    return frozenset(available_timezones() - {"Factory", "localtime", "posixrules"})


@dataclass(frozen=True)
class CheckinRule:
    """A person's checkin preferences, in their local time.

    ``weekday`` and ``weekend`` use Python weekdays (0 = Monday). If ``weekday`` is a
    weekend day, checkins fall on the next non-weekend day, at the same time. ``place`` is
    where the person said they are, as they named it ("Den Haag"; "" when only the zone is
    known), chosen at ``placed_at``. Derived on construction: ``tz`` (the loaded zone) and
    ``slot_weekday`` (the weekday actually used).
    """

    zone: str
    rhythm: Rhythm = Rhythm.WEEKLY
    weekday: int = 1
    at: time = time(10, 0)
    weekend: frozenset[int] = frozenset({5, 6})
    paused_until: date | None = None
    place: str = ""
    placed_at: datetime | None = None
    tz: ZoneInfo = field(init=False, repr=False, compare=False)
    slot_weekday: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.zone not in known_zones():
            raise ValueError(f"unknown time zone: {self.zone!r}")
        try:
            tz = ZoneInfo(self.zone)
        except (ValueError, KeyError, OSError) as exc:  # not found: KeyError; a folder: OSError
            raise ValueError(f"unknown time zone: {self.zone!r}") from exc
        object.__setattr__(self, "tz", tz)
        object.__setattr__(self, "rhythm", Rhythm(self.rhythm))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        if type(self.weekday) is not int or not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6 (Monday=0), not {self.weekday!r}")
        if not self.weekend <= set(range(7)):
            raise ValueError(f"weekend days must be 0..6, not {sorted(self.weekend)!r}")
        if len(self.weekend) >= 7:
            raise ValueError("weekend cannot cover the whole week")
        if self.at.tzinfo is not None:
            raise ValueError("'at' is a local wall time and must be naive")
        if len(self.place) > PLACE_LENGTH:
            raise ValueError(f"a place's name has at most {PLACE_LENGTH} characters")
        if self.placed_at is not None:
            _aware(self.placed_at, "placed_at")
        slot = self.weekday
        while slot in self.weekend:
            slot = (slot + 1) % 7
        object.__setattr__(self, "slot_weekday", slot)

    @property
    def interval(self) -> timedelta | None:
        """Minimum local-day distance between checkins, or None when the rhythm is off."""
        days = INTERVAL_DAYS.get(self.rhythm)
        return None if days is None else timedelta(days=days)


def _aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {instant!r}")


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on local ``day`` in ``zone``.

    In a DST gap: the first instant after the gap. In a fold: the first occurrence.
    """
    local = datetime.combine(day, at.replace(fold=0) if at.fold else at, zone)
    utc = local.astimezone(UTC)  # fold=0: offset before a transition
    back = utc.astimezone(zone)
    if back.replace(tzinfo=None) == local.replace(tzinfo=None):
        return utc
    # A gap: with fold=0 the wall time is read with the offset before the gap (utc is at
    # or after the transition); with fold=1 with the offset after it (before the
    # transition). Bisect between the two for the transition itself, to the second
    # (tzdata transitions fall on whole seconds); this handles gaps of any size.
    lo = int(local.replace(fold=1).astimezone(UTC).timestamp()) - 1
    hi = int(utc.timestamp()) + 1
    after = back.utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _free_day(rule: CheckinRule, day: date) -> bool:
    paused = rule.paused_until is not None and day <= rule.paused_until
    return not paused and day.weekday() not in rule.weekend


def _in_hours(wall: time) -> bool:
    """Within the allowed hours, to the minute (what a clock on the wall shows)."""
    return wall in _hours


def is_allowed(rule: CheckinRule, instant: datetime) -> bool:
    """Whether a check-in may go out at ``instant`` (allowed hours, no weekend, no pause)."""
    _aware(instant, "instant")
    local = instant.astimezone(rule.tz)
    return _in_hours(local.time()) and _free_day(rule, local.date())


def next_allowed(rule: CheckinRule, instant: datetime) -> datetime:
    """The first allowed instant at or after ``instant``, in UTC."""
    _aware(instant, "instant")
    local = instant.astimezone(rule.tz)
    day, wall = local.date(), local.time()
    start, end = _hours.start, _hours.end
    if wall.replace(second=0, microsecond=0) <= end and _free_day(rule, day):
        if wall >= start:
            return instant.astimezone(UTC)
        candidate = local_instant(day, start, rule.tz)
    else:
        if rule.paused_until is not None and day < rule.paused_until:
            day = rule.paused_until
        day += _ONE_DAY
        while not _free_day(rule, day):
            day += _ONE_DAY
        candidate = local_instant(day, start, rule.tz)
    # Only an exotic transition (a gap swallowing the whole morning) gets here unallowed.
    return candidate if is_allowed(rule, candidate) else next_allowed(rule, candidate)


def next_checkin_at(
    rule: CheckinRule, *, now: datetime, last_checkin: datetime | None
) -> datetime | None:
    """The next checkin instant (UTC) strictly after ``now``, or None when the rhythm is off.

    The slot is the rule's weekday (moved past the weekend if needed) at ``rule.at`` local
    time, after ``paused_until``, in the week that ends ``interval`` days after the
    local date of ``last_checkin``: the slot that follows the one ``last_checkin`` was sent
    for, even when it went out up to six days late, and never sooner than half the
    interval after it. After downtime this is one slot in the future, never one per
    missed period.
    """
    interval = rule.interval
    if interval is None or paused_for_good(rule):
        return None
    _aware(now, "now")
    tz = rule.tz
    earliest = now.astimezone(tz).date()
    if last_checkin is not None:
        _aware(last_checkin, "last_checkin")
        gap = max(interval - _LATE_BY_AT_MOST, interval / 2)
        earliest = max(earliest, last_checkin.astimezone(tz).date() + timedelta(days=gap.days))
    if rule.paused_until is not None:
        earliest = max(earliest, rule.paused_until + _ONE_DAY)
    day = earliest + timedelta(days=(rule.slot_weekday - earliest.weekday()) % 7)
    slot = local_instant(day, rule.at, tz)
    if slot <= now:
        slot = local_instant(day + timedelta(days=7), rule.at, tz)
    # A gap can push the slot out of the allowed hours (e.g. a 20:30→21:30 shift).
    return slot if is_allowed(rule, slot) else next_allowed(rule, slot)


def snooze_later_today(rule: CheckinRule, now: datetime) -> datetime | None:
    """Three hours (elapsed) after ``now``, or the first allowed instant after that, when
    it is still today (local); None when today has no allowed time left for it."""
    _aware(now, "now")
    at = next_allowed(rule, now + SNOOZE_LATER)
    return at if at.astimezone(rule.tz).date() == now.astimezone(rule.tz).date() else None


def snooze_tomorrow(rule: CheckinRule, now: datetime) -> datetime:
    """The rule's time on the next day (local) that is no weekend or pause day: tomorrow,
    or past the weekend, keeping the person's hour."""
    _aware(now, "now")
    day = now.astimezone(rule.tz).date() + _ONE_DAY
    if rule.paused_until is not None and day <= rule.paused_until:
        day = rule.paused_until + _ONE_DAY
    while not _free_day(rule, day):
        day += _ONE_DAY
    at = local_instant(day, rule.at, rule.tz)
    return at if is_allowed(rule, at) else next_allowed(rule, at)
