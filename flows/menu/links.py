"""Links a person passes on themselves: the bot's deep link and Telegram's share link.

The deep link carries no token (``?start=hello``): the bot never learns who passed it
to whom. The share link (``https://t.me/share/url``) opens Telegram's chat picker
with the link and a text ready in the message box; the person sends it.
"""

from __future__ import annotations

from urllib.parse import quote

HELLO = "hello"  # the deep link's start parameter: the same for everyone
SHARE = "https://t.me/share/url"
# Telegram publishes no limit for a button's URL; long ones are refused
# (BUTTON_URL_INVALID). Beyond this, no share button: the inline button still works.
SHARE_URL_LIMIT = 2048


def hello_link(bot_username: str) -> str:
    """The bot's deep link for someone who was passed a card or a note."""
    return f"https://t.me/{bot_username}?start={HELLO}"


def share_url(bot_username: str, text: str) -> str | None:
    """Telegram's share link with the deep link and ``text``; None when it would be too long."""
    url = f"{SHARE}?url={quote(hello_link(bot_username), safe='')}&text={quote(text, safe='')}"
    return url if len(url) <= SHARE_URL_LIMIT else None
