"""The interview guide and the bot's texts, loaded from editable TOML files.

Each language has one file in ``flows/content``. The files are validated into
typed objects at load, and all languages must use the same keys.
"""

from __future__ import annotations

import string
import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_LANGUAGE = "en"


class QuestionKind(StrEnum):
    """Whether a question takes free text only, or quick picks plus own words."""

    TEXT = "text"
    CHOICES = "choices"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    """One question of the guide, with its quick-pick options (key -> label)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    kind: QuestionKind
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    options: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Question:
        if self.kind is QuestionKind.CHOICES and not self.options:
            raise ValueError(f"question {self.key!r} has kind 'choices' but no options")
        if self.kind is QuestionKind.TEXT and self.options:
            raise ValueError(f"question {self.key!r} has kind 'text' but lists options")
        for key in self.options:
            if not key.replace("_", "").isalnum() or len(key) > 24:
                raise ValueError(f"option key {key!r} must be short and alphanumeric")
        return self


class Texts(_Strict):
    """Every sentence the bot says outside the questions themselves."""

    welcome: str
    welcome_back: str
    begin: str
    not_now: str
    later: str
    tap_begin: str
    progress: str
    choices_hint: str
    text_hint: str
    current_answer: str
    done: str
    keep: str
    skip: str
    back: str
    card_title: str
    card_draft_title: str
    card_empty: str
    card_question: str
    card_complete: str
    confirm: str
    change: str
    discard: str
    change_which: str
    back_to_card: str
    saved: str
    discard_sure: str
    discard_yes: str
    discard_no: str
    discarded: str
    paused: str
    stopped_editing: str
    nothing_to_cancel: str
    draft_exists: str
    resume: str
    start_fresh: str
    in_progress: str
    stories_title: str
    stories_empty: str
    story_line: str
    to_list: str
    draft_marker: str
    untitled: str
    continue_story: str
    help: str
    language_prompt: str
    language_set: str
    media_not_supported: str
    empty_text: str
    stale_button: str
    invalid_button: str
    story_not_found: str
    private_only: str
    edit_saved: str
    edit_not_an_answer: str
    unknown_command: str
    idle_text: str
    no_such_option: str
    terminal_hint: str
    error: str
    goodbye: str


class Commands(_Strict):
    """The bot commands shown in Telegram's menu, with their descriptions."""

    start: str
    reflect: str
    stories: str
    language: str
    help: str
    cancel: str


class Guide(_Strict):
    """Everything the bot says in one language, and the questions it asks."""

    language: str = Field(pattern=r"^[a-z]{2}$")
    language_name: str
    commands: Commands
    texts: Texts
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_question_keys(self) -> Guide:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("question keys must be unique")
        if self.questions[0].kind is not QuestionKind.TEXT:
            raise ValueError("the opening question must be a free-text question")
        return self

    def question(self, key: str) -> Question | None:
        """The question with this key, or None."""
        return next((q for q in self.questions if q.key == key), None)

    def index(self, key: str) -> int:
        """Position of a question in the guide (0-based)."""
        return [q.key for q in self.questions].index(key)

    @property
    def opening(self) -> Question:
        """The opening question: what now goes better."""
        return self.questions[0]


class GuideError(ValueError):
    """A guide file is missing, malformed, or disagrees with another language."""


def _placeholders(text: str) -> set[str]:
    """The named {placeholders} of a text; positional or broken ones are errors."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValueError(f"a brace is not closed or not escaped ({exc})") from None
    if any(not name.isidentifier() for name in fields):
        raise ValueError("placeholders must be named, like {date}; write {{ for a brace")
    return set(fields)


def _shape(guide: Guide) -> dict[str, Any]:
    """The parts every language must share: keys, kinds, options, placeholders."""
    placeholders = {}
    for name in Texts.model_fields:
        try:
            placeholders[name] = _placeholders(getattr(guide.texts, name))
        except ValueError as exc:
            raise ValueError(f"text {name!r}: {exc}") from None
    return {
        "questions": [(q.key, q.kind, tuple(q.options)) for q in guide.questions],
        "placeholders": placeholders,
    }


def _checked_shape(guide: Guide) -> dict[str, Any]:
    try:
        return _shape(guide)
    except ValueError as exc:
        raise GuideError(f"{guide.language}: {exc}") from None


def load_guide_file(path: Path) -> Guide:
    """Read and validate one language file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Guide.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise GuideError(f"{path.name}: {exc}") from exc


def load_guides(directory: Path = CONTENT_DIR) -> dict[str, Guide]:
    """Load every language in a directory and check that they all agree."""
    guides = {g.language: g for g in map(load_guide_file, sorted(directory.glob("*.toml")))}
    if DEFAULT_LANGUAGE not in guides:
        raise GuideError(f"no guide for the default language {DEFAULT_LANGUAGE!r}")
    reference = _checked_shape(guides[DEFAULT_LANGUAGE])
    for language, guide in guides.items():
        shape = _checked_shape(guide)
        if shape["questions"] != reference["questions"]:
            raise GuideError(f"{language}: questions or options differ from {DEFAULT_LANGUAGE}")
        for name, expected in reference["placeholders"].items():
            if shape["placeholders"][name] != expected:
                raise GuideError(f"{language}: text {name!r} must use {sorted(expected)}")
    return guides


@cache
def guides() -> dict[str, Guide]:
    """The guides shipped with the bot, loaded once."""
    return load_guides()


def guide_for(language: str | None) -> Guide:
    """The guide in this language, falling back to the default."""
    all_guides = guides()
    return all_guides.get(language or DEFAULT_LANGUAGE, all_guides[DEFAULT_LANGUAGE])


def language_from_telegram(code: str | None) -> str:
    """Dutch when Telegram says so (nl, nl-BE, ...), otherwise English."""
    if code and code.lower().split("-")[0] in guides():
        return code.lower().split("-")[0]
    return DEFAULT_LANGUAGE
