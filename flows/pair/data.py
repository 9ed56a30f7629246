"""A pair interview as the flows see it, what its steps need loaded, and its effects.

The draft (answers noted so far) lives in one row shared by the two people, never in
either person's stories, until the person interviewed confirms it: then it becomes an
ordinary story of theirs (``CreateStory``, ``SaveAnswer``, ``CompleteStory``) and the row
goes. Every change names the version it read, so that two people acting at once never
overwrite each other (the later step is decided again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.views import AnswerView

LIFETIME = timedelta(days=7)  # an invitation, and a pair left alone, expire after this
START = "pair_"  # the deep link's start parameter: this prefix, then the token


class PairStatus(StrEnum):
    """Where a pair interview stands. Stored: never rename one."""

    OPEN = "open"  # the invitation waits for a colleague
    ASKING = "asking"  # the interviewer notes the answers
    REVIEW = "review"  # the person interviewed has the card, to confirm
    DONE = "done"  # saved; kept (without answers) only so that the two may swap roles


@dataclass(frozen=True)
class PairView:
    """One pair interview, seen by one of its two people (``mine``: they are in it)."""

    id: int
    version: int
    status: PairStatus
    inviter_tells: bool  # True: the inviter is interviewed; False: the inviter asks
    viewer_is_inviter: bool
    mine: bool  # False: found by a link's token, and the viewer is not (yet) in it
    question: str | None = None
    answers: dict[str, AnswerView] = field(default_factory=dict)
    messages: tuple[int, ...] = ()  # the interviewer's chat: messages that hold answers
    partner_chat: int | None = None
    partner_language: str = "en"
    created_at: datetime | None = None
    changed_at: datetime | None = None  # the last step of either person
    elsewhere: bool = False  # the viewer is in another pair interview that is going on

    @property
    def viewer_asks(self) -> bool:
        """Whether the viewer is the interviewer."""
        return self.viewer_is_inviter != self.inviter_tells


@dataclass(frozen=True)
class PairNeeds:
    """Which pair to load: by its link's token, by id, or the person's own (neither)."""

    pair_id: int | None = None
    token: str | None = None


@dataclass(frozen=True)
class CreatePair:
    """A new invitation with this id; only the token's hash is stored. The inviter's
    earlier invitations that nobody accepted go."""

    pair_id: int
    token: str
    inviter_tells: bool


@dataclass(frozen=True)
class ChangePair:
    """The pair as it is now (replacing what ``version`` was): ``accept`` makes the person
    stepping its guest, ``swap`` turns the roles round."""

    pair_id: int
    version: int
    status: PairStatus
    question: str | None
    answers: tuple[tuple[str, AnswerView], ...] = ()
    messages: tuple[int, ...] = ()
    accept: bool = False
    swap: bool = False


@dataclass(frozen=True)
class EndPair:
    """The pair interview is over (stopped, discarded): its row goes, only from the
    version the step read (the partner may have changed it meanwhile)."""

    pair_id: int
    version: int


PairEffect = CreatePair | ChangePair | EndPair
