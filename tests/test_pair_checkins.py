"""Check-ins and the pair interview, through the real runner and the check-in dispatcher on
both databases: a check-in that falls due while two people are in a pair interview is
sent to neither of them (the one asking, nor the one telling and waiting), and it comes
the next day once the interview is over; a pair left alone for half a day holds nothing
back."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flows.callbacks import Action
from flows.events import Press
from flows.states import Step
from tests.support.chat import ALICE, BOB, Chat
from tests.support.dispatch import TUESDAY_AMSTERDAM, enrol, is_checkin, step_of
from tests.support.pair_runner import BOT, data_of, interviewed_by, letter_to, note_all

if TYPE_CHECKING:
    from bot.engine.conversation import Conversations
    from bot.jobs.checkins import CheckinDispatcher
    from tests.support.clock import FakeClock
    from tests.support.outbox import Outbox

CHATS = sorted([ALICE.chat_id or 0, BOB.chat_id or 0])


async def pair_under_way(conversations: Conversations) -> tuple[Chat, Chat, int, list[int]]:
    """Alice and Bob set up their check-ins (Tuesdays, 10:00 in Amsterdam); Alice invites
    Bob to interview her and he notes her first answer: they, the pair, their ids."""
    conversations.bot_username = BOT
    people = [await enrol(conversations, ALICE), await enrol(conversations, BOB)]
    alice, bob = Chat(conversations, ALICE), Chat(conversations, BOB, first_update=5000)
    pair = await interviewed_by(alice, bob)
    await bob.say("Chairing the weekly meeting")
    return alice, bob, pair, people


async def test_a_due_checkin_waits_for_both_people_of_a_pair_interview(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    clock.now = TUESDAY_AMSTERDAM - timedelta(minutes=30)
    alice, bob, pair, (ann, ben) = await pair_under_way(conversations)
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.claimed, report.moved, report.sent) == (2, 2, 0)
    assert outbox.attempts == [], "neither the one asking nor the one telling"
    assert await step_of(conversations.database, ben) is Step.PAIR_ASKING, "he goes on asking"
    assert await step_of(conversations.database, ann) is Step.IDLE

    clock.now += timedelta(minutes=10)  # the card: Alice reads it, still in the pair
    card = letter_to(await note_all(bob, pair), ALICE.chat_id or 0)
    clock.now += timedelta(minutes=5)
    await alice.send(Press(data_of(card, Action.PAIR_SAVE)))  # saved: the pair is over
    clock.now = TUESDAY_AMSTERDAM + timedelta(days=1)  # tomorrow, at their hour
    assert (await dispatcher.tick()).sent == 2
    assert sorted(sent.chat_id for sent in outbox.sent) == CHATS
    assert all(is_checkin(sent) for sent in outbox.sent)


async def test_the_one_interviewed_gets_no_checkin_while_the_card_waits(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    clock.now = TUESDAY_AMSTERDAM - timedelta(minutes=30)
    _, bob, pair, (ann, _) = await pair_under_way(conversations)
    await note_all(bob, pair)  # Bob is done; Alice has the card to confirm
    clock.now = TUESDAY_AMSTERDAM
    report = await dispatcher.tick()
    assert (report.moved, report.sent) == (1, 1)
    assert [sent.chat_id for sent in outbox.sent] == [BOB.chat_id], "only the one who asked"
    assert await step_of(conversations.database, ann) is Step.IDLE


async def test_a_pair_left_alone_for_half_a_day_holds_no_checkin_back(
    conversations: Conversations, dispatcher: CheckinDispatcher, outbox: Outbox, clock: FakeClock
) -> None:
    clock.now = TUESDAY_AMSTERDAM - timedelta(hours=13)
    await pair_under_way(conversations)
    clock.now = TUESDAY_AMSTERDAM
    assert (await dispatcher.tick()).sent == 2
    assert sorted(sent.chat_id for sent in outbox.sent) == CHATS
