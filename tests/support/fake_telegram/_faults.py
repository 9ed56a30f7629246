"""Fault injection of FakeTelegram: error answers, slow answers and connection resets."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._model import ApiCall, ApiError, Failure

BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: BLOCKED,
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ResetConnection(Exception):
    """Raised inside a request handler to answer by closing the connection."""


def same_chat(wanted: int | str | None, chat_id: object) -> bool:
    """Whether a rule for ``wanted`` (None: every chat) matches a call's chat_id."""
    return wanted is None or str(wanted) == str(chat_id)


@dataclass(eq=False)
class Delay:
    """A rule that holds the answer of matching calls; :meth:`release` ends it early.

    ``times`` is how many calls it matches (None: until released or cleared). With
    ``effect_first`` the call takes effect before the hold, otherwise after it.
    """

    method: str  # lower-case, "*" for every method
    chat_id: int | str | None
    seconds: float
    times: int | None = None
    effect_first: bool = True
    matched: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def active(self) -> bool:
        """Whether it still matches new calls."""
        exhausted = self.times is not None and self.matched >= self.times
        return not exhausted and not self._released.is_set()

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Whether a call of ``method`` with ``params`` is held by this rule."""
        return (
            self.active
            and self.method in ("*", method.lower())
            and same_chat(self.chat_id, params.get("chat_id"))
        )

    def release(self) -> None:
        """Answer the calls held now and stop matching new ones."""
        self._released.set()

    async def wait(self) -> None:
        """Hold for ``seconds`` or until released."""
        seconds = None if math.isinf(self.seconds) else self.seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), seconds)


@dataclass(frozen=True)
class ResetWindow:
    """A period in which matching requests are answered by closing the connection."""

    until: float  # time.monotonic()
    methods: frozenset[str] | None  # lower-case; None: every method


class FaultsMixin:
    """Error answers, slow answers and connection resets; mixed into FakeTelegram."""

    _failures: list[Failure]
    _blocked: set[int]
    _delays: list[Delay]
    _holding: list[tuple[ApiCall, Delay]]
    _reset_windows: list[ResetWindow]
    resets: list[ApiCall]
    """Requests answered by closing the connection, in order (they took no effect)."""

    if TYPE_CHECKING:

        def _bump(self) -> None: ...

    # --- error answers ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        chat_id: int | None = None,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally for one chat) fail.

        A 429 gets ``parameters.retry_after`` (default 1) and "Too Many Requests: retry
        after N"; pass ``description`` for e.g. :data:`NOT_MODIFIED` with 400.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        error = ApiError(
            error_code, description, retry_after=retry_after, violation=False, injected=True
        )
        self._failures.append(Failure(method.lower(), chat_id, error, times))

    def _check_injected(self, name: str, params: dict[str, Any]) -> None:
        for failure in self._failures:
            if failure.method == name.lower() and same_chat(failure.chat_id, params.get("chat_id")):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.error

    def block(self, chat_id: int) -> None:
        """Answer every call for this chat with 403 "bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._blocked.discard(chat_id)

    def is_blocked(self, chat_id: int) -> bool:
        """Whether the chat is blocked."""
        return chat_id in self._blocked

    # --- slow answers -----------------------------------------------------------------------

    def delay(
        self,
        method: str,
        seconds: float,
        chat_id: int | str | None = None,
        times: int | None = None,
        *,
        effect_first: bool = True,
    ) -> Delay:
        """Hold the answer of matching calls (``method`` "*" = all) for ``seconds``.

        The call still takes effect (by default before the hold, as when the client times
        out while Telegram already delivered). Other requests are not held.
        """
        rule = Delay(method.lower(), chat_id, seconds, times, effect_first)
        self._delays.append(rule)
        return rule

    def hold(
        self,
        method: str,
        chat_id: int | str,
        seconds: float = math.inf,
        *,
        times: int | None = None,
        effect_first: bool = True,
    ) -> Delay:
        """:meth:`delay` for one chat; by default until ``release()``/:meth:`clear_delays`."""
        return self.delay(method, seconds, chat_id, times, effect_first=effect_first)

    def clear_delays(self) -> None:
        """Drop every delay rule and answer the calls held now."""
        for rule in self._delays + [rule for _, rule in self._holding]:
            rule.release()
        self._delays.clear()

    @property
    def held(self) -> list[ApiCall]:
        """Calls whose answer is being held now."""
        return [call for call, _ in self._holding]

    def _take_delay(self, name: str, params: dict[str, Any]) -> Delay | None:
        self._delays = [rule for rule in self._delays if rule.active]
        for rule in self._delays:
            if rule.matches(name, params):
                rule.matched += 1
                return rule
        return None

    async def _hold(self, rule: Delay, name: str, params: dict[str, Any]) -> None:
        entry = (ApiCall(name, params), rule)
        self._holding.append(entry)
        self._bump()
        try:
            await rule.wait()
        finally:
            self._holding.remove(entry)
            self._bump()

    # --- connection resets ------------------------------------------------------------------

    def reset_connections(
        self, seconds: float = math.inf, *, methods: Iterable[str] | None = None
    ) -> None:
        """For ``seconds`` (default: until :meth:`clear_resets`), close the connection of every
        request (or of ``methods`` only) without an answer; such calls take no effect.

        Long polls waiting now are cut off too.
        """
        names = frozenset(m.lower() for m in methods) if methods is not None else None
        self._reset_windows.append(ResetWindow(time.monotonic() + seconds, names))
        self._bump()

    def clear_resets(self) -> None:
        """End every reset period."""
        self._reset_windows.clear()

    @property
    def reset_count(self) -> int:
        """How many requests were answered by closing the connection."""
        return len(self.resets)

    def _resetting(self, name: str) -> bool:
        now = time.monotonic()
        self._reset_windows = [w for w in self._reset_windows if w.until > now]
        return any(w.methods is None or name.lower() in w.methods for w in self._reset_windows)

    def _abort(self, request: web.Request, name: str, params: dict[str, Any]) -> web.Response:
        self.resets.append(ApiCall(name, params))
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never sent: the connection is gone
