"""The terminal chat's side of a test: a whole interview as typed lines, and what it stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.terminal import LOCAL_USER
from flows.content.guide import guide_for
from flows.views import StoryView
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Story
from storage.repositories import People, Stories

GUIDE = guide_for("en")
TEXTS = GUIDE.texts

CHANGE = "Ik schrijf mijn ambtsberichten nu in de helft van de tijd"
WHO_WORDS = "Mijn voorganger op post, via de telefoon"
HELPED_MOST = "Dat Fatima elke vrijdag tien minuten met me meelas"


def option(question: str, key: str) -> int:
    """The number the terminal shows for a quick-pick option."""
    found = GUIDE.question(question)
    assert found is not None
    return list(found.options).index(key) + 1


def done(question: str) -> int:
    """'Done' comes right after the options."""
    found = GUIDE.question(question)
    assert found is not None
    return len(found.options) + 1


def skip(question: str) -> int:
    """After Done: Back, then Skip (for every question but the first)."""
    return done(question) + 2


THANKS_OFFER = 2  # its buttons are numbered first


INTERVIEW = [
    "1",  # Let's begin
    CHANGE,
    f"{option('how', 'by_doing')} {option('how', 'asking_colleague')}",
    str(done("how")),
    str(option("who", "colleague")),
    WHO_WORDS,  # own words join the picks; the question stays open
    "done",  # typed, it is the same as Done
    "99",  # no such option: explained, nothing lost
    str(skip("resources")),
    f"{option('obstacles', 'time_pressure')}, {option('obstacles', 'self_doubt')}",
    str(done("obstacles")),
    HELPED_MOST,  # the offer of a thank-you note (Yes, No) comes above the next question
    str(THANKS_OFFER + option("next_step", "peer_consultation")),
    str(done("next_step")),
    "1",  # Yes, save it
]


def lines(typed: list[str]) -> Callable[[], Awaitable[str | None]]:
    """A ``read_line`` that types these lines, then ends the input."""
    queue = [line + "\n" for line in typed]

    async def read_line() -> str | None:
        return queue.pop(0) if queue else None

    return read_line


async def terminal_stories(db: Database, cipher: TextCipher) -> list[StoryView]:
    """The stories of the terminal's one person, as stored."""
    async with db.transaction() as session:
        person = await People(session).find("terminal", LOCAL_USER)
        assert person is not None
        ids = list(await session.scalars(select(Story.id).where(Story.person_id == person.id)))
        return list((await Stories(session, cipher).load(person.id, ids)).values())
