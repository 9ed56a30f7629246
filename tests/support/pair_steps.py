"""Two people on the fake Bot API doing a pair interview: the invitation, its link, the
interviewer's notes and what the person interviewed sees."""

from __future__ import annotations

from sqlalchemy import select

from bot.telegram.app import RunningBot
from flows.pair.data import START
from storage.crypto import EncryptionKeyError
from storage.models import Answer, Base, Choice, PairInterview, Person, Story
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.telegram import EN, first_start

PAIR = EN.pair
OPENING = "Chairing the weekly meeting with the Zwaluw partners"
CORRECTED = "Chairing the Zwaluw meeting, in my own calm way"
WORDS = "the Kwikstaart minutes"  # own words under a pick
HELPED = "Ana's honest Merel feedback"
SECRETS = (OPENING, CORRECTED, WORDS, HELPED, "Zwaluw", "Kwikstaart", "Merel")


def starting(text: str) -> object:
    """A predicate: a message whose text starts so."""
    return lambda message: (message.text or "").startswith(text)


async def message(user: FakeUser, text: str) -> BotMessage:
    """The next message (of any sent since the person last looked) that starts with ``text``."""
    return await user.wait_for_message(predicate=starting(text))  # type: ignore[arg-type]


async def invitation(user: FakeUser, tells: str, *, first: bool = True) -> str:
    """/pair and who tells (``PAIR.me_tell`` or ``PAIR.you_tell``): the link's start payload."""
    if first:
        await first_start(user)
    await user.send("/pair")
    asked = await message(user, PAIR.intro[:20])
    await user.press_button(tells)
    forward = await user.wait_for_edit(asked.message_id)
    assert forward.text == PAIR.forward.format(days=7)
    card = await user.wait_for_message()
    text = card.text or ""
    assert text.startswith(PAIR.card_tell if tells == PAIR.me_tell else PAIR.card_ask)
    link = text.splitlines()[-1]
    [[share]] = (card.reply_markup or {})["inline_keyboard"]
    assert share["text"] == PAIR.share and "t.me/share/url" in share["url"]
    payload = link.split("?start=", 1)[1]
    assert payload.startswith(START) and len(payload) >= len(START) + 22
    return payload


async def accept(user: FakeUser, payload: str, *, first: bool = True) -> BotMessage:
    """A colleague opens the link and accepts: the message that follows the acceptance."""
    if first:
        await first_start(user)
    await user.send(f"/start {payload}")
    invited = await user.wait_for_message()
    assert invited.text in (PAIR.invited_tell, PAIR.invited_ask)
    await user.press_button(PAIR.accept)
    return await user.wait_for_edit(invited.message_id)


async def tap(user: FakeUser, label: str) -> None:
    """The interviewer ticks a pick the colleague named."""
    await user.press_button(label)
    edited = await user.wait_for_edit()
    assert any(text == f"✅ {label}" for text, _ in edited.buttons)


async def done(user: FakeUser, title: str) -> None:
    """Done under a question: it shows it was noted, without its picks and buttons."""
    await user.press_button(PAIR.done)
    edited = await user.wait_for_edit()
    assert edited.text == PAIR.noted_done.format(title=title) and not edited.buttons


async def question(user: FakeUser, number: int) -> BotMessage:
    """The interviewer's next question (number ``number``), with its tip."""
    asked = await message(user, PAIR.question.strip().split("\n")[0].format(number=number, total=7))
    key = EN.questions[number - 1].key
    assert f"“{EN.questions[number - 1].prompt}”" in (asked.text or "")
    assert PAIR.tips[key] in (asked.text or "")
    return asked


async def first_noted(interviewer: FakeUser, teller: FakeUser, answer: str) -> BotMessage:
    """The interviewer is asked question 1 and notes ``answer``; the teller sees it noted."""
    await question(interviewer, 1)
    await interviewer.send(answer)
    return await message(teller, "Noted")


async def stories_of(bot: RunningBot, user: FakeUser) -> list[Story]:
    async with bot.services.database.transaction() as session:
        person = await session.scalar(select(Person.id).where(Person.external_id == user.id))
        return list(await session.scalars(select(Story).where(Story.person_id == person)))


async def answers_of(bot: RunningBot, story_id: int) -> dict[str, tuple[str | None, set[str]]]:
    """A stored story's answers, decrypted, with their choices."""
    cipher = bot.services.cipher
    async with bot.services.database.transaction() as session:
        rows = await session.scalars(select(Answer).where(Answer.story_id == story_id))
        found: dict[str, tuple[str | None, set[str]]] = {
            a.question: (cipher.decrypt(a.text_encrypted) if a.text_encrypted else None, set())
            for a in rows
        }
        for choice in await session.scalars(select(Choice).where(Choice.story_id == story_id)):
            found[choice.question][1].add(choice.option)
    return found


async def pair_rows(bot: RunningBot) -> list[PairInterview]:
    async with bot.services.database.transaction() as session:
        return list(await session.scalars(select(PairInterview)))


async def secrets_in_tables(bot: RunningBot, secrets: tuple[str, ...]) -> set[str]:
    """Every table.column of every row that holds one of ``secrets``, in plain text or
    encrypted (each bytes value is decrypted when it can be)."""
    cipher, found = bot.services.cipher, set()
    async with bot.services.database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column in table.columns:
                    value = row[column]
                    if isinstance(value, bytes):
                        try:
                            value = cipher.decrypt(value)
                        except EncryptionKeyError:
                            continue
                    if isinstance(value, str) and any(secret in value for secret in secrets):
                        found.add(f"{table.name}.{column.name}")
    return found
