"""Why a message did not arrive, in the engine's words.

The Telegram adapter (``bot.telegram.replies``) turns what the Bot API answered
into these, so the sender and the jobs decide without knowing Telegram. The
errors carry no message: Telegram's words may quote what a person wrote (the
adapter's own error stays attached as the cause, and is logged without them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from flows.replies import Outcome

Sender = Callable[[int, Outcome], Awaitable[None]]  # sends one outcome to a chat, or raises


class DeliveryError(Exception):
    """Refused for another reason than the ones below (e.g. a bad token)."""


class Blocked(DeliveryError):
    """The person blocked the bot, or the chat is gone (403): nothing reaches them."""


class Rejected(DeliveryError):
    """This message is refused for good (400): sending it again changes nothing."""


class RateLimited(DeliveryError):
    """Too many messages (429): this chat waits ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The Bot API could not be reached (network): a later try may work."""


class TimedOut(Unreachable):
    """No answer in time: the message may have arrived all the same."""
