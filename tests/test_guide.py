"""The guide files: both languages load and agree, and broken copies are refused."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from flows.content.guide import (
    CONTENT_DIR,
    DEFAULT_LANGUAGE,
    GuideError,
    QuestionKind,
    Texts,
    guide_for,
    guides,
    language_from_telegram,
    load_guides,
)

LANGUAGES = ("en", "nl")

# Which placeholders the code fills in for these texts.
PLACEHOLDERS = {
    "progress": {"number", "total"},
    "current_answer": {"answer"},
    "card_title": {"date"},
    "card_draft_title": {"date"},
    "draft_exists": {"date"},
    "story_line": {"date", "kind", "title"},
    "about": {"title"},
    "stories_page": {"first", "last", "total"},
    "private_only": {"link"},
    "edit_saved": {"question"},
    "no_such_option": {"number"},
}


def placeholders(text: str) -> set[str]:
    """Every replacement field, positional ones ({}) included as ''."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- the shipped guides -----------------------------------------------------------------


def test_both_languages_load() -> None:
    loaded = load_guides(CONTENT_DIR)
    assert set(loaded) == set(LANGUAGES)
    assert loaded == guides()
    assert loaded["en"].language_name == "English"
    assert loaded["nl"].language_name == "Nederlands"


@pytest.mark.parametrize("language", LANGUAGES)
def test_guide_for(language: str) -> None:
    assert guide_for(language).language == language


