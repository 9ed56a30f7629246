"""Trends: a photo beside the window of the same length just before it (pure; no I/O).

"Time, work pressure — 4 of 6 (67%), was 2 of 5" compares two windows that may both be
shown: each disclosable on its own under the photo's rules (``flows.teams.photo``), and,
for a member, both open to the team's members. Two such windows of one length never
overlap, so putting them side by side tells nothing that looking at each would not.
Anything less, and the photo shows no comparison at all.
"""

from __future__ import annotations

from collections.abc import Collection

from flows.teams.periods import Period
from flows.teams.views import PhotoData


def previous_window(period: Period) -> Period | None:
    """The window of the same length just before, or None before the first year kept."""
    try:
        return period.previous()
    except ValueError:
        return None


def may_show(data: PhotoData, minimum: int) -> bool:
    """Whether this photo may be shown: disclosable, over at least the minimum of people."""
    return data.disclosable and data.contributors >= minimum


def comparable(
    current: PhotoData,
    previous: PhotoData | None,
    minimum: int,
    open_to: Collection[Period] | None = None,
) -> PhotoData | None:
    """The previous window's photo when the two may be compared, else None.

    Both must be shown under the same rules, ``previous`` must be the window of the
    same length just before ``current`` (of the same team), and, with ``open_to`` (the
    windows a member may see), both must be in it.
    """
    if previous is None or not (may_show(current, minimum) and may_show(previous, minimum)):
        return None
    if previous.team.id != current.team.id or previous.period != previous_window(current.period):
        return None
    if open_to is not None and not {current.period, previous.period} <= set(open_to):
        return None
    return previous
