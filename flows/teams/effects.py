"""What the team flows ask storage to do, as plain data (applied by ``storage.effects``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.menu.team_card import TeamCard
from flows.teams.periods import Period
from flows.teams.views import Role


@dataclass(frozen=True)
class CreateTeam:
    """A new team, with a member code and a facilitator code."""

    name: str
    member_code: str
    facilitator_code: str


@dataclass(frozen=True)
class NewInvite:
    """A new code for a team and role; earlier codes of that role stop working."""

    team_id: int
    role: Role
    code: str


@dataclass(frozen=True)
class RevokeInvites:
    """Every code of a team stops working."""

    team_id: int


@dataclass(frozen=True)
class JoinTeam:
    """The person now belongs to this team (and to no other); failed tries are forgotten."""

    team_id: int


@dataclass(frozen=True)
class LeaveTeam:
    """The person leaves their team; their stories keep the team they were told in."""


@dataclass(frozen=True)
class BecomeFacilitator:
    """The person facilitates this team; the facilitator code is used up."""

    team_id: int
    code: str


@dataclass(frozen=True)
class JoinFailed:
    """A wrong code: count it, and lock further tries until ``locked_until`` if given."""

    locked_until: datetime | None = None


@dataclass(frozen=True)
class ShareQuote:
    """Share (or stop sharing) a story's opening answer with its team's facilitators."""

    story_id: int
    shared: bool


@dataclass(frozen=True)
class SaveTeamCard:
    """The team's learning menu as its facilitator composed it (stored only if they
    facilitate the team)."""

    team_id: int
    card: TeamCard


@dataclass(frozen=True)
class PhotoSeen:
    """A facilitator saw a window's photo that may be shown: from now on the team's
    members may see it too (stored only if they facilitate the team)."""

    team_id: int
    period: Period


@dataclass(frozen=True)
class MembersSeePhoto:
    """Whether the team's members see the windows its facilitators have seen (stored
    only if the person facilitates the team)."""

    team_id: int
    see: bool


TeamEffect = (
    CreateTeam
    | NewInvite
    | RevokeInvites
    | JoinTeam
    | LeaveTeam
    | BecomeFacilitator
    | JoinFailed
    | ShareQuote
    | SaveTeamCard
    | PhotoSeen
    | MembersSeePhoto
)