@pytest.mark.parametrize("language", [None, "", "de", "fr", "xx"])
def test_guide_for_unknown_language_falls_back_to_english(language: str | None) -> None:
    assert guide_for(language).language == DEFAULT_LANGUAGE


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("nl-NL", "nl"),
        ("NL", "nl"),
        ("en", "en"),
        ("en-GB", "en"),
        ("de", "en"),
        ("fr-BE", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_from_telegram(code: str | None, expected: str) -> None:
    assert language_from_telegram(code) == expected


def test_same_questions_kinds_and_options_in_every_language() -> None:
    en, nl = guide_for("en"), guide_for("nl")
    assert [q.key for q in en.questions] == [q.key for q in nl.questions]
    assert [q.kind for q in en.questions] == [q.kind for q in nl.questions]
    for a, b in zip(en.questions, nl.questions, strict=True):
        assert list(a.options) == list(b.options), a.key


@pytest.mark.parametrize("language", LANGUAGES)
def test_questions_are_well_formed(language: str) -> None:
    guide = guide_for(language)
    assert guide.opening.kind is QuestionKind.TEXT
    assert guide.questions[-1].key == "next_step"  # "what will help take it further"
    for question in guide.questions:
        assert question.title.strip() and question.prompt.strip()
        labels = list(question.options.values())
        assert all(label.strip() for label in labels), question.key
        assert len(set(labels)) == len(labels), f"{question.key}: two options look the same"
        assert (question.kind is QuestionKind.CHOICES) == bool(question.options)
    titles = [q.title for q in guide.questions]
    assert len(set(titles)) == len(titles)


def test_opening_question_is_the_researchers_question() -> None:
    assert "six to twelve months" in guide_for("en").opening.prompt
    assert "zes tot twaalf maanden" in guide_for("nl").opening.prompt
    for language in LANGUAGES:
        assert "learn" not in guide_for(language).opening.prompt.lower()


def test_placeholders_agree_between_languages() -> None:
    en, nl = guide_for("en"), guide_for("nl")
    for name in Texts.model_fields:
        en_text, nl_text = getattr(en.texts, name), getattr(nl.texts, name)
        assert placeholders(en_text) == placeholders(nl_text), name
        if name in PLACEHOLDERS:
            assert placeholders(en_text) == PLACEHOLDERS[name], name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_formats_with_its_placeholders(language: str) -> None:
    texts = guide_for(language).texts
    for name in Texts.model_fields:
        text = getattr(texts, name)
        assert text.strip(), name
        values = dict.fromkeys(placeholders(text) - {""}, "X")
        text.format(**values)  # no stray braces, no positional fields


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_mentions_every_command(language: str) -> None:
    guide = guide_for(language)
    for command in type(guide.commands).model_fields:
        if command != "start":
            assert f"/{command}" in guide.texts.help, command
        # Telegram: command descriptions of 1 to 256 characters.
        assert 1 <= len(getattr(guide.commands, command)) <= 256


# --- broken copies are refused ----------------------------------------------------------


def to_toml(data: dict[str, Any]) -> str:
    """A guide file as TOML text."""
    return tomli_w.dumps(data)


def shipped(language: str) -> dict[str, Any]:
    return tomllib.loads((CONTENT_DIR / f"{language}.toml").read_text(encoding="utf-8"))


Change = Callable[[dict[str, Any]], None]


def write_copies(directory: Path, **changes: Change) -> Path:
    """Both shipped files into ``directory``, with the given change applied per language."""
    for language in LANGUAGES:
        data = shipped(language)
        if language in changes:
            changes[language](data)
        (directory / f"{language}.toml").write_text(to_toml(data), encoding="utf-8")
    return directory


def question(data: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(q for q in data["questions"] if q["key"] == key)
    return found


def test_unchanged_copies_load_the_same(tmp_path: Path) -> None:
    assert load_guides(write_copies(tmp_path)) == guides()


def test_missing_text_key_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["texts"]["empty_text"]

    with pytest.raises(GuideError, match=r"(?s)nl\.toml.*empty_text"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_missing_text_key_in_the_default_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["texts"]["stale_button"]

    with pytest.raises(GuideError, match=r"en\.toml"):
        load_guides(write_copies(tmp_path, en=drop))


def test_missing_command_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["commands"]["cancel"]

    with pytest.raises(GuideError, match=r"nl\.toml"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_unknown_text_key_is_refused(tmp_path: Path) -> None:
    def add(data: dict[str, Any]) -> None:
        data["texts"]["welcom"] = "typo"

    with pytest.raises(GuideError, match=r"nl\.toml"):
        load_guides(write_copies(tmp_path, nl=add))


def test_missing_option_in_one_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del question(data, "how")["options"]["feedback"]

    with pytest.raises(GuideError, match=r"nl: questions or options differ"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_renamed_option_in_one_language_is_refused(tmp_path: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        options = question(data, "obstacles")["options"]
        options["time"] = options.pop("time_pressure")

    with pytest.raises(GuideError, match="options differ"):
        load_guides(write_copies(tmp_path, nl=rename))


def test_reordered_options_in_one_language_are_refused(tmp_path: Path) -> None:
    def reorder(data: dict[str, Any]) -> None:
        q = question(data, "who")
        q["options"] = dict(reversed(list(q["options"].items())))

    with pytest.raises(GuideError, match="options differ"):
        load_guides(write_copies(tmp_path, nl=reorder))


def test_missing_example_in_one_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        question(data, "change")["examples"].pop()

    with pytest.raises(GuideError, match="nl: questions or options differ"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_missing_checkin_extra_in_one_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["checkin"]["extras"]

    with pytest.raises(GuideError, match="nl: questions or options differ"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_missing_phrases_are_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["phrases"]["done"]

    with pytest.raises(GuideError, match=r"(?s)nl\.toml.*phrases"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_missing_question_in_one_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["questions"] = [q for q in data["questions"] if q["key"] != "resources"]

    with pytest.raises(GuideError, match="questions or options differ"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_choices_question_without_options_is_refused(tmp_path: Path) -> None:
    def empty(data: dict[str, Any]) -> None:
        del question(data, "resources")["options"]

    with pytest.raises(GuideError, match="'resources' has kind 'choices' but no options"):
        load_guides(write_copies(tmp_path, en=empty, nl=empty))


def test_text_question_with_options_is_refused(tmp_path: Path) -> None:
    def add(data: dict[str, Any]) -> None:
        question(data, "helped_most")["options"] = {"colleague": "A colleague"}

    with pytest.raises(GuideError, match="has kind 'text' but lists options"):
        load_guides(write_copies(tmp_path, en=add, nl=add))


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("unknown kind", lambda d: question(d, "how").update(kind="pick")),
        ("bad question key", lambda d: question(d, "how").update(key="How")),
        ("long question key", lambda d: question(d, "how").update(key="h" * 17)),
        ("bad option key", lambda d: question(d, "how")["options"].update({"by-mail": "x"})),
        ("long option key", lambda d: question(d, "how")["options"].update({"o" * 25: "x"})),
        ("empty prompt", lambda d: question(d, "how").update(prompt="")),
        ("duplicate key", lambda d: question(d, "who").update(key="how")),
        ("choices first", lambda d: d["questions"].insert(0, question(d, "how"))),
        ("no questions", lambda d: d.update(questions=[])),
        ("bad language code", lambda d: d.update(language="nld")),
    ],
)
def test_malformed_guide_is_refused(tmp_path: Path, name: str, change: Change) -> None:
    with pytest.raises(GuideError):
        load_guides(write_copies(tmp_path, nl=change))


def test_placeholder_missing_in_one_language_is_refused(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["texts"]["progress"] = "Vraag {number}"

    with pytest.raises(GuideError, match=r"nl: text 'progress' must use \['number', 'total'\]"):
        load_guides(write_copies(tmp_path, nl=drop))


def test_placeholder_renamed_in_one_language_is_refused(tmp_path: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["texts"]["card_title"] = "Je leerverhaal · {datum}"

    with pytest.raises(GuideError, match="card_title"):
        load_guides(write_copies(tmp_path, nl=rename))


def test_placeholder_added_in_one_language_is_refused(tmp_path: Path) -> None:
    def add(data: dict[str, Any]) -> None:
        data["texts"]["saved"] = "Bewaard, {name}."

    with pytest.raises(GuideError, match="saved"):
        load_guides(write_copies(tmp_path, nl=add))


def test_stray_brace_is_a_guide_error(tmp_path: Path) -> None:
    def brace(data: dict[str, Any]) -> None:
        data["texts"]["help"] += "\n{ this line is broken"

    with pytest.raises(GuideError, match=r"nl"):
        load_guides(write_copies(tmp_path, nl=brace))


def test_positional_placeholder_is_refused(tmp_path: Path) -> None:
    def positional(data: dict[str, Any]) -> None:
        data["texts"]["progress"] = "Vraag {number} van {total} {}"

    with pytest.raises(GuideError):
        load_guides(write_copies(tmp_path, nl=positional))


def test_unreadable_toml_is_refused(tmp_path: Path) -> None:
    write_copies(tmp_path)
    (tmp_path / "nl.toml").write_text('language = "nl\n', encoding="utf-8")
    with pytest.raises(GuideError, match=r"nl\.toml"):
        load_guides(tmp_path)


def test_missing_default_language_is_refused(tmp_path: Path) -> None:
    write_copies(tmp_path)
    (tmp_path / "en.toml").unlink()
    with pytest.raises(GuideError, match="default language"):
        load_guides(tmp_path)


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GuideError):
        load_guides(tmp_path)


def test_reworded_texts_load(tmp_path: Path) -> None:
    """Advisers may change the wording freely, as long as keys and placeholders stay."""

    def reword(data: dict[str, Any]) -> None:
        data["texts"]["progress"] = "{total} vragen, dit is nummer {number}"
        question(data, "how")["options"]["by_doing"] = "Gewoon doen"
        question(data, "how")["prompt"] = "Hoe dan?"

    loaded = load_guides(write_copies(tmp_path, nl=reword))
    assert loaded["nl"].question("how") is not None
    assert loaded["nl"].texts.progress.format(number=2, total=7) == "7 vragen, dit is nummer 2"
