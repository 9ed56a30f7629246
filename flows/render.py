"""Turn stories and questions into messages with buttons (no decisions here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from flows.callbacks import Action, encode
from flows.content.guide import Guide, Question, QuestionKind
from flows.dates import short_date
from flows.replies import Button, Reply
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, StoryHeader, StoryView

MESSAGE_LIMIT = 4096  # Telegram counts UTF-16 code units
ANSWER_PREVIEW = 450
TITLE_PREVIEW = 48
ABOUT_PREVIEW = 60  # the opening answer on one line, above the later questions
SELECTED = "✅ "
STORIES_PER_PAGE = 8


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int) -> str:
    """Shorten text to at most ``limit`` UTF-16 units, marking the cut with an ellipsis."""
    if utf16_len(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = text[: max(limit - 1, 0)]
    while utf16_len(cut) > limit - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def local_date(when: datetime, language: str) -> str:
    """A date the way the person's language writes it: '30 Nov 2026' (``flows.dates``)."""
    return short_date(when.date(), language)


def _rows(*rows: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(row) for row in rows if row)


def _answer_lines(
    question: Question, answer: AnswerView, empty: str, preview: int = ANSWER_PREVIEW
) -> list[str]:
    labels = [label for key, label in question.options.items() if key in answer.choices]
    lines = [" · ".join(labels)] if labels else []
    if answer.text:
        lines.append(fit(answer.text, preview))
    return lines or [empty]


def one_line(text: str, limit: int) -> str:
    """The text on a single line (line breaks and runs of spaces as one space), shortened."""
    return fit(" ".join(text.split()), limit)


def about(guide: Guide, story: StoryView) -> str | None:
    """What the story is about: its opening answer on one short line, if it has one."""
    opening = story.answer(guide.questionnaire(story.kind).opening.key).text
    if not opening or not opening.split():
        return None
    return guide.texts.about.format(title=one_line(opening, ABOUT_PREVIEW))


def question_reply(
    guide: Guide, story: StoryView, key: str, *, edit: bool = False, note: str | None = None
) -> Reply:
    """Ask one question, showing what the story is about, what was answered so far and the
    quick picks. ``note`` takes the place of the usual hint below the question.

    The opening question has no Skip (a story needs it): a learning story offers its
    examples instead, a check-in not yet done offers "nothing this time".
    """
    questions = guide.questionnaire(story.kind)
    question = questions.question(key)
    assert question is not None, "the flow only asks questions of its own guide"
    extra = questions.is_extra(key)  # asked on a branch: not counted, no Back
    number = 0 if extra else questions.index(key) + 1
    answer = story.answer(key)
    total = len(questions.questions)
    heading = guide.texts.progress.format(number=number, total=total)
    if number > 1 and (topic := about(guide, story)) is not None:
        heading = f"{heading}\n{topic}"
    parts = [question.prompt_for(story.id)] if extra else [heading, question.prompt_for(story.id)]
    if answer.text:
        parts.append(guide.texts.current_answer.format(answer=fit(answer.text, ANSWER_PREVIEW)))
    is_choices = question.kind is QuestionKind.CHOICES
    parts.append(note or (guide.texts.choices_hint if is_choices else guide.texts.text_hint))
    options = [
        [
            Button(
                (SELECTED if option in answer.choices else "") + label,
                encode(Action.TOGGLE, story.id, key, option),
            )
        ]
        for option, label in question.options.items()
    ]
    examples = [
        [Button(example.label, encode(Action.EXAMPLE, story.id, key, str(index)))]
        for index, example in enumerate(question.examples)
    ]
    finish: list[Button] = []
    if is_choices:
        finish.append(Button(guide.texts.done, encode(Action.DONE, story.id, key)))
    elif not answer.is_empty:
        finish.append(Button(guide.texts.keep, encode(Action.DONE, story.id, key)))
    navigation = []
    if number > 1:
        navigation.append(Button(guide.texts.back, encode(Action.BACK, story.id, key)))
    if number > 1 or extra:
        navigation.append(Button(guide.texts.skip, encode(Action.SKIP, story.id, key)))
    elif story.kind is StoryKind.CHECKIN and story.status is StoryStatus.DRAFT:
        nothing = guide.checkin.texts.nothing
        navigation.append(Button(nothing, encode(Action.NOTHING, story.id, key)))
    text = fit("\n\n".join(parts), MESSAGE_LIMIT)
    return Reply(text, _rows(*options, *examples, finish, navigation), edit=edit)


