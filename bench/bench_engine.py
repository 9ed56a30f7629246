"""Benchmark: the durable engine against a bare python-telegram-bot echo bot.

Usage (from the project root):
    .venv/bin/python bench/bench_engine.py [--people 50] [--interviews 1] [--think 0]
        [--people-large 200] [--large-seconds 60] [--large-think 15] [--rate 30]
        [--phases echo,sqlite,postgresql,sqlite-large,postgresql-large] [--rounds 1]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test]

This process runs the fake Bot API server (tests/support/fake_telegram) and the simulated
people; each bot runs as a child process, so the load does not take the bot's CPU
(on a 2-core machine they still share the cores, with PostgreSQL). Phases:

- echo: bench/echo_bot.py, a bare PTB bot (updater polling, AIORateLimiter at
  --rate/s overall, a MessageHandler that echoes, a CallbackQueryHandler that
  answers and edits);
- sqlite / postgresql: ``leerverhaal run`` on a fresh SQLite file, or on a fresh
  PostgreSQL database created on the --postgres-url server and dropped afterwards;
- *-large: the same with --people-large people;
- echo-matched: the echo bot sending, for each step, as many messages as the
  first sqlite/postgresql phase before it sent (the median over people): the
  same work for the rate limit, so updates/s and CPU compare like for like.

In the normal phases every person does --interviews whole interviews (/start, the
language, begin, typed answers, option taps, Done, skip, save: 17 updates; each after
the first as someone new, since the script begins with a first contact), waiting for each
reply and then --think seconds on average (0: at once, which keeps the bot
saturated, so latency ~ people / updates-per-second by Little's law). In the large
phases people go through interviews for --large-seconds, thinking --large-think
seconds on average (uniform 0..2x) before each action. Measured: updates per second,
CPU time per update (the bot's process, from /proc; PostgreSQL's server processes are
not in it: they show under "others"), Bot API calls per update, reply latency (the
person's action to the arrival at the server of the reply they wait for), RSS when idle
after start and after the load, and CPU when idle. Targets: ours/echo updates per second >= 0.8,
CPU per update ours/echo <= 2, idle RSS <= 100 MB, p99 latency with 200 people <= 2 s.
The machine's speed drifts from minute to minute on a shared host: --rounds N runs the
phases N times in turn and reports each round's ratios and their median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.engine_support import (
    BotProcess,
    Pace,
    Sample,
    WatchedTelegram,
    bot_env,
    cpu_seconds,
    echo_script,
    interview_script,
    machine_busy,
    paced_per_step,
    percentile,
    rss_mb,
    run_load,
    start_bot,
)
from bench.postgres_support import database_counters, throwaway_postgres

ECHO_BOT = Path(__file__).with_name("echo_bot.py")
LEERVERHAAL = Path(sys.executable).with_name("leerverhaal")
IDLE_SECONDS = 3.0
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PARTS = ("fetch", "handle", "reply")
QS = ("median", "p99")
PHASES = (
    "echo",
    "sqlite",
    "postgresql",
    "sqlite-large",
    "postgresql-large",
    "echo-large",
    "echo-matched",
)


@dataclass
class Result:
    """What one phase measured (CPU in seconds, memory in MB)."""

    name: str
    people: int
    updates: int
    seconds: float
    cpu: float
    others: float  # CPU seconds of other processes (not the bot, not this one) meanwhile
    calls: int
    paced_calls: int
    per_step: list[int]  # paced calls for each step of the script (median over people)
    samples: list[Sample]
    idle_rss: float
    rss_after: float
    idle_cpu: float
    database: dict[str, float] | None  # pg_stat_database differences, load until stop
    problems: list[str]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def latencies(self) -> list[float]:
        return [sample.total for sample in self.samples]

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.updates if self.updates else float("nan")

    def per_update(self, value: float) -> float:
        return value / self.updates if self.updates else float("nan")


@contextlib.asynccontextmanager
async def database(name: str, postgres_url: str) -> AsyncIterator[str | None]:
    """None for SQLite (the bot's data directory), else a throwaway PostgreSQL database."""
    if not name.startswith("postgresql"):
        yield None
        return
    async with throwaway_postgres(postgres_url) as url:
        yield url


def pace(name: str, args: argparse.Namespace) -> Pace:
    """Whole interviews at --think, or (large phases) --large-seconds at --large-think."""
    if name.endswith("-large"):
        return Pace(interviews=None, think=args.large_think, seconds=args.large_seconds)
    return Pace(interviews=args.interviews, think=args.think)


async def run_phase(
    name: str, args: argparse.Namespace, folder: Path, matched: list[int] | None = None
) -> Result:
    """Start the phase's bot, measure it idle, under load and idle again, stop it.

    ``matched``: the echo bot's messages per step (echo-matched)."""
    people = args.people_large if name.endswith("-large") else args.people
    echo = name.startswith("echo")
    script = interview_script()
    async with WatchedTelegram("123456:BENCH") as tg, database(name, args.postgres_url) as url:
        env = bot_env(tg, args.rate) | {"LEERVERHAAL_DATA_DIR": str(folder)}
        if matched:
            env["BENCH_MESSAGES"] = ",".join(map(str, matched))
        if url:
            env["LEERVERHAAL_DATABASE__URL"] = url
        command = [sys.executable, str(ECHO_BOT)] if echo else [str(LEERVERHAAL), "run"]
        bot: BotProcess = await start_bot(tg, command, env, folder)
        try:
            began = cpu_seconds(bot.pid)
            await asyncio.sleep(IDLE_SECONDS)
            idle_cpu = (cpu_seconds(bot.pid) - began) / IDLE_SECONDS
            idle_rss = rss_mb(bot.pid)
            first_call = len(tg.calls)
            counters = await database_counters(url) if url else None
            began, busy, own = cpu_seconds(bot.pid), machine_busy(), cpu_seconds(os.getpid())
            load = await run_load(
                tg, people, echo_script(script, matched) if echo else script, pace(name, args)
            )
            cpu = cpu_seconds(bot.pid) - began
            others = machine_busy() - busy - cpu - (cpu_seconds(os.getpid()) - own)
            calls = tg.calls[first_call:]
            await asyncio.sleep(IDLE_SECONDS)
            rss_after = rss_mb(bot.pid)
            per_step = paced_per_step(tg, load, len(script))
        finally:
            code = await bot.stop()
        if url and counters:
            after = await database_counters(url)
            counters = {key: after[key] - counters[key] for key in counters}
        problems = [*load.failures, *(f"bot log: {line}" for line in bot.errors()[:5])]
        problems += [f"Bot API violation: {v.method} {v.description}" for v in tg.violations[:5]]
        if tg.unanswered_callbacks:
            problems.append(f"{len(tg.unanswered_callbacks)} button presses never answered")
        if code not in (0, -15):
            problems.append(f"exit code {code}:\n{bot.tail()}")
    paced = [c for c in calls if c.method != "answerCallbackQuery"]
    return Result(
        name, people, len(load.latencies), load.seconds, cpu, others, len(calls), len(paced),
        per_step, load.samples, idle_rss, rss_after, idle_cpu, counters, problems,
    )  # fmt: skip


def print_tables(results: list[Result], rate: float) -> None:
    """Speed and latency; then memory, idle CPU and the PostgreSQL counters."""
    header = (
        f"{'phase':<17}{'people':>7}{'updates':>8}{'s':>7}{'upd/s':>7}{'ceil':>7}"
        f"{'CPU ms/upd':>11}{'calls/upd':>10}{'median ms':>10}{'p99 ms':>8}{'max ms':>8}"
        f"{'others':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ceiling = rate * r.updates / r.paced_calls if r.paced_calls else float("nan")
        print(
            f"{r.name:<17}{r.people:>7}{r.updates:>8}{r.seconds:>7.1f}{r.per_second:>7.1f}"
            f"{ceiling:>7.1f}{r.cpu_ms:>11.2f}{r.per_update(r.calls):>10.2f}"
            f"{1000 * statistics.median(r.latencies or [0]):>10.0f}"
            f"{1000 * percentile(r.latencies, 0.99):>8.0f}{1000 * max(r.latencies or [0]):>8.0f}"
            f"{r.others / max(r.seconds, 1e-9):>8.2f}"
        )
    print(
        "ceil: the rate limit's ceiling in updates/s (--rate / paced calls per update; "
        "neither bot paces\nanswerCallbackQuery, which is no message). "
        "Latency: action to the\narrival of the awaited reply at the server. others: cores "
        "busy meanwhile with other processes\n(PostgreSQL included; anything well above 0 on "
        "SQLite means the machine was shared)."
    )
    print()
    header = (
        f"{'phase':<17}{'idle RSS MB':>12}{'RSS after MB':>13}{'idle CPU %':>11}"
        f"{'xact/upd':>9}{'DB active ms/upd':>17}{'DB sessions':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        db = r.database
        line = f"{r.name:<17}{r.idle_rss:>12.0f}{r.rss_after:>13.0f}{100 * r.idle_cpu:>11.1f}"
        if db is not None:
            xacts = db["xact_commit"] + db["xact_rollback"]
            line += (
                f"{r.per_update(xacts):>9.2f}{r.per_update(db['active_time']):>17.2f}"
                f"{db['sessions']:>12.0f}"
            )
        print(line)
    print(
        "PostgreSQL counters (pg_stat_database) run from the load's start until the bot stopped "
        "(a few\nidle seconds and the shutdown included). DB sessions: connections opened."
    )
    print()
    header = f"{'phase':<17}" + "".join(f"{part + ' ' + q:>14}" for part in PARTS for q in QS)
    print(header)
    print("-" * len(header))
    for r in results:
        parts = {part: [getattr(sample, part) for sample in r.samples] for part in PARTS}
        print(
            f"{r.name:<17}"
            + "".join(
                f"{1000 * percentile(parts[part], share):>14.0f}"
                for part in PARTS
                for share in (0.5, 0.99)
            )
        )
    print(
        "Latency in parts (ms): fetch = action until getUpdates handed it to the bot; handle = "
        "until the\nbot's first call to that chat; reply = until the awaited reply arrived "
        "(a tap's answer comes first)."
    )


def print_ratios(results: dict[str, Result]) -> None:
    echo = results.get("echo")
    print()
    for name in ("sqlite", "postgresql"):
        ours = results.get(name)
        if ours is None:
            continue
        for baseline in ("echo", "echo-matched"):
            if (other := results.get(baseline)) is not None:
                speed = ours.per_second / other.per_second
                cpu = ours.cpu_ms / other.cpu_ms
                print(f"{name}: updates/s ours/{baseline} {speed:.2f} (target >= 0.8), "
                      f"CPU per update ours/{baseline} {cpu:.2f} (target <= 2)")  # fmt: skip
        print(f"{name}: idle RSS {ours.idle_rss:.0f} MB (target <= 100 MB; echo: "
              f"{echo.idle_rss if echo else float('nan'):.0f} MB)")  # fmt: skip
    for name in ("sqlite-large", "postgresql-large", "echo-large"):
        if (large := results.get(name)) is not None:
            p99 = percentile(large.latencies, 0.99)
            print(f"{name} ({large.people} people): median "
                  f"{statistics.median(large.latencies or [0]):.2f} s, p99 {p99:.2f} s "
                  f"(target <= 2 s)")  # fmt: skip
    shared = [
        r.name
        for r in results.values()
        if not r.name.startswith("postgresql") and r.others > 0.25 * r.seconds
    ]
    if shared:
        print(f"WARNING: other programs kept the machine busy during {', '.join(shared)}: "
              "speed and latency are not reliable there")  # fmt: skip
    for result in results.values():
        for problem in result.problems:
            print(f"PROBLEM in {result.name}: {problem}")


async def run_round(args: argparse.Namespace) -> dict[str, Result] | None:
    """Every phase once, in the order given; None when a phase could not run."""
    results: dict[str, Result] = {}
    for name in args.phases:
        matched = None
        if name == "echo-matched":
            ours = [r for r in results.values() if r.name in ("sqlite", "postgresql")]
            if not ours:
                print("echo-matched needs a sqlite or postgresql phase before it", file=sys.stderr)
                return None
            matched = ours[0].per_step
            print(f"echo-matched: messages per step {matched}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder:
            print(f"{name}: running...", file=sys.stderr, flush=True)
            results[name] = await run_phase(name, args, Path(folder), matched)
    return results


def print_rounds(rounds: list[dict[str, Result]]) -> None:
    """Each round's ratios side by side, and their medians (the machine's drift between
    rounds shows as their spread)."""
    print(f"\nover {len(rounds)} rounds (each ratio within one round):")
    for name in ("sqlite", "postgresql"):
        for baseline in ("echo", "echo-matched"):
            pairs = [(r[name], r[baseline]) for r in rounds if name in r and baseline in r]
            if not pairs:
                continue
            cpu = [ours.cpu_ms / other.cpu_ms for ours, other in pairs]
            speed = [ours.per_second / other.per_second for ours, other in pairs]
            ms = ", ".join(f"{ours.cpu_ms:.2f}/{other.cpu_ms:.2f}" for ours, other in pairs)
            print(f"{name}/{baseline}: CPU ms per update {ms}; CPU ratio "
                  f"{', '.join(f'{c:.2f}' for c in cpu)}, median {statistics.median(cpu):.2f} "
                  f"(target <= 2); updates/s ratio median {statistics.median(speed):.2f} "
                  f"(target >= 0.8)")  # fmt: skip
        rss = [r[name].idle_rss for r in rounds if name in r]
        if rss:
            print(f"{name}: idle RSS {', '.join(f'{m:.0f}' for m in rss)} MB (target <= 100)")


async def run(args: argparse.Namespace) -> int:
    rounds: list[dict[str, Result]] = []
    for number in range(1, args.rounds + 1):
        results = await run_round(args)
        if results is None:
            return 2
        rounds.append(results)
        if args.rounds > 1:
            print(f"\n=== round {number} of {args.rounds}")
        print(
            f"{os.cpu_count()} CPUs; --rate {args.rate:g}/s; --people {args.people}: "
            f"--interviews {args.interviews} at --think {args.think:g} s; --people-large "
            f"{args.people_large}: --large-seconds {args.large_seconds:g} at --large-think "
            f"{args.large_think:g} s"
        )
        print_tables(list(results.values()), args.rate)
        print_ratios(results)
    if args.rounds > 1:
        print_rounds(rounds)
    return 1 if any(r.problems for results in rounds for r in results.values()) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--people-large", type=int, default=200)
    parser.add_argument("--interviews", type=int, default=1, help="whole interviews per person")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between replies")
    parser.add_argument(
        "--large-seconds", type=float, default=60.0, help="how long the large phases run"
    )
    parser.add_argument(
        "--large-think", type=float, default=15.0, help="mean think seconds, large phases"
    )
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second, both bots")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the phases this many times, in turn"
    )
    parser.add_argument(
        "--phases",
        type=lambda text: text.split(","),
        default=list(PHASES[:5]),
        help=f"comma-separated, of: {', '.join(PHASES)}",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LEERVERHAAL_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server where a throwaway database may be created and dropped",
    )
    args = parser.parse_args()
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
