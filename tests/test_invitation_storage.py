"""Invitation cards in the database: encrypted at rest, the newest three per person, an own
version replaces its card, older than 30 days deleted by the retention job, listed by
/export and erased by /forget."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.engine.conversation import Conversations
from bot.jobs.retention import RetentionJob
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.menu.card import menu
from flows.menu.invitation_data import KEPT, KEPT_DAYS
from flows.policy import Retention
from flows.privacy import export as export_render
from flows.replies import Button, Reply
from storage import outbox
from storage.crypto import TextCipher
from storage.database import Database
from storage.export import gather
from storage.invitations import Invitations
from storage.models import Invitation, Person
from storage.outbox import Delivery
from tests.support.chat import ALICE, BOB, Chat, button, person_id
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EN = menu().in_language("en").invite


async def make_card(chat: Chat, topic: str, dish: str = "sparring") -> None:
    await chat.send(Press(encode(Action.INVITE, dish)))
    preview = await chat.say(topic)
    assert preview is not None and preview.replies[0].text.startswith(EN.preview)


async def rows(database: Database) -> list[Invitation]:
    async with database.transaction() as session:
        query = select(Invitation).order_by(Invitation.created_at)
        return list((await session.scalars(query)).all())


async def test_cards_are_encrypted_and_only_the_newest_three_are_kept(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    runner = Conversations(database, cipher, clock=clock)
    alice, bob = Chat(runner, ALICE), Chat(runner, BOB, first_update=5000)
    await make_card(bob, "bob's own topic")
    for number in range(KEPT + 1):
        clock.advance(minutes=1)
        await make_card(alice, f"cable number {number}")
    stored = await rows(database)
    assert len(stored) == KEPT + 1  # Alice's newest three, and Bob's one
    for row in stored:
        assert b"cable" not in row.text_encrypted and b"topic" not in row.text_encrypted
    owner = await person_id(database, ALICE)
    async with database.transaction() as session:
        cards = await Invitations(session, cipher).cards(owner)
    assert [c.text.split("about ")[1][:14] for c in cards] == [
        "cable number 3",
        "cable number 2",
        "cable number 1",
    ]
    assert all(c.dish == "sparring" for c in cards)


async def test_an_own_version_replaces_its_card(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice = Chat(Conversations(database, cipher, clock=clock), ALICE)
    await make_card(alice, "the budget")
    [first] = await rows(database)
    await alice.send(Press(button(alice.last, Action.INVITE_OWN, encode_card(first.id))))
    mine = "Coffee and twenty minutes on the budget, Thursday?"
    ready = await alice.say(mine)
    assert ready is not None and ready.replies[0].text.endswith(mine)
    [card] = await rows(database)
    assert card.id == first.id and cipher.decrypt(card.text_encrypted) == mine


def encode_card(card_id: int) -> str:
    """A card id as its buttons carry it (base 36)."""
    return encode(Action.INVITE_SEND, card_id).split("|")[1]


async def test_retention_deletes_cards_older_than_30_days(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    runner = Conversations(database, cipher, clock=clock)
    alice = Chat(runner, ALICE)
    await make_card(alice, "an old topic")
    clock.advance(days=KEPT_DAYS - 1)
    await make_card(alice, "a newer topic")
    job = RetentionJob(database, Retention(), Outbox(), clock)  # stories kept for ever
    assert (await job.run()).cards == 0
    clock.advance(days=1, seconds=1)
    assert (await job.run()).cards == 1
    [left] = await rows(database)
    assert "a newer topic" in cipher.decrypt(left.text_encrypted)


async def test_export_lists_the_cards_and_forget_erases_them(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    alice = Chat(Conversations(database, cipher, clock=clock), ALICE)
    await make_card(alice, "visa requests", dish="kitchen")
    guide = guide_for("en")
    async with database.transaction() as session:
        person = await session.scalar(select(Person))
        assert person is not None
        record = await gather(session, cipher, person)
    [card] = record.invitations
    assert "visa requests" in card.text and card.dish == "kitchen"
    data = json.loads(export_render.as_json(record, guide, clock()))
    assert data["invitation_cards"] == [
        {"dish": "kitchen", "text": card.text, "created_at": card.created_at.isoformat()}
    ]
    readable = export_render.markdown(record, guide, clock())
    assert f"## {guide.privacy.file_invitations}" in readable
    assert "Look in each other's kitchen:" in readable and f"> {card.text}" in readable

    await alice.send(Command("forget"))
    stories = "0"
    forgotten = await alice.send(Press(button(alice.last, Action.FORGET_YES, stories)))
    assert forgotten is not None
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_link_and_inline_buttons_survive_the_outbox() -> None:
    reply = Reply(
        "card",
        (
            (Button("Share…", url="https://t.me/share/url?url=x&text=y"),),
            (Button("Send in a chat", inline_query=""),),
            (Button("Not now", "vx"),),
        ),
    )
    delivery = Delivery(5, (reply,))
    assert outbox.decode(5, outbox.encode(delivery)) == delivery
    older = '{"r":[{"t":"card","b":[[["Not now","vx"]]]}]}'  # stored before links existed
    assert outbox.decode(5, older).replies[0].buttons == ((Button("Not now", "vx"),),)
