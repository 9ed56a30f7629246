"""Read-only snapshots of stored data that a flow needs to decide a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flows.checkins.schedule import CheckinRule
from flows.menu.invitation_data import InvitationView
from flows.menu.views import NextStepRecord, NextStepView
from flows.pair.data import PairNeeds, PairView
from flows.policy import PrivacyPolicy
from flows.states import State, StoryKind, StoryStatus
from flows.teams.views import TeamNeeds, TeamsView


@dataclass(frozen=True)
class AnswerView:
    """One stored answer: own words (decrypted), picked option keys, or skipped."""

    text: str | None = None
    choices: tuple[str, ...] = ()
    skipped: bool = False

    @property
    def is_empty(self) -> bool:
        """True when nothing was said or picked."""
        return not self.text and not self.choices


@dataclass(frozen=True)
class StoryView:
    """A story with all its answers, keyed by question."""

    id: int
    kind: StoryKind
    status: StoryStatus
    created_at: datetime
    answers: dict[str, AnswerView] = field(default_factory=dict)
    team_id: int | None = None  # the team it was told in
    quote_released: bool = False  # its opening is shared anonymously with the team
    quote_for_members: bool = False  # shared knowing the team's members may read it too

    def answer(self, question: str) -> AnswerView:
        """The answer to a question, or an empty one."""
        return self.answers.get(question, AnswerView())


@dataclass(frozen=True)
class StoryHeader:
    """One line of the story list."""

    id: int
    kind: StoryKind
    status: StoryStatus
    created_at: datetime
    title: str | None


@dataclass(frozen=True)
class EditedAnswer:
    """Which answer an edited message belongs to."""

    story_id: int
    question: str


@dataclass(frozen=True)
class CheckinView:
    """A person's check-in settings and where their schedule stands."""

    rule: CheckinRule
    next_at: datetime | None = None
    last_at: datetime | None = None
    unanswered: int = 0


@dataclass(frozen=True)
class Needs:
    """What the runner must load from storage before calling the flow."""

    story_ids: frozenset[int] = frozenset()
    story_list: bool = False
    edited_message_id: int | None = None
    export: bool = False  # everything about the person (flows.records)
    teams: TeamNeeds | None = None  # the person's teams, and what a team step looks up
    next_step: bool = False  # the person's open next step (flows.menu)
    invitations: bool = False  # the person's invitation cards (flows.menu.invitation)
    pair: PairNeeds | None = None  # a pair interview (flows.pair)


@dataclass(frozen=True)
class PersonView:
    """Everything a flow may look at for one person, loaded by the runner.

    ``stories`` holds only the requested stories that belong to this person:
    a story id that is missing here does not exist or is someone else's.
    """

    language: str
    state: State
    now: datetime
    new_story_id: int
    stories: dict[int, StoryView] = field(default_factory=dict)
    story_list: tuple[StoryHeader, ...] | None = None
    edited: EditedAnswer | None = None
    checkin: CheckinView | None = None
    last_active: datetime | None = None
    record: PersonRecord | None = None  # loaded when Needs.export
    policy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    is_admin: bool = False  # may create teams and invites
    bot_username: str | None = None  # for invite links (t.me/<bot>?start=...)
    inline_mode: bool = False  # the bot answers inline queries (switched on with BotFather)
    teams: TeamsView | None = None  # loaded when Needs.teams
    language_chosen: bool = True  # False: only guessed (Telegram's language_code), not asked
    welcomed: bool = True  # False: the long first welcome was never shown
    next_step: NextStepView | None = None  # the open one, loaded when Needs.next_step
    invitations: tuple[InvitationView, ...] | None = None  # newest first, when Needs.invitations
    pair: PairView | None = None  # loaded when Needs.pair (None: none, or not theirs)
    pair_token: str = ""  # when Needs.pair: a fresh random token for a new invitation


# --- everything stored about one person, as plain data: what /export hands over ----


@dataclass(frozen=True)
class TeamRecord:
    """A team the person belongs to or facilitates, and since when."""

    name: str
    since: datetime


@dataclass(frozen=True)
class PhotoRecord:
    """A team photo the person received as a facilitator (counts only, never words)."""

    team: str
    period: str
    delivered_at: datetime


@dataclass(frozen=True)
class StoryRecord:
    """A story with its decrypted answers and what storage keeps around it."""

    story: StoryView
    updated_at: datetime
    completed_at: datetime | None
    team: str | None
    retention_notice_at: datetime | None = None  # when its owner was told it will be deleted


@dataclass(frozen=True)
class PersonRecord:
    """One person's data, complete: identity, settings, team, stories."""

    channel: str
    external_id: int
    chat_id: int | None
    language: str
    first_contact: datetime
    checkin: CheckinView | None
    team: TeamRecord | None
    facilitates: tuple[TeamRecord, ...]
    photos: tuple[PhotoRecord, ...]
    stories: tuple[StoryRecord, ...]
    checkins_blocked: bool = False  # check-ins stopped: Telegram said the bot was blocked
    join_failures: int = 0  # team codes that did not work, since the last one that did
    join_locked_until: datetime | None = None  # no /join until then, after too many
    retention_notice_at: datetime | None = None  # last told that stories will be deleted
    next_steps: tuple[NextStepRecord, ...] = ()  # ordered from the menu or followed up
    invitations: tuple[InvitationView, ...] = ()  # prepared cards, oldest first