def card_text(guide: Guide, story: StoryView, language: str, closing: tuple[str, ...] = ()) -> str:
    """The summary card: the story on one screen, answers shortened to fit one message
    (``closing``: paragraphs after its footer, kept whole)."""
    texts = guide.texts
    title = texts.card_title if story.status is StoryStatus.COMPLETE else texts.card_draft_title
    if story.kind is StoryKind.CHECKIN:
        title = guide.checkin.texts.card_title
    footer = texts.card_question if story.status is StoryStatus.DRAFT else texts.card_complete
    questionnaire = guide.questionnaire(story.kind)
    extras = [q for q in questionnaire.extras if not story.answer(q.key).is_empty]
    for preview in (ANSWER_PREVIEW, 300, 200, 120, 60):
        parts = [title.format(date=local_date(story.created_at, language))]
        for question in (*questionnaire.questions, *extras):
            answer = story.answer(question.key)
            lines = _answer_lines(question, answer, texts.card_empty, preview)
            parts.append("▸ " + question.title + "\n" + "\n".join(lines))
        text = "\n\n".join([*parts, footer, *closing])
        if utf16_len(text) <= MESSAGE_LIMIT:
            return text
    return fit(text, MESSAGE_LIMIT)


def card_reply(guide: Guide, story: StoryView, language: str, *, edit: bool = False) -> Reply:
    """The card with its buttons: confirm, change or discard a draft; change a story."""
    texts = guide.texts
    change = Button(texts.change, encode(Action.CHANGE, story.id))
    if story.status is StoryStatus.DRAFT:
        buttons = _rows(
            [Button(texts.confirm, encode(Action.CONFIRM, story.id))],
            [change],
            [Button(texts.discard, encode(Action.DISCARD, story.id))],
        )
    else:
        delete = Button(guide.privacy.delete_story, encode(Action.DISCARD, story.id))
        withdraw = Button(guide.teams.quote_withdraw, encode(Action.QUOTE_WITHDRAW, story.id))
        shared = [withdraw] if story.quote_released else []
        buttons = _rows(
            [change], shared, [Button(texts.to_list, encode(Action.LIST, "1"))], [delete]
        )
    return Reply(card_text(guide, story, language), buttons, edit=edit)


def final_card(guide: Guide, story: StoryView, language: str, closing: tuple[str, ...]) -> Reply:
    """The card after confirming, in place of the draft's, ending with ``closing`` (that it
    is saved, what it shows): no buttons left to press by mistake, and one message less."""
    return Reply(card_text(guide, story, language, closing), (), edit=True)


def change_menu(guide: Guide, story: StoryView) -> Reply:
    """Which answer to change: one button per question."""
    rows = [
        [Button(f"{i}. {q.title}", encode(Action.EDIT, story.id, q.key))]
        for i, q in enumerate(guide.questionnaire(story.kind).questions, start=1)
    ]
    back = [Button(guide.texts.back_to_card, encode(Action.CARD, story.id))]
    return Reply(guide.texts.change_which, _rows(*rows, back), edit=True)


def discard_question(guide: Guide, story: StoryView) -> Reply:
    """Ask once before deleting a story: discarding a draft, or deleting a saved one."""
    texts = guide.texts
    question, yes = texts.discard_sure, texts.discard_yes
    if story.status is StoryStatus.COMPLETE:
        question, yes = guide.privacy.delete_sure, guide.privacy.delete_yes
    buttons = _rows(
        [Button(yes, encode(Action.DISCARD_YES, story.id))],
        [Button(texts.discard_no, encode(Action.CARD, story.id))],
    )
    return Reply(question, buttons, edit=True)


def fresh_question(guide: Guide, draft: StoryView) -> Reply:
    """Before "discard it and start afresh" deletes a draft: the same question as Discard."""
    texts = guide.texts
    lines = [texts.discard_sure, *filter(None, [about(guide, draft)])]
    buttons = _rows(
        [Button(texts.discard_yes, encode(Action.FRESH_YES, draft.id))],
        [Button(texts.resume, encode(Action.RESUME, draft.id))],
    )
    return Reply("\n".join(lines), buttons, edit=True)


