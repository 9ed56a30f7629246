"""Logs and error reports never hold what a person wrote, their name, username or ids.

A whole interview, an error, an export and an erasure run through the real
Application and the fake Bot API server with every logger at DEBUG; every
record (messages, tracebacks, exception texts) is searched for the secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.log_privacy import PAYLOAD_LOGGERS, WithoutDebugPayloads
from bot.telegram.app import RunningBot
from storage.crypto import TextCipher
from storage.models import Membership
from storage.repositories import People
from storage.team_store import Teams
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.growth import pdf_text
from tests.support.teams import add_people, add_story, add_team
from tests.support.telegram import (
    EN,
    OPENING,
    TOKEN,
    answer_text,
    begin,
    bot_settings,
    done,
    running_bot,
    save_story,
    tap,
    tell_whole_story,
)

USER_ID = 738_118_205
FIRST_NAME, LAST_NAME, USERNAME = "Quirijntje", "Vandermeulenbroek", "qv_leerling_4471"
TYPED = [
    "Chairing the Tuesday meeting in Rabat without notes, Zwaluwstaart",
    "Ilse from protocol, Kwikstaart, who let me shadow her",
    "Mostly the patience of Boomklever",
    "Poison answer quoted by a library error, Goudvink",
]
POISON = TYPED[-1]
SECRETS = [*TYPED, FIRST_NAME, LAST_NAME, USERNAME, str(USER_ID)]
FORMATTER = logging.Formatter("%(name)s %(levelname)s %(message)s")


def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """The root and every logger that exists now, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def rendered(records: list[logging.LogRecord]) -> Iterator[str]:
    """Each record as a handler would write it, traceback and exception text included."""
    for record in records:
        yield FORMATTER.format(record) + (record.stack_info or "")


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Encrypting one answer fails the way a library might: quoting the data it got."""
    original = TextCipher.encrypt

    def encrypt(self: TextCipher, text: str) -> bytes:
        if text == POISON:
            raise ValueError(f"cannot store {text!r} for user {USER_ID} ({USERNAME})")
        return original(self, text)

    monkeypatch.setattr(TextCipher, "encrypt", encrypt)


async def interview(user: FakeUser) -> None:
    """A whole story with typed answers, one of them failing first."""
    await begin(user)
    assert "How did you learn it?" in await answer_text(user, TYPED[0])
    await tap(user, "Feedback")
    assert "Who was involved?" in await done(user)
    assert EN.texts.words_added in await answer_text(user, TYPED[1])
    assert "tools or resources" in await done(user)
    assert await answer_text(user, POISON) == EN.texts.error  # the kind error message
    await user.press_button(EN.texts.skip)
    assert "got in the way" in ((await user.wait_for_message()).text or "")
    await user.press_button(EN.texts.skip)
    assert "helped you most" in ((await user.wait_for_message()).text or "")
    assert await answer_text(user, TYPED[2]) == EN.thanks.offer  # a thank-you note, offered
    assert "take this further" in ((await user.wait_for_message()).text or "")
    assert EN.texts.card_question in await done(user)
    await user.press_button(EN.texts.confirm)
    await user.wait_for_message(count=2)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_no_words_names_or_ids_in_any_log_record(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture, poisoned: None
) -> None:
    every_logger_at_debug(caplog)
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)):
            every_logger_at_debug(caplog)  # and the loggers the Application created
            user = tg.user(
                USER_ID, FIRST_NAME, language_code="en", username=USERNAME, last_name=LAST_NAME
            )
            await interview(user)
            await user.send("/export")
            documents = await tg.wait_for(
                lambda: tg.documents[:2] if len(tg.documents) > 1 else None
            )
            assert TYPED[0] in (documents[0].content or b"").decode()  # the words exist...
            await user.send("/forget")
            await user.wait_for_message()
            await user.press_button(EN.privacy.forget_yes)
            assert (await user.wait_for_edit()).text == EN.privacy.forgotten
            await tg.wait_until_idle()
        tg.assert_no_violations()

    logged = list(rendered(caplog.records))
    assert len(logged) > 100, "the test should see the bot's and the libraries' logging"
    errors = [line for line in logged if "error while handling an update" in line]
    assert errors and "builtins.ValueError (message withheld)" in errors[0]
    assert "File " in errors[0], "the traceback's frames are kept"
    assert any("erased" in line for line in logged)
    for line in logged:  # ...but no log record holds any of them
        leaked = [secret for secret in SECRETS if secret in line]
        assert not leaked, f"{leaked} in a log record: {line[:300]}"


async def test_without_the_filter_the_libraries_would_log_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter is what keeps python-telegram-bot's debug payloads out (not luck)."""
    monkeypatch.setattr(WithoutDebugPayloads, "filter", lambda self, record: True)
    every_logger_at_debug(caplog)
    async with FakeTelegram(token=TOKEN) as tg, running_bot(bot_settings(tg, tmp_path)):
        every_logger_at_debug(caplog)
        user = tg.user(USER_ID, FIRST_NAME, language_code="en", username=USERNAME)
        await begin(user)
        await answer_text(user, TYPED[0])
        await tg.wait_until_idle()
    leaking = {r.name.split(".")[0] for r in caplog.records if TYPED[0] in r.getMessage()}
    assert leaking and leaking <= set(PAYLOAD_LOGGERS)
    assert any(FIRST_NAME in r.getMessage() for r in caplog.records)


