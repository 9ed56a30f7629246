"""What the engine keeps: the inbox of updates, the outbox of replies, leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class InboxUpdate(Base):
    """A Telegram update, committed before Telegram is told it arrived; handled once.

    ``payload`` (the update's JSON, encrypted) and ``lane`` (the chat it came
    from, for keeping one person's updates in order) are cleared the moment it is
    handled; the bare key is kept two days, so an update Telegram sends again is
    recognised. ``claimed_until``: the lease of the instance handling it now.
    """

    __tablename__ = "inbox_updates"
    __table_args__ = (Index("ix_inbox_updates_lane", "bot_id", "lane", "update_id"),)

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lane: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class OutboxMessage(Base):
    """What the bot decided to say and has not yet said; deleted once Telegram took it.

    ``payload``: the replies (encrypted JSON, see ``storage.outbox``). ``sent_parts``:
    how many of them went out before a failure. ``claimed_until``: the lease of the
    sender holding it.
    """

    __tablename__ = "outbox"
    # Ids are never reused (the sender tracks deliveries by id): on SQLite the migrations
    # make the table AUTOINCREMENT (see ``Person``).
    __table_args__ = (Index("ix_outbox_chat", "bot_id", "chat_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_parts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Lease(Base):
    """A role only one instance may hold at a time (the sender), until ``expires_at``."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
