"""What a person takes from the learning menu: the next steps they ordered, and the
invitation cards they prepared for colleagues. Both are theirs alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class NextStep(Base):
    """A dish ordered as a next step, or a story's "what will help next" to follow up.

    ``dish``: a menu dish key, or "" for the person's own dish (``own_dish_encrypted``,
    their words) or, with neither, the next-step answer of ``story_id``. ``due``:
    "week", "month" or "" (no date). ``status``: "open" until it is "done", "not_for_me",
    "let_go" (three check-ins without it) or "replaced" (another chosen). ``asked``:
    check-ins that asked about it while it stayed open. ``shared``: the person agreed
    that their team's facilitators may see their own dish (without their name) and put
    it on the team's card. ``team_id``: the team the person
    was in when they chose it (none: no team); frozen team photos count it there.
    """

    __tablename__ = "next_steps"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    dish: Mapped[str] = mapped_column(String(64), default="")
    own_dish_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    due: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    asked: Mapped[int] = mapped_column(Integer, default=0)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Invitation(Base):
    """An invitation card a person prepared for a colleague (encrypted, as they edited
    it), kept so that inline mode (``@bot`` in any chat) can offer it to them."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    dish: Mapped[str] = mapped_column(String(64))
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
