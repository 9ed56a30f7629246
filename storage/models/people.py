"""People, their stories and their check-in schedules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, new_photo_token


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
    # Ids are never reused: on SQLite the migrations (0004) make the table AUTOINCREMENT.
    # (Not said here as ``sqlite_autoincrement``: that alone would load SQLAlchemy's
    # SQLite dialect into a bot running on PostgreSQL.)
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

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
    # the quote was shared knowing the team's members may read it too (not only facilitators)
    for_members: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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
