"""Invitation cards in the in-memory harness, kept the way ``storage.invitations`` keeps
them: a saved card replaces one with its id and becomes the newest; only the newest
``KEPT`` of a person stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.menu.invitation_data import KEPT, InvitationView, SaveInvitation


@dataclass
class StoredCard:
    """One card row, with the id of the person who owns it."""

    owner: int
    card: InvitationView


def save(cards: dict[int, StoredCard], owner: int, effect: SaveInvitation, now: datetime) -> None:
    """Apply ``SaveInvitation`` for ``owner``."""
    old = cards.get(effect.invitation_id)
    if old is not None and old.owner != owner:
        raise AssertionError(f"card {effect.invitation_id} is not person {owner}'s")
    view = InvitationView(effect.invitation_id, effect.dish, effect.text, now)
    cards[effect.invitation_id] = StoredCard(owner, view)
    for card in cards_of(cards, owner)[KEPT:]:
        del cards[card.id]


def cards_of(cards: dict[int, StoredCard], owner: int) -> tuple[InvitationView, ...]:
    """A person's cards, newest first (as ``Invitations.cards`` loads them)."""
    mine = [c.card for c in cards.values() if c.owner == owner]
    return tuple(sorted(mine, key=lambda c: (c.created_at, c.id), reverse=True))
