"""A thank-you note to pass on: offered once, after "What or who helped you most?".

The note is content (``[thanks]`` in ``flows/content/*.toml``), chosen by the first person
picked under "Who was involved" that has a note, else a general one; nothing the person
wrote goes into it. The bot sends it to nobody: the person forwards it themselves, or
uses the share link under it. It is not stored anywhere: it exists only in the reply,
and the outbox deletes a reply once Telegram took it.
"""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, Pressed, encode
from flows.content.guide import Guide
from flows.menu.links import share_url
from flows.replies import Button, Outcome, Reply
from flows.states import StoryKind
from flows.turn import Turn, where_we_are
from flows.views import StoryView

HELPED_MOST = "helped_most"  # the question the offer follows
WHO = "who"  # the question whose picks choose the note


def offered(turn: Turn, story: StoryView, key: str, moved: Outcome) -> Outcome:
    """After an answer: the offer above what comes next, the first time ``helped_most`` of a
    learning story is answered (an answer changed later is not offered again)."""
    if key != HELPED_MOST or story.kind is not StoryKind.STORY:
        return moved
    if not story.answer(key).is_empty:  # answered before: offered then
        return moved
    return replace(moved, replies=(offer(turn.guide, story), *moved.replies))


def offer(guide: Guide, story: StoryView) -> Reply:
    """Would you like a short thank-you note to pass on?"""
    texts = guide.thanks
    buttons = (
        (Button(texts.yes, encode(Action.THANKS, story.id)),),
        (Button(texts.no, encode(Action.THANKS_NO, story.id)),),
    )
    return Reply(texts.offer, buttons)


def note(guide: Guide, story: StoryView) -> str:
    """The note for the first person picked who has one, else the general note."""
    notes = guide.thanks.notes
    return next((notes[k] for k in story.answer(WHO).choices if k in notes), guide.thanks.note)


def on_press(turn: Turn, pressed: Pressed) -> Outcome:
    """Yes: the note, with a share link, in place of the offer; no: the offer goes.
    Either way the story being told is shown again where it was."""
    texts = turn.guide.thanks
    story = turn.story(pressed.story_id)
    if story is None:
        return turn.outcome(notice=turn.guide.texts.story_not_found)
    if story.answer(HELPED_MOST).is_empty:  # never offered for this story
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if pressed.action is Action.THANKS_NO:
        return turn.outcome(None, Reply(texts.declined, edit=True))
    written = note(turn.guide, story)
    bot = turn.view.bot_username
    url = share_url(bot, written) if bot else None
    buttons = ((Button(texts.share, url=url),),) if url else ()
    replies = (Reply(texts.intro, edit=True), Reply(written, buttons), *where_we_are(turn))
    return turn.outcome(None, *replies)
