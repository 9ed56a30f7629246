"""Repositories that speak the domain's words. They flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.replies import (
    CompleteStory,
    CreateStory,
    DeleteStory,
    Effect,
    SaveAnswer,
    SetLanguage,
)
from flows.states import State, StoryKind, StoryStatus
from flows.views import AnswerView, EditedAnswer, StoryHeader, StoryView
from storage.crypto import TextCipher
from storage.models import Answer, Choice, Person, Story


class StaleDecision(Exception):
    """What a flow's decision rested on changed before it was stored: decide again."""


class People:
    """Who talks to the bot, and where their conversation stands."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, channel: str, external_id: int, *, lock: bool = False) -> Person | None:
        """The person known under this channel id, optionally locking their row."""
        query = select(Person).where(Person.channel == channel, Person.external_id == external_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

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
        self, channel: str, external_id: int, chat_id: int | None, language: str, now: datetime
    ) -> Person:
        """Register a new person with a fresh conversation."""
        person = Person(
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            language=language,
            state=State().to_json(),
            version=0,
            created_at=now,
            updated_at=now,
        )
        self.session.add(person)
        await self.session.flush()
        return person

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
        values: dict[str, object] = {"state": state.to_json(), "version": expected_version + 1}
        if active:
            values["updated_at"] = now
        result = await self.session.execute(
            update(Person)
            .where(Person.id == person.id, Person.version == expected_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
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
        stories = (
            await self.session.scalars(
                select(Story).where(Story.id.in_(ids), Story.person_id == person_id)
            )
        ).all()
        found = [s.id for s in stories]
        answers = await self.session.scalars(select(Answer).where(Answer.story_id.in_(found)))
        choices = await self.session.execute(
            select(Choice.story_id, Choice.question, Choice.option).where(
                Choice.story_id.in_(found)
            )
        )
        picked: dict[tuple[int, str], list[str]] = defaultdict(list)
        for story_id, question, option in choices:
            picked[(story_id, question)].append(option)
        by_story: dict[int, dict[str, AnswerView]] = defaultdict(dict)
        for answer in answers:
            text = self.cipher.decrypt(answer.text_encrypted) if answer.text_encrypted else None
            chosen = tuple(picked.pop((answer.story_id, answer.question), []))
            by_story[answer.story_id][answer.question] = AnswerView(text, chosen, answer.skipped)
        return {
            s.id: StoryView(
                s.id,
                StoryKind(s.kind),
                StoryStatus(s.status),
                s.created_at,
                by_story[s.id],
                team_id=s.team_id,
                quote_released=s.quote_released,
            )
            for s in stories
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

    async def apply(self, person: Person, effects: Iterable[Effect], now: datetime) -> None:
        """Carry out a flow's effects for this person."""
        for effect in effects:
            match effect:
                case CreateStory():
                    self.session.add(
                        Story(
                            id=effect.story_id,
                            person_id=person.id,
                            kind=effect.kind.value,
                            status=StoryStatus.DRAFT.value,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    await self.session.flush()
                case SaveAnswer():
                    await self._save_answer(person.id, effect, now)
                case CompleteStory():
                    await self._update_story(
                        person.id,
                        effect.story_id,
                        status=StoryStatus.COMPLETE.value,
                        completed_at=now,
                        updated_at=now,
                    )
                case DeleteStory():
                    await self.delete(person.id, effect.story_id)
                case SetLanguage():
                    person.language = effect.language
        await self.session.flush()

    async def delete(self, person_id: int, story_id: int) -> None:
        """Delete one of a person's stories with every answer and choice."""
        owned = select(Story.id).where(Story.id == story_id, Story.person_id == person_id)
        if await self.session.scalar(owned) is None:
            return
        await self.session.execute(delete(Choice).where(Choice.story_id == story_id))
        await self.session.execute(delete(Answer).where(Answer.story_id == story_id))
        await self.session.execute(delete(Story).where(Story.id == story_id))

    async def _update_story(self, person_id: int, story_id: int, **values: object) -> bool:
        result = await self.session.execute(
            update(Story)
            .where(Story.id == story_id, Story.person_id == person_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _save_answer(self, person_id: int, effect: SaveAnswer, now: datetime) -> None:
        if not await self._update_story(person_id, effect.story_id, updated_at=now):
            return  # not this person's story: never write into someone else's
        answer = await self.session.scalar(
            select(Answer).where(
                Answer.story_id == effect.story_id, Answer.question == effect.question
            )
        )
        if answer is None:
            answer = Answer(story_id=effect.story_id, question=effect.question)
            self.session.add(answer)
        answer.text_encrypted = self.cipher.encrypt(effect.text) if effect.text else None
        answer.skipped = effect.skipped
        answer.updated_at = now
        if effect.detach_message:
            answer.message_id = None
        elif effect.message_id is not None:
            answer.message_id = effect.message_id
        await self.session.execute(
            delete(Choice).where(
                Choice.story_id == effect.story_id, Choice.question == effect.question
            )
        )
        self.session.add_all(
            Choice(story_id=effect.story_id, question=effect.question, option=option)
            for option in effect.choices
        )
        await self.session.flush()
