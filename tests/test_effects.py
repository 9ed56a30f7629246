"""One place applies effects: every effect type reaches exactly one handler, none is dropped.

The repositories are replaced by recorders, so each effect's route is seen on its own;
what each handler stores is tested with the repositories (test_storage, test_checkin_store,
test_team_storage, ...). mypy checks the same from the other side: an effect type without
a case in ``storage.effects`` does not type-check.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet

from flows.checkins.schedule import CheckinRule
from flows.menu.card import menu
from flows.menu.effects import (
    CloseNextStep,
    NextStepAsked,
    OrderNextStep,
    SetNextStepDue,
    ShareOwnDish,
)
from flows.menu.invitation_data import SaveInvitation
from flows.menu.team_card import default_card
from flows.menu.views import Due, StepStatus
from flows.pair.data import ChangePair, CreatePair, EndPair, PairStatus
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
from flows.states import StoryKind
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
from flows.teams.periods import Period, Span
from flows.teams.views import Role
from storage import effects
from storage.crypto import TextCipher
from storage.effects import Applied, UnhandledEffect, apply_effects
from storage.models import Person

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
RULE = CheckinRule("Europe/Amsterdam")

# One effect of every type, and the handler it must reach.
ROUTES: dict[Effect, str] = {
    CreateStory(7, StoryKind.STORY): "Stories.create",
    SaveAnswer(7, "change", "words"): "Stories.save_answer",
    CompleteStory(7): "Stories.complete",
    DeleteStory(7): "Stories.delete",
    ForgetPerson(): "erase_person",
    SetLanguage("nl"): "People.choose_language",
    Welcomed(): "People.mark_welcomed",
    SaveCheckinRule(RULE, NOW): "Checkins.save_rule",
    SetNextCheckin(NOW): "Checkins.set_next",
    PersonActive(): "Checkins.active",
    CreateTeam("Embassy", "m" * 16, "f" * 16): "Teams.create_with_codes",
    NewInvite(3, Role.MEMBER, "c" * 16): "Teams.new_invite",
    RevokeInvites(3): "Teams.revoke",
    JoinTeam(3): "Teams.join",
    LeaveTeam(): "Teams.leave",
    BecomeFacilitator(3, "c" * 16): "Teams.use_facilitator_code",
    JoinFailed(): "Teams.join_failed",
    ShareQuote(7, True): "Teams.share_quote",
    OrderNextStep(7, "sparring"): "NextSteps.order",
    SetNextStepDue(7, Due.WEEK): "NextSteps.set_due",
    CloseNextStep(7, StepStatus.DONE): "NextSteps.close",
    NextStepAsked(7): "NextSteps.asked",
    ShareOwnDish(7, True): "NextSteps.share",
    SaveTeamCard(3, default_card(menu())): "Teams.save_card",
    PhotoSeen(3, Period(2026, Span.MONTH, 2)): "Teams.photo_seen",
    MembersSeePhoto(3, False): "Teams.let_members_see",
    SaveInvitation(7, "sparring", "Would you spar with me?"): "Invitations.save",
    CreatePair(7, "t" * 22, True): "Pairs.create",
    ChangePair(7, 1, PairStatus.ASKING, "how"): "Pairs.change",
    EndPair(7, 1): "Pairs.end",
}


class _Done:
    """What a recorded call returns: awaitable (async handlers), harmless if not awaited."""

    def __await__(self) -> Iterator[None]:
        return iter(())


@dataclass
class Recorder:
    """A repository (or a function) that only writes down which of its handlers ran."""

    name: str
    calls: list[str]

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> _Done:
            self.calls.append(f"{self.name}.{method}")
            return _Done()

        return call

    def __call__(self, *args: Any, **kwargs: Any) -> _Done:
        self.calls.append(self.name)
        return _Done()


class FakeSession:
    """Only what ``apply_effects`` itself does with the session."""

    async def flush(self) -> None:
        """Nothing pending: the repositories are recorders."""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every handler that runs, as "Repository.method" (or "erase_person")."""
    made: list[str] = []
    for name in ("People", "Stories", "Checkins", "Teams", "NextSteps", "Invitations", "Pairs"):
        monkeypatch.setattr(effects, name, lambda *_, name=name: Recorder(name, made))
    monkeypatch.setattr(effects, "erase_person", Recorder("erase_person", made))
    return made


async def apply(*applied: object) -> Applied:
    person = Person(id=1, language="en", language_chosen=False, welcomed=False)
    cipher = TextCipher((Fernet.generate_key(),))
    session: Any = FakeSession()
    return await apply_effects(session, cipher, person, applied, NOW)  # type: ignore[arg-type]


def test_the_samples_hold_every_effect_type() -> None:
    assert {type(e) for e in ROUTES} == set(typing.get_args(Effect))


@pytest.mark.parametrize("effect", list(ROUTES), ids=lambda e: type(e).__name__)
async def test_every_effect_reaches_exactly_one_handler(effect: Effect, calls: list[str]) -> None:
    await apply(effect)
    assert calls == [ROUTES[effect]]


async def test_effects_are_applied_in_the_order_given_and_forgetting_goes_last(
    calls: list[str],
) -> None:
    applied = await apply(ForgetPerson(), CreateStory(7, StoryKind.STORY), PersonActive())
    assert calls == ["Stories.create", "Checkins.active", "erase_person"]
    assert applied == Applied(active=True, erased=True)


async def test_a_step_without_the_person_acting_is_not_active(calls: list[str]) -> None:
    assert await apply(SaveAnswer(7, "change", "words")) == Applied(active=False, erased=False)


async def test_settings_that_wait_for_a_delivery_are_not_stored_by_the_step(
    calls: list[str],
) -> None:
    await apply(SaveCheckinRule(RULE, NOW, on_delivery=True))
    assert calls == [], "Checkins.delivered stores them once the check-in went out"


async def test_an_unknown_effect_raises_and_names_only_its_type(calls: list[str]) -> None:
    @dataclass(frozen=True)
    class WriteDown:
        text: str

    with pytest.raises(UnhandledEffect, match="WriteDown") as raised:
        await apply(WriteDown("something a person wrote"))
    assert "something a person wrote" not in str(raised.value)
    assert calls == []
