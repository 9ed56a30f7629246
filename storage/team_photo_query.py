"""A team's photo for one ended window, read from its frozen months: the one way a
photo is counted, for the conversation (/photo), the photo job and ``leerverhaal photo``.

Only windows that have ended are ever shown: a running window could differ by
one person between two looks. Each month of the window is frozen the first
time a photo needs it (``storage.photo_months``), and the photo is worked out
from its months alone, so edits and erasures after that never change it. What
a window works out to is kept (``PhotoWindow``), so a year reads one row.

The disclosure rule (``flows.teams.photo.disclosable``) is applied to the people
of the window, then to each question on its own over the people who picked
something in it: check-ins answer only "how", so four check-ins and one story
would otherwise show that one storyteller's helpers and obstacles. A question
that fails the rule is withheld (its counts are left out), and quotes appear
only when the storytellers of the window pass it too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.teams.periods import Period
from flows.teams.photo import worked_out
from flows.teams.trends import previous_window
from flows.teams.views import OptionCount, PhotoData, PhotoRules, TeamRef
from storage.crypto import TextCipher
from storage.inbox import insert_for
from storage.models import PhotoWindow
from storage.photo_months import PhotoMonths


class TeamPhotoQuery:
    """Reads team photos under one set of rules (``flows.teams.photo.photo_rules``)."""

    def __init__(
        self, session: AsyncSession, cipher: TextCipher, rules: PhotoRules, *, members: bool = False
    ) -> None:
        """``members``: photos for the team's members, whose quotes are only those shared
        knowing members may read them."""
        self.session = session
        self.months = PhotoMonths(session, cipher)
        self.rules = rules
        self.members = members

    async def photo(self, team: TeamRef, period: Period, now: datetime) -> PhotoData:
        """The photo, or an empty one marked not disclosable (always so while it runs)."""
        if period.end > now:
            return PhotoData(team, period, disclosable=False)
        data, quotes_shown = await self._window(team, period, now)
        quotes = self.rules.quotes
        if quotes_shown and quotes > 0:
            for_team = await self.months.quotes(team.id, period, quotes, members=True)
            found = for_team if self.members else await self.months.quotes(team.id, period, quotes)
            data = replace(data, quotes=found, team_quotes=for_team)
        return data

    async def previous(
        self, photo: PhotoData, now: datetime, open_to: frozenset[Period] | None = None
    ) -> PhotoData | None:
        """The window of the same length before a photo that may be shown, for its trends
        (with ``open_to``: only when it is among those windows, as for a member)."""
        before = previous_window(photo.period)
        if not photo.disclosable or before is None:
            return None
        if open_to is not None and before not in open_to:
            return None
        return await self.photo(photo.team, before, now)

    async def contributions(self, team: TeamRef, period: Period, now: datetime) -> int:
        """How many stories and check-ins an ended window holds, once it may be shown."""
        data, _ = await self._window(team, period, now)
        return data.stories + data.checkins

    async def _window(self, team: TeamRef, period: Period, now: datetime) -> tuple[PhotoData, bool]:
        minimum = self.rules.minimum
        key = (PhotoWindow.team_id == team.id, PhotoWindow.period == str(period))
        kept = await self.session.scalar(
            select(PhotoWindow).where(*key, PhotoWindow.minimum == minimum)
        )
        if kept is not None:
            return _from_row(team, period, kept), kept.quotes_shown
        await self.months.frozen(team.id, period, now, self.rules.opening_key)
        data, quotes_shown = worked_out(
            team, period, await self.months.read(team.id, period), minimum
        )
        await self.session.execute(
            insert_for(self.session)(PhotoWindow)
            .values(
                team_id=team.id,
                period=str(period),
                minimum=minimum,
                disclosable=data.disclosable,
                stories=data.stories,
                checkins=data.checkins,
                contributors=data.contributors,
                counts=json.dumps([[c.question, c.option, c.count] for c in data.counts]),
                withheld=json.dumps(sorted(data.withheld)),
                quotes_shown=quotes_shown,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "period", "minimum"])
        )
        return data, quotes_shown


def _from_row(team: TeamRef, period: Period, row: PhotoWindow) -> PhotoData:
    if not row.disclosable:
        return PhotoData(team, period, disclosable=False)
    return PhotoData(
        team,
        period,
        disclosable=True,
        stories=row.stories,
        checkins=row.checkins,
        contributors=row.contributors,
        counts=tuple(OptionCount(q, o, int(n)) for q, o, n in json.loads(row.counts)),
        withheld=frozenset(json.loads(row.withheld)),
    )
