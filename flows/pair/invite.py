"""A pair interview begins and ends: /pair and who tells, the link a colleague opens,
accepting it, the interviewer's start, swapping roles after a story, and stopping."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from flows.callbacks import Action, encode
from flows.menu.links import SHARE
from flows.pair.data import LIFETIME, START, ChangePair, CreatePair, EndPair, PairStatus, PairView
from flows.pair.moves import LIVE, asking, deleted, ended, free, letter, mine, partner_guide, words
from flows.pair.render import question_reply
from flows.replies import Button, ForgetPerson, Outcome, Reply
from flows.states import State, Step
from flows.turn import Turn

ME, YOU = "me", "you"  # PAIR_ROLE: who tells the story, seen from the inviter


def link(bot_username: str, token: str) -> str:
    """The deep link of an invitation: the token is its only key."""
    return f"https://t.me/{bot_username}?start={START}{token}"


def on_command(turn: Turn) -> Outcome:
    """/pair: who tells the story? (Busy in another pair: say so.)"""
    texts = words(turn)
    pair = mine(turn)
    if pair is not None and pair.status in LIVE:
        return turn.outcome(None, Reply(texts.busy))
    if not turn.view.bot_username:
        return turn.outcome(None, Reply(texts.no_link))
    rows = (
        (Button(texts.me_tell, encode(Action.PAIR_ROLE, ME)),),
        (Button(texts.you_tell, encode(Action.PAIR_ROLE, YOU)),),
        (Button(texts.not_now, encode(Action.PAIR_NOT_NOW)),),
    )
    waiting = f"{texts.waiting}\n\n" if pair is not None and pair.status is PairStatus.OPEN else ""
    return turn.outcome(None, Reply(waiting + texts.intro, rows))


def invite(turn: Turn, tells: str) -> Outcome:
    """A new invitation (an earlier one that waits is replaced), and the card to forward."""
    texts = words(turn)
    pair, bot = mine(turn), turn.view.bot_username
    if tells not in (ME, YOU):
        return turn.outcome(notice=turn.guide.texts.invalid_button)
    if pair is not None and pair.status in LIVE:
        return turn.outcome(notice=texts.busy)
    if not bot or not turn.view.pair_token:
        return turn.outcome(None, Reply(texts.no_link))
    address = link(bot, turn.view.pair_token)
    card = texts.card_tell if tells == ME else texts.card_ask
    share = f"{SHARE}?url={quote(address, safe='')}&text={quote(card, safe='')}"
    replies = (
        Reply(texts.forward.format(days=LIFETIME.days), edit=True),
        Reply(f"{card}\n{address}", ((Button(texts.share, url=share),),)),
    )
    effect = CreatePair(turn.view.new_story_id, turn.view.pair_token, tells == ME)
    return Outcome(free(turn), replies, (effect,))


def open_link(turn: Turn) -> Outcome:
    """A colleague opened an invitation's link: accept it? (Or why it does not work.)"""
    texts = words(turn)
    pair = turn.view.pair
    if pair is None:
        return turn.outcome(None, Reply(texts.link_invalid))
    if pair.viewer_is_inviter:
        return turn.outcome(None, Reply(texts.own_link))
    if pair.status is not PairStatus.OPEN:
        return turn.outcome(None, Reply(texts.busy if pair.mine else texts.link_used))
    if pair.elsewhere or turn.state.step in (Step.PAIR_ASKING, Step.PAIR_CORRECTING):
        return turn.outcome(None, Reply(texts.busy))
    rows = (
        (Button(texts.accept, encode(Action.PAIR_ACCEPT, pair.id)),),
        (Button(texts.not_now, encode(Action.PAIR_NOT_NOW)),),
    )
    asks = texts.invited_tell if pair.inviter_tells else texts.invited_ask
    state = State(step=Step.PAIR_INVITED, pair=pair.id, draft_id=turn.state.draft_id)
    return Outcome(state, (Reply(asks, rows),))


def accept(turn: Turn, pair_id: int) -> Outcome:
    """The colleague accepts: the interview begins (the interviewer starts at once, or is
    asked whether they are ready)."""
    pair = turn.view.pair
    invited = turn.state.step is Step.PAIR_INVITED and turn.state.pair == pair_id
    if pair is None or pair.id != pair_id or not invited or pair.viewer_is_inviter:
        return ended(turn, pair_id, notice=True)
    if pair.status is not PairStatus.OPEN:
        return Outcome(free(turn), notice=words(turn).link_used)
    if pair.elsewhere:
        return Outcome(free(turn), notice=words(turn).busy)
    opening = turn.guide.opening.key
    change = ChangePair(pair.id, pair.version, PairStatus.ASKING, opening, accept=True)
    shown = words(turn).invited_tell  # the invitation, without its buttons
    begun = _begun(turn, pair, opening, shown, viewer_asks=pair.inviter_tells)
    return Outcome(begun.state, begun.replies, (change,), letters=begun.letters)


