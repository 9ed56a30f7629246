"""Teams, who is in them, and the frozen months their photos are made of."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Team(Base):
    """A team (an embassy, a department) whose anonymous photo a facilitator may see."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Members see the photo of a window once it has been shown to a facilitator.
    members_see_photo: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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


class PhotoShown(Base):
    """A window of a team's photo a facilitator has seen: from then on its members may too."""

    __tablename__ = "photo_shown"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    # the window's end, not the moment of the look: no facilitator's activity is kept
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
    for_members: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TeamMenu(Base):
    """A team's learning menu as its facilitator composed it (``flows.menu.team_card``
    JSON: shipped dishes hidden or moved, own dishes in the facilitator's words)."""

    __tablename__ = "team_menus"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    card: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
