"""Read-only snapshots of stored data that a flow needs to decide a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from flows.policy import PrivacyPolicy
from flows.schedule import NudgeRule
from flows.states import State, StoryKind, StoryStatus
from flows.team_views import TeamNeeds, TeamsView

if TYPE_CHECKING:
    from flows.records import PersonRecord


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
class NudgeView:
    """A person's check-in settings and where their schedule stands."""

    rule: NudgeRule
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
    nudge: NudgeView | None = None
    last_active: datetime | None = None
    record: PersonRecord | None = None  # loaded when Needs.export
    policy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    is_admin: bool = False  # may create teams and invites
    bot_username: str | None = None  # for invite links (t.me/<bot>?start=...)
    teams: TeamsView | None = None  # loaded when Needs.teams
    language_chosen: bool = True  # False: only guessed (Telegram's language_code), not asked
    welcomed: bool = True  # False: the long first welcome was never shown
