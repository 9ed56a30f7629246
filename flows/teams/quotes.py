"""Sharing a story's opening answer, anonymously, with the team's facilitators.

Nothing is shared unless the person taps "yes" after confirming a story told
in a team; they can stop sharing at any time from the story's card in
/stories. A shared opening only ever appears inside a team photo that may be
shown, without name or date.
"""

from __future__ import annotations

from dataclasses import replace

from flows import render
from flows.callbacks import Action, Pressed, encode
from flows.replies import Button, Outcome, Reply
from flows.states import StoryKind, StoryStatus
from flows.teams.effects import ShareQuote
from flows.turn import Turn
from flows.views import StoryView

PREVIEW = 200


def _opening(turn: Turn, story: StoryView) -> str | None:
    return story.answer(turn.questions(story).opening.key).text


def _can_share(turn: Turn, story: StoryView) -> bool:
    """A confirmed learning story told in a team, with an opening answer in words."""
    return (
        story.kind is StoryKind.STORY
        and story.status is StoryStatus.COMPLETE
        and story.team_id is not None
        and bool(_opening(turn, story))
    )


def offer(turn: Turn, story: StoryView) -> Reply | None:
    """After confirming a story: may its opening be shared? (None: nothing to ask)."""
    if not _can_share(turn, story):
        return None
    texts = turn.guide.teams
    quote = render.fit(" ".join((_opening(turn, story) or "").split()), PREVIEW)
    buttons = (
        (Button(texts.quote_share, encode(Action.QUOTE_SHARE, story.id)),),
        (Button(texts.quote_keep, encode(Action.QUOTE_KEEP, story.id)),),
    )
    return Reply(texts.quote_offer.format(quote=quote), buttons)


def on_press(turn: Turn, pressed: Pressed, story: StoryView) -> Outcome:
    """Share, keep, or stop sharing one of the person's own stories."""
    texts = turn.guide.teams
    match pressed.action:
        case Action.QUOTE_SHARE if _can_share(turn, story):
            reply = Reply(texts.quote_shared, edit=True)
            if story.quote_released:
                return turn.outcome(None, reply)
            return Outcome(turn.state, (reply,), (ShareQuote(story.id, True),))
        case Action.QUOTE_KEEP:
            effects = (ShareQuote(story.id, False),) if story.quote_released else ()
            return Outcome(turn.state, (Reply(texts.quote_kept, edit=True),), effects)
        case Action.QUOTE_WITHDRAW if story.quote_released:
            kept = replace(story, quote_released=False)
            card = render.card_reply(turn.guide, kept, turn.view.language, edit=True)
            return Outcome(
                turn.state, (card,), (ShareQuote(story.id, False),), texts.quote_withdrawn
            )
    return turn.outcome(notice=turn.guide.texts.stale_button)
