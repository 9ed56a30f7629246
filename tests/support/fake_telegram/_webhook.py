"""Webhook delivery of FakeTelegram: queued updates are POSTed to the bot like Telegram does."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import aiohttp

from ._model import ApiError

if TYPE_CHECKING:
    from ._methods import Files, Handler, Params

T = TypeVar("T")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
Router = Callable[[dict[str, Any], int], int]
"""(update, attempt number from 1) -> index into the webhook targets."""


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update; ``status`` is None when no answer came (see ``error``)."""

    update_id: int
    chat_id: int | None
    url: str
    status: int | None
    error: str | None  # "timeout", "cancelled" or an aiohttp exception name
    started: float  # time.monotonic()
    finished: float

    @property
    def accepted(self) -> bool:
        """Whether the bot took the update (a 2xx answer)."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


def update_chat_id(update: dict[str, Any]) -> int | None:
    """The chat (else the sender) an update belongs to; its updates are pushed in order."""
    payload = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(payload, dict):
        return None
    message = payload.get("message")
    chat = payload.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
    sender = payload.get("from") or payload.get("user")
    for owner in (chat, sender):
        if isinstance(owner, dict) and "id" in owner:
            return int(owner["id"])
    return None


class WebhookMixin:
    """setWebhook/deleteWebhook/getWebhookInfo and the pusher; mixed into FakeTelegram."""

    webhook_url: str
    webhook_secret: str | None
    webhook_max_connections: int
    webhook_targets: list[str] | None
    webhook_timeout: float
    webhook_retry_delay: float
    webhook_attempts: list[WebhookAttempt]
    _updates: list[dict[str, Any]]
    _allowed_updates: frozenset[str] | None
    _last_activity: float

    if TYPE_CHECKING:

        def _bump(self) -> None: ...
        async def _wait_change(self, seconds: float) -> None: ...
        def _deliverable(self, update: dict[str, Any]) -> bool: ...
        async def wait_for(
            self,
            predicate: Callable[[], T | None],
            timeout: float = ...,  # noqa: ASYNC109
            *,
            what: str | Callable[[], str] = ...,
        ) -> T: ...

    def _init_webhook(self, timeout: float, retry_delay: float) -> None:
        self.webhook_url = ""
        self.webhook_secret = None
        self.webhook_max_connections = 40
        self.webhook_targets = None
        self.webhook_timeout = timeout
        self.webhook_retry_delay = retry_delay
        self.webhook_attempts = []
        self._wh_route: Literal["chat", "round_robin"] | Router = "chat"
        self._wh_inflight: dict[int, asyncio.Task[None]] = {}
        self._wh_retry_at: dict[int, float] = {}
        self._wh_tasks: set[asyncio.Task[None]] = set()
        self._wh_pusher: asyncio.Task[None] | None = None
        self._wh_session: aiohttp.ClientSession | None = None
        self._wh_turn = itertools.count()
        self._wh_last_error: tuple[int, str] | None = None

    def webhook_methods(self) -> dict[str, Handler]:
        """The webhook Bot API methods."""
        return {
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    # --- test API ---------------------------------------------------------------------------

    def set_webhook(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        max_connections: int = 40,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool = False,
    ) -> None:
        """What setWebhook does: start pushing queued updates to ``url`` (empty: stop)."""
        if drop_pending_updates:
            self._updates.clear()
        if not url:
            self.delete_webhook()
            return
        if allowed_updates is not None:
            self._allowed_updates = frozenset(allowed_updates) or None
        self.webhook_url = url
        self.webhook_secret = secret_token or None
        self.webhook_max_connections = max_connections
        if self._wh_pusher is None:
            self._wh_pusher = self._spawn(self._push())
        self._bump()

    def delete_webhook(self, *, drop_pending_updates: bool = False) -> None:
        """What deleteWebhook does: stop pushing; POSTs in flight are cut off (not accepted)."""
        self.webhook_url = ""
        self.webhook_secret = None
        if drop_pending_updates:
            self._updates.clear()
        for task in self._wh_tasks:
            task.cancel()
        self._wh_pusher = None
        self._wh_inflight.clear()
        self._bump()

    def spread_webhook(
        self,
        urls: Sequence[str] | None,
        *,
        by: Literal["chat", "round_robin"] | Router = "chat",
    ) -> None:
        """Deliver to these URLs instead of the webhook URL (None: back to it).

        ``by="chat"``: chat id modulo the number of URLs, a re-delivery goes to the next
        URL; ``"round_robin"``: every POST to the next URL; or a function
        ``(update, attempt) -> index``. Each POST still carries the secret token.
        """
        self.webhook_targets = list(urls) if urls else None
        self._wh_route = by

    @property
    def webhook_active(self) -> bool:
        """Whether a webhook is set (updates are pushed, getUpdates is refused)."""
        return bool(self.webhook_url)

    @property
    def webhook_in_flight(self) -> int:
        """POSTs waiting for an answer now."""
        return len(self._wh_inflight)

    def webhook_posts(self, update_id: int) -> int:
        """How many times the update was POSTed."""
        return sum(1 for a in self.webhook_attempts if a.update_id == update_id)

    @property
    def webhook_accepted(self) -> list[int]:
        """Update ids the bot accepted, in the order it did."""
        return [a.update_id for a in self.webhook_attempts if a.accepted]

    @property
    def webhook_statuses(self) -> Counter[int | str]:
        """How often each answer was seen: HTTP status, or the error when there was none."""
        return Counter(
            a.status if a.status is not None else str(a.error) for a in self.webhook_attempts
        )

    async def wait_webhook_idle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was accepted and no POST is in flight."""
        await self.wait_for(
            lambda: not self._updates and not self._wh_inflight,
            timeout,
            what=lambda: (
                f"webhook idle ({len(self._updates)} queued, {len(self._wh_inflight)} in flight,"
                f" answers so far {dict(self.webhook_statuses)})"
            ),
        )

    # --- pushing ----------------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._wh_tasks.add(task)
        task.add_done_callback(self._wh_tasks.discard)
        return task

    async def _push(self) -> None:
        while True:
            await self._wait_change(self._dispatch())

    def _dispatch(self) -> float:
        """Start the POSTs that may go now; returns seconds until a retry is due."""
        if not self.webhook_url:
            return 1.0
        now = time.monotonic()
        self._updates = [u for u in self._updates if self._deliverable(u)]
        busy: set[int] = set()
        wake = 1.0
        for update in self._updates:
            update_id, chat_id = update["update_id"], update_chat_id(update)
            if chat_id is not None:
                if chat_id in busy:  # an earlier update of this chat is not accepted yet
                    continue
                busy.add(chat_id)
            if update_id in self._wh_inflight:
                continue
            due = self._wh_retry_at.get(update_id, 0.0) - now
            if due > 0:
                wake = min(wake, due)
                continue
            if len(self._wh_inflight) >= self.webhook_max_connections:
                break
            self._wh_inflight[update_id] = self._spawn(self._deliver(update, chat_id))
        return wake

    def _target(self, update: dict[str, Any], chat_id: int | None, attempt: int) -> str:
        targets = self.webhook_targets or [self.webhook_url]
        if callable(self._wh_route):
            index = self._wh_route(update, attempt)
        elif self._wh_route == "round_robin":
            index = next(self._wh_turn)
        else:
            index = (update["update_id"] if chat_id is None else chat_id) + attempt - 1
        return targets[index % len(targets)]

    async def _deliver(self, update: dict[str, Any], chat_id: int | None) -> None:
        update_id = update["update_id"]
        url = self._target(update, chat_id, self.webhook_posts(update_id) + 1)
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        if self._wh_session is None:  # no keep-alive: a restarted receiver is reached anew
            connector = aiohttp.TCPConnector(limit=0, force_close=True)
            self._wh_session = aiohttp.ClientSession(connector=connector)
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            async with self._wh_session.post(
                url, json=update, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                await response.read()
        except asyncio.CancelledError:
            error = "cancelled"
            raise
        except TimeoutError:
            error = "timeout"
        except Exception as exc:  # a connection error, or a bad URL: try again later
            error = type(exc).__name__
        finally:
            attempt = WebhookAttempt(
                update_id, chat_id, url, status, error, started, time.monotonic()
            )
            self._delivered(attempt)

    def _delivered(self, attempt: WebhookAttempt) -> None:
        self.webhook_attempts.append(attempt)
        if self._wh_inflight.get(attempt.update_id) is asyncio.current_task():
            del self._wh_inflight[attempt.update_id]
        if attempt.accepted:
            self._updates = [u for u in self._updates if u["update_id"] != attempt.update_id]
            self._wh_retry_at.pop(attempt.update_id, None)
            self._last_activity = time.monotonic()
        elif attempt.error != "cancelled":
            self._wh_retry_at[attempt.update_id] = time.monotonic() + self.webhook_retry_delay
            if attempt.status is not None:
                message = f"Wrong response from the webhook: {attempt.status}"
            else:
                message = (
                    "Read timeout expired" if attempt.error == "timeout" else "Connection refused"
                )
            self._wh_last_error = (int(time.time()), message)
        self._bump()

    async def _close_webhook(self) -> None:
        """Cancel the pusher and every POST in flight; close the HTTP client."""
        tasks = list(self._wh_tasks)
        for task in tasks:
            task.cancel()
        self._wh_pusher = None
        self._wh_inflight.clear()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._wh_session is not None:
            session, self._wh_session = self._wh_session, None
            await session.close()

    # --- Bot API methods --------------------------------------------------------------------

    def _set_webhook(self, params: Params, files: Files) -> bool:
        url = str(params.get("url") or "")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be in 1..100")
        self.set_webhook(
            url,
            secret_token=None if secret is None else str(secret),
            max_connections=max_connections,
            allowed_updates=params.get("allowed_updates"),
            drop_pending_updates=bool(params.get("drop_pending_updates")),
        )
        return True

    def _delete_webhook(self, params: Params, files: Files) -> bool:
        self.delete_webhook(drop_pending_updates=bool(params.get("drop_pending_updates")))
        return True

    def _get_webhook_info(self, params: Params, files: Files) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._wh_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._wh_last_error
        return info
