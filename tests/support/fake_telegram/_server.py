"""The FakeTelegram server: HTTP plumbing, long polling and the person API."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from ._faults import BLOCKED, Delay, FaultsMixin, ResetConnection, ResetWindow
from ._inline import InlineAnswer, InlineMixin
from ._inspect import InspectMixin
from ._methods import BotMethods
from ._model import (
    ApiCall,
    ApiError,
    BotMessage,
    CallbackAnswer,
    ChatState,
    ErrorRecord,
    Failure,
    UploadedFile,
)
from ._user import FakeUser
from ._webhook import WebhookMixin
from ._wire import read_params

_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class FakeTelegram(InspectMixin, BotMethods, FaultsMixin, WebhookMixin, InlineMixin):
    """A fake Bot API server on 127.0.0.1 for end-to-end tests with a real PTB Application.

    ``webhook_timeout``/``webhook_retry_delay``: seconds a webhook POST may take, and to wait
    before a failed one is sent again. ``inline_mode``: switched on with BotFather (getMe
    says so, and answerInlineQuery is refused without it).
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        username: str = "leerverhaal_test_bot",
        first_name: str = "Leerverhaal",
        settle: float = 0.2,
        webhook_timeout: float = 60.0,
        webhook_retry_delay: float = 1.0,
        inline_mode: bool = True,
    ) -> None:
        self.token = token
        self.settle = settle
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[ApiCall] = []
        self.errors: list[ErrorRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.documents: list[UploadedFile] = []
        self.photos: list[UploadedFile] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}
        self.send_times: dict[int, list[float]] = {}
        self.get_updates_calls = 0
        self.resets: list[ApiCall] = []
        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, UploadedFile] = {}
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._open_inline: dict[str, dict[str, Any]] = {}
        self.inline_answers: list[InlineAnswer] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(100001)
        self._file_ids = itertools.count(1)
        self._delivered_upto = 0
        self._allowed_updates: frozenset[str] | None = None
        self._failures: list[Failure] = []
        self._blocked: set[int] = set()
        self._delays: list[Delay] = []
        self._holding: list[tuple[ApiCall, Delay]] = []
        self._reset_windows: list[ResetWindow] = []
        self._event = asyncio.Event()
        self._last_activity = time.monotonic()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._init_webhook(webhook_timeout, webhook_retry_delay)
        table = self.method_table() | self.webhook_methods() | self.inline_methods()
        self._handlers = {name.lower(): (name, fn) for name, fn in table.items()}

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start serving on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        self._closing = False
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop pushing, answer held calls and pending long polls, and stop the server."""
        self._closing = True
        await self._close_webhook()
        self.clear_delays()
        self.clear_resets()
        self._bump()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # --- HTTP -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        name, handler = self._handlers.get(method.lower(), (method, None))
        params: dict[str, Any] = {}
        delay: Delay | None = None
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params, files = await read_params(request)
            if self._resetting(name):
                raise ResetConnection
            delay = self._take_delay(name, params)
            if delay is not None and not delay.effect_first:
                await self._hold(delay, name, params)
                delay = None
            if name == "getUpdates":
                self.get_updates_calls += 1
            else:
                self.calls.append(ApiCall(name, params))
                self._last_activity = time.monotonic()
            if handler is None and name != "getUpdates":
                raise ApiError(404, "Not Found")
            self._check_injected(name, params)
            if name == "getUpdates":
                result = await self._get_updates(params)
            else:
                if params.get("chat_id") in self._blocked:
                    raise ApiError(403, BLOCKED, violation=False)
                assert handler is not None
                result = handler(params, files)
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ResetConnection:
            return self._abort(request, name, params)
        except ApiError as error:
            if error.violation or error.injected or error.error_code != 409:
                # (a long poll superseded by the next one, as on PTB's stop, is not recorded)
                self.errors.append(
                    ErrorRecord(
                        name,
                        params.get("chat_id"),
                        error.error_code,
                        error.description,
                        error.violation,
                        error.injected,
                    )
                )
            body, status = error.to_json(), error.error_code
        finally:
            self._bump()
        if delay is not None:
            await self._hold(delay, name, params)
        return web.json_response(body, status=status)

    async def _download(self, request: web.Request) -> web.Response:
        file = self._files.get(request.match_info["path"].rsplit("/", 1)[-1])
        if request.match_info["token"] != self.token or file is None or file.content is None:
            raise web.HTTPNotFound()
        mime_type = file.mime_type or "application/octet-stream"
        return web.Response(body=file.content, content_type=mime_type)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        if params.get("allowed_updates") is not None:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        while True:
            if self._resetting("getUpdates"):
                raise ResetConnection
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                    violation=False,
                )
            self._updates = [u for u in self._updates if self._deliverable(u)]
            batch = self._updates[:limit]
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0:
                break
            await self._wait_change(remaining)
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
        return batch

    def _deliverable(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    # --- state used by FakeUser -------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update of ``kind`` (e.g. "message") for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, kind: payload})
        if kind == "callback_query":
            self._open_queries[payload["id"]] = payload
        self._bump()
        return update_id

    def chat_state(self, chat: dict[str, Any]) -> ChatState:
        """The state of a chat, created on first use."""
        state = self._chats.get(chat["id"])
        if state is None:
            state = self._chats[chat["id"]] = ChatState(chat=chat)
        return state

    def register_file(self, file: UploadedFile) -> None:
        """Make a file a person sent downloadable via getFile."""
        self._files[file.file_id] = file

    # --- public test API --------------------------------------------------------------------

    def user(
        self,
        user_id: int | None = None,
        first_name: str = "Alex",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """A simulated person (the same object for the same id); private chat id = user id."""
        if user_id is None:
            user_id = next(self._user_ids)
        if user_id not in self._users:
            self._users[user_id] = FakeUser(
                self,
                user_id,
                first_name,
                language_code=language_code,
                username=username,
                last_name=last_name,
            )
        return self._users[user_id]

    def messages_in(self, chat_id: int) -> list[BotMessage]:
        """All bot messages sent to a chat, deleted ones included, in order."""
        state = self._chats.get(chat_id)
        return list(state.bot_messages) if state else []

    def sent_count(self, chat_id: int) -> int:
        """How many messages the bot sent to a chat (deleted ones included)."""
        return len(self.messages_in(chat_id))

    def summary(self, limit: int = 15) -> str:
        """What the bot did, plus held calls, resets and webhook answers (no message texts)."""
        extra = f"held calls: {len(self._holding)}, connection resets: {len(self.resets)}"
        if self.webhook_url:
            extra += (
                f", webhook POSTs in flight: {self.webhook_in_flight},"
                f" answers: {dict(self.webhook_statuses)}"
            )
        return f"{super().summary(limit)}\n{extra}"
