"""What the bot says around /growth, and the growth story's own words (``flows.growth``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class GrowthTexts(BaseModel):
    """The ``[growth]`` section: choosing the period and the stories, and the document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # choosing
    period_question: str
    last_6: str
    last_12: str
    since_date: str
    not_now: str
    stopped: str
    since_prompt: str
    bad_date: str
    future_date: str  # {date}
    pick: str  # {start}, {end}, {stories}: "3 stories and 2 check-ins"
    pick_page: str  # {first}, {last}, {total}
    pick_hint: str  # typed while choosing
    newer: str
    older: str
    left_out: str  # a button's mark: left out
    kept_in: str  # a button's mark: kept in
    make: str
    nothing_in_period: str  # {start}, {end}
    all_left_out: str
    stale: str
    made: str  # {start}, {end}, {stories}
    caption: str
    # the growth story itself (first person: it is theirs, for their review)
    title: str
    period_line: str  # {start}, {end}
    made_of: str  # {stories}
    better: str
    smoother: str
    how: str
    who: str
    helped_most: str
    obstacles: str
    steps: str
    further: str
    own_words: str
    times_one: str  # {count}
    times_other: str  # {count}
    step_line: str  # {step}, {date}, {status}
    step_brought: str  # {answer}
    step_done: str
    step_not_yet: str
    step_open: str
    step_not_for_me: str
    step_let_go: str
    step_replaced: str
    footer: str  # {date}