QUOTE = "Shared by a colleague: Kramsvogel taught me the cipher desk"
FACILITATOR_ID, FACILITATOR_NAME = 700_401, "Wielewaal"
FEBRUARY = datetime(2026, 2, 11, tzinfo=UTC)


async def seed_team(bot: RunningBot) -> int:
    """A team with a facilitator and five people who told stories in February (one quote
    shared with the team)."""
    database, cipher = bot.services.database, bot.services.cipher
    async with database.transaction() as session:
        team = await add_team(session, "Embassy Accra", FEBRUARY)
        people = await add_people(session, 6, FEBRUARY, first=FACILITATOR_ID - 700_000)
        await Teams(session, cipher).add_facilitator(team, people[0], FEBRUARY)
        for n, person in enumerate(people[1:]):
            session.add(Membership(person_id=person, team_id=team, joined_at=FEBRUARY))
            await add_story(
                session, person, team, FEBRUARY, {"how": ["by_doing"]},
                opening=QUOTE if n == 0 else None, released=n == 0, for_members=n == 0,
                cipher=cipher,
            )  # fmt: skip
    return team


async def join(bot: RunningBot, team: int, user_id: int) -> None:
    async with bot.services.database.transaction() as session:
        member = await People(session).find("telegram", user_id)
        assert member is not None
        session.add(Membership(person_id=member.id, team_id=team, joined_at=FEBRUARY))


async def growth_story(user: FakeUser, tg: FakeTelegram) -> None:
    """/growth over the last 12 months, made: the messages and the PDF arrive."""
    await user.send("/growth")
    asked = await user.wait_for_message(predicate=lambda m: m.text == EN.growth.period_question)
    await user.press_button(EN.growth.last_12, asked.message_id)
    await user.wait_for_edit(asked.message_id)
    await user.press_button(EN.growth.make, asked.message_id)
    document = await tg.wait_for(lambda: tg.documents[-1] if tg.documents else None)
    assert OPENING.split(" 🙂")[0] in pdf_text(document.content or b"")


async def team_photo(user: FakeUser, facilitator: FakeUser, tg: FakeTelegram) -> None:
    """The facilitator's look at February and their session kit; then the member's look."""
    await facilitator.send("/photo")
    await facilitator.wait_for_message(predicate=lambda m: "February 2026" in str(m.buttons))
    await facilitator.press_button("February 2026")
    seen = await facilitator.wait_for_message(predicate=lambda m: QUOTE in (m.text or ""))
    await facilitator.press_button(EN.teams.kit_button, seen.message_id)
    kit = await tg.wait_for(lambda: tg.documents[-1] if len(tg.documents) > 1 else None)
    assert QUOTE in " ".join(pdf_text(kit.content or b"").split())
    await user.send("/photo")
    await user.wait_for_message(predicate=lambda m: "February 2026" in str(m.buttons))
    await user.press_button("February 2026")
    await user.wait_for_message(predicate=lambda m: QUOTE in (m.text or ""))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_no_words_names_or_ids_in_logs_for_a_growth_story_or_a_team_photo(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The growth story (its messages and PDF) and a team's photo (a facilitator's look,
    the session kit, a member's look) log none of the words in them, nor who asked."""
    every_logger_at_debug(caplog)
    async with FakeTelegram(token=TOKEN) as tg:
        settings = bot_settings(tg, tmp_path, database_url)
        async with running_bot(settings, FakeClock()) as bot:  # 2 March: February ended
            every_logger_at_debug(caplog)
            team = await seed_team(bot)
            user = tg.user(
                USER_ID, FIRST_NAME, language_code="en", username=USERNAME, last_name=LAST_NAME
            )
            await tell_whole_story(user)
            await save_story(user)
            await join(bot, team, USER_ID)
            await growth_story(user, tg)
            facilitator = tg.user(FACILITATOR_ID, FACILITATOR_NAME, language_code="en")
            await team_photo(user, facilitator, tg)
            await tg.wait_until_idle()
        tg.assert_no_violations()

    secrets = [OPENING, "my mentor's old cables", "Ana, who read every draft", QUOTE]
    secrets += [FIRST_NAME, LAST_NAME, USERNAME, str(USER_ID), FACILITATOR_NAME]
    secrets.append(str(FACILITATOR_ID))
    logged = list(rendered(caplog.records))
    assert len(logged) > 100, "the test should see the bot's and the libraries' logging"
    for line in logged:
        leaked = [secret for secret in secrets if secret in line]
        assert not leaked, f"{leaked} in a log record: {line[:300]}"
