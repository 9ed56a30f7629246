"""The team photo as a file: Markdown, CSV, JSON or PNG (the same photo as in the chat).

Like the chat, a file holds only the team, the period, counts and their shares,
the recurring threads and shared quotes: no names, ids or dates finer than the
period. A share is of the stories and check-ins that were asked the question
(``flows.teams.photo``); the CSV and JSON give it as a fraction rounded to three
places, for other programs.
"""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum

from flows.content.guide import Guide
from flows.teams.chart import chart_png
from flows.teams.photo import (
    Section,
    TeamPhoto,
    dish_lines,
    heading_text,
    item_text,
    recurring_text,
    summary_text,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHARE_PLACES = 3


class PhotoFormat(StrEnum):
    """The file formats of ``leerverhaal photo``."""

    MD = "md"
    CSV = "csv"
    PNG = "png"
    JSON = "json"


def photo_file(guide: Guide, photo: TeamPhoto, period: str, fmt: PhotoFormat) -> bytes:
    """The photo in one format; ``period`` is its stable name, such as 2026-Q3."""
    match fmt:
        case PhotoFormat.PNG:
            return chart_png(guide, photo)
        case PhotoFormat.CSV:
            return _csv(guide, photo, period).encode("utf-8")
        case PhotoFormat.JSON:
            return (json.dumps(_data(photo, period), ensure_ascii=False, indent=2) + "\n").encode()
    return _markdown(guide, photo).encode("utf-8")


def _markdown(guide: Guide, photo: TeamPhoto) -> str:
    lines = [f"# {photo.title}", "", summary_text(guide, photo)]
    for section in photo.sections:
        if section.withheld:
            lines += ["", f"## {section.title}", "", guide.teams.photo_withheld]
        elif section.items:
            lines += ["", f"## {heading_text(guide, section)}", ""]
            lines += [f"- {item_text(guide, section, *item)}" for item in section.items]
    if photo.dishes:
        lines += ["", f"## {guide.teams.photo_dishes}", ""]
        lines += [f"- {line}" for line in dish_lines(guide, photo)]
    if recurring := recurring_text(guide, photo):
        lines += ["", recurring]
    if photo.quotes:
        lines += ["", f"## {guide.teams.photo_quotes}", ""]
        lines += [f"> “{quote}”\n" for quote in photo.quotes]
    return "\n".join(lines).rstrip() + "\n"


def _csv(guide: Guide, photo: TeamPhoto, period: str) -> str:
    """One row per fact: team, period, section, item, count, asked, share.

    Totals first, then each question's counts with how many stories and check-ins
    were asked it and the share (a withheld question: one row that says so, without
    a count), the dishes chosen and tried, the recurring threads and the shared quotes.
    """
    rows: list[tuple[str, str, int | str, int | str, float | str]] = [
        ("totals", "stories", photo.stories, "", ""),
        ("totals", "checkins", photo.checkins, "", ""),
        ("totals", "contributors", photo.contributors, "", ""),
    ]
    for section in photo.sections:
        if section.withheld:
            rows.append((section.key, guide.teams.photo_withheld, "", "", ""))
        rows += [
            (section.key, label, count, section.asked, _or_empty(_share(section, count)))
            for label, count in section.items
        ]
    for dish in photo.dishes:
        rows += [("dishes_chosen", dish.name, dish.chosen, "", "")]
        rows += [("dishes_tried", dish.name, dish.tried, "", "")]
    rows += [("recurring", label, "", "", "") for label in photo.recurring]
    rows += [("quotes", quote, "", "", "") for quote in photo.quotes]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team", "period", "section", "item", "count", "asked", "share"])
    team = _cell(photo.team)
    writer.writerows((team, period, key, _cell(item), *rest) for key, item, *rest in rows)
    return out.getvalue()


def _share(section: Section, count: int) -> float | None:
    """The share as a fraction for other programs (None when nobody was asked)."""
    share = section.share(count)
    return None if share is None else round(share, SHARE_PLACES)


def _or_empty(share: float | None) -> float | str:
    return "" if share is None else share


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a quote may start with '=')."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _data(photo: TeamPhoto, period: str) -> dict[str, object]:
    return {
        "team": photo.team,
        "period": period,
        "title": photo.title,
        "stories": photo.stories,
        "checkins": photo.checkins,
        "contributors": photo.contributors,
        "sections": [
            {
                "question": s.key,
                "title": s.title,
                "withheld": s.withheld,
                "asked": {"stories": s.asked_stories, "checkins": s.asked_checkins},
                "counts": [
                    {"item": label, "count": count, "share": _share(s, count)}
                    for label, count in s.items
                ],
            }
            for s in photo.sections
        ],
        "dishes": [{"dish": d.name, "chosen": d.chosen, "tried": d.tried} for d in photo.dishes],
        "recurring": list(photo.recurring),
        "quotes": list(photo.quotes),
    }
