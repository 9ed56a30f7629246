"""What the bot says in a pair interview (``flows.pair``), in each language's file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PairTexts(BaseModel):
    """The ``[pair]`` section: the invitation, the interviewer's guidance, the card."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intro: str
    me_tell: str
    you_tell: str
    not_now: str
    later: str  # not now, under /pair
    no_link: str
    forward: str  # {days}
    card_tell: str  # the invitation when the inviter tells their story
    card_ask: str  # the invitation when the inviter asks the questions
    share: str
    invited_tell: str  # opened by the colleague who will ask
    invited_ask: str  # opened by the colleague who will tell
    newcomer: str  # under the invitation, at first contact: who can read what
    accept: str
    declined: str
    own_link: str
    link_used: str
    link_invalid: str
    busy: str
    waiting: str
    accepted: str  # to an inviter who asks: the colleague accepted
    swap_ready: str  # to the one who asks now, after the other turned the roles round
    start: str
    being_asked: str
    question: str  # {number}, {total}, {prompt}, {tip}
    type_hint: str
    choices_hint: str
    noted_done: str  # {title}
    words_added: str
    part_added: str  # the next part of a long note (Telegram split it)
    done: str
    skip: str
    stop: str
    noted: str  # {title}, {answer}
    skipped: str  # {title}
    correct: str
    correct_prompt: str  # {title}
    corrected: str  # {title}, {answer}
    corrected_note: str  # {title}
    handed_over: str
    review: str
    save: str
    discard: str
    saved: str
    saved_note: str
    swap_ask: str
    swap_tell: str
    swapped: str  # an earlier swap button, once the roles are turned round
    discarded: str
    discarded_note: str
    stopped: str
    stopped_note: str
    nothing_to_stop: str
    ended: str
    text_only: str
    edit_not_noted: str  # a sent message edited while noting
    commands_wait: str
    tips: dict[str, str]  # per question of the learning story: listening for HOW
