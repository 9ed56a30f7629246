"""Answers longer than one Telegram message, in a pair interview.

Telegram's apps send a text over 4096 characters as several messages, one right after
another. As in the interview (``flows.interview.long_text``, whose limits this uses): a
text that arrives within a few seconds after a typed answer that filled a message is
added to that answer (the interviewer's note, or the correction of the one interviewed)
instead of answering the next question, and the person is told so. The one interviewed
sees the whole answer again; each part the interviewer typed is deleted with the others.
"""

from __future__ import annotations

from dataclasses import replace

from flows.events import Text
from flows.interview.long_text import FULL_MESSAGE, WINDOW
from flows.pair.data import PairStatus, PairView
from flows.pair.moves import LIVE, changed, kept, letter, mine, partner_guide, words
from flows.pair.render import card_reply, noted_reply, with_answer
from flows.render import utf16_len
from flows.replies import Letter, Outcome, Reply
from flows.states import SplitAnswer
from flows.turn import Turn


def marked(outcome: Outcome, pair_id: int, key: str, text: str, turn: Turn) -> Outcome:
    """The outcome, its state waiting a few seconds for the rest of a long answer."""
    if utf16_len(text) < FULL_MESSAGE:
        return outcome
    until = turn.view.now + WINDOW
    split = SplitAnswer(story=pair_id, question=key, until=until, pair=True)
    return replace(outcome, state=outcome.state.model_copy(update={"split": split}))


def _continued(turn: Turn) -> PairView | None:
    """The pair whose answer a text now continues (None: it continues none)."""
    split = turn.state.split
    if split is None or not split.pair or turn.view.now >= split.until:
        return None
    pair = mine(turn, split.story)
    if pair is None or split.question not in pair.answers:
        return None
    return pair if pair.status in LIVE else None


def continues(turn: Turn) -> bool:
    """True when a text now is likely the next part of a pair answer just given."""
    return _continued(turn) is not None


def join(turn: Turn, event: Text) -> Outcome:
    """Add the part to the answer it continues; the step after that answer still waits."""
    pair, split = _continued(turn), turn.state.split
    assert pair is not None and split is not None, "only called when continues()"
    key = split.question
    old = pair.answers[key]
    text = "\n".join(part for part in (old.text, event.text) if part)
    pair = with_answer(pair, key, replace(old, text=text, skipped=False))
    review = pair.status is PairStatus.REVIEW
    letters: tuple[Letter, ...] = ()
    if pair.viewer_asks:
        pair, replies, letters = _passed_on(turn, pair, key, event, review=review)
    else:
        card = card_reply(turn.guide, pair, turn.view.now) if review else ()
        corrected = noted_reply(turn.guide, pair, key, corrected=True)
        replies = (Reply(turn.guide.texts.answer_continued), *corrected, *card)
    state = turn.state.model_copy(update={"split": None})
    change = changed(pair, pair.status, pair.question)
    outcome = Outcome(state, replies, (change,), letters=letters)
    return marked(outcome, pair.id, key, event.text, turn)


def _passed_on(
    turn: Turn, pair: PairView, key: str, event: Text, *, review: bool
) -> tuple[PairView, tuple[Reply, ...], tuple[Letter, ...]]:
    """The interviewer's next part, passed on to the one interviewed; the part is deleted
    with the other answers, or at once when the card has already gone to its owner."""
    theirs = partner_guide(pair)
    said = Reply(words(turn).part_added)
    noted = noted_reply(theirs, pair, key)
    if review:
        gone = (Reply("", delete=(event.message_id,)),) if event.message_id else ()
        card = card_reply(theirs, pair, turn.view.now)
        return pair, (*gone, said), letter(pair, *noted, *card)
    pair = kept(pair, event.message_id)
    return pair, (said,), letter(pair, *noted)
