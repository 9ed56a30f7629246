"""The growth story: what a person's own stories and check-ins of a period say, as blocks.

It reads as a short account in the first person, for a yearly review, not as a copy of
the data: what they started doing better (the opening answers) and what went more
smoothly along the way (check-ins), how they learned it (their ways, most frequent
first, then their own words), who and what helped, what got in the way, which next
steps they took and how those went (with what a step brought, from the check-in that
followed it up), and what will help them further. No times of day, no ids, no settings.

Built only from the person's own record (``PersonRecord``), so nobody else's words can
appear; the stories they left out are left out everywhere, with the next steps that
follow one of them up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from flows.content.guide import Guide, guides
from flows.dates import short_date
from flows.documents.direction import set_apart
from flows.documents.pdf import Block, BlockKind
from flows.growth.period import Period
from flows.menu.follow_up import TRIED
from flows.menu.suggest import STORY_QUESTION, step_name
from flows.menu.views import NextStepRecord, StepStatus
from flows.phrases import says_nothing
from flows.privacy.commands import amounts
from flows.render import local_date
from flows.states import StoryKind, StoryStatus
from flows.views import PersonRecord, StoryHeader, StoryView

HOW = "how"
WHO = "who"
RESOURCES = "resources"
OBSTACLES = "obstacles"
HELPED_MOST = "helped_most"
THROUGH = "through"  # after a check-in where nothing went better: what helped them through
FOLLOWED_UP_WITHIN = timedelta(days=1)  # a "did it" and its check-in are one step apart

H, T, B, Q = BlockKind.HEADING, BlockKind.TEXT, BlockKind.BULLET, BlockKind.QUOTE


def chosen(record: PersonRecord, period: Period, left_out: Iterable[int]) -> tuple[StoryView, ...]:
    """The saved stories and check-ins of the period, oldest first, less those left out."""
    skipped = frozenset(left_out)
    return tuple(
        r.story
        for r in record.stories
        if r.story.status is StoryStatus.COMPLETE
        and period.holds(r.story.created_at)
        and r.story.id not in skipped
    )


def growth_blocks(
    guide: Guide, record: PersonRecord, period: Period, left_out: Iterable[int], now: datetime
) -> list[Block]:
    """The whole growth story, from its title to the day it was made."""
    texts, language = guide.growth, guide.language
    left_out = frozenset(left_out)
    picked = chosen(record, period, left_out)
    stories = [s for s in picked if s.kind is StoryKind.STORY]
    start, end = local_date_of(period, language)
    return [
        Block(BlockKind.TITLE, texts.title),
        Block(T, texts.period_line.format(start=start, end=end)),
        Block(T, texts.made_of.format(stories=amount(guide, picked))),
        *_better(guide, stories, [s for s in picked if s.kind is StoryKind.CHECKIN]),
        *_ranked(guide, texts.how, picked, HOW),
        *_ranked(guide, texts.who, stories, WHO, RESOURCES),
        *_words(texts.helped_most, _texts(picked, HELPED_MOST, THROUGH)),
        *_ranked(guide, texts.obstacles, stories, OBSTACLES),
        *_steps(guide, record.next_steps, period, picked, left_out),
        *_ranked(guide, texts.further, stories, STORY_QUESTION),
        Block(T, ""),
        Block(T, texts.footer.format(date=local_date(now, language))),
    ]


def local_date_of(period: Period, language: str) -> tuple[str, str]:
    """The period's first and last day as the person's language writes them."""
    return short_date(period.start, language), short_date(period.end, language)


def amount(guide: Guide, stories: Sequence[StoryView | StoryHeader]) -> str:
    """'3 stories and 2 check-ins': how many of each there are."""
    checkins = sum(1 for s in stories if s.kind is StoryKind.CHECKIN)
    return amounts(guide, len(stories) - checkins, checkins)


def _better(guide: Guide, stories: list[StoryView], checkins: list[StoryView]) -> list[Block]:
    """What now goes better (each story's opening), then what went more smoothly."""
    texts = guide.growth
    smoother = [s for s in checkins if not _nothing(guide, s)]
    return [
        *_dated(guide, texts.better, stories, guide.opening.key),
        *_dated(guide, texts.smoother, smoother, guide.checkin.questions.opening.key),
    ]


def _dated(guide: Guide, heading: str, stories: Sequence[StoryView], key: str) -> list[Block]:
    """A heading and each story's answer to ``key``, with its date (nothing: no heading)."""
    said = [(s, text.strip()) for s in stories if (text := s.answer(key).text) and text.strip()]
    lines = [
        Block(B, f"{set_apart(text)} ({local_date(s.created_at, guide.language)})")
        for s, text in said
    ]
    return [Block(H, heading), *lines] if lines else []


def _nothing(guide: Guide, checkin: StoryView) -> bool:
    """A check-in where nothing went better: the button's words, or typed ones."""
    text = checkin.answer(guide.checkin.questions.opening.key).text or ""
    buttons = {g.checkin.texts.nothing for g in guides().values()}
    return checkin.answer(HOW).is_empty and (text in buttons or says_nothing(guide.phrases, text))


def _ranked(guide: Guide, heading: str, stories: Sequence[StoryView], *keys: str) -> list[Block]:
    """A heading, the options picked most often first (ties in the guide's order; "3
    times" from twice on), then the person's own words; nothing when nothing was said."""
    texts = guide.growth
    lines: list[Block] = []
    for key in keys:
        question = guide.question(key)
        options = question.options if question else {}
        counts = Counter(c for s in stories for c in s.answer(key).choices if c in options)
        for option in sorted(counts, key=lambda o: (-counts[o], list(options).index(o))):
            times = guide.counted(counts[option], texts.times_one, texts.times_other)
            lines.append(Block(B, options[option] + (f" ({times})" if counts[option] > 1 else "")))
    if words := _texts(stories, *keys):
        lines += [Block(T, texts.own_words), *(Block(Q, f"“{w}”") for w in words)]
    return [Block(H, heading), *lines] if lines else []


def _texts(stories: Iterable[StoryView], *keys: str) -> list[str]:
    """The person's own words to these questions, in the order they were told."""
    return [
        text.strip()
        for story in stories
        for key in keys
        if (text := story.answer(key).text) and text.strip()
    ]


def _words(heading: str, words: list[str]) -> list[Block]:
    if not words:
        return []
    return [Block(H, heading), *(Block(Q, f"“{w}”") for w in words)]


def _steps(
    guide: Guide,
    steps: Iterable[NextStepRecord],
    period: Period,
    picked: Sequence[StoryView],
    left_out: frozenset[int],
) -> list[Block]:
    """The next steps chosen or closed in the period, each with how it went."""
    texts = guide.growth
    status = {
        StepStatus.DONE: texts.step_done,
        StepStatus.NOT_FOR_ME: texts.step_not_for_me,
        StepStatus.LET_GO: texts.step_let_go,
        StepStatus.REPLACED: texts.step_replaced,
    }
    blocks: list[Block] = []
    for record in steps:
        step = record.step
        when = [moment for moment in (step.ordered_at, record.closed_at) if moment is not None]
        name = step_name(guide, step)
        if not name or step.story_id in left_out or not any(map(period.holds, when)):
            continue
        said = status.get(record.status, texts.step_not_yet if step.asked else texts.step_open)
        date = local_date(when[0], guide.language)
        line = texts.step_line.format(step=set_apart(name), date=date, status=said)
        blocks.append(Block(B, line))
        if brought := _brought(guide, picked, record):
            blocks.append(Block(Q, texts.step_brought.format(answer=brought)))
    return [Block(H, texts.steps), *blocks] if blocks else []


def _brought(guide: Guide, picked: Sequence[StoryView], record: NextStepRecord) -> str:
    """What a step that happened brought: the answer of the check-in that asked about it
    (that check-in begins when the person says they did it)."""
    closed_at = record.closed_at
    if record.status is not StepStatus.DONE or closed_at is None:
        return ""
    asked = [
        s
        for s in picked
        if not s.answer(TRIED).is_empty and abs(s.created_at - closed_at) <= FOLLOWED_UP_WITHIN
    ]
    if not asked:
        return ""
    answer = min(asked, key=lambda s: abs(s.created_at - closed_at)).answer(TRIED)
    question = guide.question(HOW)
    options = question.options if question else {}
    labels = [label for key, label in options.items() if key in answer.choices]
    words = [f"“{answer.text.strip()}”"] if answer.text and answer.text.strip() else []
    return " · ".join([*labels, *words])