def story_list(
    guide: Guide,
    headers: tuple[StoryHeader, ...],
    language: str,
    page: int = 1,
    *,
    edit: bool = False,
    only_stories: bool = False,
) -> Reply:
    """One page of the person's stories, newest first, one button each, each marked as a
    story or a check-in. With check-ins among them, a button shows the stories alone (and
    back); ``only_stories`` leaves the check-ins out.

    A page past either end (a forged or stale button) shows the nearest page.
    """
    texts = guide.texts
    stories = tuple(h for h in headers if h.kind is StoryKind.STORY)
    mixed = 0 < len(stories) < len(headers)  # then one kind can be left out, or brought back
    has_checkins = len(stories) < len(headers)
    if only_stories:
        headers = stories
    show_all = [Button(texts.stories_all, encode(Action.LIST, "1"))]
    if not headers:
        if only_stories and has_checkins:
            return Reply(texts.stories_only_empty, _rows(show_all), edit=edit)
        return Reply(texts.stories_empty, edit=edit)
    pages = -(-len(headers) // STORIES_PER_PAGE)
    page = min(max(page, 1), pages)
    first = (page - 1) * STORIES_PER_PAGE
    shown = headers[first : first + STORIES_PER_PAGE]
    rows = []
    for header in shown:
        title = one_line(header.title or texts.untitled, TITLE_PREVIEW)
        if header.status is StoryStatus.DRAFT:
            title = f"{title} {texts.draft_marker}"
        kind = texts.kind_checkin if header.kind is StoryKind.CHECKIN else texts.kind_story
        day = local_date(header.created_at, language)
        label = texts.story_line.format(date=day, kind=kind, title=title)
        rows.append([Button(label, encode(Action.CARD, header.id))])
    listing = Action.LIST_STORIES if only_stories else Action.LIST
    turn_page = []
    if page > 1:
        turn_page.append(Button(texts.stories_newer, encode(listing, str(page - 1))))
    if page < pages:
        turn_page.append(Button(texts.stories_older, encode(listing, str(page + 1))))
    only = [Button(texts.stories_only, encode(Action.LIST_STORIES, "1"))]
    kinds = [] if not mixed else show_all if only_stories else only
    text = texts.stories_only_title if only_stories else texts.stories_title
    if pages > 1:
        where = texts.stories_page.format(
            first=first + 1, last=first + len(shown), total=len(headers)
        )
        text = f"{text}\n{where}"
    return Reply(text, _rows(*rows, kinds, turn_page), edit=edit)


def requested_page(text: str) -> int:
    """The page a story-list button asks for: its digits, else the first page."""
    return int(text) if text.isascii() and text.isdigit() else 1


def welcome(
    guide: Guide, *, returning: bool = False, text: str | None = None, edit: bool = False
) -> Reply:
    """The long first welcome, the short greeting (``returning``) or ``text``, to begin."""
    buttons = _rows(
        [Button(guide.texts.begin, encode(Action.BEGIN))],
        [Button(guide.texts.not_now, encode(Action.NOT_NOW))],
    )
    if text is None:
        text = guide.texts.welcome_back if returning else guide.texts.welcome
    return Reply(text.strip(), buttons, edit=edit)


def draft_prompt(guide: Guide, draft: StoryView, language: str) -> Reply:
    """Offer to go on with an unfinished story (saying what it is about), or to start afresh."""
    texts = guide.texts
    buttons = _rows(
        [Button(texts.resume, encode(Action.RESUME, draft.id))],
        [Button(texts.start_fresh, encode(Action.FRESH, draft.id))],
    )
    lines = [texts.draft_exists.format(date=local_date(draft.created_at, language))]
    lines += filter(None, [about(guide, draft)])
    return Reply("\n".join(lines), buttons)


def language_menu(guides: dict[str, Guide], current: Guide) -> Reply:
    """Pick a language, each offered in its own name."""
    rows = [[Button(g.language_name, encode(Action.LANGUAGE, code))] for code, g in guides.items()]
    return Reply(current.texts.language_prompt, _rows(*rows))


def first_language_question(
    guides: dict[str, Guide],
    guessed: Guide,
    invite: str | None = None,
    *,
    button: Callable[[str], str] | None = None,
) -> Reply:
    """At first contact: which language, asked in every language (the guessed one first).

    ``invite``: the invite that brought the person, carried on to after the choice;
    ``button``: each language's callback data, when another step carries on after it.
    """
    others = [g for g in guides.values() if g is not guessed]
    text = "\n".join(g.texts.language_first for g in (guessed, *others))

    def choose(code: str) -> str:
        if button is not None:
            return button(code)
        if invite:
            return encode(Action.LANGUAGE_INVITE, code, invite)
        return encode(Action.LANGUAGE, code)

    rows = [[Button(g.language_name, choose(code))] for code, g in guides.items()]
    return Reply(text, _rows(*rows))
