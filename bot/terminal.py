"""The terminal chat: the same flows and storage, with quick picks by number.

Files the chat hands over (an export, a growth story, a chart) are written to a folder of the
bot's own (``<data_dir>/files``: mode 0700, files 0600). ``/forget`` deletes
the exports and growth stories in it too: they hold the person's words.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.engine.conversation import Conversations, Speaker
from bot.jobs.retention import tell_on_arrival
from flows.content.guide import guide_for, language_from_telegram
from flows.events import Command, Event, Press, Text, parse_command
from flows.replies import Button, File, ForgetPerson, Outcome, Reply, SetLanguage
from storage.repositories import People

NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")
# the person's own words: export_render.files, and the growth story (flows.growth.command)
EXPORT_FILE = re.compile(
    r"^leerverhaal-(\d{4}-\d{2}-\d{2}\.(md|json)|growth-\d{4}-\d{2}-\d{2}\.pdf)$"
)
LOCAL_USER = 1  # the terminal has one person: whoever sits at it


def language_from_environment() -> str:
    """Dutch when the terminal's locale is Dutch, otherwise English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(variable):
            return language_from_telegram(value.split(".")[0].replace("_", "-"))
    return language_from_telegram(None)


class TerminalChat:
    """Reads lines, turns them into events, prints replies with numbered buttons."""

    def __init__(
        self,
        conversations: Conversations,
        out: TextIO = sys.stdout,
        language: str | None = None,
        files: Path | None = None,
    ) -> None:
        self.conversations = conversations
        self.out = out
        self.own_folder = files is not None  # else the current folder: never chmod-ed
        self.files = files or Path.cwd()
        self.speaker = Speaker(  # a language from the environment is only a guess
            "terminal",
            LOCAL_USER,
            None,
            language or language_from_environment(),
            language_is_guess=language is None,
        )
        self.buttons: list[Button] = []
        self.forgotten = False  # the last change was /forget: nothing is kept

    def _save(self, file: File) -> Path:
        """Files (an export, a chart) are written next to the data, readable only by you."""
        path = self.files / Path(file.filename).name
        self.files.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.own_folder:
            self.files.chmod(0o700)  # also when it was made earlier, or by hand
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an earlier file of the same name may have had another mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(file.content())
        return path

    def _forget_files(self) -> None:
        """Delete the exports this chat wrote: they hold the person's words."""
        if not self.files.is_dir():
            return
        for path in self.files.iterdir():
            if EXPORT_FILE.match(path.name) and path.is_file():
                with path.open("r+b") as handle:  # overwrite first: best effort on disk
                    handle.write(bytes(path.stat().st_size))
                path.unlink()

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        if outcome.notice:
            self._print(f"({outcome.notice})")
        if outcome.replies:
            self._show_replies(outcome.replies)

    def _show_replies(self, replies: Iterable[Reply]) -> None:
        """Print one answer of the bot; its buttons are numbered on across its messages.

        Typed numbers refer to the buttons printed last, so a number never means two
        things: after /stories in the middle of a question, the stories are 1-8 and
        the question's options come after them.
        """
        self.buttons = []
        for reply in replies:
            if reply.delete:  # deleting messages of a Telegram chat: nothing to show here
                continue
            lines = ["", reply.text]
            if reply.file is not None:
                lines.append(f"  [{self._save(reply.file)}]")
            for button in (button for row in reply.buttons for button in row):
                if not button.is_callback:  # a link or inline mode: Telegram's, not here
                    continue
                self.buttons.append(button)
                lines.append(f"  {len(self.buttons)}) {button.label}")
            self._print("\n".join(lines))

    def _events(self, line: str) -> list[Event] | str:
        """The events a typed line stands for, or a message when the numbers are wrong."""
        command = parse_command(line.strip())
        if command is not None:
            return [command]
        if self.buttons and NUMBERS.match(line):
            numbers = [int(n) for n in re.split(r"[ ,]+", line.strip()) if n]
            for number in numbers:
                if not 1 <= number <= len(self.buttons):
                    texts = guide_for(self.speaker.language).texts
                    return texts.no_such_option.format(number=number)
            pressed = [self.buttons[n - 1] for n in numbers]
            return [Press(button.data) for button in pressed]
        return [Text(line)]

    async def on_line(self, line: str) -> None:
        """Handle one typed line; several numbers press several buttons."""
        events = self._events(line)
        if isinstance(events, str):
            self._print(events)
            return
        outcomes = [await self.conversations.handle(self.speaker, e) for e in events]
        shown = [o for o in outcomes if o is not None]
        for outcome in shown[:-1]:
            if outcome.notice or any(not r.edit for r in outcome.replies):
                self._show(outcome)
        if shown:
            self._show(shown[-1])
        for outcome in shown:
            if outcome.effects:
                self.forgotten = any(isinstance(e, ForgetPerson) for e in outcome.effects)
                if self.forgotten:
                    self._forget_files()
            for effect in outcome.effects:
                if isinstance(effect, SetLanguage):
                    self.speaker = replace(
                        self.speaker, language=effect.language, language_is_guess=False
                    )
            await self.conversations.after_reply(outcome)
        if shown:
            await self._follow_person()

    async def _follow_person(self) -> None:
        """Speak the language the person chose (stored), once they are known.

        The terminal's own hint, number errors and goodbye use it too, so a Dutch
        speaker at an English terminal is not greeted or left in English.
        """
        async with self.conversations.database.transaction() as session:
            person = await People(session).find(self.speaker.channel, self.speaker.external_id)
            if person is not None and person.language != self.speaker.language:
                self.speaker = replace(self.speaker, language=person.language)

    async def run(self, read_line: Callable[[], Awaitable[str | None]]) -> None:
        """Greet, then handle lines until end of input."""
        await self._follow_person()
        hint = guide_for(self.speaker.language).texts.terminal_hint
        self._print(hint)
        self._show(await self.conversations.handle(self.speaker, Command("start")))
        await self._retention_notice()
        while True:
            self.out.write("> ")
            self.out.flush()
            line = await read_line()
            if line is None:
                break
            if line.strip():
                await self.on_line(line.rstrip("\n"))
        texts = guide_for(self.speaker.language).texts
        self._print("\n" + (texts.goodbye_forgotten if self.forgotten else texts.goodbye))

    async def _retention_notice(self) -> None:
        """Stories of this person's that retention will delete: told here, there is no chat."""
        conversations = self.conversations
        reply = await tell_on_arrival(
            conversations.database,
            conversations.policy.retention,
            self.speaker.channel,
            self.speaker.external_id,
            conversations.clock(),
        )
        if reply is not None:
            self._show_replies([reply])


def stdin_reader(stream: TextIO = sys.stdin) -> Callable[[], Awaitable[str | None]]:
    """Read lines without blocking the event loop; None at end of input."""

    async def read_line() -> str | None:
        line = await asyncio.to_thread(stream.readline)
        return line if line else None

    return read_line
