"""What every pair step shares: the texts, the partner's guide, letters to the partner,
leaving a pair step, and checking a pair against the person and the stored state."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows.content.guide import Guide, guide_for
from flows.content.pair_texts import PairTexts
from flows.pair.data import ChangePair, PairStatus, PairView
from flows.replies import Letter, Outcome, Reply
from flows.states import State, Step
from flows.turn import Turn

LIVE = (PairStatus.ASKING, PairStatus.REVIEW)


def words(turn: Turn) -> PairTexts:
    """The pair texts in the person's language."""
    return turn.guide.pair


def partner_guide(pair: PairView) -> Guide:
    """The guide in the partner's language: letters are written in it."""
    return guide_for(pair.partner_language)


def letter(pair: PairView, *replies: Reply) -> tuple[Letter, ...]:
    """Messages for the partner's chat (none where the partner has no chat)."""
    return () if pair.partner_chat is None or not replies else (Letter(pair.partner_chat, replies),)


def free(turn: Turn) -> State:
    """Out of any pair step (an unfinished story of their own stays remembered)."""
    return State(draft_id=turn.state.draft_id)


def asking(turn: Turn, pair_id: int, key: str) -> State:
    """The interviewer's step: the next text is what they heard for question ``key``."""
    return State(step=Step.PAIR_ASKING, pair=pair_id, question=key, draft_id=turn.state.draft_id)


def mine(turn: Turn, pair_id: int | None = None) -> PairView | None:
    """The loaded pair when the person is in it (and it is ``pair_id``, when given)."""
    pair = turn.view.pair
    if pair is None or not pair.mine or (pair_id is not None and pair.id != pair_id):
        return None
    return pair


def changed(pair: PairView, status: PairStatus, question: str | None) -> ChangePair:
    """The pair's row as ``pair`` now holds it."""
    answers = tuple(pair.answers.items())
    return ChangePair(pair.id, pair.version, status, question, answers, pair.messages)


def kept(pair: PairView, message_id: int | None) -> PairView:
    """Remember a message of the interviewer's chat that holds an answer."""
    if message_id is None or message_id in pair.messages:
        return pair
    return replace(pair, messages=(*pair.messages, message_id))


def deleted(pair: PairView) -> tuple[Reply, ...]:
    """For the interviewer's chat: delete the messages that hold answers."""
    return (Reply("", delete=pair.messages),) if pair.messages else ()


def ended(turn: Turn, pair_id: int | None = None, *, notice: bool = False) -> Outcome:
    """The pair named is over (or was never this person's): say so kindly, and leave its
    step (``pair_id``: only when the step is that pair's)."""
    held = turn.state.pair is not None and pair_id in (None, turn.state.pair)
    state = free(turn) if held else turn.state
    if notice:
        return Outcome(state, notice=words(turn).ended)
    return Outcome(state, (Reply(words(turn).ended),))


def holds_checkins(turn: Turn, within: timedelta) -> bool:
    """Whether a check-in now would come in the middle of a pair interview (either of the
    two acted ``within`` this long): both wait while the answers are noted, the one
    interviewed also while their card waits to be confirmed."""
    pair = mine(turn)
    if pair is None or pair.changed_at is None:
        return False
    if pair.status is not PairStatus.ASKING and not (
        pair.status is PairStatus.REVIEW and not pair.viewer_asks
    ):
        return False
    return turn.view.now - pair.changed_at < within
