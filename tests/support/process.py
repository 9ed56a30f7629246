"""``leerverhaal run`` as a real process against FakeTelegram: start it, kill it, start it again.

``bot_env`` builds the environment (the fake server, a data directory of the test's
own, short engine leases, a one-second long poll). ``BotProcess`` is one
``leerverhaal`` process (the installed script) with its stderr in a file.
``Restarts`` keeps one bot running and starts a new one after each SIGKILL. Its
processes are forked by a "zygote" that has imported the bot once, so a restart
costs the start-up of ``leerverhaal run`` itself, not a second of imports: each
child runs ``bot.cli.main(["run"])``, exactly what the script does, in a fresh
process with its own pid, connections and event loop.

Only processes started here are ever signalled, each by its own pid.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Self

from tests.support.fake_telegram import FakeTelegram

ALREADY_RUNNING_EXIT = 2
_KEEP = ("LEERVERHAAL_TEST_POSTGRES_URL", "LEERVERHAAL_REQUIRE_POSTGRES")
FAST_ENGINE = {
    "TELEGRAM__POLL_TIMEOUT": "1",
    "ENGINE__CLAIM_SECONDS": "5",
    "ENGINE__LEASE_SECONDS": "5",
    "ENGINE__RENEW_SECONDS": "2",
}
# Reads commands on stdin: "go" forks a child that runs the bot (its pid is printed),
# "wait <pid>" prints the child's exit status (negative: killed by that signal). It ends
# when stdin closes (the test process ended), and its children with it.
_ZYGOTE = """
import ctypes, os, signal, sys
import bot.cli, bot.telegram.app
while line := sys.stdin.readline():
    command, *rest = line.split()
    if command == "go":
        pid = os.fork()
        if pid == 0:
            os.dup2(2, 1)  # stdout is the protocol channel
            try:  # Linux: die with the zygote, which ends when the test's stdin closes
                ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            except (OSError, AttributeError):
                pass
            code = 1
            try:
                code = bot.cli.main(["run"])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
    else:
        status = os.waitstatus_to_exitcode(os.waitpid(int(rest[0]), 0)[1])
    print(pid if command == "go" else status, flush=True)
"""


def bot_env(
    tg: FakeTelegram, data_dir: Path, database_url: str | None = None, **settings: str
) -> dict[str, str]:
    """The environment of a bot process: no LEERVERHAAL_* from outside, the fake server,
    ``data_dir`` as data directory and HOME, fast engine settings, and ``settings``
    (names without the ``LEERVERHAAL_`` prefix, e.g. ``ENGINE__CONCURRENCY="4"``)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if (not name.startswith("LEERVERHAAL_") or name in _KEEP)
        and name not in ("XDG_DATA_HOME", "XDG_CONFIG_HOME")
    }
    values = {
        "DATA_DIR": str(data_dir),
        "TELEGRAM__TOKEN": tg.token,
        "TELEGRAM__BASE_URL": tg.base_url,
        "TELEGRAM__BASE_FILE_URL": tg.base_file_url,
        **FAST_ENGINE,
        **settings,
    }
    if database_url:
        values["DATABASE__URL"] = database_url
    env.update({f"LEERVERHAAL_{name}": value for name, value in values.items()})
    env.update(HOME=str(data_dir), PYTHONUNBUFFERED="1")
    return env


def leerverhaal_command() -> list[str]:
    """The installed ``leerverhaal`` script next to this Python, else ``python -m bot.cli``."""
    script = shutil.which("leerverhaal", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bot.cli"]


async def _spawn(
    command: list[str], env: Mapping[str, str], log: Path, *, pipes: bool = False
) -> asyncio.subprocess.Process:
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            *command,
            cwd=env["HOME"],
            env=dict(env),
            stdin=asyncio.subprocess.PIPE if pipes else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if pipes else stderr,
            stderr=stderr,
            start_new_session=True,
        )


