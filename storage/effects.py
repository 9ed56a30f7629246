"""A step's effects, carried out: every effect goes to exactly one handler.

The flows say what should change (``flows.replies.Effect``); ``apply_effects`` carries it
out in the step's own transaction, in the order the flow listed the effects, each by one
method of the repository of its area. The match below names every effect type: one
without a case fails mypy, and one that slips through anyway raises ``UnhandledEffect``
instead of doing nothing. It flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Never, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from flows.menu.effects import (
    CloseNextStep,
    NextStepAsked,
    OrderNextStep,
    SetNextStepDue,
    ShareOwnDish,
)
from flows.menu.invitation_data import SaveInvitation
from flows.pair.data import ChangePair, CreatePair, EndPair
from flows.replies import (
    CompleteStory,
    CreateStory,
    DeleteStory,
    Effect,
    ForgetPerson,
    PersonActive,
    SaveAnswer,
    SaveCheckinRule,
    SetLanguage,
    SetNextCheckin,
    Welcomed,
)
from flows.teams.effects import (
    BecomeFacilitator,
    CreateTeam,
    JoinFailed,
    JoinTeam,
    LeaveTeam,
    MembersSeePhoto,
    NewInvite,
    PhotoSeen,
    RevokeInvites,
    SaveTeamCard,
    ShareQuote,
)
from flows.views import StoryView
from storage.checkin_store import Checkins
from storage.crypto import TextCipher
from storage.erasure import erase_person
from storage.invitations import Invitations
from storage.models import Person
from storage.next_steps import NextSteps
from storage.pairs import Pairs
from storage.repositories import People, Stories
from storage.team_store import Teams


class UnhandledEffect(TypeError):
    """An effect of a type no handler knows (mypy reports this before it can happen)."""


def unhandled(effect: Never) -> NoReturn:
    """``typing.assert_never`` for effects: mypy fails where a type has no case; at run
    time the error names the type only (an effect can carry what a person wrote)."""
    raise UnhandledEffect(f"no handler for the effect {type(effect).__name__}")


@dataclass(frozen=True)
class Applied:
    """What the runner needs to know once the effects are in."""

    active: bool = False  # PersonActive: the person acted (their last-active time moves)
    erased: bool = False  # ForgetPerson: the person's rows are gone, no state to store


@dataclass
class _Step:
    """The repositories and facts one step's effects are applied with."""

    person: Person
    now: datetime
    loaded: Mapping[int, StoryView]
    people: People
    stories: Stories
    checkins: Checkins
    teams: Teams
    next_steps: NextSteps
    invitations: Invitations
    pairs: Pairs
    active: bool = False
    erase: bool = False

    async def apply(self, effect: Effect) -> None:
        """Carry out one effect by its one handler."""
        person, now = self.person, self.now
        match effect:
            case CreateStory():
                await self.stories.create(person.id, effect.story_id, effect.kind, now)
            case SaveAnswer():
                loaded = self.loaded.get(effect.story_id)
                await self.stories.save_answer(person.id, effect, now, loaded)
            case CompleteStory():
                await self.stories.complete(person.id, effect.story_id, now)
            case DeleteStory():
                await self.stories.delete(person.id, effect.story_id)
            case ForgetPerson():
                self.erase = True  # last, once the rest is flushed: nothing of them stays
            case SetLanguage():
                self.people.choose_language(person, effect.language)
            case Welcomed():
                self.people.mark_welcomed(person)
            case SaveCheckinRule():
                if not effect.on_delivery:  # else stored once the check-in is delivered
                    await self.checkins.save_rule(person.id, effect.rule, effect.next_at)
            case SetNextCheckin():
                await self.checkins.set_next(person.id, effect.at)
            case PersonActive():
                self.active = True
                await self.checkins.active(person.id, now)
            case CreateTeam():
                codes = (effect.member_code, effect.facilitator_code)
                await self.teams.create_with_codes(effect.name, *codes, now)
            case NewInvite():
                await self.teams.new_invite(effect.team_id, effect.role, now, effect.code)
            case RevokeInvites():
                await self.teams.revoke(effect.team_id, now)
            case JoinTeam():
                await self.teams.join(person, effect.team_id, now)
            case LeaveTeam():
                await self.teams.leave(person.id)
            case BecomeFacilitator():
                await self.teams.use_facilitator_code(person, effect.team_id, effect.code, now)
            case JoinFailed():
                self.teams.join_failed(person, effect.locked_until)
            case SaveTeamCard():
                await self.teams.save_card(person.id, effect.team_id, effect.card, now)
            case ShareQuote():
                await self.teams.share_quote(person.id, effect.story_id, effect.shared)
            case PhotoSeen():
                await self.teams.photo_seen(person.id, effect.team_id, effect.period)
            case MembersSeePhoto():
                await self.teams.let_members_see(person.id, effect.team_id, effect.see)
            case OrderNextStep():
                await self.next_steps.order(person.id, effect, now)
            case SetNextStepDue():
                await self.next_steps.set_due(person.id, effect.step_id, effect.due)
            case CloseNextStep():
                await self.next_steps.close(person.id, effect.step_id, effect.status, now)
            case ShareOwnDish():
                await self.next_steps.share(person.id, effect.step_id, effect.shared)
            case NextStepAsked():
                await self.next_steps.asked(person.id, effect.step_id)
            case SaveInvitation():
                await self.invitations.save(person.id, effect, now)
            case CreatePair():
                await self.pairs.create(person.id, effect, now)
            case ChangePair():
                await self.pairs.change(person.id, effect, now)
            case EndPair():
                await self.pairs.end(person.id, effect)
            case _:
                unhandled(effect)


async def apply_effects(
    session: AsyncSession,
    cipher: TextCipher,
    person: Person,
    effects: Iterable[Effect],
    now: datetime,
    loaded: Mapping[int, StoryView] | None = None,
) -> Applied:
    """Carry out a step's effects for this person (``loaded``: the stories as the step read
    them, so that an answer changes only the choices that changed)."""
    step = _Step(
        person,
        now,
        loaded or {},
        People(session),
        Stories(session, cipher),
        Checkins(session),
        Teams(session, cipher),
        NextSteps(session, cipher),
        Invitations(session, cipher),
        Pairs(session, cipher),
    )
    for effect in effects:
        await step.apply(effect)
    await session.flush()
    if step.erase:
        await erase_person(session, person.id)
    return Applied(active=step.active, erased=step.erase)
