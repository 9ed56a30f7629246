"""The Telegram adapter hands Telegram's refusals on as the engine's delivery errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.error import TimedOut as TelegramTimedOut

from bot.engine.delivery import (
    Blocked,
    DeliveryError,
    RateLimited,
    Rejected,
    TimedOut,
    Unreachable,
)
from bot.telegram.replies import delivery_error, delivery_errors, send_part
from flows.replies import Reply
from storage.outbox import Delivery

SECRET = "ZZSECRET Fatima"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden(f"Forbidden: bot was blocked by {SECRET}"), Blocked),
        (BadRequest(f"Bad Request: can't parse {SECRET}"), Rejected),
        (TelegramTimedOut(), TimedOut),
        (NetworkError(f"down {SECRET}"), Unreachable),
        (InvalidToken(), DeliveryError),
        (ChatMigrated(5), DeliveryError),
    ],
)
def test_each_refusal_has_its_engine_word_and_none_of_telegrams(
    error: TelegramError, expected: type[DeliveryError]
) -> None:
    translated = delivery_error(error)
    assert type(translated) is expected
    assert SECRET not in str(translated)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
@pytest.mark.parametrize("wait", [7, timedelta(seconds=2.5)], ids=["int", "timedelta"])
def test_rate_limits_carry_the_wait_in_seconds(wait: int | timedelta) -> None:
    translated = delivery_error(RetryAfter(wait))
    assert isinstance(translated, RateLimited)
    assert translated.retry_after == (wait.total_seconds() if isinstance(wait, timedelta) else 7)


def test_a_timeout_is_a_network_failure_too() -> None:
    """Whoever retries on network failures retries on timeouts as well."""
    assert issubclass(TimedOut, Unreachable)
    assert not issubclass(Rejected, Unreachable)


def test_the_original_error_stays_the_cause() -> None:
    refused = BadRequest("Bad Request: chat not found")
    with pytest.raises(Rejected) as caught, delivery_errors():
        raise refused
    assert caught.value.__cause__ is refused


def test_other_errors_pass_unchanged() -> None:
    with pytest.raises(KeyError), delivery_errors():
        raise KeyError("not Telegram")


class _Blocked:
    """A bot whose every message the person has blocked (replies go out as raw API calls)."""

    async def do_api_request(self, *_args: object, **_kwargs: object) -> None:
        raise Forbidden("Forbidden: bot was blocked by the user")


async def test_sending_a_part_raises_the_engine_word() -> None:
    with pytest.raises(Blocked):
        await send_part(_Blocked(), Delivery(7, (Reply("hello"),)), 1)  # type: ignore[arg-type]
