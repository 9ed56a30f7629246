"""The interview guide and the bot's texts, loaded from editable TOML files.

Each language has one file in ``flows/content``. The files are validated into
typed objects at load, and all languages must use the same keys.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flows.content.growth_texts import GrowthTexts
from flows.content.pair_texts import PairTexts
from flows.content.team_texts import TeamTexts
from flows.content.texts import (
    CheckinTexts,
    Commands,
    NextStepTexts,
    PrivacyTexts,
    ReflectTexts,
    SettingsTexts,
    Texts,
    ThanksTexts,
)
from flows.phrases import Phrases
from flows.states import StoryKind

CONTENT_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "en"


class QuestionKind(StrEnum):
    """Whether a question takes free text only, or quick picks plus own words."""

    TEXT = "text"
    CHOICES = "choices"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Example(_Strict):
    """A way to picture an answer: a short button, and the hint that tapping it shows."""

    label: str = Field(min_length=1, max_length=60)
    hint: str = Field(min_length=1)


class Question(_Strict):
    """One question of the guide, with its quick-pick options (key -> label).

    ``variants`` are other ways to ask the same thing; one is picked per story so
    that a recurring question does not always read the same. ``examples`` are
    buttons that help a person picture an answer (the opening question has them).
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    kind: QuestionKind
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    variants: tuple[str, ...] = ()
    options: dict[str, str] = Field(default_factory=dict)
    examples: tuple[Example, ...] = Field(default=(), max_length=4)
    photo_title: str | None = None  # its heading in the team photo (default: the title)

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

    def prompt_for(self, seed: int) -> str:
        """The prompt, or one of its variants, chosen by a number such as the story id."""
        choices = (self.prompt, *self.variants)
        return choices[seed % len(choices)]


class Questionnaire(_Strict):
    """The questions of one kind of story, in the order they are asked.

    ``extras`` are asked only on a branch (after a check-in where nothing went
    better): they are not counted in "question 2 of 3" and never asked in turn.
    """

    questions: tuple[Question, ...] = Field(min_length=1)
    extras: tuple[Question, ...] = ()

    @model_validator(mode="after")
    def _well_formed(self) -> Questionnaire:
        keys = [q.key for q in (*self.questions, *self.extras)]
        if len(set(keys)) != len(keys):
            raise ValueError("question keys must be unique")
        if self.questions[0].kind is not QuestionKind.TEXT:
            raise ValueError("the opening question must be a free-text question")
        return self

    def question(self, key: str) -> Question | None:
        """The question with this key (an extra one too), or None."""
        return next((q for q in (*self.questions, *self.extras) if q.key == key), None)

    def index(self, key: str) -> int:
        """Position of a question (0-based)."""
        return [q.key for q in self.questions].index(key)

    def is_extra(self, key: str) -> bool:
        """Whether the question is asked only on a branch (not counted, not in turn)."""
        return any(q.key == key for q in self.extras)

    @property
    def opening(self) -> Question:
        """The first question, answered in free text; it titles the story."""
        return self.questions[0]


class CheckinSection(_Strict):
    """The short check-in: its questions and its own sentences."""

    texts: CheckinTexts
    questions: Questionnaire


