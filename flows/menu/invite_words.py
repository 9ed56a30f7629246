"""The words around invitation cards, in one language (``[invite]`` of the menu's files)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class InviteWords(BaseModel):
    """What the bot says while a person prepares and passes on an invitation card, what a
    colleague who opens its link is told, and what inline mode offers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    button: str  # under /menu
    pick: str  # which dish?
    topic: str  # what would you like to talk about?
    from_story: str  # {topic}: a button, the opening answer of their latest story
    topic_too_long: str  # {limit}
    not_now: str
    stopped: str
    preview: str  # above the card
    send: str
    own: str
    own_prompt: str  # {limit}
    own_too_long: str  # {length}, {limit}
    empty: str
    text_only: str
    ready: str  # above the card, with the share buttons
    share: str
    inline: str
    gone: str
    hello: str = Field(pattern=r"^[^\n]+\n[^\n]+$")  # two lines, for whoever opens the link
    what_is: str  # the button under a card sent in another chat
    none_title: str  # inline mode, for someone without a card
    none_description: str
    none_message: str
    none_button: str
