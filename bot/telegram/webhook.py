"""Webhook mode: Telegram POSTs updates; we answer 200 only once they are committed.

python-telegram-bot's built-in webhook server answers as soon as an update is
queued in memory; here (aiohttp.web) the answer waits for the inbox commit, so an
update is either stored or sent again by Telegram. A request without the right
``X-Telegram-Bot-Api-Secret-Token`` gets 403 and nothing is stored. ``/healthz``
says the process is alive, ``/readyz`` that its database answers.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import text
from telegram.ext import ExtBot

from bot.engine.engine import Engine
from bot.telegram.updates import received_from

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


Aside = Callable[[Mapping[str, Any]], bool]


def webhook_app(
    bot: ExtBot[None], engine: Engine, *, path: str, secret: str, aside: Aside | None = None
) -> web.Application:
    """The HTTP application: the webhook path, /healthz and /readyz. ``aside`` takes the
    updates that need no inbox (inline queries, ``bot.telegram.inline``)."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("refused a webhook request without the right secret")
            return web.Response(status=403, text="forbidden")
        try:
            data: Any = await request.json()
            if aside is not None and isinstance(data, dict) and aside(data):
                return web.Response(text="ok")
            received = received_from(bot, data)
        except Exception:
            return web.Response(status=400, text="not an update")
        try:
            await engine.receive([received])
        except Exception as exc:  # Telegram sends it again later
            log.warning("could not store an update (%s); Telegram retries", type(exc).__name__)
            return web.Response(status=503, text="try again")
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="alive")

    async def readyz(_request: web.Request) -> web.Response:
        try:
            async with engine.database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("not ready: the database does not answer (%s)", type(exc).__name__)
            return web.Response(status=503, text="database unreachable")
        return web.Response(text="ready")

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def serve_webhook(
    bot: ExtBot[None],
    engine: Engine,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str,
    aside: Aside | None = None,
) -> web.AppRunner:
    """Start serving; the caller cleans the returned runner up."""
    app = webhook_app(bot, engine, path=path, secret=secret, aside=aside)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    log.info("webhook listening on %s:%d", listen, port)
    return runner