class BotProcess:
    """One ``leerverhaal <args>`` process; its stdout and stderr go to ``log``."""

    def __init__(self, env: Mapping[str, str], log: Path, *args: str) -> None:
        self.env, self.log, self.args = dict(env), log, args or ("run",)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Self:
        """Start it."""
        self.process = await _spawn([*leerverhaal_command(), *self.args], self.env, self.log)
        return self

    async def wait(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Its exit status (negative: ended by that signal)."""
        assert self.process is not None, "not started"
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def stop(self, timeout: float = 20.0) -> int:  # noqa: ASYNC109
        """SIGTERM, and its exit status (SIGKILL when it does not end in time)."""
        assert self.process is not None, "not started"
        if self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            os.kill(self.process.pid, signal.SIGKILL)
            await self.wait()
            raise

    def stderr(self) -> str:
        """Everything it wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Restarts:
    """One ``leerverhaal run`` at a time, SIGKILLed and started again on demand.

    ``tg``'s getMe calls tell when a process is up (``app.initialize``). ``led`` counts
    the killed processes that had started polling (deleteWebhook: it took the lead);
    ``startups`` the seconds from each start until it was up.
    """

    def __init__(self, tg: FakeTelegram, env: Mapping[str, str], log: Path) -> None:
        self.tg, self.env, self.log = tg, dict(env), log
        self.zygote: asyncio.subprocess.Process | None = None
        self.current: int | None = None  # the running child's pid
        self.alive: set[int] = set()
        self.kills = 0
        self.led = 0
        self.startups: list[float] = []
        self._calls_at_start = 0
        self._started_at = 0.0

    async def __aenter__(self) -> Self:
        command = [sys.executable, "-c", _ZYGOTE]
        self.zygote = await _spawn(command, self.env, self.log, pipes=True)
        await self.restart()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for pid in list(self.alive):
            await self._end(pid, signal.SIGKILL)
        assert self.zygote is not None and self.zygote.stdin is not None
        self.zygote.stdin.close()
        await asyncio.wait_for(self.zygote.wait(), 10)

    async def _ask(self, command: str) -> int:
        assert self.zygote is not None
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(f"{command}\n".encode())
        await self.zygote.stdin.drain()
        line = await asyncio.wait_for(self.zygote.stdout.readline(), 30)
        if not line:
            raise AssertionError(f"the zygote ended:\n{self.stderr()[-3000:]}")
        return int(line)

    async def _end(self, pid: int, signum: signal.Signals) -> int:
        os.kill(pid, signum)
        status = await self._ask(f"wait {pid}")
        self.alive.discard(pid)
        return status

    async def restart(self) -> int:
        """Start the next process (after a kill, or the first one); its pid."""
        self._calls_at_start = len(self.tg.calls)
        self._started_at = time.monotonic()
        self.current = await self._ask("go")
        self.alive.add(self.current)
        return self.current

    def _calls_since_start(self, method: str) -> int:
        return sum(1 for call in self.tg.calls[self._calls_at_start :] if call.method == method)

    @property
    def leading(self) -> bool:
        """Whether the current process has taken the lead (it started polling)."""
        return bool(self._calls_since_start("deleteWebhook"))

    async def wait_until_up(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the current process has talked to Telegram (getMe)."""
        await self.tg.wait_for(
            lambda: self._calls_since_start("getMe"), timeout, what="the bot process to start"
        )
        self.startups.append(time.monotonic() - self._started_at)

    async def wait_until_leading(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the current process has taken the lead (a dead one's lease ran out)."""
        await self.tg.wait_for(lambda: self.leading, timeout, what="the bot to take the lead")

    async def kill_and_restart(self) -> int:
        """SIGKILL the current process, and start the next one; the new pid."""
        assert self.current is not None
        assert await self._end(self.current, signal.SIGKILL) == -signal.SIGKILL
        self.kills += 1
        self.led += self.leading
        return await self.restart()

    async def stop(self, timeout: float = 20.0) -> int:  # noqa: ASYNC109
        """Stop the current process cleanly (SIGTERM); its exit status."""
        assert self.current is not None
        stopping = asyncio.ensure_future(self._end(self.current, signal.SIGTERM))
        try:
            return await asyncio.wait_for(asyncio.shield(stopping), timeout)
        except TimeoutError:
            os.kill(self.current, signal.SIGKILL)
            await stopping
            raise

    def stderr(self) -> str:
        """What every process wrote to stderr."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def assert_nothing_personal(stderr: str, words: list[str]) -> None:
    """The bot's output contains none of ``words`` (what people typed, their names)."""
    leaked = sorted({word for word in words if word and word in stderr})
    assert not leaked, f"{len(leaked)} personal text(s) appear in the bot's stderr"
