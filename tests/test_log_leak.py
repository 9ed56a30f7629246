"""Logs and error reports never hold what a person wrote, their name, username or ids.

A whole interview, an error, an export and an erasure run through the real
Application and the fake Bot API server with every logger at DEBUG; every
record (messages, tracebacks, exception texts) is searched for the secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.log_privacy import PAYLOAD_LOGGERS, WithoutDebugPayloads
from storage.crypto import TextCipher
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.telegram import (
    EN,
    TOKEN,
    answer_text,
    begin,
    bot_settings,
    done,
    running_bot,
    tap,
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
