"""Read-side helpers of FakeTelegram: violations, summaries and waiting."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._methods import commands_key
from ._model import ApiCall, ChatState, ErrorRecord

T = TypeVar("T")
RECHECK = 0.05  # seconds; wait_for also re-checks this often, not only on server events


class InspectMixin:
    """Assertions and waiting on what the bot did; mixed into FakeTelegram."""

    settle: float
    calls: list[ApiCall]
    errors: list[ErrorRecord]
    commands: dict[tuple[str, str], list[dict[str, Any]]]
    send_times: dict[int, list[float]]
    _chats: dict[int, ChatState]
    webhook_url: str
    _updates: list[dict[str, Any]]
    _open_queries: dict[str, dict[str, Any]]
    _delivered_upto: int
    _last_activity: float
    _event: asyncio.Event

    def _bump(self) -> None:
        """Wake everybody waiting for a change."""
        self._event.set()
        self._event = asyncio.Event()

    async def _wait_change(self, seconds: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    @property
    def violations(self) -> list[ErrorRecord]:
        """Errors caused by the bot breaking Telegram's rules (not injected or blocked ones)."""
        return [error for error in self.errors if error.violation]

    def assert_no_violations(self) -> None:
        """Fail with a summary if the bot broke any of Telegram's rules."""
        if self.violations:
            lines = "\n".join(
                f"  {v.method} chat={v.chat_id}: {v.error_code} {v.description}"
                for v in self.violations
            )
            raise AssertionError(f"Bot API violations:\n{lines}")

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot has not answered yet."""
        return list(self._open_queries)

    @property
    def pending_updates(self) -> int:
        """Queued updates the bot has not fetched yet (webhook: not accepted yet)."""
        if self.webhook_url:
            return len(self._updates)
        return sum(1 for u in self._updates if u["update_id"] > self._delivered_upto)

    def commands_for(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """The (command, description) pairs set for a scope and language."""
        key = commands_key({"scope": scope, "language_code": language_code})
        return [(c["command"], c["description"]) for c in self.commands.get(key, [])]

    def min_interval(self, chat_id: int) -> float:
        """Smallest gap in seconds between two sent messages to a chat (inf if < 2 messages)."""
        times = self.send_times.get(chat_id, [])
        return min((b - a for a, b in itertools.pairwise(times)), default=math.inf)

    def summary(self, limit: int = 15) -> str:
        """What the bot did, without message texts."""
        lines = [f"pending updates: {self.pending_updates}, bot calls: {len(self.calls)}"]
        for call in self.calls[-limit:]:
            lines.append(f"  {call!r}")
        for error in self.errors[-limit:]:
            lines.append(
                f"  error {error.method} chat={error.chat_id}: {error.error_code} "
                f"{error.description}"
            )
        return "\n".join(lines)

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        what: str | Callable[[], str] = "condition",
    ) -> T:
        """Wait until ``predicate()`` is truthy (checked on every server event); return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                what = what() if callable(what) else what
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}\n{self.summary()}"
                )
            await self._wait_change(min(remaining, RECHECK))  # predicates may read bot state

    async def wait_until_idle(
        self,
        settle: float | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until the bot fetched all updates and made no call for ``settle`` seconds."""
        settle = self.settle if settle is None else settle
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet = now - self._last_activity
            if self.pending_updates == 0 and quiet >= settle:
                return
            if now >= deadline:
                raise AssertionError(f"bot not idle after {timeout}s\n{self.summary()}")
            wait = settle - quiet if self.pending_updates == 0 else deadline - now
            await self._wait_change(max(min(wait, deadline - now), 0.01))
