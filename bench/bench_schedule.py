"""Benchmark: next checkin instants for many people, single process, single core.

Usage: .venv/bin/python bench/bench_schedule.py [--people 100000] [--repeat 3] [--seed 1]

Builds one CheckinRule per person over every zone in the tz database, all rhythms, weekdays,
times between 08:00 and 21:00 and several weekends, times ``next_checkin_at`` for all of
them with ``time.perf_counter`` and checks every result is in the future and allowed.
Target: at least 20,000 people per second.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from flows.checkins.schedule import CheckinRule, Rhythm, is_allowed, known_zones, next_checkin_at

TARGET = 20_000
WEEKENDS: tuple[frozenset[int], ...] = (
    frozenset({5, 6}),
    frozenset({4, 5}),
    frozenset({6}),
    frozenset({4}),
    frozenset(),
)
RHYTHMS = (Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY)
TIMES = (*(clock(h, m) for h in range(8, 21) for m in (0, 15, 30, 45)), clock(21))


def build(people: int, now: datetime, seed: int) -> list[tuple[CheckinRule, datetime | None]]:
    rng = random.Random(seed)
    zones = sorted(known_zones())
    population = []
    for _ in range(people):
        rule = CheckinRule(
            rng.choice(zones),
            rhythm=rng.choice(RHYTHMS),
            weekday=rng.randrange(7),
            at=rng.choice(TIMES),
            weekend=rng.choice(WEEKENDS),
        )
        last = None if rng.random() < 0.1 else now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        population.append((rule, last))
    return population


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    now = datetime.now(UTC)
    start = time.perf_counter()
    population = build(args.people, now, args.seed)
    built = time.perf_counter() - start
    zones = len({rule.zone for rule, _ in population})
    print(f"built {len(population):,} rules over {zones} zones in {built:.2f} s")

    best = float("inf")
    results: list[datetime | None] = []
    for run in range(1, args.repeat + 1):
        start = time.perf_counter()
        results = [next_checkin_at(rule, now=now, last_checkin=last) for rule, last in population]
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        print(f"run {run}: {elapsed:.3f} s, {len(population) / elapsed:,.0f} people/s")

    wrong = sum(
        1
        for (rule, _), result in zip(population, results, strict=True)
        if result is None or result <= now or not is_allowed(rule, result)
    )
    rate = len(population) / best
    print(f"best: {rate:,.0f} people/s per core (target {TARGET:,})")
    print(f"results not in the future or not allowed: {wrong}")
    return 0 if wrong == 0 and rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
