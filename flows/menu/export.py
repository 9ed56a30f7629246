"""A person's next steps in their /export: every one, whatever became of it, with their
own dish in their own words (the export is for them alone)."""

from __future__ import annotations

from typing import Any

from flows.content.guide import Guide
from flows.menu.suggest import step_name
from flows.menu.views import Due, NextStepRecord, StepStatus
from flows.render import local_date


def as_data(records: tuple[NextStepRecord, ...]) -> list[dict[str, Any]]:
    """The next steps for the JSON file."""
    return [
        {
            "id": r.step.id,
            "dish": r.step.dish or None,
            "own_dish": r.step.own_dish,
            "follows_up_story": r.step.story_id if not r.step.ordered else None,
            "suggested_after_story": r.step.story_id if r.step.ordered else None,
            "when": r.step.due.value or None,
            "status": r.status.value,
            "asked": r.step.asked,
            "ordered_at": r.step.ordered_at.isoformat() if r.step.ordered_at else None,
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            "shared_with_facilitators": r.step.shared,
        }
        for r in records
    ]


def lines(guide: Guide, records: tuple[NextStepRecord, ...]) -> list[str]:
    """The next steps for the Markdown file: a heading and one line each (none: nothing)."""
    if not records:
        return []
    words = guide.next_steps
    when = {Due.WEEK: words.when_week, Due.MONTH: words.when_month, Due.NONE: words.when_none}
    status = {
        StepStatus.OPEN: words.status_open,
        StepStatus.DONE: words.status_done,
        StepStatus.NOT_FOR_ME: words.status_not_for_me,
        StepStatus.LET_GO: words.status_let_go,
        StepStatus.REPLACED: words.status_replaced,
    }
    out = ["", f"## {words.file_title}", ""]
    for record in records:
        step = record.step
        date = local_date(step.ordered_at, guide.language) if step.ordered_at else ""
        name = step_name(guide, step) or step.dish or "-"
        line = words.file_line.format(
            date=date, step=name, when=when[step.due], status=status[record.status]
        )
        out.append(f"- {line}{words.file_shared if step.shared else ''}")
    return out
