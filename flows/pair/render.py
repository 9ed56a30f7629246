"""The pair interview's messages: the interviewer's question with its tip, each noted
answer for the person interviewed (with "Correct this"), and their card."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flows.callbacks import Action, encode
from flows.content.guide import Guide, QuestionKind
from flows.documents.message import message_parts
from flows.pair.data import PairView
from flows.render import MESSAGE_LIMIT, card_text, fit
from flows.replies import Button, Reply
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, StoryView

TICK = "✅ "


def answer_line(guide: Guide, key: str, answer: AnswerView) -> str:
    """An answer on one line: the picks' labels, then the own words in quotes."""
    question = guide.question(key)
    options = question.options if question is not None else {}
    parts = [options.get(choice, choice) for choice in answer.choices]
    if answer.text:
        parts.append(f"“{answer.text}”" if parts else answer.text)
    return " · ".join(parts)


def title_of(guide: Guide, key: str) -> str:
    """A question's short title (its key when an adviser removed it)."""
    question = guide.question(key)
    return question.title if question is not None else key


def question_reply(guide: Guide, pair: PairView, key: str, *, edit: bool = False) -> Reply:
    """For the interviewer: what to ask, a tip on listening for HOW, and the picks."""
    texts = guide.pair
    question = guide.question(key)
    assert question is not None, "the flow asks only questions of the guide"
    number = guide.index(key) + 1
    total, tip = len(guide.questions), texts.tips.get(key, "")
    body = texts.question.format(number=number, total=total, prompt=question.prompt, tip=tip)
    choices = question.kind is QuestionKind.CHOICES
    hint = texts.choices_hint if choices else texts.type_hint
    picked = pair.answers.get(key, AnswerView()).choices
    rows: list[tuple[Button, ...]] = [
        (Button(TICK * (option in picked) + label, _toggle(pair, key, option)),)
        for option, label in question.options.items()
    ]
    last = [Button(texts.done, encode(Action.PAIR_DONE, pair.id, key))] if choices else []
    if number > 1:  # the opening question has no Skip: a story needs it
        last.append(Button(texts.skip, encode(Action.PAIR_SKIP, pair.id, key)))
    rows += [tuple(last)] if last else []
    rows.append((Button(texts.stop, encode(Action.PAIR_STOP, pair.id)),))
    text = fit(f"{body.strip()}\n\n{hint}", MESSAGE_LIMIT)
    return Reply(text, tuple(rows), edit=edit)


def _toggle(pair: PairView, key: str, option: str) -> str:
    return encode(Action.PAIR_TOGGLE, pair.id, key, option)


def noted_reply(
    guide: Guide, pair: PairView, key: str, *, corrected: bool = False
) -> tuple[Reply, ...]:
    """For the person interviewed: one answer as it was noted (in as many messages as it
    takes: nothing is cut off), and the button to correct it under the last."""
    texts = guide.pair
    answer = pair.answers.get(key, AnswerView())
    title = title_of(guide, key)
    if answer.is_empty:
        text = texts.skipped.format(title=title)
    else:
        said = answer_line(guide, key, answer)
        text = (texts.corrected if corrected else texts.noted).format(title=title, answer=said)
    button = Button(texts.correct, encode(Action.PAIR_CORRECT, pair.id, key))
    return _in_parts(text.strip(), ((button,),))


def card_reply(guide: Guide, pair: PairView, now: datetime) -> tuple[Reply, ...]:
    """For the person interviewed: the interview's summary card, to save as theirs (in as
    many messages as it takes, the buttons under the last)."""
    begun = pair.created_at or now
    story = StoryView(pair.id, StoryKind.STORY, StoryStatus.DRAFT, begun, pair.answers)
    card = card_text(guide, story, guide.language).removesuffix(guide.texts.card_question)
    texts = guide.pair
    buttons = (
        (Button(texts.save, encode(Action.PAIR_SAVE, pair.id)),),
        (Button(texts.discard, encode(Action.PAIR_DISCARD, pair.id)),),
    )
    return _in_parts(f"{card.rstrip()}\n\n{texts.review}", buttons)


def _in_parts(text: str, buttons: tuple[tuple[Button, ...], ...]) -> tuple[Reply, ...]:
    """A text in as many messages as Telegram needs, the buttons under the last one."""
    parts = message_parts(text)
    return tuple(
        Reply(part, buttons if i == len(parts) - 1 else ()) for i, part in enumerate(parts)
    )


def with_answer(pair: PairView, key: str, answer: AnswerView) -> PairView:
    """The pair as it will be with this answer noted."""
    return replace(pair, answers={**pair.answers, key: answer})
