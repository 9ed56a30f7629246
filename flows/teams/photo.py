"""The team photo: when it may be shown, and what it says (pure; no I/O).

Storage counts in SQL and hands over ``PhotoData``; this module decides
whether a window may be disclosed, orders the counts, names the recurring
threads and words the photo in the reader's language.

Disclosure rule. Windows nest (year > half-years > quarters > months), so a
reader who sees a quarter and one of its months could subtract them. A window
is therefore shown only when (1) at least ``minimum`` distinct people
contributed to it, and (2) what remains of it after taking away the smaller
windows inside it that may themselves be shown has either no contributions or
again at least ``minimum`` distinct people. Whatever combination of shown
windows someone subtracts, the smallest piece they can isolate then covers
nobody or at least ``minimum`` people. Storage applies the same rule to each
question over the people who answered it, and withholds a question that fails.

A recurring thread is an item at the top of its question that more than one
story or check-in named (at most two per question when they tie).

Units. A count is a number of stories and check-ins that picked an option (one
person may tell several). Its share is of the stories and check-ins that were
asked the question: every story for a story question, and the check-ins too for
a question the check-in also asks ("how"). Storage counts stories and check-ins
together per option, so a share cannot be split by kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flows.content.guide import Guide, Question, QuestionKind, guide_for
from flows.dates import month_text
from flows.privacy.commands import amounts
from flows.render import MESSAGE_LIMIT, fit
from flows.teams.dishes import DISH_SCOPE, DishCount, dish_counts
from flows.teams.dishes import QUESTIONS as DISH_QUESTIONS
from flows.teams.periods import Period, Span
from flows.teams.trends import comparable
from flows.teams.views import OptionCount, PhotoData, PhotoRules, TeamRef, TeamRules

MonthContributors = Mapping[int, frozenset[str]]  # month (1-12) -> people (random tokens)
QUOTE_LIMIT = 300
THREADS_PER_QUESTION = 2


def photo_rules(minimum: int, rules: TeamRules) -> PhotoRules:
    """The rules of every photo, from the installation's group size and team rules."""
    return PhotoRules(minimum, rules.quotes, guide_for(None).opening.key)


def disclosable(period: Period, months: MonthContributors, minimum: int) -> bool:
    """True when this window may be shown (see the module's disclosure rule)."""
    if len(_people(period.months, months)) < minimum:
        return False
    rest = set(period.months) - _covered(period, months, minimum)
    people = _people(rest, months)
    return not people or len(people) >= minimum


def _covered(period: Period, months: MonthContributors, minimum: int) -> set[int]:
    """The months of the largest showable windows strictly inside ``period``."""
    covered: set[int] = set()
    for child in period.children():
        if disclosable(child, months, minimum):
            covered |= set(child.months)
        else:
            covered |= _covered(child, months, minimum)
    return covered


def _people(chosen: Iterable[int], months: MonthContributors) -> frozenset[str]:
    return frozenset().union(*(months.get(month, frozenset()) for month in chosen))


ANYTHING = "*"  # scope: contributed anything in the month
STORYTELLERS = "#story"  # scope: confirmed a story in the month


@dataclass
class FrozenWindow:
    """The frozen months of one window, summed; people per month for the disclosure rule."""

    stories: int = 0
    checkins: int = 0
    people: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)  # scope->month
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def scope(self, name: str) -> dict[int, frozenset[str]]:
        """Who contributed in each month, for one scope (``ANYTHING``, a question...)."""
        return self.people.get(name, {})

    def questions(self) -> dict[str, dict[int, frozenset[str]]]:
        """The people per month of every question somebody picked something in."""
        return {k: v for k, v in self.people.items() if not k.startswith("#") and k != ANYTHING}

    def dishes(self) -> dict[str, dict[int, frozenset[str]]]:
        """The people per month of every dish somebody chose or tried."""
        return {k[len(DISH_SCOPE) :]: v for k, v in self.people.items() if k.startswith(DISH_SCOPE)}


def worked_out(
    team: TeamRef, period: Period, window: FrozenWindow, minimum: int
) -> tuple[PhotoData, bool]:
    """The photo of a window from its frozen months (no quotes yet), and whether quotes
    may be shown."""
    people = window.scope(ANYTHING)
    if not disclosable(period, people, minimum):
        return PhotoData(team, period, disclosable=False), False
    withheld = frozenset(
        question
        for question, answered in window.questions().items()
        if not disclosable(period, answered, minimum)
    )
    dishes = frozenset(
        dish for dish, months in window.dishes().items() if disclosable(period, months, minimum)
    )
    data = PhotoData(
        team,
        period,
        disclosable=True,
        stories=window.stories,
        checkins=window.checkins,
        contributors=len(frozenset().union(*people.values())),
        counts=tuple(
            OptionCount(question, option, count)
            for (question, option), count in sorted(window.counts.items())
            if (option in dishes if question in DISH_QUESTIONS else question not in withheld)
        ),
        withheld=withheld,
    )
    return data, disclosable(period, window.scope(STORYTELLERS), minimum)


