"""A pair interview: two colleagues, one story being noted. The row holds the draft
(encrypted) until the person interviewed confirms it as theirs; it is deleted when the
interview is stopped or discarded, and by retention once it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class PairInterview(Base):
    """One pair interview between an inviter and the colleague who accepted (``guest_id``).

    ``token_hash``: the SHA-256 of the invitation link's token (the token itself is never
    stored). ``inviter_tells``: the inviter is interviewed (else the inviter asks).
    ``status``: "open", "asking", "review" or "done" (``flows.pair.data.PairStatus``).
    ``answers_encrypted``: the answers noted so far, as encrypted JSON. ``messages``: ids
    of the interviewer's chat messages that hold answers (deleted at the end), as JSON.
    ``version`` grows with every change: two people acting at once never overwrite
    each other.
    """

    __tablename__ = "pair_interviews"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    inviter_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    guest_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    inviter_tells: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    question: Mapped[str | None] = mapped_column(String(16))
    answers_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    messages: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
