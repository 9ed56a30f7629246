"""Invitation cards as plain data: what a step sees of them and asks storage to do.

A card is what a person prepared for a colleague (their words, stored encrypted):
kept so that inline mode (``@bot`` in any chat) can offer it to them, at most the
latest ``KEPT`` per person and for ``KEPT_DAYS`` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

KEPT = 3  # cards kept per person: the newest
KEPT_DAYS = 30  # days a card is kept (the daily retention job deletes older ones)
CARD_LIMIT = 1000  # characters of a card, also of a person's own version


@dataclass(frozen=True)
class InvitationView:
    """One prepared card (decrypted): which dish it invites to, and its text."""

    id: int
    dish: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class SaveInvitation:
    """Store a card under this id (a card with that id is replaced: it becomes the newest);
    only the newest ``KEPT`` of the person's cards stay."""

    invitation_id: int
    dish: str
    text: str
