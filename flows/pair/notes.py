"""The interview itself: the interviewer notes what they hear (typed, or the picks the
person names), the person interviewed sees each answer and may correct it, then saves
the card as their own story or discards it."""

from __future__ import annotations

from dataclasses import replace

from flows.callbacks import Action, encode
from flows.content.guide import QuestionKind
from flows.events import Text, is_blank
from flows.pair import parts
from flows.pair.data import ChangePair, EndPair, PairStatus, PairView
from flows.pair.moves import (
    asking,
    changed,
    deleted,
    ended,
    free,
    kept,
    letter,
    mine,
    partner_guide,
    words,
)
from flows.pair.render import card_reply, noted_reply, question_reply, title_of, with_answer
from flows.replies import (
    Button,
    CompleteStory,
    CreateStory,
    Effect,
    Letter,
    Outcome,
    Reply,
    SaveAnswer,
)
from flows.states import State, Step, StoryKind
from flows.turn import Turn
from flows.views import AnswerView


def _asking(turn: Turn, pair_id: int, key: str | None = None) -> PairView | None:
    """The pair when the person is its interviewer and (``key``) it stands at that question."""
    pair = mine(turn, pair_id)
    if pair is None or pair.status is not PairStatus.ASKING or not pair.viewer_asks:
        return None
    return pair if key is None or pair.question == key else None


def on_text(turn: Turn, event: Text) -> Outcome:
    """What the interviewer heard: a text question's answer, or own words under the picks."""
    key = turn.state.question or ""
    pair = _asking(turn, turn.state.pair or 0, key)
    if pair is None:  # stopped meanwhile (perhaps at this very moment): keep no copy
        gone = ended(turn)
        typed = (Reply("", delete=(event.message_id,)),) if event.message_id else ()
        return replace(gone, replies=(*typed, *gone.replies))
    if is_blank(event.text):
        return turn.outcome(None, Reply(words(turn).type_hint))
    pair = kept(pair, event.message_id)
    question = turn.guide.question(key)
    old = pair.answers.get(key, AnswerView())
    if question is not None and question.kind is QuestionKind.CHOICES:
        said = f"{old.text}\n{event.text}" if old.text else event.text
        pair = with_answer(pair, key, replace(old, text=said, skipped=False))
        change = changed(pair, PairStatus.ASKING, key)
        return Outcome(turn.state, (Reply(words(turn).words_added),), (change,))
    answered = _next(turn, with_answer(pair, key, AnswerView(event.text)), key, ())
    return parts.marked(answered, pair.id, key, event.text, turn)


def toggle(turn: Turn, pair_id: int, key: str, option: str, message_id: int | None) -> Outcome:
    """A pick the person named, ticked (or unticked) on the interviewer's question."""
    pair = _asking(turn, pair_id, key)
    question = turn.guide.question(key)
    if pair is None or question is None or option not in question.options:
        return _stale(turn, pair_id)
    old = pair.answers.get(key, AnswerView())
    picked = old.choices
    choices = tuple(c for c in picked if c != option) if option in picked else (*picked, option)
    pair = with_answer(kept(pair, message_id), key, replace(old, choices=choices))
    asked = question_reply(turn.guide, pair, key, edit=True)
    return Outcome(asking(turn, pair.id, key), (asked,), (changed(pair, PairStatus.ASKING, key),))


def done(turn: Turn, pair_id: int, key: str, *, skip: bool = False) -> Outcome:
    """Done (or Skip): the answer goes to the person interviewed, and on to the next."""
    pair = _asking(turn, pair_id, key)
    if pair is None:
        return _stale(turn, pair_id)
    if skip:
        pair = with_answer(pair, key, AnswerView(skipped=True))
    shown = Reply(words(turn).noted_done.format(title=title_of(turn.guide, key)), edit=True)
    return _next(turn, pair, key, (shown,))


def _next(turn: Turn, pair: PairView, key: str, shown: tuple[Reply, ...]) -> Outcome:
    """After an answer: the partner sees it; the next question, or the card to its owner."""
    theirs = partner_guide(pair)
    noted = noted_reply(theirs, pair, key)
    keys = [q.key for q in turn.guide.questions]
    following = keys[keys.index(key) + 1] if key in keys and key != keys[-1] else None
    if following is not None:
        asked = question_reply(turn.guide, pair, following)
        state = asking(turn, pair.id, following)
        change = changed(pair, PairStatus.ASKING, following)
        return Outcome(state, (*shown, asked), (change,), letters=letter(pair, *noted))
    # the end: the card to its owner; the interviewer's chat keeps nothing of it
    handed = (*shown, *deleted(pair), Reply(words(turn).handed_over))
    card = card_reply(theirs, pair, turn.view.now)
    change = changed(replace(pair, messages=()), PairStatus.REVIEW, None)
    return Outcome(free(turn), handed, (change,), letters=letter(pair, *noted, *card))


