"""Helpers of bench/bench_engine.py: the watched fake server, the people, the bots."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fake_telegram import FakeTelegram, FakeUser

ReplyKind = Literal["message", "edit", "answer"]
Moment = Literal["message", "edit", "answer", "call", "fetched"]  # call: any of the kinds
WATCHED: dict[str, ReplyKind] = {
    "sendMessage": "message",
    "editMessageText": "edit",
    "editMessageReplyMarkup": "edit",
    "answerCallbackQuery": "answer",
}
TAP = "Tap"  # the only button of bench/echo_bot.py
NEXT_ROUND = 1_000_000  # the id of a person's next interview's teller: this much further on
STEP_TIMEOUT = 180.0  # seconds a person waits for a reply before the phase counts a failure
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


# --- the fake server, watched -------------------------------------------------------------


class Replies:
    """When the bot fetched one chat's updates, and when its calls to the chat arrived."""

    def __init__(self) -> None:
        self.times: dict[Moment, list[float]] = {
            "message": [], "edit": [], "answer": [], "call": [], "fetched": []
        }  # fmt: skip
        self._changed = asyncio.Event()

    def add(self, kind: Moment, at: float) -> None:
        self.times[kind].append(at)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, kind: Moment, index: int) -> float:
        """The arrival time of the ``index``-th (0-based) call of that kind."""
        async with asyncio.timeout(STEP_TIMEOUT):
            while len(self.times[kind]) <= index:
                await self._changed.wait()
        return self.times[kind][index]


class WatchedTelegram(FakeTelegram):
    """The fake Bot API server, noting when each reply to a chat arrives."""

    def __init__(self, token: str) -> None:
        self.replies: dict[int, Replies] = {}
        super().__init__(token=token)

    def method_table(self) -> dict[str, Callable[[dict[str, Any], Any], Any]]:
        table = super().method_table()
        for name, kind in WATCHED.items():
            table[name] = self._watched(kind, table[name])
        return table

    def _watched(
        self, kind: ReplyKind, handler: Callable[[dict[str, Any], Any], Any]
    ) -> Callable[[dict[str, Any], Any], Any]:
        def watched(params: dict[str, Any], files: Any) -> Any:
            result = handler(params, files)
            chat = self.callback_answers[-1].chat_id if kind == "answer" else params["chat_id"]
            replies = self.replies_of(int(chat or 0))
            replies.add(kind, time.monotonic())
            replies.add("call", time.monotonic())
            return result

        return watched

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        batch = await super()._get_updates(params)
        now = time.monotonic()
        for update in batch:
            content = update.get("message") or update.get("callback_query", {}).get("message")
            if content:
                self.replies_of(int(content["chat"]["id"])).add("fetched", now)
        return batch

    def replies_of(self, chat_id: int) -> Replies:
        """The reply log of a chat, created on first use."""
        return self.replies.setdefault(chat_id, Replies())


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing a person does, and the reply they wait for (the step's last call)."""

    action: Literal["text", "tap"]
    value: str
    wait: ReplyKind
    count: int = 1


def interview_script() -> list[Step]:
    """A whole English interview, as in tests/support/telegram.py, ending with "save"."""
    from flows.content.guide import guide_for

    texts = guide_for("en").texts
    return [
        Step("text", "/start", "message"),  # the language question (a first contact)
        Step("tap", "English", "edit"),  # the welcome takes its place
        Step("tap", texts.begin, "message"),
        Step("text", "Writing short cables for headquarters 🙂", "message"),
        Step("tap", "By doing, trial and error", "edit"),
        Step("tap", "Feedback", "edit"),
        Step("tap", texts.done, "message"),
        Step("tap", "A more experienced colleague", "edit"),
        # typed words join the picks; the question is shown again until Done
        Step("text", "my mentor's old cables, and the style guide nobody reads", "message"),
        Step("tap", texts.done, "message"),
        Step("tap", texts.skip, "message"),
        Step("tap", "Doubting myself: “I should know this”", "edit"),
        Step("tap", texts.done, "message"),
        # the offer of a thank-you note to pass on, then the next question
        Step("text", "Ana, who read every draft and asked good questions", "message", 2),
        Step("tap", "Shadowing a colleague", "edit"),
        Step("tap", texts.done, "message"),
        # the card edited into the saved one, the one dish that fits (shadowing), then the
        # check-in offer
        Step("tap", texts.confirm, "message", 2),
    ]


def echo_script(script: list[Step], messages: list[int] | None = None) -> list[Step]:
    """The same texts and taps for the echo bot: it echoes a text and edits on a tap.

    ``messages``: how many messages (edits included) the echo bot sends for each step
    (bench/echo_bot.py's BENCH_MESSAGES), to match another bot's; one each when None.
    """
    counts = messages or [1] * len(script)
    return [
        Step("text", s.value, "message", max(n, 1))
        if s.action == "text"
        else Step("tap", TAP, "edit")
        if n <= 1
        else Step("tap", TAP, "message", n - 1)
        for s, n in zip(script, counts, strict=True)
    ]


def paced_per_step(tg: WatchedTelegram, load: Load, steps: int) -> list[int]:
    """The median number of paced calls (all but answerCallbackQuery) a bot made for each
    step of the script: the calls to a chat from one step's action until the next's."""
    found: list[list[int]] = [[] for _ in range(steps)]
    for chat, sent in load.actions.items():
        replies = tg.replies_of(chat)
        for index, start in enumerate(sent):
            end = sent[index + 1] if index + 1 < len(sent) else float("inf")
            calls = sum(start <= t < end for t in replies.times["call"])
            answers = sum(start <= t < end for t in replies.times["answer"])
            found[index % steps].append(calls - answers)
    return [int(statistics.median(counts)) if counts else 1 for counts in found]


@dataclass(frozen=True)
class Pace:
    """How people go: ``interviews`` each, or (None) interviews over and over until
    ``seconds`` have passed; ``think``: mean seconds between a reply and the next action."""

    interviews: int | None = 1
    think: float = 0.0
    seconds: float = 0.0


@dataclass(frozen=True)
class Sample:
    """One reply's latency in parts (seconds): until the bot fetched the update, until
    its first call to the chat, and until the reply the person waits for arrived."""

    fetch: float
    handle: float
    reply: float

    @property
    def total(self) -> float:
        return self.fetch + self.handle + self.reply


@dataclass
class Load:
    """What the people of one phase did: reply latencies and failures."""

    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    actions: dict[int, list[float]] = field(default_factory=dict)  # per chat: when each step
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def latencies(self) -> list[float]:
        return [sample.total for sample in self.samples]


async def person(
    tg: WatchedTelegram, user: FakeUser, script: list[Step], pace: Pace, load: Load
) -> None:
    """Do interviews as ``pace`` says, waiting for each reply before going on.

    The script is a first contact (/start, the language), so every interview after the
    first is told by someone new: a fresh chat, ``NEXT_ROUND`` ids further on."""
    rng = random.Random(user.id)
    deadline = load.started + pace.seconds
    rounds = itertools.count() if pace.interviews is None else range(pace.interviews)
    first = user
    try:
        for round_number in rounds:
            if round_number:
                user = tg.user(first.id + round_number * NEXT_ROUND, first.first_name)
            replies = tg.replies_of(user.id)
            for step in script:
                if pace.think:
                    pause = rng.uniform(0, 2 * pace.think)
                    if pace.interviews is None:
                        pause = min(pause, deadline - time.monotonic())
                    await asyncio.sleep(max(pause, 0.0))
                if pace.interviews is None and time.monotonic() >= deadline:
                    return
                marks = {kind: len(times) for kind, times in replies.times.items()}
                sent = time.monotonic()
                load.actions.setdefault(user.id, []).append(sent)
                if step.action == "text":
                    await user.send(step.value)
                else:
                    await user.press_button(step.value)
                arrived = await replies.wait(step.wait, marks[step.wait])
                await replies.wait(step.wait, marks[step.wait] + step.count - 1)
                fetched = replies.times["fetched"][marks["fetched"]]
                called = replies.times["call"][marks["call"]]
                load.samples.append(Sample(fetched - sent, called - fetched, arrived - called))
    except (TimeoutError, AssertionError) as exc:
        load.failures.append(f"{type(exc).__name__} after {len(load.samples)} replies")


async def run_load(tg: WatchedTelegram, people: int, script: list[Step], pace: Pace) -> Load:
    """Everybody at once, each in their own chat; returns when all are done."""
    users = [tg.user(20_000_000 + i, f"P{i}") for i in range(people)]
    load = Load(started=time.monotonic())
    await asyncio.gather(*(person(tg, u, script, pace, load) for u in users))
    load.ended = time.monotonic()
    return load


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(share * len(ordered) + 0.5) - 1))]


