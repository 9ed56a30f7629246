"""A team's own learning menu, composed by its facilitator (pure; no I/O).

A team's card starts as the default card (``flows.content.menu``). Its facilitator
may hide a dish, move one up, and add dishes of their own (a name and one line of
what it is, in a course). Stored as one small JSON list per team; a dish shipped
later appears at the end of its course, and a dish no longer shipped drops out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from flows.menu.card import Menu

OWN_NAME_LIMIT = 60
OWN_WHAT_LIMIT = 200
OWN_LIMIT = 10  # own dishes on one card


@dataclass(frozen=True)
class TeamDish:
    """One line of a team's card: a shipped dish (``key``) or an own one (``name``)."""

    key: str = ""
    course: str = ""
    hidden: bool = False
    name: str = ""  # an own dish: its name and what it is, as the facilitator wrote them
    what: str = ""

    @property
    def own(self) -> bool:
        return not self.key


@dataclass(frozen=True)
class TeamCard:
    """A team's card, in its order (courses keep the menu's order when shown)."""

    dishes: tuple[TeamDish, ...]

    def visible(self, course: str) -> tuple[TeamDish, ...]:
        """The dishes members see in one course."""
        return tuple(d for d in self.dishes if d.course == course and not d.hidden)

    def to_json(self) -> str:
        """For storage: only what differs from a plain shipped dish."""
        return json.dumps(
            [
                {k: v for k, v in vars(d).items() if v and not (d.key and k == "course")}
                for d in self.dishes
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )


def default_card(menu: Menu) -> TeamCard:
    """The shipped card as a team's card (nothing hidden, nothing added)."""
    return TeamCard(tuple(TeamDish(d.key, d.course) for d in menu.card.dishes))


def from_json(menu: Menu, raw: str | None) -> TeamCard:
    """A stored card, brought up to date with the shipped menu (default when none)."""
    if not raw:
        return default_card(menu)
    try:
        items = [item for item in json.loads(raw) if isinstance(item, dict)]
    except (ValueError, TypeError):
        return default_card(menu)
    shipped = {d.key: d for d in menu.card.dishes}
    kept: list[TeamDish] = []
    for item in items:
        key = str(item.get("key", ""))
        if key in shipped:
            kept.append(TeamDish(key, shipped[key].course, bool(item.get("hidden"))))
        elif not key and item.get("name") and item.get("course") in menu.card.courses:
            kept.append(
                TeamDish(
                    "", item["course"], bool(item.get("hidden")), item["name"], item.get("what", "")
                )
            )
    seen = {d.key for d in kept}
    kept += [TeamDish(d.key, d.course) for d in menu.card.dishes if d.key not in seen]
    return TeamCard(tuple(kept))


def toggle(card: TeamCard, index: int) -> TeamCard:
    """Hide the dish at ``index``, or show it again."""
    dish = card.dishes[index]
    return _with(card, index, replace(dish, hidden=not dish.hidden))


def move_up(card: TeamCard, index: int) -> TeamCard:
    """Move the dish at ``index`` above the previous dish of its course (first: stays)."""
    course = card.dishes[index].course
    above = [i for i in range(index) if card.dishes[i].course == course]
    if not above:
        return card
    dishes = list(card.dishes)
    dishes[above[-1]], dishes[index] = dishes[index], dishes[above[-1]]
    return TeamCard(tuple(dishes))


def add_own(
    card: TeamCard, course: str, text: str, name_limit: int = OWN_NAME_LIMIT
) -> TeamCard | None:
    """Add an own dish from 'Name: what it is' (or just a name) at the end of its course;
    None (nothing cut) when the card already holds ``OWN_LIMIT`` own dishes, or the name
    is empty or longer than ``name_limit``, or what it is longer than ``OWN_WHAT_LIMIT``."""
    name, _, what = (" ".join(text.split())).partition(":")
    name, what = name.strip(), what.strip()
    if not name or len(name) > name_limit or len(what) > OWN_WHAT_LIMIT:
        return None
    if sum(d.own for d in card.dishes) >= OWN_LIMIT:
        return None
    last = max((i for i, d in enumerate(card.dishes) if d.course == course), default=-1)
    dishes = list(card.dishes)
    dishes.insert(last + 1, TeamDish("", course, False, name, what))
    return TeamCard(tuple(dishes))


def remove_own(card: TeamCard, index: int) -> TeamCard:
    """Take an own dish off the card (a shipped dish can only be hidden)."""
    if not card.dishes[index].own:
        return card
    return TeamCard(card.dishes[:index] + card.dishes[index + 1 :])


def _with(card: TeamCard, index: int, dish: TeamDish) -> TeamCard:
    return TeamCard((*card.dishes[:index], dish, *card.dishes[index + 1 :]))