def _stale(turn: Turn, pair_id: int) -> Outcome:
    """A button of an earlier question (or of a pair that is over)."""
    if mine(turn, pair_id) is None:
        return ended(turn, pair_id, notice=True)
    return turn.outcome(notice=turn.guide.texts.stale_button)


def _told(turn: Turn, pair_id: int) -> PairView | None:
    """The pair when the person is the one interviewed and it is going on."""
    pair = mine(turn, pair_id)
    if (
        pair is None
        or pair.viewer_asks
        or pair.status not in (PairStatus.ASKING, PairStatus.REVIEW)
    ):
        return None
    return pair


def correct(turn: Turn, pair_id: int, key: str) -> Outcome:
    """Correct this: the person interviewed types their own version of a noted answer."""
    pair = _told(turn, pair_id)
    if pair is None or key not in pair.answers:
        return _stale(turn, pair_id)
    state = State(
        step=Step.PAIR_CORRECTING, pair=pair.id, question=key, draft_id=turn.state.draft_id
    )
    prompt = words(turn).correct_prompt.format(title=title_of(turn.guide, key))
    return Outcome(state, (Reply(prompt),))


def on_correction(turn: Turn, event: Text) -> Outcome:
    """Their own version replaces what was noted; the interviewer is told (not what)."""
    key = turn.state.question or ""
    pair = _told(turn, turn.state.pair or 0)
    if pair is None or key not in pair.answers:
        return ended(turn)
    if is_blank(event.text):
        return turn.outcome(
            None, Reply(words(turn).correct_prompt.format(title=title_of(turn.guide, key)))
        )
    pair = with_answer(pair, key, AnswerView(event.text))
    replies = noted_reply(turn.guide, pair, key, corrected=True)
    letters: tuple[Letter, ...] = ()
    if pair.status is PairStatus.REVIEW:
        replies = (*replies, *card_reply(turn.guide, pair, turn.view.now))
    else:
        note = partner_guide(pair).pair.corrected_note
        letters = letter(pair, Reply(note.format(title=title_of(partner_guide(pair), key))))
    change = changed(pair, pair.status, pair.question)
    outcome = Outcome(free(turn), replies, (change,), letters=letters)
    return parts.marked(outcome, pair.id, key, event.text, turn)


def save(turn: Turn, pair_id: int) -> Outcome:
    """The card confirmed: a story of theirs, stored as if they had told it to the bot."""
    pair = _told(turn, pair_id)
    if pair is None or pair.status is not PairStatus.REVIEW:
        return _stale(turn, pair_id)
    story_id = turn.view.new_story_id
    effects: list[Effect] = [CreateStory(story_id, StoryKind.STORY)]
    for question in turn.guide.questions:
        if (answer := pair.answers.get(question.key)) is not None:
            effects.append(
                SaveAnswer(story_id, question.key, answer.text, answer.choices, answer.skipped)
            )
    effects += [CompleteStory(story_id), ChangePair(pair.id, pair.version, PairStatus.DONE, None)]
    texts, theirs = words(turn), partner_guide(pair).pair
    swap = ((Button(texts.swap_ask, encode(Action.PAIR_SWAP, pair.id)),),)
    their_swap = ((Button(theirs.swap_tell, encode(Action.PAIR_SWAP, pair.id)),),)
    replies = (Reply(texts.saved, swap),)  # the card stays: it is theirs
    letters = letter(pair, Reply(theirs.saved_note, their_swap))
    return Outcome(free(turn), replies, tuple(effects), letters=letters)


def discard(turn: Turn, pair_id: int) -> Outcome:
    """Not kept: the pair goes, nothing was stored for anyone."""
    pair = _told(turn, pair_id)
    if pair is None or pair.status is not PairStatus.REVIEW:
        return _stale(turn, pair_id)
    letters = letter(pair, Reply(partner_guide(pair).pair.discarded_note))
    replies = (Reply(words(turn).discarded, edit=True),)
    return Outcome(free(turn), replies, (EndPair(pair.id, pair.version),), letters=letters)
