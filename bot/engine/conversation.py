"""The runner between adapters and flows: load, decide, store, then reply.

One person's update is handled in one database transaction. The answer is
committed before any reply is sent, and a version check on the person's row
serialises two updates of the same person, even across bot instances.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.warmup import warm_up
from flows import dialogue
from flows.checkins.due import undelivered
from flows.checkins.places import IndexNotReady, not_built_here
from flows.content.guide import guide_for
from flows.events import CheckinDue, Event
from flows.policy import PrivacyPolicy
from flows.replies import ForgetPerson, Outcome
from flows.states import State, StoryKind
from flows.teams.views import TeamNeeds, TeamRules, TeamsView
from flows.views import PersonView
from storage.checkin_store import Checkins
from storage.crypto import TextCipher
from storage.database import Database
from storage.effects import apply_effects
from storage.erasure import reclaim_space
from storage.export import gather
from storage.inbox import InboxKey, NotYourTurn, Turn, first_time
from storage.invitations import Invitations
from storage.models import Person
from storage.next_steps import NextSteps
from storage.pairs import Pairs
from storage.repositories import People, StaleDecision, Stories
from storage.team_store import Teams

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
MAX_ATTEMPTS = 5
PersonFinder = Callable[[AsyncSession, datetime], Awaitable[Person | None]]
Finisher = Callable[[AsyncSession, Outcome, datetime], Awaitable[None]]


class Acknowledgement(Protocol):
    """The engine's part of a step, done in the step's own transaction."""

    async def begin(self, session: AsyncSession, now: datetime) -> Turn:
        """Mark the update handled (or find it already was, or not yet its turn)."""

    async def finish(self, session: AsyncSession, outcome: Outcome, now: datetime) -> None:
        """Store what the step says in the outbox."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def new_token() -> str:
    """An unguessable token for an invitation link (128 bits, 22 characters)."""
    return secrets.token_urlsafe(16)


def new_story_id() -> int:
    """A random story id: short in base 36, and not guessable from another one."""
    return secrets.randbits(52) + 1


@dataclass(frozen=True)
class Speaker:
    """Who is talking, as an adapter knows them (never logged).

    ``language_is_guess``: the adapter only guessed the language (Telegram's
    language_code): a new person is then asked at their first greeting.
    """

    channel: str
    external_id: int
    chat_id: int | None
    language: str
    language_is_guess: bool = False


class ConcurrentUpdate(RuntimeError):
    """Another update of the same person kept winning the race."""


@dataclass(frozen=True)
class OnceOnly:
    """An acknowledgement that only remembers the update's key: handled once, no outbox."""

    key: InboxKey

    async def begin(self, session: AsyncSession, now: datetime) -> Turn:
        """Remember the key; ALREADY when it was remembered before."""
        return Turn.HANDLED_NOW if await first_time(session, self.key, now) else Turn.ALREADY

    async def finish(self, session: AsyncSession, outcome: Outcome, now: datetime) -> None:
        """Nothing to store: the caller sends the replies itself."""


