"""The team photo as a chart: one bar chart per question (``flows.documents.chart``).

Each bar is the share of the stories and check-ins asked the question that
picked the item, labelled with its count and share, so questions asked of a
different number of stories and check-ins compare on one scale.
"""

from __future__ import annotations

from flows.content.guide import Guide
from flows.documents.chart import TICKS, Bar, Chart, ChartSection
from flows.teams.photo import TeamPhoto, heading_text, share_text


def chart_of(guide: Guide, photo: TeamPhoto) -> Chart:
    """What the chart of the photo shows: the questions asked that have items."""
    sections = []
    for section in photo.sections:
        if not (section.items and section.asked):
            continue
        bars = []
        for label, count in section.items:
            share = section.share(count) or 0.0
            bars.append(Bar(label, share, f"{count} ({share_text(guide, share)})"))
        sections.append(ChartSection(heading_text(guide, section), tuple(bars)))
    ticks = tuple(share_text(guide, tick) for tick in TICKS)
    return Chart(photo.title, guide.teams.chart_axis, ticks, tuple(sections))


def chart_png(guide: Guide, photo: TeamPhoto) -> bytes:
    """Render the photo's shares as a PNG: largest on top in every section."""
    return chart_of(guide, photo).render()
