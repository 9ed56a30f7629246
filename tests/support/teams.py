"""Helpers for team tests: people talking to the real runner, stories seeded in bulk, a
team whose facilitator gets photos unasked, and a PNG's chunks."""

from __future__ import annotations

import itertools
import re
import struct
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.conversation import Clock, Conversations, Speaker
from bot.jobs.photos import DeliveryPlan, PhotoDeliverer
from flows.callbacks import Action, encode
from flows.content.guide import guide_for
from flows.events import Command, Event, Press, Text
from flows.replies import Outcome, Reply
from flows.states import State, StoryKind, StoryStatus
from flows.teams.rhythm import DeliveryRhythm
from flows.teams.views import TeamRules
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Answer, CheckinSchedule, Choice, Person, Story, Team
from storage.team_store import Teams
from tests.support.outcomes import all_text, find_button

if TYPE_CHECKING:
    from tests.support.clock import FakeClock
    from tests.support.outbox import Outbox

EN = guide_for("en")
TEAMS = EN.teams
ADMIN_ID = 9000
BOT = "lv_bot"
NOVEMBER = datetime(2026, 11, 12, tzinfo=UTC)
MADRID_NINE = datetime(2026, 12, 1, 8, tzinfo=UTC)  # 09:00 in Madrid
_update_ids = itertools.count(1)
_story_ids = itertools.count(10_000)


class Member:
    """One person's side of the chat, through the real runner (``Conversations``)."""

    def __init__(self, conversations: Conversations, user_id: int, language: str = "en") -> None:
        self.conversations = conversations
        self.speaker = Speaker("telegram", user_id, user_id, language)
        self.last: Outcome | None = None

    async def send(self, event: Event) -> Outcome:
        outcome = await self.conversations.handle(self.speaker, event, next(_update_ids))
        assert outcome is not None
        self.last = outcome
        return outcome

    async def command(self, name: str, args: str = "") -> Outcome:
        return await self.send(Command(name, args))

    async def say(self, text: str) -> Outcome:
        return await self.send(Text(text))

    async def press_data(self, data: str) -> Outcome:
        return await self.send(Press(data))

    async def press(self, label: str) -> Outcome:
        """Tap the button with this label among the replies just shown."""
        return await self.press_data(find_button(self.last, label).data)

    @property
    def state(self) -> State:
        assert self.last is not None
        return self.last.state


def make_runner(
    database: Database, cipher: TextCipher, clock: Clock, rules: TeamRules | None = None
) -> Conversations:
    """The runner with one admin (``ADMIN_ID``) and a known bot name (``BOT``)."""
    conversations = Conversations(
        database, cipher, clock=clock, team_rules=rules, admins={("telegram", ADMIN_ID)}
    )
    conversations.bot_username = BOT
    return conversations


async def new_team(runner: Conversations, name: str) -> tuple[str, str]:
    """/newteam by the admin; returns the member and facilitator codes from the links."""
    said = all_text(await Member(runner, ADMIN_ID).command("newteam", name))
    member = re.search(rf"https://t\.me/{BOT}\?start=j_([a-z2-7]{{16}})", said)
    facilitator = re.search(rf"https://t\.me/{BOT}\?start=f_([a-z2-7]{{16}})", said)
    assert member and facilitator, said
    return member[1], facilitator[1]


async def accept(member: Member, payload: str) -> Outcome:
    """Open an invite link (``j_...`` or ``f_...``) and say yes."""
    await member.command("start", payload)
    label = TEAMS.join_yes if payload.startswith("j_") else TEAMS.facilitator_yes
    return await member.press(label)


def only_reply(outcome: Outcome) -> Reply:
    (reply,) = outcome.replies
    return reply


async def tell_story(
    member: Member,
    opening: str,
    picks: Mapping[str, Iterable[str]] | None = None,
    words: Mapping[str, str] | None = None,
) -> Outcome:
    """/reflect, the opening, the given picks and own words, skip the rest, confirm."""
    await member.command("reflect")
    story_id = member.state.story_id
    assert story_id is not None
    outcome = await member.say(opening)
    chosen, typed = dict(picks or {}), dict(words or {})
    while outcome.state.question is not None:
        key = outcome.state.question
        for option in chosen.get(key, ()):
            await member.press_data(encode(Action.TOGGLE, story_id, key, option))
        if key in typed:
            outcome = await member.say(typed[key])
            if outcome.state.question == key:  # typed words keep a quick-pick question open
                outcome = await member.press_data(encode(Action.DONE, story_id, key))
        else:
            action = Action.DONE if chosen.get(key) else Action.SKIP
            outcome = await member.press_data(encode(action, story_id, key))
    return await member.press_data(encode(Action.CONFIRM, story_id))


