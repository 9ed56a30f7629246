"""Logs without people in them.

Libraries log whole updates, API requests, SQL parameters and result rows at
DEBUG (python-telegram-bot's "Processing update ...", aiosqlite's statements,
SQLAlchemy's rows): their debug records are dropped at the logger, whatever
level is configured. Exception messages may quote data too (a database's
"Key (external_id)=(...) already exists"), so errors are logged with their
types and frames only.
"""

from __future__ import annotations

import logging
import traceback

PAYLOAD_LOGGERS = ("telegram", "httpx", "httpcore", "aiosqlite", "asyncpg", "sqlalchemy")


class WithoutDebugPayloads(logging.Filter):
    """Lets a library's records through from INFO up; its DEBUG records carry payloads."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_FILTER = WithoutDebugPayloads()


def keep_people_out_of_logs() -> None:
    """Put the filter on every logger of the libraries above (idempotent)."""
    known = [
        name for name in logging.root.manager.loggerDict if name.split(".")[0] in PAYLOAD_LOGGERS
    ]
    for name in {*PAYLOAD_LOGGERS, *known}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def without_messages(error: BaseException) -> str:
    """A traceback with every exception's type and frames, but none of their messages."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(exc.__traceback__))
        + f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)"
        for exc in reversed(chain)
    ]
    return "\n\nwhich led to:\n\n".join(parts)
