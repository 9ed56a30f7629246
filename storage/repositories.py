"""Repositories that speak the domain's words. They flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.replies import SaveAnswer
from flows.states import State, StoryKind, StoryStatus
from flows.views import AnswerView, EditedAnswer, StoryHeader, StoryView
from storage.crypto import TextCipher
from storage.inbox import dialect_insert, dialect_name
from storage.models import Answer, CheckinSchedule, Choice, Membership, Person, Story

KNOWN_SCHEDULES = "known_checkin_schedules"


def known_schedules(session: AsyncSession) -> dict[int, CheckinSchedule | None]:
    """Check-in schedules this session already read, by person (None: they have none)."""
    known: dict[int, CheckinSchedule | None] = session.info.setdefault(KNOWN_SCHEDULES, {})
    return known


class StaleDecision(Exception):
    """What a flow's decision rested on changed before it was stored: decide again."""


# The statements of every update, built once (building one costs more CPU than running it).
_FIND = (
    select(Person, CheckinSchedule)
    .outerjoin(CheckinSchedule, CheckinSchedule.person_id == Person.id)
    .where(Person.channel == bindparam("channel"), Person.external_id == bindparam("id"))
)
_FIND_LOCKED = _FIND.with_for_update(of=Person)
_PERSONS = cast(Table, Person.__table__)  # (Core statements skip the ORM's bulk machinery)
_SAVE_STATE = (
    update(_PERSONS)
    .where(_PERSONS.c.id == bindparam("person"), _PERSONS.c.version == bindparam("expected"))
    .values(state=bindparam("state"), version=bindparam("version"))
)
_SAVE_STATE_ACTIVE = _SAVE_STATE.values(updated_at=bindparam("updated_at"))
_STORIES = cast(Table, Story.__table__)
_ANSWERS = cast(Table, Answer.__table__)
_CHOICES = cast(Table, Choice.__table__)
_STORY_ROWS = (  # plain rows: nothing of them is changed through the ORM
    select(
        _STORIES.c.id,
        _STORIES.c.kind,
        _STORIES.c.status,
        _STORIES.c.created_at,
        _STORIES.c.team_id,
        _STORIES.c.quote_released,
        _STORIES.c.for_members,
        _ANSWERS.c.question,
        _ANSWERS.c.text_encrypted,
        _ANSWERS.c.skipped,
        _CHOICES.c.option,
    )
    .outerjoin(_ANSWERS, _ANSWERS.c.story_id == _STORIES.c.id)
    .outerjoin(
        _CHOICES,
        (_CHOICES.c.story_id == _ANSWERS.c.story_id) & (_CHOICES.c.question == _ANSWERS.c.question),
    )
    .where(_STORIES.c.person_id == bindparam("person"))
)
# (an IN list of bound values is rewritten into the SQL at every execution: one story,
# the usual case, has a statement of its own)
_LOAD_STORY = _STORY_ROWS.where(_STORIES.c.id == bindparam("id"))
_LOAD_STORIES = _STORY_ROWS.where(_STORIES.c.id.in_(bindparam("ids", expanding=True)))
_OF_ANSWER = (_CHOICES.c.story_id == bindparam("story")) & (
    _CHOICES.c.question == bindparam("question")
)
_DROP_CHOICES = delete(_CHOICES).where(_OF_ANSWER)
_DROP_SOME_CHOICES = _DROP_CHOICES.where(_CHOICES.c.option.in_(bindparam("gone", expanding=True)))
_ADD_CHOICES = insert(_CHOICES)  # executed with one row of parameters per option