class Guide(_Strict):
    """Everything the bot says in one language, and the questions it asks."""

    language: str = Field(pattern=r"^[a-z]{2}$")
    language_name: str
    commands: Commands
    texts: Texts
    questions: tuple[Question, ...] = Field(min_length=1)
    checkin: CheckinSection
    settings: SettingsTexts
    privacy: PrivacyTexts
    teams: TeamTexts
    phrases: Phrases
    reflect: ReflectTexts
    next_steps: NextStepTexts
    thanks: ThanksTexts
    pair: PairTexts
    growth: GrowthTexts

    @model_validator(mode="after")
    def _reflect_names_the_options(self) -> Guide:
        for key, words in (("how", self.reflect.how), ("who", self.reflect.who)):
            question = next((q for q in self.questions if q.key == key), None)
            if question is None or set(question.options) - set(words):
                raise ValueError(f"[reflect.{key}] must word every option of {key!r}")
        return self

    @model_validator(mode="after")
    def _thanks_names_who_options(self) -> Guide:
        who = next((q for q in self.questions if q.key == "who"), None)
        if who is None or set(self.thanks.notes) - set(who.options):
            raise ValueError("[thanks.notes] may only name options of 'who'")
        return self

    @model_validator(mode="before")
    @classmethod
    def _shared_options(cls, data: Any) -> Any:
        """A check-in question may say ``options_from = "how"`` to reuse the guide's picks;
        ``[[checkin.extras]]`` are the check-in's questions asked only on a branch."""
        if not isinstance(data, dict) or not isinstance(data.get("checkin"), dict):
            return data
        by_key = {q.get("key"): q for q in data.get("questions", []) if isinstance(q, dict)}
        checkin = dict(data["checkin"])

        def resolved(questions: list[Any]) -> list[Any]:
            out = []
            for question in questions:
                if isinstance(question, dict) and "options_from" in question:
                    question = dict(question)
                    source = by_key.get(question.pop("options_from"), {})
                    question["options"] = source.get("options", {})
                out.append(question)
            return out

        checkin["questions"] = {
            "questions": resolved(checkin.get("questions", [])),
            "extras": resolved(checkin.pop("extras", [])),
        }
        return {**data, "checkin": checkin}

    @model_validator(mode="after")
    def _story_questions_well_formed(self) -> Guide:
        Questionnaire(questions=self.questions)
        return self

    def questionnaire(self, kind: StoryKind) -> Questionnaire:
        """The questions asked for this kind of story."""
        if kind is StoryKind.CHECKIN:
            return self.checkin.questions
        return Questionnaire.model_construct(questions=self.questions)

    def question(self, key: str) -> Question | None:
        """The learning-story question with this key, or None."""
        return self.questionnaire(StoryKind.STORY).question(key)

    def index(self, key: str) -> int:
        """Position of a learning-story question (0-based)."""
        return self.questionnaire(StoryKind.STORY).index(key)

    @property
    def opening(self) -> Question:
        """The opening question: what now goes better."""
        return self.questions[0]

    def counted(self, count: int, one: str, other: str) -> str:
        """``one`` or ``other`` with ``{count}`` filled in, as this language's plural
        rules (CLDR, through Babel) choose: '1 story', '0 stories', '2 verhalen'."""
        form = _plural_form(self.language)(count)
        return (one if form == "one" else other).format(count=count)


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


def _section_placeholders(prefix: str, texts: BaseModel) -> dict[str, set[str]]:
    found = {}
    for name in type(texts).model_fields:
        try:
            found[prefix + name] = _placeholders(getattr(texts, name))
        except ValueError as exc:
            raise ValueError(f"text {prefix + name!r}: {exc}") from None
    return found


def _shape(guide: Guide) -> dict[str, Any]:
    """The parts every language must share: keys, kinds, options, placeholders."""
    return {
        "questions": [
            (kind.value, q.key, q.kind, tuple(q.options), len(q.variants), len(q.examples))
            for kind in StoryKind
            for q in (*guide.questionnaire(kind).questions, *guide.questionnaire(kind).extras)
        ],
        "placeholders": {
            **_section_placeholders("", guide.texts),
            **_section_placeholders("checkin.", guide.checkin.texts),
            **_section_placeholders("settings.", guide.settings),
            **_section_placeholders("privacy.", guide.privacy),
            **_section_placeholders("teams.", guide.teams),
            **_section_placeholders("next_steps.", guide.next_steps),
            **_section_placeholders("pair.", guide.pair.model_copy(update={"tips": ""})),
            **_section_placeholders("growth.", guide.growth),
        },
        "thanks": sorted(guide.thanks.notes),
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


@cache
def _plural_form(language: str) -> Callable[[int], str]:
    """The CLDR plural rule of a language: a count -> 'one', 'few', 'other', ..."""
    from babel import Locale  # on first use, as in flows.dates

    rule: Callable[[int], str] = Locale.parse(language).plural_form
    return rule


def guide_for(language: str | None) -> Guide:
    """The guide in this language, falling back to the default."""
    all_guides = guides()
    return all_guides.get(language or DEFAULT_LANGUAGE, all_guides[DEFAULT_LANGUAGE])


def language_from_telegram(code: str | None) -> str:
    """Dutch when Telegram says so (nl, nl-BE, ...), otherwise English."""
    if code and code.lower().split("-")[0] in guides():
        return code.lower().split("-")[0]
    return DEFAULT_LANGUAGE
