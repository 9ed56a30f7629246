"""Benchmark: count a team photo over 100,000 stored answers.

Usage (from the project root):
    .venv/bin/python bench/bench_team_photo.py [--answers 100000] [--database-url URL]

``--database-url`` must name an empty, throwaway database (it is refused otherwise);
the benchmark migrates it and migrates it back down to empty at the end.

Bulk-inserts one team's confirmed stories and check-ins spread over 2026 (four
quick picks each, so ``--answers`` choice rows), the same again for a second
team (noise the query must skip), and a thousand shared openings. Then times,
as of January 2027: the first look at each month, which freezes it (counts it
from the answers once, see ``storage.photo_months``), and then the photo of a
quarter and of the year (read from the frozen months: disclosure checks,
totals, counts, quotes), several times each. Targets: the year at most 1.5x
the quarter, both under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.content.guide import guide_for
from flows.teams.periods import Period, Span
from flows.teams.views import PhotoRules, TeamRef
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Answer, Choice, Person, Story, Team
from storage.team_photo_query import TeamPhotoQuery

PICKS_PER_STORY = 4
PEOPLE_PER_TEAM = 400
SHARED = 1_000
START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2027, 1, 15, tzinfo=UTC)  # every month of 2026 has ended
CHUNK = 5_000


def _picks(rng: random.Random) -> list[tuple[str, str]]:
    guide = guide_for("en")
    questions = [q for q in guide.questions if q.options]
    chosen = rng.sample(questions, PICKS_PER_STORY)
    return [(q.key, rng.choice(list(q.options))) for q in chosen]


async def populate(database: Database, cipher: TextCipher, answers: int) -> int:
    """Two teams with ``answers`` choice rows each; returns the measured team's id."""
    rng = random.Random(7)
    stories_per_team = answers // PICKS_PER_STORY
    now = datetime.now(UTC)
    async with database.transaction() as session:
        teams = [Team(name=f"Team {i}", created_at=now) for i in (1, 2)]
        session.add_all(teams)
        await session.flush()
        people = [
            {
                "id": i + 1, "channel": "telegram", "external_id": 10_000_000 + i,
                "chat_id": None, "language": "en", "state": "", "version": 0,
                "created_at": now, "updated_at": now,
            }
            for i in range(2 * PEOPLE_PER_TEAM)
        ]  # fmt: skip
        await session.execute(insert(Person), people)
        story_id = 0
        for team_number, team in enumerate(teams):
            for first in range(0, stories_per_team, CHUNK):
                stories, choices, openings = [], [], []
                for _ in range(min(CHUNK, stories_per_team - first)):
                    story_id += 1
                    when = START + timedelta(minutes=rng.randrange(365 * 24 * 60))
                    shared = team_number == 0 and story_id <= SHARED
                    stories.append(
                        {
                            "id": story_id,
                            "person_id": team_number * PEOPLE_PER_TEAM
                            + rng.randrange(PEOPLE_PER_TEAM) + 1,
                            "kind": "checkin" if rng.random() < 0.2 else "story",
                            "status": "complete", "created_at": when, "updated_at": when,
                            "completed_at": when, "team_id": team.id, "quote_released": shared,
                        }
                    )  # fmt: skip
                    choices += [
                        {"story_id": story_id, "question": q, "option": o} for q, o in _picks(rng)
                    ]
                    if shared:
                        text = cipher.encrypt(f"Something that goes better, number {story_id}")
                        openings.append(
                            {"story_id": story_id, "question": "change",
                             "text_encrypted": text, "skipped": False, "updated_at": when}
                        )  # fmt: skip
                await session.execute(insert(Story), stories)
                await session.execute(insert(Choice), choices)
                if openings:
                    await session.execute(insert(Answer), openings)
    return teams[0].id


async def look(database: Database, cipher: TextCipher, team: TeamRef, period: Period) -> float:
    """Seconds for one photo, its transaction included."""
    began = time.perf_counter()
    async with database.transaction() as session:
        rules = PhotoRules(minimum=5, quotes=3, opening_key="change")
        photo = await TeamPhotoQuery(session, cipher, rules).photo(team, period, NOW)
    assert photo.disclosable and photo.counts and len(photo.quotes) == 3
    return time.perf_counter() - began


async def measure(
    database: Database, cipher: TextCipher, team: TeamRef, period: Period
) -> list[float]:
    return [await look(database, cipher, team, period) for _ in range(5)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        database = Database(url)
        cipher = TextCipher((Fernet.generate_key(),))
        try:
            if await database.current_revision() is not None:
                raise SystemExit("the benchmark needs an empty, throwaway database")
            await database.upgrade()
            began = time.perf_counter()
            team_id = await populate(database, cipher, args.answers)
            print(
                f"{database.engine.dialect.name}: {2 * args.answers:,} choice rows "
                f"({args.answers:,} in the measured team) in {time.perf_counter() - began:.1f} s"
            )
            team = TeamRef(team_id, "Team 1")
            freezing = [
                await look(database, cipher, team, Period(2026, Span.MONTH, month))
                for month in range(1, 13)
            ]
            print(
                f"first look at a month (freezes it): median "
                f"{statistics.median(freezing) * 1000:.0f} ms, worst {max(freezing) * 1000:.0f} ms"
            )
            medians = {}
            for period in (Period(2026, Span.QUARTER, 3), Period(2026, Span.YEAR)):
                timings = await measure(database, cipher, team, period)
                medians[period.span] = statistics.median(timings)
                print(
                    f"photo {period}: median {medians[period.span] * 1000:.0f} ms, "
                    f"worst {max(timings) * 1000:.0f} ms (5 runs)"
                )
            ratio = medians[Span.YEAR] / medians[Span.QUARTER]
            print(f"year / quarter: {ratio:.2f} (target <= 1.5)")
            await database.downgrade("base")
        finally:
            await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
