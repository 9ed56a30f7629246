"""What can happen in a conversation, as plain data (no Telegram types)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    """Non-text messages we cannot use as an answer."""

    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True)
class Command:
    """A slash command such as /start, with whatever followed it."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Text:
    """A text message. ``message_id`` lets a later edit find the answer."""

    text: str
    message_id: int | None = None


@dataclass(frozen=True)
class Edited:
    """The person edited an earlier text message."""

    text: str
    message_id: int


@dataclass(frozen=True)
class Press:
    """A button press, carrying the raw callback data (untrusted), and the message the
    button was on (when the adapter knows it)."""

    data: str
    message_id: int | None = None


@dataclass(frozen=True)
class Media:
    """A sticker, photo, voice note or other message that is not text."""

    kind: MediaKind


@dataclass(frozen=True)
class Location:
    """The person shared a location (to set their time zone)."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class CheckinDue:
    """The scheduler found this person's check-in due (not from the person)."""


Event = Command | Text | Edited | Press | Media | Location | CheckinDue


def is_blank(text: str) -> bool:
    """No visible character: only spaces, line breaks, zero-width and direction marks."""
    return all(unicodedata.category(char)[0] in "ZC" for char in text)


def parse_command(text: str) -> Command | None:
    """'/name args' (also '/name@bot args') as a Command, else None."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return Command(name, args.strip()) if name else None
