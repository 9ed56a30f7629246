"""The terminal chat: in process with typed lines, and as a real ``leerverhaal chat``."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from io import StringIO
from pathlib import Path

from bot.engine.conversation import Conversations
from bot.terminal import TerminalChat
from flows.content.guide import guide_for, guides
from flows.states import StoryStatus
from flows.views import StoryView
from storage.crypto import TextCipher, load_keys
from storage.database import Database, sqlite_url
from tests.support.terminal import (
    CHANGE,
    GUIDE,
    HELPED_MOST,
    INTERVIEW,
    TEXTS,
    WHO_WORDS,
    lines,
    terminal_stories,
)

EXPECTED = {
    "change": (CHANGE, set(), False),
    "how": (None, {"by_doing", "asking_colleague"}, False),
    "who": (WHO_WORDS, {"colleague"}, False),
    "resources": (None, set(), True),
    "obstacles": (None, {"time_pressure", "self_doubt"}, False),
    "helped_most": (HELPED_MOST, set(), False),
    "next_step": (None, {"peer_consultation"}, False),
}


def assert_complete_story(stories: list[StoryView]) -> None:
    assert len(stories) == 1
    (story,) = stories
    assert story.status is StoryStatus.COMPLETE
    answers = {k: (a.text, set(a.choices), a.skipped) for k, a in story.answers.items()}
    assert answers == EXPECTED


async def test_terminal_chat_in_process(
    conversations: Conversations, database: Database, cipher: TextCipher
) -> None:
    out = StringIO()
    chat = TerminalChat(conversations, out=out, language="en")
    await chat.run(lines(INTERVIEW))
    shown = out.getvalue()

    assert shown.startswith(TEXTS.terminal_hint)
    assert "  1) Let's begin" in shown
    assert GUIDE.questions[0].prompt in shown
    assert TEXTS.no_such_option.format(number=99) in shown
    assert TEXTS.saved in shown
    assert shown.rstrip().endswith(TEXTS.goodbye)
    assert_complete_story(await terminal_stories(database, cipher))


async def test_terminal_chat_goes_on_where_it_stopped(
    conversations: Conversations, database: Database, cipher: TextCipher
) -> None:
    first = StringIO()
    await TerminalChat(conversations, out=first, language="en").run(lines(INTERVIEW[:5]))
    assert first.getvalue().rstrip().endswith(TEXTS.goodbye)

    again = StringIO()
    chat = TerminalChat(conversations, out=again, language="en")
    await chat.run(lines(INTERVIEW[5:]))
    assert TEXTS.in_progress in again.getvalue()
    assert_complete_story(await terminal_stories(database, cipher))


def database_bytes(directory: Path) -> bytes:
    """The SQLite file and its WAL side files, as they are on disk."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("leerverhaal.sqlite3*")))


def _leerverhaal_command() -> list[str]:
    script = Path(sys.executable).with_name("leerverhaal")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


async def test_leerverhaal_chat_as_a_real_process(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "en_US.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "LEERVERHAAL_DATA_DIR": str(tmp_path),
    }
    process = await asyncio.create_subprocess_exec(
        *_leerverhaal_command(),
        "chat",
        cwd=tmp_path,
        env=environment,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    # The locale's language is only a guess: the chat asks first (1: English).
    typed = "".join(line + "\n" for line in ["1", *INTERVIEW]).encode("utf-8")
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(typed), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    shown, errors = stdout.decode("utf-8"), stderr.decode("utf-8")
    assert process.returncode == 0, errors
    assert TEXTS.saved in shown
    assert TEXTS.goodbye in shown
    assert "Created a new encryption key" in errors
    assert CHANGE not in errors and HELPED_MOST not in errors  # logs never carry words

    key_file = tmp_path / "secret.key"
    database_file = tmp_path / "leerverhaal.sqlite3"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert database_file.exists()

    cipher = TextCipher(load_keys(None, key_file, create=False).keys)
    db = Database(sqlite_url(database_file))
    try:
        assert_complete_story(await terminal_stories(db, cipher))
        await db.check_key(cipher)
    finally:
        await db.dispose()
    on_disk = database_bytes(tmp_path)
    assert CHANGE.encode() not in on_disk and HELPED_MOST.encode() not in on_disk


async def test_forget_in_the_terminal_deletes_its_exports_and_claims_nothing_is_saved(
    conversations: Conversations, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    files.chmod(0o755)  # made earlier, or by hand
    (files / "notes.txt").write_text("not the bot's", encoding="utf-8")
    first = TerminalChat(conversations, out=StringIO(), language="en", files=files)
    await first.run(lines(["/checkin", "X ZZSECRET", "/export"]))
    exports = sorted(path for path in files.iterdir() if path.name.startswith("leerverhaal-"))
    assert [path.suffix for path in exports] == [".json", ".md"]
    assert "ZZSECRET" in exports[1].read_text(encoding="utf-8")
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in exports} == {0o600}

    out = StringIO()
    await TerminalChat(conversations, out=out, language="en", files=files).run(
        lines(["/forget", "1"])
    )
    assert [path.name for path in files.iterdir()] == ["notes.txt"]
    assert out.getvalue().rstrip().endswith(TEXTS.goodbye_forgotten)
    assert TEXTS.goodbye not in out.getvalue()

    again = StringIO()  # once something is told again, it is saved again
    await TerminalChat(conversations, out=again, language="en").run(lines(["/checkin", "Y"]))
    assert again.getvalue().rstrip().endswith(TEXTS.goodbye)


async def test_the_terminals_own_words_follow_the_language_the_person_chose(
    conversations: Conversations,
) -> None:
    """An English terminal, a person who chose Dutch: hint, number errors and goodbye in Dutch."""
    dutch = guide_for("nl").texts
    nederlands = str(list(guides()).index("nl") + 1)
    first = StringIO()
    await TerminalChat(conversations, out=first, language="en").run(
        lines(["/language", nederlands])
    )
    assert dutch.language_set in first.getvalue()
    assert first.getvalue().rstrip().endswith(dutch.goodbye)

    again = StringIO()
    await TerminalChat(conversations, out=again, language="en").run(lines(["/help", "/stories"]))
    shown = again.getvalue()
    assert shown.startswith(dutch.terminal_hint)
    assert TEXTS.terminal_hint not in shown
    assert shown.rstrip().endswith(dutch.goodbye)
