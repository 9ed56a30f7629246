"""Helpers for the /growth tests: a short story, the growth story made, its PDF read back."""

from __future__ import annotations

import io

from pypdf import PdfReader

from flows.callbacks import Action, encode
from flows.events import Command, Press
from flows.growth.period import day_code
from flows.replies import Outcome
from flows.states import State, Step
from tests.support.chat import Chat, asked, begin, button

SKIPPED = ("who", "resources", "obstacles", "helped_most", "next_step")


async def tell_story(chat: Chat, opening: str, how: str = "feedback", words: str = "") -> int:
    """A learning story: its opening, one way of learning (and ``words``), the rest skipped."""
    await begin(chat)
    assert asked(await chat.say(opening)) == "how"
    story_id = chat.story_id
    await chat.press(Action.TOGGLE, "how", how)
    if words:
        await chat.say(words)
    await chat.press(Action.DONE, "how")
    for key in SKIPPED:
        await chat.press(Action.SKIP, key)
    review = chat.last
    assert review is not None and review.state.step is Step.REVIEW
    done = await chat.send(Press(button(review, Action.CONFIRM)))
    assert done is not None and done.state == State()
    return story_id


async def choose(chat: Chat, months: str = "12") -> Outcome:
    """/growth, then the last ``months`` months: the period's stories are listed."""
    await chat.send(Command("growth"))
    listed = await chat.press(Action.GROWTH_PERIOD, months)
    assert listed is not None
    return listed


def listed_since(chat: Chat) -> str:
    """The first day of the list just shown, as its buttons carry it."""
    assert chat.last is not None and chat.last.state.since is not None
    return day_code(chat.last.state.since)


async def toggle(chat: Chat, story_id: int, page: str = "1") -> Outcome:
    """Tap a story of the list just shown (forged when it is not on it)."""
    toggled = await chat.send(
        Press(encode(Action.GROWTH_TOGGLE, story_id, page, listed_since(chat)))
    )
    assert toggled is not None
    return toggled


async def make(chat: Chat) -> Outcome:
    """Tap "Make my growth story"; it came as messages and a PDF."""
    made = await chat.send(Press(encode(Action.GROWTH_MAKE, listed_since(chat))))
    assert made is not None and made.state.step is Step.IDLE
    return made


def pdf_of(outcome: Outcome) -> bytes:
    """The one PDF document among the replies."""
    [data] = [r.file.content() for r in outcome.replies if r.file is not None]
    assert data.startswith(b"%PDF-")
    return data


def pdf_text(data: bytes) -> str:
    """Every page's text (pypdf, strict: the file must be well formed)."""
    reader = PdfReader(io.BytesIO(data), strict=True)
    return "\n".join(page.extract_text() for page in reader.pages)


def message_of(outcome: Outcome) -> str:
    """The growth story's messages, joined (the line replacing the list and the PDF aside)."""
    return "\n".join(r.text for r in outcome.replies[1:] if r.file is None)


def listed(outcome: Outcome | None) -> list[str]:
    """The labels of the story buttons of a growth list."""
    assert outcome is not None
    return [b.label for row in outcome.replies[-1].buttons for b in row if b.data.startswith("gt|")]
