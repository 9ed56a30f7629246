"""Errors are logged with their type and frames only: their messages may quote people."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from telegram.error import BadRequest

from bot.jobs import photos as photo_delivery
from bot.telegram import replies as telegram_replies
from flows.replies import Reply
from storage.crypto import TextCipher
from storage.database import Database
from storage.outbox import Delivery
from tests.support.outbox import Outbox
from tests.support.teams import MADRID_NINE, deliverer, seed

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

SECRET = "ZZSECRET Fatima 1001"


async def test_a_photo_that_cannot_be_counted_is_logged_without_the_message(
    database: Database,
    cipher: TextCipher,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(photo_delivery.TeamPhotoQuery, "contributions", broken)
    await seed(database, cipher, 5)
    clock.now = MADRID_NINE
    with caplog.at_level(logging.DEBUG):
        assert (await deliverer(database, cipher, Outbox(), clock).tick()).failed == 1
    assert "RuntimeError (message withheld)" in caplog.text
    assert SECRET not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


class _Unedited:
    """A bot whose messages Telegram will not edit, saying why in words that quote them
    (edits go out as raw API calls)."""

    async def do_api_request(self, *_args: object, **_kwargs: object) -> None:
        raise BadRequest(f"Message can't be edited: {SECRET}")


async def test_a_message_that_cannot_be_edited_is_logged_without_telegrams_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        delivery = Delivery(7, (Reply("new", edit=True),), "query", message_id=3)
        unedited = _Unedited()
        assert not await telegram_replies._edit(unedited, delivery, Reply("new"))  # type: ignore[arg-type]
    assert "BadRequest (message withheld)" in caplog.text
    assert SECRET not in caplog.text
