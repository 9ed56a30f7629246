"""The terminal chat: typed numbers always mean the buttons printed last, never two things."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from bot.engine.conversation import Conversations
from bot.terminal import TerminalChat
from flows.states import StoryStatus
from storage.crypto import TextCipher
from storage.database import Database
from tests.support.terminal import CHANGE, GUIDE, INTERVIEW, TEXTS, lines, terminal_stories

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

NEW_CHANGE = "Ik vraag nu eerder om feedback op mijn concepten"
HOW = GUIDE.question("how")
assert HOW is not None
OPTIONS = list(HOW.options.values())


def numbered(shown: str) -> list[tuple[int, str]]:
    """Every '  n) label' line, in the order printed."""
    found = []
    for line in shown.splitlines():
        number, _, label = line.strip().partition(") ")
        if line.startswith("  ") and number.isdigit() and label:
            found.append((int(number), label))
    return found


async def test_stories_in_the_middle_of_a_question_numbers_on(
    conversations: Conversations, database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    await TerminalChat(conversations, out=StringIO(), language="en").run(lines(INTERVIEW))
    clock.advance(days=1)

    chat = TerminalChat(conversations, out=StringIO(), language="en")
    await chat.on_line("/reflect")
    await chat.on_line(NEW_CHANGE)  # now at "How did you learn it?", a quick-pick question
    out = StringIO()
    chat.out = out
    await chat.on_line("/stories")
    shown = out.getvalue()
    assert TEXTS.stories_title in shown and HOW.prompt in shown
    assert shown.index(TEXTS.stories_title) < shown.index(HOW.prompt)
    buttons = numbered(shown)
    numbers = [n for n, _ in buttons]
    assert numbers == list(range(1, len(buttons) + 1)), "each number is printed once"
    (draft, _), (saved, saved_label) = buttons[:2]
    assert (draft, saved) == (1, 2)
    assert CHANGE[:20] in saved_label
    assert buttons[2] == (3, OPTIONS[0])  # the question's options come after the stories

    out = StringIO()
    chat.out = out
    await chat.on_line("2")  # the saved story, not the question's second option
    assert CHANGE in out.getvalue()
    assert TEXTS.card_complete in out.getvalue()
    stories = await terminal_stories(database, cipher)
    (new,) = [s for s in stories if s.status is StoryStatus.DRAFT]
    assert new.answer("how").choices == ()

    await chat.on_line("/reflect")  # back to the question: its options are 1, 2, ... again
    await chat.on_line("2")
    stories = await terminal_stories(database, cipher)
    (new,) = [s for s in stories if s.status is StoryStatus.DRAFT]
    assert new.answer("how").choices == (list(HOW.options)[1],)