async def do_checkin(member: Member, words: str, how: Iterable[str]) -> Outcome:
    """/checkin with its two questions."""
    await member.command("checkin")
    story_id = member.state.story_id
    assert story_id is not None
    await member.say(words)
    for option in how:
        await member.press_data(encode(Action.TOGGLE, story_id, "how", option))
    return await member.press_data(encode(Action.DONE, story_id, "how"))


# --- seeding storage directly ---------------------------------------------------------


async def add_team(session: AsyncSession, name: str, now: datetime) -> int:
    team = Team(name=name, created_at=now)
    session.add(team)
    await session.flush()
    return team.id


async def add_people(session: AsyncSession, count: int, now: datetime, first: int = 1) -> list[int]:
    rows = [
        {
            "channel": "telegram",
            "external_id": 700_000 + first + i,
            "chat_id": 700_000 + first + i,
            "language": "en",
            "state": "",
            "version": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    await session.execute(insert(Person), rows)
    ids = await session.scalars(
        select(Person.id).where(Person.external_id >= 700_000 + first).order_by(Person.id)
    )
    return list(ids)[:count]


async def add_story(
    session: AsyncSession,
    person_id: int,
    team_id: int | None,
    completed_at: datetime | None,
    picks: Mapping[str, Iterable[str]] | None = None,
    *,
    kind: StoryKind = StoryKind.STORY,
    opening: str | None = None,
    released: bool = False,
    for_members: bool = False,
    cipher: TextCipher | None = None,
) -> int:
    """A story as storage keeps it; ``completed_at`` None makes it a draft (``released``:
    its opening shared; ``for_members``: knowing the team's members may read it)."""
    story_id = next(_story_ids)
    status = StoryStatus.COMPLETE if completed_at else StoryStatus.DRAFT
    created = completed_at or datetime(2026, 1, 1, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": story_id,
        "person_id": person_id,
        "kind": kind.value,
        "status": status.value,
        "created_at": created,
        "updated_at": created,
        "completed_at": completed_at,
        "team_id": team_id,
        "quote_released": released,
        "for_members": for_members,
    }
    await session.execute(insert(Story), [values])
    if opening is not None:
        assert cipher is not None
        key = EN.questionnaire(kind).opening.key
        answer = {
            "story_id": story_id,
            "question": key,
            "text_encrypted": cipher.encrypt(opening),
            "skipped": False,
            "updated_at": created,
        }
        await session.execute(insert(Answer), [answer])
    rows = [
        {"story_id": story_id, "question": q, "option": o}
        for q, options in (picks or {}).items()
        for o in options
    ]
    if rows:
        await session.execute(insert(Choice), rows)
    return story_id


# --- team photos sent unasked --------------------------------------------------------


async def seed(
    database: Database, cipher: TextCipher, contributors: int, *, zone: str | None = "Europe/Madrid"
) -> tuple[int, int, int]:
    """A team whose people told stories in November, and a Dutch facilitator."""
    async with database.transaction() as session:
        team = await add_team(session, "Ambassade Madrid", NOVEMBER)
        people = await add_people(session, contributors + 1, NOVEMBER)
        facilitator, members = people[0], people[1:]
        for person in members:
            await add_story(session, person, team, NOVEMBER, {"how": ["by_doing"]})
        await Teams(session, cipher).add_facilitator(team, facilitator, NOVEMBER)
        await session.execute(update(Person).where(Person.id == facilitator).values(language="nl"))
        if zone:
            session.add(
                CheckinSchedule(
                    person_id=facilitator, zone=zone, rhythm="weekly", weekday=1, at_minute=600,
                    weekend="56", unanswered=0, blocked=False,
                )
            )  # fmt: skip
    return team, facilitator, 700_000 + 1


def deliverer(
    database: Database,
    cipher: TextCipher,
    outbox: Outbox,
    clock: FakeClock,
    rhythm: DeliveryRhythm = DeliveryRhythm.MONTHLY,
    hour: int = 9,
) -> PhotoDeliverer:
    plan = DeliveryPlan(rhythm, hour)
    return PhotoDeliverer(database, cipher, outbox, plan=plan, clock=clock)


# --- the photo's chart ------------------------------------------------------------------


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, checking every CRC on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, kinds = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        kinds.append(kind)
        position += 12 + length
    return kinds