@cache
def _upsert_answer(dialect: str, message: bool) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of an answer, built once per dialect
    (``message``: the statement sets message_id too)."""
    changed = ["text_encrypted", "skipped", "updated_at", *(["message_id"] if message else [])]
    statement = dialect_insert(dialect)(_ANSWERS).values(
        {name: bindparam(name) for name in ["story_id", "question", *changed]}
    )
    return statement.on_conflict_do_update(
        index_elements=["story_id", "question"],
        set_={name: getattr(statement.excluded, name) for name in changed},
    )


class People:
    """Who talks to the bot, and where their conversation stands."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, channel: str, external_id: int, *, lock: bool = False) -> Person | None:
        """The person known under this channel id, optionally locking their row.

        Their check-in schedule comes along in the same statement (``Checkins.view`` then
        needs no query of its own).
        """
        query = _FIND_LOCKED if lock else _FIND
        row = (await self.session.execute(query, {"channel": channel, "id": external_id})).first()
        if row is None:
            return None
        person, schedule = row
        known_schedules(self.session)[person.id] = schedule
        return person

    async def get(self, person_id: int, *, lock: bool = False) -> Person | None:
        """The person with this internal id, optionally locking their row."""
        query = select(Person).where(Person.id == person_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def get_many(self, person_ids: list[int], *, lock: bool = False) -> list[Person]:
        """Several people at once, in id order, optionally locking their rows."""
        query = select(Person).where(Person.id.in_(person_ids)).order_by(Person.id)
        if lock:
            query = query.with_for_update()
        return list((await self.session.scalars(query)).all())

    async def add(
        self,
        channel: str,
        external_id: int,
        chat_id: int | None,
        language: str,
        now: datetime,
        *,
        language_chosen: bool = True,
    ) -> Person:
        """Register a new person with a fresh conversation (``language_chosen``: not a guess)."""
        person = Person(
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            language=language,
            language_chosen=language_chosen,
            welcomed=False,
            state=State().to_json(),
            version=0,
            created_at=now,
            updated_at=now,
        )
        self.session.add(person)
        await self.session.flush()
        return person

    @staticmethod
    def choose_language(person: Person, language: str) -> None:
        """The person chose their language (it is no longer a guess)."""
        person.language = language
        person.language_chosen = True

    @staticmethod
    def mark_welcomed(person: Person) -> None:
        """The person saw the long first welcome: later greetings are short."""
        person.welcomed = True

    async def save_state(
        self,
        person: Person,
        state: State,
        expected_version: int,
        now: datetime,
        *,
        active: bool = True,
    ) -> bool:
        """Store the new state if nobody else changed it since it was read.

        ``active``: the person did something (``updated_at`` then says when).
        """
        values: dict[str, object] = {
            "person": person.id,
            "expected": expected_version,
            "state": state.to_json(),
            "version": expected_version + 1,
        }
        if active:
            values["updated_at"] = now
        statement = _SAVE_STATE_ACTIVE if active else _SAVE_STATE
        result = await self.session.execute(statement, values)
        return bool(result.rowcount)  # type: ignore[attr-defined]


class Stories:
    """Stories and their answers; free text is encrypted on the way in."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def load(self, person_id: int, story_ids: Iterable[int]) -> dict[int, StoryView]:
        """The given stories that belong to this person, with their answers."""
        ids = set(story_ids)
        if not ids:
            return {}
        values: dict[str, object] = {"person": person_id}
        if len(ids) == 1:
            (values["id"],) = ids
            query = _LOAD_STORY
        else:
            query, values["ids"] = _LOAD_STORIES, list(ids)
        rows = await self.session.execute(query, values)
        stories: dict[int, Any] = {}  # by id: any of its rows (one per answer and choice)
        answers: dict[tuple[int, str], tuple[bytes | None, bool]] = {}
        picked: dict[tuple[int, str], list[str]] = defaultdict(list)
        for row in rows:
            stories[row.id] = row
            if row.question is not None:
                answers[(row.id, row.question)] = (row.text_encrypted, row.skipped)
                if row.option is not None:
                    picked[(row.id, row.question)].append(row.option)
        by_story: dict[int, dict[str, AnswerView]] = defaultdict(dict)
        for (story_id, question), (token, skipped) in answers.items():
            text = self.cipher.decrypt(token) if token else None
            chosen = tuple(picked[(story_id, question)])
            by_story[story_id][question] = AnswerView(text, chosen, skipped)
        return {
            s.id: StoryView(
                s.id,
                StoryKind(s.kind),
                StoryStatus(s.status),
                s.created_at,
                by_story[s.id],
                team_id=s.team_id,
                quote_released=s.quote_released,
                quote_for_members=s.for_members,
            )
            for s in stories.values()
        }

    async def headers(
        self, person_id: int, title_questions: tuple[str, ...]
    ) -> tuple[StoryHeader, ...]:
        """All of a person's stories, newest first, titled by their opening answer."""
        rows = await self.session.execute(
            select(Story, Answer.text_encrypted)
            .outerjoin(Answer, (Answer.story_id == Story.id) & Answer.question.in_(title_questions))
            .where(Story.person_id == person_id)
            .order_by(Story.created_at.desc(), Story.id.desc())
        )
        return tuple(
            StoryHeader(
                story.id,
                StoryKind(story.kind),
                StoryStatus(story.status),
                story.created_at,
                self.cipher.decrypt(token) if token else None,
            )
            for story, token in rows
        )

    async def find_answer_by_message(self, person_id: int, message_id: int) -> EditedAnswer | None:
        """Which answer a (since edited) message gave, if any."""
        row = await self.session.execute(
            select(Answer.story_id, Answer.question)
            .join(Story, Story.id == Answer.story_id)
            .where(Story.person_id == person_id, Answer.message_id == message_id)
            .limit(1)
        )
        found = row.first()
        return EditedAnswer(found[0], found[1]) if found else None

    async def create(self, person_id: int, story_id: int, kind: StoryKind, now: datetime) -> None:
        """A new draft story with the id the flow chose."""
        self.session.add(
            Story(
                id=story_id,
                person_id=person_id,
                kind=kind.value,
                status=StoryStatus.DRAFT.value,
                created_at=now,
                updated_at=now,
            )
        )
        await self.session.flush()

    async def complete(self, person_id: int, story_id: int, now: datetime) -> None:
        """The person confirmed the story: it is complete, and belongs to the team they are in
        now (none: no team), in one statement."""
        team = select(Membership.team_id).where(Membership.person_id == person_id)
        await self._update_story(
            person_id,
            story_id,
            status=StoryStatus.COMPLETE.value,
            completed_at=now,
            updated_at=now,
            team_id=team.scalar_subquery(),
        )

    async def delete(self, person_id: int, story_id: int) -> None:
        """Delete one of a person's stories with every answer and choice."""
        if not await self._owns(person_id, story_id):
            return
        await self.session.execute(delete(Choice).where(Choice.story_id == story_id))
        await self.session.execute(delete(Answer).where(Answer.story_id == story_id))
        await self.session.execute(delete(Story).where(Story.id == story_id))

    async def _owns(self, person_id: int, story_id: int) -> bool:
        owned = select(Story.id).where(Story.id == story_id, Story.person_id == person_id)
        return await self.session.scalar(owned) is not None

    async def _update_story(self, person_id: int, story_id: int, **values: object) -> bool:
        result = await self.session.execute(
            update(Story)
            .where(Story.id == story_id, Story.person_id == person_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save_answer(
        self, person_id: int, effect: SaveAnswer, now: datetime, loaded: StoryView | None
    ) -> None:
        """Upsert the answer in one statement; change only the choices that changed
        (``loaded``: the story as the step read it; None: read nothing, replace them all).

        The answer's ``updated_at`` records the change; the story row is not touched
        (a story was last changed at the latest of its own and its answers' times).
        """
        if loaded is None and not await self._owns(person_id, effect.story_id):
            return  # not this person's story: never write into someone else's
        answer = {"story": effect.story_id, "question": effect.question}
        values: dict[str, object] = {
            "story_id": effect.story_id,
            "question": effect.question,
            "text_encrypted": self.cipher.encrypt(effect.text) if effect.text else None,
            "skipped": effect.skipped,
            "updated_at": now,
        }
        if effect.detach_message:
            values["message_id"] = None
        elif effect.message_id is not None:
            values["message_id"] = effect.message_id
        upsert = _upsert_answer(dialect_name(self.session), "message_id" in values)
        await self.session.execute(upsert, values)
        had: set[str] | None = None  # the choices stored before, when the story was read
        if loaded is not None:
            before = loaded.answers.get(effect.question)
            had = set(before.choices) if before is not None else set()
        wanted = set(effect.choices)
        if had is None:  # not read: replace them all
            await self.session.execute(_DROP_CHOICES, answer)
        elif had - wanted:
            gone = sorted(had - wanted)
            await self.session.execute(_DROP_SOME_CHOICES, answer | {"gone": gone})
        new = wanted - (had or set())
        if new:
            rows = [
                {"story_id": effect.story_id, "question": effect.question, "option": o}
                for o in sorted(new)
            ]
            await self.session.execute(_ADD_CHOICES, rows)