# --- processes ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6


@dataclass
class BotProcess:
    """A bot running as a child process, its output going to a log file."""

    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def errors(self) -> list[str]:
        """Log lines at ERROR or worse, and tracebacks."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if " ERROR " in line or line.startswith("Traceback")]

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> int:
        """SIGTERM, then SIGKILL after 30 s; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return int(self.process.returncode or 0)


async def start_bot(
    tg: WatchedTelegram, command: list[str], env: dict[str, str], folder: Path
) -> BotProcess:
    """Start a bot process in ``folder`` and wait until it polls the fake server."""
    log = folder / "bot.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LEERVERHAAL_", "BENCH_"))}
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=folder, env=clean | env, stdout=output, stderr=output
        )
    bot = BotProcess(process, log)
    deadline = time.monotonic() + 90
    while tg.get_updates_calls == 0:
        if process.returncode is not None or time.monotonic() > deadline:
            await bot.stop()
            raise RuntimeError(f"the bot did not start polling:\n{bot.tail()}")
        await asyncio.sleep(0.05)
    return bot


def bot_env(tg: WatchedTelegram, rate: float) -> dict[str, str]:
    """What both bots need to reach the fake server."""
    return {
        "BENCH_TOKEN": tg.token,
        "BENCH_BASE_URL": tg.base_url,
        "BENCH_BASE_FILE_URL": tg.base_file_url,
        "BENCH_RATE": str(rate),
        "LEERVERHAAL_TELEGRAM__TOKEN": tg.token,
        "LEERVERHAAL_TELEGRAM__BASE_URL": tg.base_url,
        "LEERVERHAAL_TELEGRAM__BASE_FILE_URL": tg.base_file_url,
        "LEERVERHAAL_TELEGRAM__POLL_TIMEOUT": "10",
        "LEERVERHAAL_TELEGRAM__MAX_MESSAGES_PER_SECOND": str(rate),
    }


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS  # minus idle and iowait
