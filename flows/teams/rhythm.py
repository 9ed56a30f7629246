"""When a facilitator is sent a team photo unasked: pure rules, time as an argument.

At each rhythm (monthly by default) the photo of the window that just ended is
due on the first day of the next window, at a local hour in the facilitator's
own time zone, but never before that window has ended in UTC. It goes out
once, and again only when it has more contributions than what was already
delivered for that window. The window that just ended is told once even when it
stays below the minimum, as exactly that (no numbers), so a facilitator is never
left waiting for a photo that will not come.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from flows.teams.periods import Period, Span


class DeliveryRhythm(StrEnum):
    """How often facilitators receive photos unasked."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"
    YEARLY = "yearly"
    OFF = "off"


SPAN_OF: dict[DeliveryRhythm, Span] = {
    DeliveryRhythm.MONTHLY: Span.MONTH,
    DeliveryRhythm.QUARTERLY: Span.QUARTER,
    DeliveryRhythm.HALF_YEARLY: Span.HALF,
    DeliveryRhythm.YEARLY: Span.YEAR,
}


def delivery_moment(period: Period, zone: str, hour: int) -> datetime:
    """When the photo of ``period`` is due: the next window's first day at ``hour`` local."""
    first_day = period.end.date()
    local = datetime.combine(first_day, time(hour), ZoneInfo(zone))
    return max(local, period.end)  # east of UTC the local morning comes before the window ends


def due_period(rhythm: DeliveryRhythm, zone: str, hour: int, now: datetime) -> Period | None:
    """The latest ended window whose photo is due at ``now`` (None: photos are off)."""
    span = SPAN_OF.get(rhythm)
    if span is None:
        return None
    ended = Period.containing(span, now).previous()
    if delivery_moment(ended, zone, hour) <= now:
        return ended
    return ended.previous()


def tells_closed(rhythm: DeliveryRhythm, period: Period, now: datetime) -> bool:
    """True when ``period`` is the window that ended last: only then is it told that it
    stays closed (never in a catch-up of an older window, such as one that ended before
    the facilitator came)."""
    span = SPAN_OF.get(rhythm)
    return span is not None and period == Period.containing(span, now).previous()


def is_new(contributions: int, delivered: int | None) -> bool:
    """True when nothing was delivered for a window yet, or it now has more contributions
    than its last delivered photo showed (a closed window counts none)."""
    return delivered is None or contributions > delivered