@dataclass(frozen=True)
class Section:
    """One quick-pick question of the photo: its heading and (label, count), largest first.

    ``asked_stories`` and ``asked_checkins``: how many stories and check-ins of the
    window were asked this question, the base of every share.
    ``withheld``: too few people answered it in the window; it shows no counts.
    """

    key: str
    title: str
    items: tuple[tuple[str, int], ...]
    withheld: bool = False
    asked_stories: int = 0
    asked_checkins: int = 0

    @property
    def asked(self) -> int:
        """How many stories and check-ins were asked this question."""
        return self.asked_stories + self.asked_checkins

    def share(self, count: int) -> float | None:
        """The part (0-1) of the stories and check-ins asked that picked an item."""
        return min(count / self.asked, 1.0) if self.asked else None

    def threads(self) -> tuple[str, ...]:
        """The items at the top of this question, when more than one story named them."""
        if not self.items or self.items[0][1] < 2:
            return ()
        top = self.items[0][1]
        return tuple(label for label, count in self.items if count == top)[:THREADS_PER_QUESTION]


@dataclass(frozen=True)
class TeamPhoto:
    """A photo that may be shown, worded in one language."""

    title: str
    stories: int
    checkins: int
    contributors: int
    sections: tuple[Section, ...]
    recurring: tuple[str, ...]
    quotes: tuple[str, ...]
    period: str
    team: str
    dishes: tuple[DishCount, ...] = ()
    previous: TeamPhoto | None = None  # the window of the same length before, if comparable

    def earlier(self, key: str) -> Section | None:
        """The same question in the previous window, when both show it with a base."""
        if self.previous is None:
            return None
        before = next((s for s in self.previous.sections if s.key == key), None)
        return before if before is not None and not before.withheld and before.asked else None


def period_label(guide: Guide, period: Period) -> str:
    """'November 2026', 'Q3 2026', '3e kwartaal 2026', '2026' in the guide's language."""
    texts = guide.teams
    match period.span:
        case Span.MONTH:
            return month_text(period.start.date(), guide.language)
        case Span.QUARTER:
            return texts.period_quarter.format(number=period.index, year=period.year)
        case Span.HALF:
            return texts.period_half.format(number=period.index, year=period.year)
    return str(period.year)


def _photo_questions(guide: Guide) -> tuple[Question, ...]:
    return tuple(q for q in guide.questions if q.kind is QuestionKind.CHOICES)


def _section(guide: Guide, question: Question, data: PhotoData) -> Section:
    """Counts of one question, largest first; ties keep the guide's order."""
    title = question.photo_title or question.title
    in_checkins = guide.checkin.questions.question(question.key) is not None
    checkins = data.checkins if in_checkins else 0
    if question.key in data.withheld:
        return Section(question.key, title, (), True, data.stories, checkins)
    counts = {(c.question, c.option): c.count for c in data.counts}
    order = list(question.options)
    picked = [(key, counts.get((question.key, key), 0)) for key in order]
    ranked = sorted((p for p in picked if p[1] > 0), key=lambda p: (-p[1], order.index(p[0])))
    items = tuple((question.options[key], count) for key, count in ranked)
    return Section(question.key, title, items, False, data.stories, checkins)


def assemble(
    guide: Guide, data: PhotoData, minimum: int, previous: PhotoData | None = None
) -> TeamPhoto | None:
    """The photo in the guide's language, or None when it may not be shown; beside it
    the previous window of the same length when the two may be compared
    (``flows.teams.trends``)."""
    if not data.disclosable or data.contributors < minimum:
        return None
    earlier = comparable(data, previous, minimum)
    sections = tuple(_section(guide, q, data) for q in _photo_questions(guide))
    recurring = tuple(label for section in sections for label in section.threads())
    period = period_label(guide, data.period)
    return TeamPhoto(
        title=guide.teams.photo_title.format(team=data.team.name, period=period),
        stories=data.stories,
        checkins=data.checkins,
        contributors=data.contributors,
        sections=sections,
        recurring=recurring,
        quotes=tuple(fit(" ".join(q.split()), QUOTE_LIMIT) for q in data.quotes),
        period=period,
        team=data.team.name,
        dishes=dish_counts(
            {(c.question, c.option): c.count for c in data.counts},
            guide.language,
            guide.teams.photo_own_dish,
        ),
        previous=assemble(guide, earlier, minimum) if earlier is not None else None,
    )


