"""Sending facilitators their team photos unasked, at the rhythm in the settings.

A JobQueue tick reads who facilitates which team, works out with
``flows.teams.rhythm`` which window is due for each of them (in their own
time zone), counts it, and sends the photos that have something new. The
window that just ended is told once even when it stays below the minimum, as
exactly that (no numbers). The truth about what was sent is
``photo_deliveries``, not the scheduler's memory, so a tick after downtime
catches up.

A photo is recorded before it is sent (at most once): a crash in between
loses that one photo; a network error forgets the record, so a later tick
tries again. A facilitator who blocked the bot is skipped until the next window.
A photo that may be shown and that Telegram accepted opens its window to the
team's members (``photo_shown``), as a facilitator's own look does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.engine.conversation import Clock, utc_now
from bot.engine.delivery import Blocked, Rejected, Sender, Unreachable
from bot.log_privacy import without_messages
from bot.services import Services
from bot.settings import Settings
from flows.content.guide import guide_for
from flows.policy import PrivacyPolicy
from flows.replies import Outcome
from flows.states import State
from flows.teams.periods import Period
from flows.teams.photo import photo_rules
from flows.teams.render import photo_replies
from flows.teams.rhythm import DeliveryRhythm, due_period, is_new, tells_closed
from flows.teams.trends import may_show
from flows.teams.views import PhotoData, TeamRules
from storage.crypto import TextCipher
from storage.database import Database
from storage.photo_deliveries import Deliveries, FacilitatorSeat
from storage.photo_shown import ShownPhotos
from storage.team_photo_query import TeamPhotoQuery

log = logging.getLogger(__name__)
DEFAULT_ZONE = "UTC"
FIRST_RUN = timedelta(minutes=1)


@dataclass(frozen=True)
class DeliveryPlan:
    """When photos go out: the rhythm, the local hour, and how often to check."""

    rhythm: DeliveryRhythm = DeliveryRhythm.MONTHLY
    hour: int = 9
    tick: timedelta = timedelta(minutes=15)


@dataclass
class DeliveryReport:
    """What one tick did, in numbers (never who)."""

    sent: int = 0
    failed: int = 0


@dataclass
class PhotoDeliverer:
    """Delivers due team photos; one instance per process."""

    database: Database
    cipher: TextCipher
    send: Sender
    policy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    rules: TeamRules = field(default_factory=TeamRules)
    plan: DeliveryPlan = field(default_factory=DeliveryPlan)
    clock: Clock = utc_now

    async def tick(self) -> DeliveryReport:
        """Send every photo that is due now and not yet delivered."""
        report = DeliveryReport()
        async with self.database.transaction() as session:
            seats = await Deliveries(session).seats()
        now = self.clock()
        for seat in seats:
            period = due_period(self.plan.rhythm, seat.zone or DEFAULT_ZONE, self.plan.hour, now)
            if period is None:
                continue
            try:
                claimed = await self._claim(seat, period)
            except IntegrityError:
                continue  # another instance claimed this photo at the same moment
            except Exception as exc:  # its message may quote data: type and frames only
                log.error("team photos: one could not be counted: %s", without_messages(exc))
                report.failed += 1
                continue
            if claimed is not None:
                await self._deliver(seat, *claimed, report)
        if report.sent or report.failed:
            log.info("team photos: %d sent, %d failed", report.sent, report.failed)
        return report

    async def _claim(
        self, seat: FacilitatorSeat, period: Period
    ) -> tuple[PhotoData, PhotoData | None, int | None] | None:
        """Count the photo; if it has news, record it as delivered (a closed one as 0)."""
        async with self.database.transaction() as session:
            deliveries = Deliveries(session)
            rules = photo_rules(self.policy.min_group_size, self.rules)
            query = TeamPhotoQuery(session, self.cipher, rules)
            before = await deliveries.delivered(seat.person_id, seat.team.id, period)
            now = self.clock()
            contributions = await query.contributions(seat.team, period, now)
            if not is_new(contributions, before):
                return None
            data = await query.photo(seat.team, period, now)
            if not data.disclosable and not tells_closed(self.plan.rhythm, period, now):
                return None
            await deliveries.record(seat.person_id, seat.team.id, period, contributions, now)
            return data, await query.previous(data, now), before

    async def _deliver(
        self,
        seat: FacilitatorSeat,
        data: PhotoData,
        previous: PhotoData | None,
        before: int | None,
        report: DeliveryReport,
    ) -> None:
        minimum = self.policy.min_group_size
        replies = photo_replies(guide_for(seat.language), data, minimum, previous)
        try:
            await self.send(seat.chat_id, Outcome(State(), replies))
        except (Blocked, Rejected) as exc:
            log.info("team photos: Telegram refused one (%s)", type(exc).__name__)
            report.failed += 1
        except Unreachable as exc:
            log.warning("team photos: not sent (%s); a later tick tries again", type(exc).__name__)
            report.failed += 1
            async with self.database.transaction() as session:
                await Deliveries(session).record(
                    seat.person_id, seat.team.id, data.period, before, self.clock()
                )
        else:
            report.sent += 1
            if may_show(data, minimum):  # Telegram has it: the team's members may see it too
                async with self.database.transaction() as session:
                    await ShownPhotos(session).mark(seat.team.id, data.period)


def photo_deliverer(
    settings: Settings, services: Services, send: Sender, clock: Clock = utc_now
) -> PhotoDeliverer:
    """The deliverer as the settings describe it."""
    teams = settings.teams
    plan = DeliveryPlan(
        teams.delivery_rhythm, teams.delivery_hour, timedelta(seconds=teams.delivery_tick_seconds)
    )
    policy = settings.privacy.policy()
    return PhotoDeliverer(
        services.database, services.cipher, send, policy, teams.rules(), plan, clock
    )
