"""A person's data as two files: Markdown to read, JSON for other programs (pure).

Both are rendered from the same ``PersonRecord``, so they hold the same data:
everything stored about the person, and nothing about anyone else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flows.checkins.messages import summary
from flows.content.guide import Guide, Question, guide_for
from flows.menu import card as menu_card
from flows.menu import export as next_step_export
from flows.menu.invitation_data import InvitationView
from flows.render import local_date
from flows.replies import File
from flows.states import StoryKind, StoryStatus
from flows.views import AnswerView, CheckinView, PersonRecord, StoryRecord, StoryView, TeamRecord

FORMAT = "leerverhaal-export/1"


def files(record: PersonRecord, guide: Guide, now: datetime) -> tuple[File, File]:
    """The Markdown file and the JSON file, named after the day of the export."""
    stem = f"leerverhaal-{now.date().isoformat()}"
    return (
        File(f"{stem}.md", markdown(record, guide, now).encode("utf-8")),
        File(f"{stem}.json", as_json(record, guide, now).encode("utf-8")),
    )


def _answers(guide: Guide, story: StoryView) -> Iterator[tuple[str, str, Question | None]]:
    """(key, title, question) of every answer: the guide's order, then any it no longer asks."""
    questionnaire = guide.questionnaire(story.kind)
    questions = (*questionnaire.questions, *questionnaire.extras)
    for question in questions:
        if question.key in story.answers:
            yield question.key, question.title, question
    known = {q.key for q in questions}
    for key in story.answers:
        if key not in known:
            yield key, key, None


def _opening(guide: Guide, story: StoryView) -> str | None:
    """The answer to the opening question: what a released quote shows."""
    return story.answer(guide.questionnaire(story.kind).opening.key).text


def _labels(question: Question | None, answer: AnswerView) -> list[tuple[str, str]]:
    """(key, label) of the picked options, in the guide's order; unknown keys last."""
    options = question.options if question else {}
    known = [(key, label) for key, label in options.items() if key in answer.choices]
    return known + [(key, key) for key in answer.choices if key not in options]


# --- JSON -----------------------------------------------------------------------------


