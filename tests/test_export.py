"""The export holds everything about the person, and nothing about anyone else."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.cli import main
from bot.engine.conversation import Conversations
from bot.services import open_services
from bot.settings import load_settings
from bot.terminal import TerminalChat
from flows.content.guide import guide_for
from flows.events import Command, Edited, Text
from flows.replies import Outcome
from storage.models import CheckinSchedule, Person, Story
from tests.support.chat import (
    ALICE,
    BOB,
    CHANGE,
    HELPED_MOST,
    WHO_WORDS,
    Chat,
    person_id,
    tell_whole_story,
)
from tests.support.privacy import checkin, join_team, release_quote, schedule_checkins

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

BOB_WORDS = "Bob's own words about asking the consul"
P = guide_for("en").privacy


def _files(outcome: Outcome | None) -> tuple[str, dict[str, Any]]:
    """The Markdown text and the parsed JSON of an export."""
    assert outcome is not None
    readable, data = (reply.file for reply in outcome.replies[:2])
    assert readable is not None and data is not None
    return readable.data.decode(), json.loads(data.data)


async def test_export_holds_everything_and_only_that_persons_data(
    conversations: Conversations, clock: FakeClock
) -> None:
    database = conversations.database
    alice, bob = Chat(conversations), Chat(conversations, BOB, first_update=900)
    story = await tell_whole_story(alice)
    clock.advance(hours=1)
    await checkin(alice, "Briefings go smoother")
    await tell_whole_story(bob)
    await bob.send(Command("reflect"))
    await bob.send(Text(BOB_WORDS, message_id=99))
    alice_id = await person_id(database, ALICE)
    await join_team(database, alice_id, clock(), team="Embassy Rabat")
    await join_team(database, await person_id(database, BOB), clock(), team="Consulate Oran")
    await schedule_checkins(database, alice_id, clock())
    await release_quote(database, story)

    markdown, data = _files(await alice.send(Command("export")))

    assert data["person"] == {
        "channel": "telegram",
        "id": ALICE.external_id,
        "chat_id": ALICE.chat_id,
        "language": "en",
        "first_contact": "2026-03-02T09:00:00+00:00",
        "team_codes_failed": 0,
        "join_locked_until": None,
        "retention_notice_at": None,
    }
    assert data["check_ins"]["time_zone"] == "Europe/Amsterdam"
    assert data["check_ins"]["next_at"] == "2026-03-03T10:00:00+00:00"
    assert data["team"] == {"name": "Embassy Rabat", "since": "2026-03-02T10:00:00+00:00"}
    assert [t["name"] for t in data["facilitates"]] == ["Embassy Rabat"]
    assert [(p["team"], p["period"]) for p in data["team_photos_received"]] == [
        ("Embassy Rabat", "2026-Q1")
    ]
    assert [(s["kind"], s["team"], s["quote_released"]) for s in data["stories"]] == [
        ("story", "Embassy Rabat", True),
        ("checkin", "Embassy Rabat", False),
    ]
    texts = {a["text"] for s in data["stories"] for a in s["answers"]} - {None}
    assert texts == {CHANGE, WHO_WORDS, HELPED_MOST, "Briefings go smoother"}
    assert "Embassy Rabat, since" in markdown and "You shared this story" in markdown
    assert [s["released_quote"] for s in data["stories"]] == [CHANGE, None]

    everything = markdown + json.dumps(data, ensure_ascii=False)
    for bobs in (BOB_WORDS, "Consulate Oran", str(BOB.external_id)):
        assert bobs not in everything
    bob_markdown, bob_data = _files(await bob.send(Command("export")))
    assert BOB_WORDS in bob_markdown
    assert CHANGE in bob_markdown  # Bob told the same story text, in his own story
    assert {s["id"] for s in bob_data["stories"]}.isdisjoint({s["id"] for s in data["stories"]})


async def test_export_holds_blocked_check_ins_a_join_lock_and_retention_notices(
    conversations: Conversations, clock: FakeClock
) -> None:
    database = conversations.database
    alice = Chat(conversations)
    await tell_whole_story(alice)
    who = await person_id(database, ALICE)
    await schedule_checkins(database, who, clock())
    told, locked = clock() + timedelta(days=1), clock() + timedelta(days=2)
    async with database.transaction() as session:
        await session.execute(
            update(CheckinSchedule).where(CheckinSchedule.person_id == who).values(blocked=True)
        )
        await session.execute(
            update(Person)
            .where(Person.id == who)
            .values(join_failures=2, join_locked_until=locked, retention_notice_at=told)
        )
        await session.execute(update(Story).values(retention_notice_at=told))
    clock.advance(days=1)

    exported = await alice.send(Command("export"))
    assert exported is not None
    markdown, data = _files(Outcome(exported.state, exported.replies[:2]))
    assert data["check_ins"]["stopped_because_blocked"] is True
    assert data["person"]["team_codes_failed"] == 2
    assert data["person"]["join_locked_until"] == locked.isoformat()
    assert data["person"]["retention_notice_at"] == told.isoformat()
    assert [s["retention_notice_at"] for s in data["stories"]] == [told.isoformat()]
    for line in (
        P.file_checkins_blocked,
        P.file_join_failures.format(count=2),
        P.file_join_locked.format(date="4 Mar 2026"),
        P.file_retention_told.format(date="3 Mar 2026"),
        P.file_story_told.format(date="3 Mar 2026"),
    ):
        assert line in markdown


async def test_a_person_without_anything_gets_an_export_too(
    conversations: Conversations,
) -> None:
    markdown, data = _files(await Chat(conversations).send(Command("export")))
    assert data["stories"] == [] and data["team"] is None and data["check_ins"] is None
    assert "You have no stories." in markdown and "Check-ins are not set up." in markdown


async def test_export_person_writes_two_private_files(clean_env: Path, clock: FakeClock) -> None:
    """The operator's command, on a person's written request (SQLite in the data directory)."""
    services = await open_services(load_settings())
    try:
        runner = Conversations(services.database, services.cipher, clock)
        await tell_whole_story(Chat(runner))
        await tell_whole_story(Chat(runner, BOB, first_update=900))
    finally:
        await services.close()
    out = clean_env / "request-17"

    argv = ["export-person", "--telegram-id", str(ALICE.external_id), "--out", str(out)]
    assert await asyncio.to_thread(main, argv) == 0
    written = sorted(out.iterdir())
    assert [p.suffix for p in written] == [".json", ".md"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert CHANGE in written[1].read_text(encoding="utf-8")
    assert json.loads(written[0].read_text(encoding="utf-8"))["person"]["id"] == 1001

    assert await asyncio.to_thread(main, ["export-person", "--telegram-id", "777"]) == 1


async def test_the_terminal_saves_the_export_next_to_the_data(
    conversations: Conversations, tmp_path: Path
) -> None:
    out, files = StringIO(), tmp_path / "files"
    chat = TerminalChat(conversations, out=out, language="en", files=files)
    await chat.on_line("/checkin")
    await chat.on_line("Briefings go smoother")
    await chat.on_line("/export")
    saved = sorted(files.iterdir())
    assert [path.suffix for path in saved] == [".json", ".md"]
    assert {stat.S_IMODE(path.stat().st_mode) for path in saved} == {0o600}
    assert "> Briefings go smoother" in saved[1].read_text(encoding="utf-8")
    assert str(saved[1]) in out.getvalue()

    await chat.on_line("/forget")
    await chat.on_line("1")  # Yes, delete everything
    assert out.getvalue().rstrip().endswith(guide_for("en").privacy.forgotten)


async def test_export_says_when_a_story_was_last_changed_an_edited_answer_included(
    conversations: Conversations, clock: FakeClock
) -> None:
    alice = Chat(conversations)
    await tell_whole_story(alice)
    told = clock()
    clock.advance(days=2)
    assert await alice.send(Edited("Writing cables, now in half the time", 1)) is not None
    _, data = _files(await alice.send(Command("export")))
    [story] = data["stories"]
    assert story["updated_at"] == clock().isoformat() != told.isoformat()


async def test_export_says_who_may_read_a_shared_quote(conversations: Conversations) -> None:
    """A quote shared before members saw the photo went to the facilitators alone; one
    shared after the offer named the team reaches its members too: the export says which."""
    database = conversations.database
    alice = Chat(conversations)
    older, newer = await tell_whole_story(alice), await tell_whole_story(alice)
    await release_quote(database, older)  # as before the photo went back to the team
    async with database.transaction() as session:
        await session.execute(
            update(Story).where(Story.id == newer).values(quote_released=True, for_members=True)
        )
    markdown, data = _files(await alice.send(Command("export")))
    shared = {s["id"]: (s["quote_released"], s["quote_for_members"]) for s in data["stories"]}
    assert shared == {older: (True, False), newer: (True, True)}
    assert markdown.count(P.file_released) == 1 and markdown.count(P.file_released_team) == 1


async def test_the_check_in_settings_in_an_export_are_a_record_not_a_clock(
    conversations: Conversations, clock: FakeClock
) -> None:
    """No "it is 03:45 there now", no "tomorrow": the zone, and the next check-in's date."""
    database = conversations.database
    alice = Chat(conversations)
    await tell_whole_story(alice)
    await schedule_checkins(database, await person_id(database, ALICE), clock())
    exported = await alice.send(Command("export"))
    assert exported is not None
    markdown, _ = _files(Outcome(exported.state, exported.replies[:2]))
    settings = markdown.split(P.file_checkins, 1)[1]
    next_at = (clock() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert "(time zone Europe/Amsterdam)" in settings
    assert f"Next check-in: {next_at:%A} {next_at.day} {next_at:%B}" in settings
    assert "there now" not in settings and "Tomorrow" not in settings
