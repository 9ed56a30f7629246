"""Benchmark: how fast ``leerverhaal chat`` starts, against importing telegram.ext.

Usage (from the project root):
    .venv/bin/python bench/bench_startup.py [--runs 5] [--settle 3]

Measures, as medians of ``--runs`` runs:
(a) ``python -c "import telegram.ext"``: the floor any bot command pays;
(b) ``leerverhaal chat`` from start until the greeting (the language question) and its
    prompt are printed, with a data folder that already holds a key and a migrated
    database (a copy of one made by a first, untimed start, which is reported too);
    then, after typing "1" twice (English, "Let's begin"), until the first question;
(c) the chat's resident memory (VmRSS) right at the greeting and ``--settle``
    seconds later (when background work started at start-up has finished).
(a) and (b) are measured in turn, run after run, so that the machine's drift hits both.
Prints (b) / (a); the target is at most 2×.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT = b"\n> "
QUESTION = b"Question 1 of"
TIMEOUT = 60.0


@dataclass(frozen=True)
class ChatRun:
    greeting: float  # seconds from start to the greeting's prompt
    question: float  # seconds from the first "1" typed to the first interview question
    rss_greeting: int  # kB
    rss_settled: int  # kB


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _leerverhaal() -> list[str]:
    script = Path(_python()).with_name("leerverhaal")
    return [str(script)] if script.exists() else [_python(), "-m", "bot.cli"]


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "LANG": "en_US.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "LEERVERHAAL_DATA_DIR": str(data_dir),
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},  # e.g. another checkout
    }


def time_import(module: str) -> float:
    """Wall time of a fresh interpreter that imports ``module``."""
    started = time.perf_counter()
    subprocess.run([_python(), "-c", f"import {module}"], check=True)
    return time.perf_counter() - started


def _read_until(process: subprocess.Popen[bytes], marker: bytes, seen: bytearray) -> None:
    """Read the chat's output into ``seen`` until ``marker`` appears after what was seen."""
    assert process.stdout is not None
    start = len(seen)
    deadline = time.monotonic() + TIMEOUT
    while marker not in seen[start:]:
        left = deadline - time.monotonic()
        if left <= 0 or process.poll() is not None:
            raise RuntimeError(f"no {marker!r} in the chat's output: {bytes(seen)!r}")
        ready, _, _ = select.select([process.stdout], [], [], left)
        if ready:
            seen += os.read(process.stdout.fileno(), 65536)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def chat_run(data_dir: Path, settle: float, *, answer: bool = True) -> ChatRun:
    """Start ``leerverhaal chat`` in ``data_dir``, greet, wait, answer "1" twice (English,
    "Let's begin") to reach the first question (if asked), quit."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*_leerverhaal(), "chat"],
            cwd=data_dir,
            env=_environment(data_dir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdin is not None
        seen = bytearray()
        try:
            _read_until(process, PROMPT, seen)
            greeting = time.perf_counter() - started
            rss_greeting = _rss_kb(process.pid)
            time.sleep(settle)
            rss_settled = _rss_kb(process.pid)
            question = 0.0
            if answer:
                typed = time.perf_counter()
                for marker in (PROMPT, QUESTION):  # the language, then "Let's begin"
                    process.stdin.write(b"1\n")
                    process.stdin.flush()
                    _read_until(process, marker, seen)
                question = time.perf_counter() - typed
            process.stdin.close()
            if process.wait(timeout=TIMEOUT) != 0:
                errors.seek(0)
                raise RuntimeError(f"chat failed: {errors.read().decode(errors='replace')}")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return ChatRun(greeting, question, rss_greeting, rss_settled)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before the 2nd RSS")
    args = parser.parse_args()

    imports: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template"
        template.mkdir(mode=0o700)
        first = chat_run(template, 0.0, answer=False)  # makes the key, migrates
        runs: list[ChatRun] = []
        for number in range(args.runs):  # (a) and (b) in turn: the machine's drift hits both
            imports.append(time_import("telegram.ext"))
            data_dir = Path(folder) / f"run{number}"
            shutil.copytree(template, data_dir)
            runs.append(chat_run(data_dir, args.settle))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    floor = median(imports)
    greeting = median([run.greeting for run in runs])
    print(f"runs: {args.runs} (medians)")
    print(f"(a) import telegram.ext          {floor * 1000:7.0f} ms")
    print(f"(b) chat: first start (new key)  {first.greeting * 1000:7.0f} ms (one run)")
    print(f"(b) chat: start → greeting       {greeting * 1000:7.0f} ms")
    print(f"    chat: 1, 1 → first question  {median([r.question for r in runs]) * 1000:7.0f} ms")
    print(
        f"(c) RSS at the greeting          {median([r.rss_greeting for r in runs]) / 1024:7.1f} MB"
    )
    print(
        f"    RSS {args.settle:g} s later             "
        f"{median([r.rss_settled for r in runs]) / 1024:7.1f} MB"
    )
    ratio = greeting / floor
    print(f"ratio (b)/(a): {ratio:.2f}× (target ≤ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