def as_json(record: PersonRecord, guide: Guide, now: datetime) -> str:
    """The record as indented JSON (UTF-8, times in ISO 8601 UTC)."""
    data = {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "person": {
            "channel": record.channel,
            "id": record.external_id,
            "chat_id": record.chat_id,
            "language": record.language,
            "first_contact": record.first_contact.isoformat(),
            "team_codes_failed": record.join_failures,
            "join_locked_until": _when(record.join_locked_until),
            "retention_notice_at": _when(record.retention_notice_at),
        },
        "check_ins": _checkin_data(record.checkin, record.checkins_blocked),
        "team": _team_data(record.team) if record.team else None,
        "facilitates": [_team_data(team) for team in record.facilitates],
        "team_photos_received": [
            {"team": p.team, "period": p.period, "received_at": p.delivered_at.isoformat()}
            for p in record.photos
        ],
        "stories": [_story_data(guide, story) for story in record.stories],
        "next_steps": next_step_export.as_data(record.next_steps),
        "invitation_cards": [
            {"dish": card.dish, "text": card.text, "created_at": card.created_at.isoformat()}
            for card in record.invitations
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _team_data(team: TeamRecord) -> dict[str, str]:
    return {"name": team.name, "since": team.since.isoformat()}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _checkin_data(checkin: CheckinView | None, blocked: bool) -> dict[str, Any] | None:
    if checkin is None:
        return None
    rule = checkin.rule
    return {
        "time_zone": rule.zone,
        "place": rule.place,
        "place_chosen_at": _when(rule.placed_at),
        "rhythm": rule.rhythm.value,
        "weekday": rule.weekday,
        "time": rule.at.strftime("%H:%M"),
        "weekend": sorted(rule.weekend),
        "paused_until": rule.paused_until.isoformat() if rule.paused_until else None,
        "next_at": checkin.next_at.isoformat() if checkin.next_at else None,
        "last_at": checkin.last_at.isoformat() if checkin.last_at else None,
        "unanswered": checkin.unanswered,
        "stopped_because_blocked": blocked,
    }


def _story_data(guide: Guide, record: StoryRecord) -> dict[str, Any]:
    story = record.story
    answers = []
    for key, title, question in _answers(guide, story):
        answer = story.answer(key)
        answers.append(
            {
                "question": key,
                "title": title,
                "text": answer.text,
                "choices": [{"key": k, "label": v} for k, v in _labels(question, answer)],
                "skipped": answer.skipped,
            }
        )
    return {
        "id": story.id,
        "kind": story.kind.value,
        "status": story.status.value,
        "created_at": story.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "completed_at": record.completed_at.isoformat() if record.completed_at else None,
        "team": record.team,
        "quote_released": story.quote_released,
        "quote_for_members": story.quote_released and story.quote_for_members,
        "released_quote": _opening(guide, story) if story.quote_released else None,
        "retention_notice_at": _when(record.retention_notice_at),
        "answers": answers,
    }


# --- Markdown -------------------------------------------------------------------------


def markdown(record: PersonRecord, guide: Guide, now: datetime) -> str:
    """The record as a Markdown document in the person's language."""
    texts, language = guide.privacy, guide.language
    lines = [f"# {texts.file_title}", "", texts.file_intro.format(date=local_date(now, language))]
    lines += ["", f"## {texts.file_about}", ""]
    lines += [
        "- " + texts.file_account.format(channel=record.channel, id=record.external_id),
        "- " + texts.file_language.format(language=guide_for(record.language).language_name),
        "- " + texts.file_first_contact.format(date=local_date(record.first_contact, language)),
    ]
    if record.join_failures:
        lines.append("- " + texts.file_join_failures.format(count=record.join_failures))
    if record.join_locked_until:
        until = local_date(record.join_locked_until, language)
        lines.append("- " + texts.file_join_locked.format(date=until))
    if record.retention_notice_at:
        told = local_date(record.retention_notice_at, language)
        lines.append("- " + texts.file_retention_told.format(date=told))
    lines += ["", f"## {texts.file_checkins}", ""]
    lines.append(summary(guide, record.checkin) if record.checkin else texts.file_checkins_none)
    if record.checkin and record.checkins_blocked:
        lines += ["", texts.file_checkins_blocked]
    lines += ["", f"## {texts.file_team}", ""]
    lines.append("- " + _team_line(guide, record.team) if record.team else texts.file_team_none)
    if record.facilitates:
        lines += ["", f"### {texts.file_facilitates}", ""]
        lines += ["- " + _team_line(guide, team) for team in record.facilitates]
    if record.photos:
        lines += ["", f"### {texts.file_photos}", ""]
        lines += [
            "- "
            + texts.file_photo_line.format(
                team=p.team, period=p.period, date=local_date(p.delivered_at, language)
            )
            for p in record.photos
        ]
    lines += ["", f"## {texts.file_stories}"]
    for story in record.stories:
        lines += ["", *_story_lines(guide, story)]
    if not record.stories:
        lines += ["", texts.file_stories_none]
    lines += next_step_export.lines(guide, record.next_steps)
    if record.invitations:
        lines += ["", f"## {texts.file_invitations}"]
        for card in record.invitations:
            when = local_date(card.created_at, language)
            lines += [
                "",
                texts.file_invitation_line.format(date=when, dish=_dish_name(guide, card)),
            ]
            lines += ["", *("> " + line for line in card.text.splitlines() or [""])]
    return "\n".join(lines) + "\n"


def _dish_name(guide: Guide, card: InvitationView) -> str:
    """The dish a card invites to, in the person's language (its key if it left the menu)."""
    dish = menu_card.menu().in_language(guide.language).dishes.get(card.dish)
    return dish.name if dish else card.dish


def _team_line(guide: Guide, team: TeamRecord) -> str:
    since = local_date(team.since, guide.language)
    return guide.privacy.file_team_line.format(team=team.name, date=since)


def _story_lines(guide: Guide, record: StoryRecord) -> list[str]:
    story, texts = record.story, guide.texts
    title = texts.card_title if story.status is StoryStatus.COMPLETE else texts.card_draft_title
    if story.kind is StoryKind.CHECKIN:
        title = guide.checkin.texts.card_title
    lines = ["### " + title.format(date=local_date(story.created_at, guide.language))]
    for key, heading, question in _answers(guide, story):
        answer = story.answer(key)
        lines += ["", f"**{heading}**", ""]
        labels = [label for _, label in _labels(question, answer)]
        if labels:
            lines.append(" · ".join(labels))
        if answer.text:
            lines += [""] if labels else []
            lines += ["> " + line for line in answer.text.splitlines() or [""]]
        if answer.skipped:
            lines.append(guide.privacy.file_skipped)
        elif answer.is_empty:
            lines.append(texts.card_empty)
    if story.quote_released:
        shared = guide.privacy.file_released
        if story.quote_for_members:
            shared = guide.privacy.file_released_team
        lines += ["", f"*{shared}*"]
    if record.retention_notice_at:
        told = local_date(record.retention_notice_at, guide.language)
        lines += ["", f"*{guide.privacy.file_story_told.format(date=told)}*"]
    return lines