def not_enough_text(guide: Guide, data: PhotoData, minimum: int) -> str:
    """Said when a photo may not be shown: no numbers, only that it stays below the minimum.

    Only ended windows are ever counted, and they are frozen: it stays so.
    """
    period = period_label(guide, data.period)
    return guide.teams.photo_not_enough.format(team=data.team.name, period=period, minimum=minimum)


def summary_text(guide: Guide, photo: TeamPhoto) -> str:
    """'Stories: 12 · check-ins: 8 · people who took part: 7'."""
    return guide.teams.photo_summary.format(
        stories=photo.stories, checkins=photo.checkins, people=photo.contributors
    )


def previous_text(guide: Guide, photo: TeamPhoto) -> str | None:
    """'Before, in Q2 2026: stories: 9 · ...': the previous window's totals, if compared."""
    before = photo.previous
    if before is None:
        return None
    return guide.teams.photo_summary_was.format(
        period=before.period,
        stories=before.stories,
        checkins=before.checkins,
        people=before.contributors,
    )


def share_text(guide: Guide, share: float) -> str:
    """'45%': a share in the reader's language."""
    from babel.numbers import format_percent  # on first use, as in flows.dates

    return str(format_percent(share, locale=guide.language))


def heading_text(guide: Guide, section: Section) -> str:
    """'How people learned (12 stories and 8 check-ins)': the title and what the shares
    are of."""
    if section.withheld or not section.asked:
        return section.title
    asked = amounts(guide, section.asked_stories, section.asked_checkins)
    return f"{section.title} ({asked})"


def item_text(guide: Guide, section: Section, label: str, count: int) -> str:
    """'By doing, trial and error — 9 of 20 (45%)'; the count alone without a base."""
    share = section.share(count)
    if share is None:
        return f"{label} — {count}"
    return guide.teams.photo_item.format(
        label=label, count=count, asked=section.asked, share=share_text(guide, share)
    )


def trend_item_text(
    guide: Guide, photo: TeamPhoto, section: Section, label: str, count: int
) -> str:
    """'Time, work pressure — 4 of 6 (67%), was 2 of 5' when the previous window asked the
    question too; else the item alone."""
    text = item_text(guide, section, label, count)
    before = photo.earlier(section.key)
    if before is None:
        return text
    was = dict(before.items).get(label, 0)
    return guide.teams.photo_item_was.format(item=text, count=was, asked=before.asked)


def recurring_text(guide: Guide, photo: TeamPhoto) -> str | None:
    """The line naming the recurring threads, if there are any."""
    if not photo.recurring:
        return None
    return guide.teams.photo_recurring.format(items=" · ".join(photo.recurring))


def dish_lines(guide: Guide, photo: TeamPhoto) -> list[str]:
    """'Spar with a colleague — chosen 5, tried 3', one per dish shown; with what the
    previous window showed of the same dish, if it showed it."""
    before = {d.name: d for d in photo.previous.dishes} if photo.previous else {}
    lines = []
    for dish in photo.dishes:
        line = guide.teams.photo_dish.format(name=dish.name, chosen=dish.chosen, tried=dish.tried)
        if (was := before.get(dish.name)) is not None:
            line = guide.teams.photo_dish_was.format(line=line, chosen=was.chosen, tried=was.tried)
        lines.append(line)
    return lines


def photo_text(guide: Guide, photo: TeamPhoto) -> str:
    """The photo as one chat message."""
    summary = summary_text(guide, photo)
    if (before := previous_text(guide, photo)) is not None:
        summary = f"{summary}\n{before}"
    parts = [photo.title, summary]
    for section in photo.sections:
        if section.withheld:
            parts.append(f"▸ {section.title}\n  {guide.teams.photo_withheld}")
        elif section.items:
            lines = [f"  {trend_item_text(guide, photo, section, *item)}" for item in section.items]
            parts.append("\n".join([f"▸ {heading_text(guide, section)}", *lines]))
    if photo.dishes:
        lines = [f"  {line}" for line in dish_lines(guide, photo)]
        parts.append("\n".join([f"▸ {guide.teams.photo_dishes}", *lines]))
    if recurring := recurring_text(guide, photo):
        parts.append(recurring)
    if photo.quotes:
        quotes = [f"  “{quote}”" for quote in photo.quotes]
        parts.append("\n".join([guide.teams.photo_quotes, *quotes]))
    return fit("\n\n".join(parts), MESSAGE_LIMIT)
