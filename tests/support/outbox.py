"""The fake sender the jobs (check-ins, team photos, retention notices) send through.

``Outbox`` records each outcome it was given (:class:`Sent`), or raises the errors a
test scripted for the next sends, to one chat or to any: Telegram's errors as the
adapter hands them on (``delivery_errors``), others as they are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.telegram.replies import delivery_errors
from flows.replies import Outcome, Reply


@dataclass(frozen=True)
class Sent:
    """One outcome that reached the fake sender; ``at`` by the test's clock, if it has one."""

    chat_id: int
    outcome: Outcome
    at: datetime | None
    monotonic: float  # when, by the real monotonic clock

    @property
    def reply(self) -> Reply:
        """The one reply sent (a check-in or a notice is one message)."""
        (reply,) = self.outcome.replies
        return reply

    @property
    def text(self) -> str:
        return self.reply.text

    @property
    def buttons(self) -> tuple[str, ...]:
        """The labels of the reply's buttons, row after row."""
        return tuple(button.label for row in self.reply.buttons for button in row)

    @property
    def data(self) -> tuple[str, ...]:
        """The callback data of the reply's buttons, row after row."""
        return tuple(button.data for row in self.reply.buttons for button in row)


@dataclass
class Outbox:
    """Records what was sent; ``fail`` scripts errors for the next sends."""

    clock: Callable[[], datetime] | None = None
    sent: list[Sent] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)  # chat ids, failed sends included
    errors: dict[int | None, list[Exception]] = field(default_factory=dict)

    def fail(self, chat_id: int | None, *errors: Exception) -> None:
        """The next sends to this chat (None: to any chat) raise these errors, in order."""
        self.errors.setdefault(chat_id, []).extend(errors)

    async def __call__(self, chat_id: int, outcome: Outcome) -> None:
        self.attempts.append(chat_id)
        await asyncio.sleep(0)
        queued = self.errors.get(chat_id) or self.errors.get(None)
        if queued:
            with delivery_errors():  # Telegram's errors, as the adapter hands them on
                raise queued.pop(0)
        at = self.clock() if self.clock else None
        self.sent.append(Sent(chat_id, outcome, at, time.monotonic()))

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]
