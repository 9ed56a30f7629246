"""Conversation state: where a person is in a dialogue, stored as JSON."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Step(StrEnum):
    """Named steps of the interview. Stored in the database: never rename one."""

    IDLE = "idle"
    WELCOME = "welcome"
    QUESTION = "question"
    REVIEW = "review"
    CHECKIN_ASKED = "checkin_asked"  # a check-in question was sent; the next text answers it
    SETTINGS_ZONE = "settings_zone"  # waiting for a city name or a location
    SETTINGS_TIME = "settings_time"  # waiting for a typed time of day
    SETTINGS_PAUSE = "settings_pause"  # waiting for a typed date to pause until
    CHECKIN_THROUGH = "checkin_through"  # nothing went better: a text may say what helped
    # the learning menu (flows.menu.next_step, flows.menu.follow_up); state.next_step says which
    CHOOSE_DISH = "choose_dish"  # the card's dishes as buttons, to order one
    OWN_DISH = "own_dish"  # waiting for the person's own dish, typed
    ORDER_WHEN = "order_when"  # a next step ordered: this week, this month or no date?
    FOLLOW_UP = "follow_up"  # a check-in asks: did the next step happen?
    MENU_OWN = "menu_own"  # a facilitator types an own dish for the team's card
    FOLLOW_UP_KEEP = "follow_up_keep"  # not yet: keep it, or choose another?
    # an invitation card for a colleague (flows.menu.invitation): state.dish, state.invitation
    INVITE_TOPIC = "invite_topic"  # waiting for what the person would like to talk about
    INVITE_OWN = "invite_own"  # waiting for the person's own version of the card
    # a pair interview (flows.pair): state.pair says which
    PAIR_INVITED = "pair_invited"  # a colleague's link opened: accept it?
    PAIR_ASKING = "pair_asking"  # the interviewer: the next text is what they heard
    PAIR_CORRECTING = "pair_correcting"  # the person interviewed types their own version
    # the growth story (flows.growth): state.since, state.left_out
    GROWTH_SINCE = "growth_since"  # waiting for a typed date the period starts on
    GROWTH_PICK = "growth_pick"  # the period's stories shown: leave any out, then make it

    @classmethod
    def _missing_(cls, value: object) -> Step | None:
        """A step stored under its earlier name, from before check-ins had one word."""
        return cls.CHECKIN_ASKED if value == "nudged" else None


class StoryKind(StrEnum):
    """What a stored story is."""

    STORY = "story"
    CHECKIN = "checkin"


class StoryStatus(StrEnum):
    """A story is a draft until the person confirms its card."""

    DRAFT = "draft"
    COMPLETE = "complete"


class SplitAnswer(BaseModel):
    """An answer that filled a whole message: a text until ``until`` may continue it."""

    model_config = ConfigDict(frozen=True)

    story: int  # (a pair interview's id when ``pair``: flows.pair.parts)
    question: str
    until: datetime
    pair: bool = False


class State(BaseModel):
    """Where one person is. Small, JSON-serialisable, and safe to log (no text)."""

    model_config = ConfigDict(frozen=True)

    step: Step = Step.IDLE
    story_id: int | None = None
    question: str | None = None
    draft_id: int | None = None
    returning: bool = False  # after this question, go back to the card
    split: SplitAnswer | None = None  # see flows.interview.long_text
    asked_at: datetime | None = (
        None  # CHECKIN_ASKED: when that check-in was decided (flows.checkins.due)
    )
    next_step: int | None = None  # the next step being ordered or followed up
    then_checkin: bool = False  # once it is ordered, the check-in goes on (after a follow-up)
    dish: str | None = None  # INVITE_TOPIC, INVITE_OWN: the dish the invitation card is for
    invitation: int | None = None  # INVITE_OWN: the card the person's own version replaces
    team_id: int | None = None  # MENU_OWN: the team whose card gets the dish
    course: str | None = None  # MENU_OWN: in which course
    pair: int | None = None  # PAIR_*: the pair interview (PAIR_ASKING, _CORRECTING: .question)
    since: date | None = None  # GROWTH_PICK: the first day of the growth story's period
    left_out: tuple[int, ...] = ()  # GROWTH_PICK: the stories to leave out of it

    def to_json(self) -> str:
        """Serialise for storage."""
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def from_json(cls, raw: str | None) -> State:
        """Deserialise; an empty or unreadable value means a fresh start."""
        if not raw:
            return cls()
        try:
            return cls.model_validate_json(raw)
        except ValueError:
            return cls()
