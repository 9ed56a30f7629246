"""Words the bot recognises in what people type, compared loosely.

The lists live in each language's content file (``[phrases]``), so an adviser can add
the ways people there say "done" or "nothing this time". Matching ignores case, accents,
punctuation, emoji and extra spaces: "Done!", "done ✓" and "DONE" all say "done".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

_CLAUSE_BREAK = re.compile(r"[.,;:!?\n\r\u2026\u2013\u2014()]+|\s-\s")


class Phrases(BaseModel):
    """Per language: what typed words mean to the bot (``[phrases]`` in the content file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    done: tuple[str, ...]  # under a quick-pick question: the same as tapping Done
    nothing: tuple[str, ...]  # a check-in's first words saying nothing went better
    contrast: tuple[str, ...]  # ... unless one of these follows ("nothing, but ...")
    stories_only: tuple[str, ...]  # after /stories: learning stories only, no check-ins
    agree: tuple[str, ...]  # under "Shall we begin?": the same as tapping Begin


def normal(text: str) -> str:
    """Lower case, without accents, punctuation or symbols, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        kind = unicodedata.category(char)
        if kind.startswith(("L", "N")):
            kept.append(char)
        elif kind.startswith("Z") or char.isspace():
            kept.append(" ")
        # marks (accents), punctuation, symbols and emoji are dropped: "that's" is "thats"
    return " ".join("".join(kept).split())


def _normal_set(phrases: Iterable[str]) -> set[str]:
    return {normal(phrase) for phrase in phrases} - {""}


def is_one_of(text: str, phrases: Iterable[str]) -> bool:
    """True when the whole text is one of the phrases (compared loosely)."""
    return normal(text) in _normal_set(phrases)


def says_done(phrases: Phrases, text: str) -> bool:
    """Typed "done", "klaar", "that's it" ...: the person means the Done button."""
    return is_one_of(text, phrases.done)


def says_nothing(phrases: Phrases, text: str) -> bool:
    """The answer opens with a "nothing" clause and takes nothing back.

    "Nothing really, it was a terrible week" says nothing went better; "Nothing beats
    a good template" and "Not really, but my reports go faster" do not.
    """
    clauses = [normal(part) for part in _CLAUSE_BREAK.split(text)]
    clauses = [clause for clause in clauses if clause]
    if not clauses or clauses[0] not in _normal_set(phrases.nothing):
        return False
    padded = f" {normal(text)} "
    return not any(f" {word} " in padded for word in _normal_set(phrases.contrast))


def says_yes(phrases: Phrases, text: str) -> bool:
    """Plain agreement ("yes", "ja graag", "ok!"): the same as tapping Begin."""
    return is_one_of(text, phrases.agree)


def asks_stories_only(phrases: Phrases, args: str) -> bool:
    """Typed "/stories stories" (or the language's own word): only learning stories."""
    return bool(args.strip()) and is_one_of(args, phrases.stories_only)
