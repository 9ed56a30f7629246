"""The learning menu ("leermenukaart"): its dishes in courses, in every language.

Content data in ``flows/content/menu/``: ``card.toml`` says which dishes there are,
in which course, which involve someone else, and the rules that match one dish to
what a person told; ``en.toml`` and ``nl.toml`` hold the words. Loading checks
that every language names every course and dish, that a dish involving someone
else has an invitation with its ``{topic}``, and that every rule names a known
dish and an option the guide offers.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flows.content.guide import Guide, guides
from flows.menu.invite_words import InviteWords

MENU_DIR = Path(__file__).parent.parent / "content" / "menu"
TOPIC = "{topic}"


class MenuError(ValueError):
    """The menu's content is incomplete or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dish(_Strict):
    """One dish: its key, its course, whether it involves someone else."""

    key: str = Field(pattern=r"^[a-z_]{1,24}$")  # short: team photos and buttons carry it
    course: str
    with_someone: bool


class Rule(_Strict):
    """When a person picked ``when`` ("question.option"), offer ``dish`` ("": none)."""

    when: str
    dish: str

    @property
    def question(self) -> str:
        return self.when.partition(".")[0]

    @property
    def option(self) -> str:
        return self.when.partition(".")[2]


class DishWords(_Strict):
    """A dish in one language: what it is called, what it is, what it asks of you."""

    name: str = Field(min_length=1)
    what: str = Field(min_length=1)
    asks: str = Field(min_length=1)
    invitation: str | None = None


class ComposeWords(_Strict):
    """What a facilitator reads while composing their team's card."""

    button: str = Field(pattern=r"\{team\}")
    title: str = Field(pattern=r"\{team\}")
    hint: str = Field(pattern=r"\{team\}")
    hidden: str
    hide: str
    up: str
    add: str
    drop: str
    pick: str
    back: str
    course: str
    own_prompt: str
    own_refused: str
    not_facilitator: str
    shared: str
    adopt: str
    hint_heading: str = Field(pattern=r"\{period\}")
    hint_count: str = Field(pattern=r"\{label\}.*\{count\}.*\{asked\}")


class MenuWords(_Strict):
    """The menu in one language."""

    language: str
    title: str
    team_title: str = Field(pattern=r"\{team\}")
    intro: str
    courses: dict[str, str]
    dishes: dict[str, DishWords]
    compose: ComposeWords
    invite: InviteWords


class Card(_Strict):
    """Which dishes there are (in menu order) and how a suggestion is matched."""

    courses: tuple[str, ...]
    dishes: tuple[Dish, ...]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Card:
        keys = [dish.key for dish in self.dishes]
        if len(set(keys)) != len(keys):
            raise ValueError("a dish key appears twice")
        for dish in self.dishes:
            if dish.course not in self.courses:
                raise ValueError(f"dish {dish.key!r}: unknown course {dish.course!r}")
        for rule in self.rules:
            if rule.dish and rule.dish not in keys:
                raise ValueError(f"rule {rule.when!r}: unknown dish {rule.dish!r}")
        return self

    def dish(self, key: str) -> Dish | None:
        """The dish with this key, if there is one."""
        return next((dish for dish in self.dishes if dish.key == key), None)


class Menu(_Strict):
    """The card and its words in every language."""

    card: Card
    words: dict[str, MenuWords]

    def in_language(self, language: str) -> MenuWords:
        """The words in a language (English when there are none in it)."""
        return self.words.get(language) or self.words["en"]


def _check_words(card: Card, words: MenuWords) -> None:
    if set(words.courses) != set(card.courses):
        raise MenuError(f"{words.language}: the courses differ from card.toml")
    if set(words.dishes) != {dish.key for dish in card.dishes}:
        raise MenuError(f"{words.language}: the dishes differ from card.toml")
    for dish in card.dishes:
        invitation = words.dishes[dish.key].invitation
        if dish.with_someone and (invitation is None or TOPIC not in invitation):
            raise MenuError(f"{words.language}: {dish.key} needs an invitation with {TOPIC}")
        if not dish.with_someone and invitation is not None:
            raise MenuError(f"{words.language}: {dish.key} involves nobody: no invitation")


def _check_rules(card: Card, guide: Guide) -> None:
    options = {q.key: set(q.options) for q in guide.questions}
    for rule in card.rules:
        if rule.option not in options.get(rule.question, set()):
            raise MenuError(f"rule {rule.when!r}: the guide offers no such option")


def build_menu(
    card_data: Mapping[str, object],
    languages: Mapping[str, Mapping[str, object]],
    all_guides: Mapping[str, Guide],
) -> Menu:
    """Validate the card and its words (raises ``MenuError`` with what is wrong)."""
    try:
        card = Card.model_validate(card_data)
        words = {lang: MenuWords.model_validate(data) for lang, data in languages.items()}
    except ValidationError as exc:
        raise MenuError(str(exc)) from exc
    if set(words) != set(all_guides):
        raise MenuError(
            f"menu languages {sorted(words)} differ from the guide's {sorted(all_guides)}"
        )
    for language_words in words.values():
        _check_words(card, language_words)
    for guide in all_guides.values():
        _check_rules(card, guide)
    return Menu(card=card, words=words)


@cache
def menu() -> Menu:
    """The shipped menu, loaded and checked once."""
    card = tomllib.loads((MENU_DIR / "card.toml").read_text(encoding="utf-8"))
    languages = {}
    for path in sorted(MENU_DIR.glob("*.toml")):
        if path.name != "card.toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            languages[str(data.get("language", path.stem))] = data
    return build_menu(card, languages, guides())
