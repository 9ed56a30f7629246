"""Edited messages and forged presses in the runner.

An edited message updates the answer it gave; presses and edits aimed at someone else's
story change nothing and show none of it.
"""

from __future__ import annotations

from bot.engine.conversation import Conversations
from flows.callbacks import Action, encode
from flows.events import Command, Edited, Press, Text
from flows.replies import PersonActive
from flows.views import AnswerView
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.chat import BOB, CHANGE, GUIDE, TEXTS, Chat, asked, begin, read_back, snapshot

# --- edits and forgeries --------------------------------------------------------------


async def test_an_edited_message_updates_the_stored_answer(
    conversations: Conversations, database_url: str, cipher: TextCipher
) -> None:
    person = Chat(conversations)
    await begin(person)
    await person.send(Text("Ik zit het overleg voor", message_id=41))
    await person.press(Action.TOGGLE, "how", "feedback")
    await person.send(Text("door feedback van Joost", message_id=42))

    edited = await person.send(Edited(CHANGE, message_id=41))
    assert edited is not None
    assert edited.replies[0].text == TEXTS.edit_saved.format(question=GUIDE.questions[0].title)
    assert asked(edited) == "how"  # the interview stays where it was
    await person.send(Edited("door feedback van Joost en Ria", message_id=42))

    unrelated = await person.send(Edited("iets anders", message_id=999))
    assert unrelated is not None and unrelated.replies[0].text == TEXTS.edit_not_an_answer

    _, stories = await read_back(database_url, cipher)
    assert stories[person.story_id].answers == {
        "change": AnswerView(CHANGE),
        "how": AnswerView("door feedback van Joost en Ria", ("feedback",)),
    }


async def test_forged_presses_on_someone_elses_story_change_nothing(
    conversations: Conversations, database: Database
) -> None:
    alice = Chat(conversations)
    await begin(alice)
    await alice.send(Text(CHANGE, message_id=7))
    await alice.press(Action.TOGGLE, "how", "feedback")
    story = alice.story_id
    bob = Chat(conversations, BOB, first_update=900)
    await bob.send(Command("start"))
    before = await snapshot(database)

    forged = [
        encode(Action.CONFIRM, story),
        encode(Action.DISCARD_YES, story),
        encode(Action.FRESH, story),
        encode(Action.RESUME, story),
        encode(Action.CARD, story),
        encode(Action.EDIT, story, "change"),
        encode(Action.CHANGE, story),
        encode(Action.TOGGLE, story, "how", "coaching"),
        encode(Action.DONE, story, "how"),
        encode(Action.SKIP, story, "how"),
        encode(Action.BACK, story, "how"),
        encode(Action.FRESH_YES, story),
        encode(Action.EXAMPLE, story, "change", "0"),
        encode(Action.NOTHING, story, "change"),
        encode(Action.THROUGH_DONE, story),
    ]
    for data in forged:
        outcome = await bob.send(Press(data))
        assert outcome is not None
        assert outcome.effects == (PersonActive(),)
        assert outcome.notice in (TEXTS.story_not_found, TEXTS.invalid_button)
        assert all(CHANGE not in reply.text for reply in outcome.replies)
    peek = await bob.send(Edited("overgenomen", message_id=7))
    assert peek is not None and peek.replies[0].text == TEXTS.edit_not_an_answer

    after = await snapshot(database)
    assert after["stories"] == before["stories"]
    assert after["answers"] == before["answers"]
    assert after["choices"] == before["choices"]
    alice_before, bob_before = before["persons"]  # sorted by id: Alice came first
    alice_after, bob_after = after["persons"]
    assert alice_after == alice_before  # Alice's conversation is untouched
    assert bob_after[1] == bob_before[1]  # and Bob's state did not move either
