"""What the team flows may look at: teams, invites, rules and a team's photo data.

Loaded by the runner when ``Needs.teams`` asks for it. ``PhotoData`` is the
result of counting in SQL; when the period may not be shown it carries no
numbers at all, so nothing downstream can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flows.menu.team_card import TeamCard
from flows.menu.views import SharedDish
from flows.teams.periods import Period
from flows.teams.rhythm import DeliveryRhythm


class Role(StrEnum):
    """What an invite makes of the person who uses it. Stored: never rename one."""

    MEMBER = "member"
    FACILITATOR = "facilitator"

    @property
    def link_prefix(self) -> str:
        """The start of a deep-link payload for this role ('j' or 'f')."""
        return "j" if self is Role.MEMBER else "f"


@dataclass(frozen=True)
class TeamRef:
    """A team as people see it: its id and its name."""

    id: int
    name: str


@dataclass(frozen=True)
class InviteView:
    """A valid (stored, not revoked) invite code and where it leads."""

    code: str
    team: TeamRef
    role: Role


@dataclass(frozen=True)
class TeamRules:
    """The installation's rules for teams (from the settings; the group size is policy)."""

    join_attempts: int = 5
    join_lock: timedelta = timedelta(hours=1)
    quotes: int = 3
    delivery: DeliveryRhythm = DeliveryRhythm.MONTHLY  # photos sent unasked (told to facilitators)


@dataclass(frozen=True)
class PhotoRules:
    """What counting a team photo obeys: the group size, how many quotes, and the
    question that opens a story (quotes come from its answers)."""

    minimum: int
    quotes: int
    opening_key: str


@dataclass(frozen=True)
class OptionCount:
    """How many stories picked one option of one question."""

    question: str
    option: str
    count: int


@dataclass(frozen=True)
class PhotoData:
    """The counted photo of a team for a period; numbers only when ``disclosable``."""

    team: TeamRef
    period: Period
    disclosable: bool
    stories: int = 0
    checkins: int = 0
    contributors: int = 0
    counts: tuple[OptionCount, ...] = ()
    withheld: frozenset[str] = frozenset()  # questions too few people answered
    quotes: tuple[str, ...] = ()
    # quotes shared knowing the team's members may read them too: all a photo for the
    # team may hold (a member's photo, the session kit a facilitator forwards)
    team_quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberPhotos:
    """What the members of the person's own team may see of its photo.

    ``shown``: the windows a facilitator has seen, loaded only when ``see`` (the
    facilitators let members see them); ``photo`` and ``previous`` (the window of the
    same length before it): loaded only for a window open to the members.
    """

    see: bool
    shown: frozenset[Period] = frozenset()
    photo: PhotoData | None = None
    previous: PhotoData | None = None


@dataclass(frozen=True)
class TeamNeeds:
    """What to load for a team step: a code to look up, a photo, every team (admins)."""

    invite_code: str | None = None
    photo: tuple[int, Period] | None = None
    member_photos: bool = False  # which windows of their own team's photo a member may see
    member_photo: tuple[int, Period] | None = None  # and this one's photo, if open to them
    all_teams: bool = False
    menu: int | None = None  # the card of this team (only one the person facilitates)
    own_menu: bool = False  # the card of the team the person belongs to


@dataclass(frozen=True)
class TeamsView:
    """A person's teams: where they belong, what they facilitate, what was looked up.

    ``new_codes`` are two fresh random codes, should this step create invites.
    ``photo`` is only loaded for a team the person facilitates at this moment, with
    ``previous``: the window of the same length before it.
    ``hidden_from_members``: the facilitated teams whose members do not see the photo.
    """

    rules: TeamRules
    new_codes: tuple[str, str]
    team: TeamRef | None = None
    facilitates: tuple[TeamRef, ...] = ()
    join_failures: int = 0
    join_locked_until: datetime | None = None
    invite: InviteView | None = None
    photo: PhotoData | None = None
    previous: PhotoData | None = None
    members: MemberPhotos | None = None  # of the person's own team, when asked for
    hidden_from_members: frozenset[int] = frozenset()
    all_teams: tuple[TeamRef, ...] = ()
    menu: TeamCard | None = None  # the team card ``TeamNeeds`` asked for, if allowed
    shared_dishes: tuple[SharedDish, ...] = ()  # with that card: own dishes its people shared

    def facilitated(self, team_id: int | None) -> TeamRef | None:
        """The team with this id if the person facilitates it now, else None."""
        return next((t for t in self.facilitates if t.id == team_id), None)