class Conversations:
    """Handles events for people, one transaction per event."""

    def __init__(
        self,
        database: Database,
        cipher: TextCipher,
        clock: Clock = utc_now,
        story_ids: Callable[[], int] = new_story_id,
        policy: PrivacyPolicy | None = None,
        team_rules: TeamRules | None = None,
        admins: Collection[tuple[str, int]] = frozenset(),
    ) -> None:
        self.database = database
        self.cipher = cipher
        self.clock = clock
        self.story_ids = story_ids
        self.policy = policy or PrivacyPolicy()
        self.team_rules = team_rules or TeamRules()
        self.admins = frozenset(admins)  # (channel, external id) of administrators
        self.bot_username: str | None = None  # set by the Telegram adapter once known
        self.inline_mode = False  # set by the Telegram adapter: getMe's supports_inline_queries

    async def handle(
        self,
        speaker: Speaker,
        event: Event,
        update_id: int | None = None,
        *,
        ack: Acknowledgement | None = None,
    ) -> Outcome | None:
        """Decide and store one step; None when this update was already handled.

        ``ack``: the engine marks the update handled and stores the replies in the
        same transaction (raises NotYourTurn while an older update of theirs waits).
        ``update_id`` alone only makes sure one update is handled once.
        """
        if ack is None and update_id is not None:
            ack = OnceOnly(InboxKey(0, update_id))

        async def find(session: AsyncSession, now: datetime) -> Person | None:
            people = People(session)
            person = await people.find(speaker.channel, speaker.external_id, lock=True)
            if person is None:
                person = await people.add(
                    speaker.channel,
                    speaker.external_id,
                    speaker.chat_id,
                    speaker.language,
                    now,
                    language_chosen=not speaker.language_is_guess,
                )
                log.info("person %d: first contact", person.id)
            if ack is not None:
                turn = await ack.begin(session, now)
                if turn is Turn.ALREADY:
                    log.info("person %d: update already handled, skipped", person.id)
                    return None
                if turn is Turn.NOT_YET:
                    raise NotYourTurn
            if speaker.chat_id is not None and person.chat_id != speaker.chat_id:
                person.chat_id = speaker.chat_id
            return person

        found = await self._with_retries(find, event, ack.finish if ack else None)
        return found[1] if found else None

    @staticmethod
    def needs_cleanup(outcome: Outcome) -> bool:
        """Whether ``after_reply`` has work to do for this outcome (after /forget)."""
        return any(isinstance(e, ForgetPerson) for e in outcome.effects)

    async def after_reply(self, outcome: Outcome | None) -> None:
        """Once the reply went out: after /forget, VACUUM so the deleted words leave the file.

        A single deleted story needs no VACUUM: SQLite's secure_delete overwrites it.
        """
        if outcome is not None and self.needs_cleanup(outcome):
            await reclaim_space(self.database)

    async def checkin(self, person_id: int) -> tuple[int | None, Outcome] | None:
        """Run a due check-in through the flows; returns (chat id, outcome) to send."""

        async def find(session: AsyncSession, now: datetime) -> Person | None:
            return await People(session).get(person_id, lock=True)

        return await self._with_retries(find, CheckinDue())

    async def _with_retries(
        self, find: PersonFinder, event: Event, finish: Finisher | None = None
    ) -> tuple[int | None, Outcome] | None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._attempt(find, event, finish)
            except (_Retry, StaleDecision):
                log.debug("person changed concurrently; retrying (attempt %d)", attempt)
            except IndexNotReady:  # built outside any transaction, then the step again
                await warm_up()
            except (IntegrityError, OperationalError) as exc:
                if attempt == MAX_ATTEMPTS:
                    raise
                log.warning("database conflict (%s); retrying", type(exc).__name__)
        raise ConcurrentUpdate("could not store the update after several attempts")

    async def _attempt(
        self, find: PersonFinder, event: Event, finish: Finisher | None
    ) -> tuple[int | None, Outcome] | None:
        now = self.clock()
        async with self.database.transaction() as session:
            person = await find(session, now)
            if person is None:
                return None
            chat_id = person.chat_id  # (the row is gone after /forget)
            with not_built_here():
                outcome = await self._step(session, person, event, now)
            if finish is not None:
                await finish(session, outcome, now)
            return chat_id, outcome

    async def checkin_many(self, person_ids: list[int]) -> dict[int, tuple[int | None, Outcome]]:
        """Decide several due check-ins in one transaction (the dispatcher's batches).

        The rows are locked (and SQLite has one writer), so nobody changes them
        meanwhile; should that still happen, the whole batch is rolled back and
        its claims run out, to be tried again by a later tick.
        """
        now = self.clock()
        decided: dict[int, tuple[int | None, Outcome]] = {}
        async with self.database.transaction() as session:
            for person in await People(session).get_many(person_ids, lock=True):
                outcome = await self._step(session, person, CheckinDue(), now)
                decided[person.id] = (person.chat_id, outcome)
        return decided

    async def undo_checkins(self, person_ids: list[int]) -> None:
        """Checkins that never arrived: their question is no longer waiting for an answer."""
        now = self.clock()
        async with self.database.transaction() as session:
            people = People(session)
            for person in await people.get_many(person_ids, lock=True):
                state = State.from_json(person.state)
                undone = undelivered(state)
                if undone != state:
                    await people.save_state(person, undone, person.version, now, active=False)

    async def _step(
        self, session: AsyncSession, person: Person, event: Event, now: datetime
    ) -> Outcome:
        """Load what the flows need, decide, and store the effects and the new state."""
        stories = Stories(session, self.cipher)
        checkins = Checkins(session)
        version = person.version
        state = State.from_json(person.state)
        needed = dialogue.needs(state, event)
        edited = None
        if needed.edited_message_id is not None:
            edited = await stories.find_answer_by_message(person.id, needed.edited_message_id)
        ids = set(needed.story_ids) | ({edited.story_id} if edited else set())
        view = PersonView(
            language=person.language,
            state=state,
            now=now,
            new_story_id=self.story_ids(),
            stories=await stories.load(person.id, ids),
            story_list=(
                await stories.headers(person.id, _title_questions(person.language))
                if needed.story_list
                else None
            ),
            edited=edited,
            checkin=await checkins.view(person.id),
            last_active=person.updated_at,  # the person's last own event (save_state active)
            record=await gather(session, self.cipher, person) if needed.export else None,
            policy=self.policy,
            is_admin=(person.channel, person.external_id) in self.admins,
            bot_username=self.bot_username,
            inline_mode=self.inline_mode,
            teams=await self._teams(session, person, needed.teams, now),
            language_chosen=person.language_chosen,
            welcomed=person.welcomed,
            next_step=(
                await NextSteps(session, self.cipher).open(person.id) if needed.next_step else None
            ),
            invitations=(
                await Invitations(session, self.cipher).cards(person.id)
                if needed.invitations
                else None
            ),
            pair=(
                await Pairs(session, self.cipher).view(person.id, needed.pair, now)
                if needed.pair
                else None
            ),
            pair_token=new_token() if needed.pair else "",
        )
        outcome = dialogue.step(view, event)
        applied = await apply_effects(
            session, self.cipher, person, outcome.effects, now, view.stories
        )
        if applied.erased:
            log.info("person %d: erased", person.id)
            return outcome
        # (a due check-in is not the person acting: only their own events move updated_at)
        people = People(session)
        if not await people.save_state(person, outcome.state, version, now, active=applied.active):
            raise _Retry
        log.debug(
            "person %d: %s -> %s (%d effects)",
            person.id,
            type(event).__name__,
            outcome.state.step.value,
            len(outcome.effects),
        )
        return outcome

    async def _teams(
        self, session: AsyncSession, person: Person, needed: TeamNeeds | None, now: datetime
    ) -> TeamsView | None:
        """The person's teams, when the step asked for them."""
        if needed is None:
            return None
        teams = Teams(session, self.cipher)
        minimum = self.policy.min_group_size
        return await teams.view(person, needed, now, self.team_rules, minimum=minimum)


def _title_questions(language: str) -> tuple[str, ...]:
    """The opening question of every kind of story: it gives the story its title."""
    guide = guide_for(language)
    return tuple(guide.questionnaire(kind).opening.key for kind in StoryKind)


class _Retry(Exception):
    """The person's row changed between reading and writing."""
