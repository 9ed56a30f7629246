"""Database tables, as typed SQLAlchemy 2 models, by what they hold.

Free text (what a person wrote) is only ever stored encrypted, e.g. in
``Answer.text_encrypted``. Quick-pick choices are plain option keys in
``Choice`` so that team photos can count them with GROUP BY.
"""

from storage.models.base import Base, UTCDateTime, new_photo_token
from storage.models.engine import InboxUpdate, Lease, OutboxMessage
from storage.models.next_steps import Invitation, NextStep
from storage.models.pairs import PairInterview
from storage.models.people import (
    Answer,
    CheckinSchedule,
    Choice,
    GroupChat,
    Person,
    Setting,
    Story,
)
from storage.models.teams import (
    Facilitator,
    Membership,
    PhotoDelivery,
    PhotoMonth,
    PhotoMonthCount,
    PhotoMonthPerson,
    PhotoMonthQuote,
    PhotoShown,
    PhotoWindow,
    Team,
    TeamInvite,
    TeamMenu,
)

__all__ = [
    "Answer",
    "Base",
    "CheckinSchedule",
    "Choice",
    "Facilitator",
    "GroupChat",
    "InboxUpdate",
    "Invitation",
    "Lease",
    "Membership",
    "NextStep",
    "OutboxMessage",
    "PairInterview",
    "Person",
    "PhotoDelivery",
    "PhotoMonth",
    "PhotoMonthCount",
    "PhotoMonthPerson",
    "PhotoMonthQuote",
    "PhotoShown",
    "PhotoWindow",
    "Setting",
    "Story",
    "Team",
    "TeamInvite",
    "TeamMenu",
    "UTCDateTime",
    "new_photo_token",
]
