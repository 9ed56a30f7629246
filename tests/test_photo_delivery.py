"""Team photos sent unasked: at the local hour, once, again only when new; a closed one
is told once as closed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from telegram.error import Forbidden, NetworkError

from flows.content.guide import guide_for
from flows.teams.rhythm import DeliveryRhythm
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import PhotoShown
from storage.team_store import Teams
from tests.support.outbox import Outbox
from tests.support.teams import (
    MADRID_NINE,
    NOVEMBER,
    add_people,
    add_story,
    deliverer,
    seed,
)

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

NL = guide_for("nl")
TWO_HOWS = {"how": ["by_doing", "feedback"]}


async def test_the_month_just_ended_arrives_once_at_the_local_hour(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    _, _, chat = await seed(database, cipher, 5)
    photos = deliverer(database, cipher, outbox, clock)
    clock.now = datetime(2026, 12, 1, 7, 59, tzinfo=UTC)
    assert (await photos.tick()).sent == 0
    clock.now = MADRID_NINE
    assert (await photos.tick()).sent == 1
    [sent] = outbox.sent
    text, chart = sent.outcome.replies
    assert sent.chat_id == chat
    assert text.text.startswith("Teamfoto · Ambassade Madrid · november 2026")
    assert chart.file is not None and chart.file.content().startswith(b"\x89PNG")
    clock.advance(hours=1)
    assert (await photos.tick()).sent == 0, "not twice"


async def test_a_month_below_the_minimum_is_told_once_that_it_stays_closed(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    team, _, chat = await seed(database, cipher, 4)
    photos = deliverer(database, cipher, outbox, clock)
    clock.now = MADRID_NINE
    assert (await photos.tick()).sent == 1
    [sent] = outbox.sent
    closed = sent.reply
    assert sent.chat_id == chat and closed.file is None
    assert closed.text == (
        "In de periode november 2026 deden minder dan 5 mensen van “Ambassade Madrid” mee, "
        "dus daar komt geen teamfoto van: zo blijft iedereen onherkenbaar."
    )
    outbox.sent.clear()
    async with database.transaction() as session:  # a row that appears in November later
        [late] = await add_people(session, 1, NOVEMBER, first=50)
        await add_story(session, late, team, NOVEMBER, {"who": ["team"]})
    clock.advance(minutes=15)
    assert (await photos.tick()).sent == 0, "told once; November was frozen at its first count"
    async with database.transaction() as session:
        people = await add_people(session, 5, NOVEMBER, first=60)
        for person in people:
            await add_story(session, person, team, datetime(2026, 12, 20, tzinfo=UTC))
    clock.now = datetime(2027, 1, 1, 8, tzinfo=UTC)
    assert (await photos.tick()).sent == 1
    assert "mensen die meededen: 5" in outbox.sent[0].outcome.replies[0].text
    assert "december 2026" in outbox.sent[0].outcome.replies[0].text


async def test_without_a_zone_the_hour_is_utc(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    await seed(database, cipher, 5, zone=None)
    photos = deliverer(database, cipher, outbox, clock, hour=10)
    clock.now = datetime(2026, 12, 1, 9, 59, tzinfo=UTC)
    assert (await photos.tick()).sent == 0
    clock.now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert (await photos.tick()).sent == 1


async def test_a_network_error_is_tried_again_a_refusal_is_not(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    await seed(database, cipher, 5)
    photos = deliverer(database, cipher, outbox, clock)
    clock.now = MADRID_NINE
    outbox.fail(None, NetworkError("down"))
    assert (await photos.tick()).failed == 1
    assert (await photos.tick()).sent == 1
    outbox.sent.clear()
    clock.now = datetime(2027, 1, 1, 8, tzinfo=UTC)  # December: nobody, so it stays closed
    assert (await photos.tick()).sent == 1
    assert outbox.sent[0].outcome.replies[0].text.startswith("In de periode december 2026 deden")
    assert (await photos.tick()).sent == 0, "and that is said once"


async def test_a_blocked_facilitator_is_not_retried(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    await seed(database, cipher, 5)
    photos = deliverer(database, cipher, outbox, clock)
    clock.now = MADRID_NINE
    outbox.fail(None, Forbidden("blocked"))
    assert (await photos.tick()).failed == 1
    assert (await photos.tick()).sent == 0


async def test_former_facilitators_and_an_off_rhythm_get_nothing(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    team, facilitator, _ = await seed(database, cipher, 5)
    clock.now = MADRID_NINE
    off = deliverer(database, cipher, outbox, clock, rhythm=DeliveryRhythm.OFF)
    assert (await off.tick()).sent == 0
    async with database.transaction() as session:
        await Teams(session, cipher).remove_facilitator(team, facilitator)
    assert (await deliverer(database, cipher, outbox, clock).tick()).sent == 0
    assert outbox.sent == []


async def test_a_photo_telegram_accepted_opens_its_window_to_the_team(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    """Sent unasked and accepted: the members may see it; refused, closed or not sent: not."""
    team, _, _ = await seed(database, cipher, 5)
    photos = deliverer(database, cipher, outbox, clock)
    clock.now = MADRID_NINE
    outbox.fail(None, NetworkError("down"))
    assert (await photos.tick()).failed == 1
    assert await shown(database, team) == set(), "not sent: not seen"
    assert (await photos.tick()).sent == 1
    assert await shown(database, team) == {"2026-11"}
    clock.now = datetime(2027, 1, 1, 8, tzinfo=UTC)  # December stays closed
    assert (await photos.tick()).sent == 1
    assert await shown(database, team) == {"2026-11"}


async def test_a_blocked_facilitator_opens_nothing(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    team, _, _ = await seed(database, cipher, 5)
    clock.now = MADRID_NINE
    outbox.fail(None, Forbidden("blocked"))
    assert (await deliverer(database, cipher, outbox, clock).tick()).failed == 1
    assert await shown(database, team) == set()


async def test_the_photo_sent_unasked_compares_with_the_month_before(
    database: Database, cipher: TextCipher, clock: FakeClock, outbox: Outbox
) -> None:
    team, _, _ = await seed(database, cipher, 5)
    async with database.transaction() as session:  # October: five others, by doing too
        people = await add_people(session, 5, NOVEMBER, first=80)
        for person in people:
            await add_story(session, person, team, datetime(2026, 10, 7, tzinfo=UTC), TWO_HOWS)
    clock.now = MADRID_NINE
    assert (await deliverer(database, cipher, outbox, clock).tick()).sent == 1
    text = outbox.sent[0].outcome.replies[0].text
    assert "Daarvoor, in oktober 2026: verhalen: 5" in text
    assert "Door te doen, met vallen en opstaan — 5 van 5 (100%), was 5 van 5" in text


async def shown(database: Database, team: int) -> set[str]:
    async with database.transaction() as session:
        rows = await session.scalars(select(PhotoShown.period).where(PhotoShown.team_id == team))
        return set(rows)
