"""Database tables, as typed SQLAlchemy 2 models.

Free text (what a person wrote) is only ever stored encrypted, in
``Answer.text_encrypted``. Quick-pick choices are plain option keys in
``Choice`` so that later team photos can count them with GROUP BY.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of all models, with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_photo_token() -> str:
    """A random stand-in for a person in frozen team photos (``PhotoMonthPerson``)."""
    return secrets.token_hex(8)


class Person(Base):
    """Someone who talks to the bot, with where their conversation stands.

    ``id`` is the internal, pseudonymous id used in logs; the Telegram ids
    are only used to reach the person. It is never reused, not even after an
    erasure (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so an old log
    line never points at someone new. ``retention_notice_at``: when the person
    was last told that stories of theirs will be deleted (``storage.retention``).
    ``photo_token``: random; stands for the person in frozen team photos, and once
    the row is erased nothing links it to anyone. ``language_chosen``: the person
    picked ``language`` (False: only guessed from Telegram); ``welcomed``: they saw
    the long first welcome (rows from before these existed count as both).
    """

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("channel", "external_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    join_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    join_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retention_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    photo_token: Mapped[str] = mapped_column(String(16), default=new_photo_token)
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=true())
    welcomed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=true())


class Team(Base):
    """A team (an embassy, a department) whose anonymous photo a facilitator may see."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamInvite(Base):
    """An invite code for a team; only its SHA-256 hash is stored."""

    __tablename__ = "team_invites"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # "member" or "facilitator"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Membership(Base):
    """The one team a person belongs to now."""

    __tablename__ = "memberships"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Facilitator(Base):
    """Someone who may see a team's anonymous photo."""

    __tablename__ = "facilitators"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhotoDelivery(Base):
    """A team photo already delivered to a facilitator for a period."""

    __tablename__ = "photo_deliveries"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    contributions: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhotoMonth(Base):
    """One ended month of a team's photo, frozen the first time a photo needed it.

    Every photo of an ended window is read from its months' frozen rows, so later
    edits and erasures never change what a facilitator saw (nor let two looks be
    subtracted). Counts over the team's storytellers, facilitators of the team left out.
    """

    __tablename__ = "photo_months"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-10" (UTC)
    stories: Mapped[int] = mapped_column(Integer)
    checkins: Mapped[int] = mapped_column(Integer)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhotoWindow(Base):
    """A window's photo as worked out from its frozen months, kept so a year reads one row.

    Only a cache: the same months and ``minimum`` always give the same result. ``counts``: JSON
    ``[[question, option, count], ...]`` of the shown questions; ``withheld``: JSON list.
    """

    __tablename__ = "photo_windows"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026", "2026-Q3"...
    minimum: Mapped[int] = mapped_column(Integer, primary_key=True)
    disclosable: Mapped[bool] = mapped_column(Boolean)
    stories: Mapped[int] = mapped_column(Integer)
    checkins: Mapped[int] = mapped_column(Integer)
    contributors: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)
    withheld: Mapped[str] = mapped_column(Text)
    quotes_shown: Mapped[bool] = mapped_column(Boolean)


class PhotoMonthCount(Base):
    """How many stories and check-ins of a frozen month picked one option."""

    __tablename__ = "photo_month_counts"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    option: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class PhotoMonthPerson(Base):
    """Who (as a ``Person.photo_token``) contributed to a frozen month, per scope.

    Scope ``*``: anything; ``#story``: a story; a question's key: a pick in it. The
    disclosure rule needs the people of each month, not only their number.
    """

    __tablename__ = "photo_month_people"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(16), primary_key=True)


class PhotoMonthQuote(Base):
    """A shared opening answer frozen with its month: gone when withdrawn or erased."""

    __tablename__ = "photo_month_quotes"
    __table_args__ = (Index("ix_photo_month_quotes_team_month", "team_id", "month"),)

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)


class Story(Base):
    """A learning story or check-in: a draft until its card is confirmed.

    ``retention_notice_at``: when its owner was told it will be deleted (None: not yet).
    """

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    quote_released: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    retention_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Answer(Base):
    """The answer to one question of a story: encrypted own words, or skipped."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("story_id", "question"),
        Index("ix_answers_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(32))
    text_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Choice(Base):
    """One quick-pick option a person chose for one question of a story."""

    __tablename__ = "choices"
    __table_args__ = (Index("ix_choices_question_option", "question", "option"),)

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    option: Mapped[str] = mapped_column(String(32), primary_key=True)


class CheckinSchedule(Base):
    """When and how a person wants check-ins, and when the next one is due.

    ``next_checkin_at`` (UTC) is the truth the dispatcher reads; it is computed
    from the local rule by ``flows.checkins.schedule``. ``claimed_until`` is the lease of
    a dispatcher that is sending this checkin right now. ``place`` is where the person
    said they are, as they named it ("" when only the zone is known), chosen at
    ``placed_at``.
    """

    __tablename__ = "checkin_schedules"
    __table_args__ = (Index("ix_checkin_schedules_due", "next_checkin_at"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    zone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(200))
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rhythm: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[int] = mapped_column(Integer)
    at_minute: Mapped[int] = mapped_column(Integer)
    weekend: Mapped[str] = mapped_column(String(16))
    paused_until: Mapped[date | None] = mapped_column(Date)
    next_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


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
    __table_args__ = (  # ids never reused on SQLite: the sender tracks deliveries by id
        Index("ix_outbox_chat", "bot_id", "chat_id", "id"),
        {"sqlite_autoincrement": True},
    )

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


class GroupChat(Base):
    """A group chat already pointed to a private chat, as a keyed hash (not a person's)."""

    __tablename__ = "group_chats"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Setting(Base):
    """Installation-wide values, such as the check that the key fits the data."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
