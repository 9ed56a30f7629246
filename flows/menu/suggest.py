"""The one dish offered after a story or a check-in, and how a next step is named.

Never more than one dish, none when the rules say none, and none that is already the
person's open next step. The offer's buttons: order it, something else (their own), not now.
"""

from __future__ import annotations

from flows.callbacks import Action, encode
from flows.content.guide import Guide
from flows.menu.card import Dish, menu
from flows.menu.matching import suggestion
from flows.menu.render import dish_line
from flows.menu.views import NextStepView
from flows.render import one_line
from flows.replies import Button, Reply
from flows.views import StoryView

STORY_QUESTION = "next_step"  # "what will help you take it further?"
NOTHING_NOW = "nothing_now"  # its option that says nothing is needed now
OWN_DISH_LIMIT = 200  # characters of an own dish
NAME_PREVIEW = 120  # a next step named in a message, on one line


def offered(story: StoryView, open_step: NextStepView | None) -> Dish | None:
    """The dish to offer after this story or check-in, if any."""
    dish = suggestion(menu().card, story)
    if dish is None or (open_step is not None and open_step.dish == dish.key):
        return None
    return dish


def offer(guide: Guide, story: StoryView, open_step: NextStepView | None) -> tuple[Reply, ...]:
    """The suggestion as a message with its three buttons (none when nothing fits)."""
    dish = offered(story, open_step)
    if dish is None:
        return ()
    words = guide.next_steps
    line = dish_line(menu(), guide.language, dish)
    buttons = (
        (Button(words.order, encode(Action.ORDER, story.id, dish.key)),),
        (Button(words.something_else, encode(Action.OWN_DISH)),),
        (Button(words.not_now, encode(Action.SUGGESTION_NOT_NOW, story.id)),),
    )
    return (Reply(words.suggestion.format(dish=line), buttons),)


def dish_name(guide: Guide, key: str) -> str | None:
    """A dish's name in the person's language (None: not on the card)."""
    if menu().card.dish(key) is None:
        return None
    return menu().in_language(guide.language).dishes[key].name


def follows_up(story: StoryView) -> bool:
    """Whether the story's "what will help next" answer is worth a follow-up."""
    answer = story.answer(STORY_QUESTION)
    return NOTHING_NOW not in answer.choices and not answer.is_empty


def step_name(guide: Guide, step: NextStepView) -> str:
    """The next step in a few words: the dish, their own words, or their story's answer
    ("" when nothing is left to name: a dish taken off the card, a story deleted)."""
    if step.dish:
        return dish_name(guide, step.dish) or ""
    if step.own_dish:
        return one_line(step.own_dish, NAME_PREVIEW)
    question = guide.question(STORY_QUESTION)
    options = question.options if question else {}
    picked = [label for key, label in options.items() if key in step.story_choices]
    words = [step.story_text] if step.story_text and step.story_text.split() else []
    return one_line(" · ".join([*picked, *words]), NAME_PREVIEW)