def swap(turn: Turn, pair_id: int) -> Outcome:
    """After a saved story: the other one tells now, from the opening question."""
    pair = mine(turn, pair_id)
    if pair is not None and pair.status in LIVE:  # the other one pressed theirs first
        return turn.outcome(notice=words(turn).swapped)
    if pair is None or pair.status is not PairStatus.DONE:
        return ended(turn, pair_id, notice=True)
    opening = turn.guide.opening.key
    change = ChangePair(pair.id, pair.version, PairStatus.ASKING, opening, swap=True)
    shown = words(turn).saved_note if pair.viewer_asks else words(turn).saved  # its button
    begun = _begun(turn, pair, opening, shown, viewer_asks=not pair.viewer_asks, swap=True)
    return Outcome(begun.state, begun.replies, (change,), letters=begun.letters)


def _begun(
    turn: Turn, pair: PairView, opening: str, shown: str, *, viewer_asks: bool, swap: bool = False
) -> Outcome:
    """The first messages of an interview, for the one who pressed (``shown``: what the
    pressed message keeps, without its buttons) and for the partner (``swap``: after a
    story of theirs, not an invitation)."""
    texts, theirs = words(turn), partner_guide(pair).pair
    if viewer_asks:
        state = asking(turn, pair.id, opening)
        asked = question_reply(turn.guide, pair, opening)
        replies = (Reply(shown, edit=True), asked)
        return Outcome(state, replies, letters=letter(pair, Reply(theirs.being_asked)))
    ready = ((Button(theirs.start, encode(Action.PAIR_START, pair.id)),),)
    told = Reply(texts.being_asked, edit=True)
    asks = theirs.swap_ready if swap else theirs.accepted
    return Outcome(free(turn), (told,), letters=letter(pair, Reply(asks, ready)))


def start(turn: Turn, pair_id: int) -> Outcome:
    """The interviewer is ready: the question where the interview stands."""
    pair = mine(turn, pair_id)
    if pair is None or pair.status is not PairStatus.ASKING or not pair.viewer_asks:
        return ended(turn, pair_id, notice=True)
    key = pair.question or turn.guide.opening.key
    state = asking(turn, pair.id, key)
    return Outcome(state, (question_reply(turn.guide, pair, key),))


def not_now(turn: Turn) -> Outcome:
    """Not now: under /pair, or under a colleague's invitation (which keeps working)."""
    invited = turn.state.step is Step.PAIR_INVITED
    said = words(turn).declined if invited else words(turn).later
    return Outcome(free(turn) if invited else turn.state, (Reply(said, edit=True),))


def stop(turn: Turn, pair_id: int | None = None, *, pressed: bool = False) -> Outcome:
    """/stop or the Stop button: the pair ends, nothing is stored, the other is told."""
    texts = words(turn)
    pair = mine(turn, pair_id)
    if pair is None or pair.status is PairStatus.DONE:
        if pressed:
            return ended(turn, pair_id, notice=True)
        return Outcome(free(turn), (Reply(texts.nothing_to_stop),))
    theirs = partner_guide(pair).pair
    asker = deleted(pair) if pair.viewer_asks else ()
    partner = () if pair.viewer_asks else deleted(pair)
    replies = (*asker, Reply(texts.stopped))
    letters = letter(pair, *partner, Reply(theirs.stopped_note))
    return Outcome(free(turn), replies, (EndPair(pair.id, pair.version),), letters=letters)


def farewell(turn: Turn, outcome: Outcome) -> Outcome:
    """/forget confirmed in the middle of a pair interview: the row goes with the person,
    so, as after /stop, the partner is told and the interviewer's copies are deleted."""
    pair = mine(turn)
    if pair is None or pair.status not in LIVE:
        return outcome
    if not any(isinstance(effect, ForgetPerson) for effect in outcome.effects):
        return outcome
    theirs = partner_guide(pair).pair
    own = deleted(pair) if pair.viewer_asks else ()
    partner = () if pair.viewer_asks else deleted(pair)
    letters = (*outcome.letters, *letter(pair, *partner, Reply(theirs.stopped_note)))
    return replace(outcome, replies=(*own, *outcome.replies), letters=letters)
