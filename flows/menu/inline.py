"""What inline mode (``@bot`` in any chat) offers a person: their own invitation cards.

Each card, newest first, becomes a message the person sends into that chat themselves
("via @bot"), with one link under it to the bot's introduction. Someone without a card
is offered one harmless message about the bot, and a button to make a card with the bot.
The adapter turns this into Telegram's inline results (``bot.telegram.inline``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.callbacks import encode_id
from flows.menu.card import menu
from flows.menu.invitation import START
from flows.menu.invitation_data import InvitationView
from flows.menu.links import hello_link
from flows.render import one_line

DESCRIPTION_LIMIT = 100  # characters of a card shown in the list
NO_CARD = "none"  # the result id of the message for someone without a card


@dataclass(frozen=True)
class InlineArticle:
    """One result: what the list shows, and the message it sends (with a link button)."""

    id: str  # at most 64 bytes
    title: str
    description: str
    text: str
    link_label: str
    link: str


@dataclass(frozen=True)
class InlineOffer:
    """The results, and a button above them that opens the bot (``/start <start>``)."""

    articles: tuple[InlineArticle, ...]
    button_label: str | None = None
    button_start: str | None = None


def inline_offer(
    language: str, cards: tuple[InvitationView, ...], bot_username: str
) -> InlineOffer:
    """The person's cards as they are (newest first), or the one message without a card."""
    words = menu().in_language(language)
    said, link = words.invite, hello_link(bot_username)
    articles = tuple(
        InlineArticle(
            encode_id(card.id),
            words.dishes[card.dish].name if card.dish in words.dishes else said.button,
            one_line(card.text, DESCRIPTION_LIMIT),
            card.text,
            said.what_is,
            link,
        )
        for card in cards
    )
    if articles:
        return InlineOffer(articles)
    nothing = InlineArticle(
        NO_CARD, said.none_title, said.none_description, said.none_message, said.what_is, link
    )
    return InlineOffer((nothing,), said.none_button, START)
