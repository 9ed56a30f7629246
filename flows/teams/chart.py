"""The team photo as a chart: one bar chart per question, as PNG bytes.

Each bar is the share of the stories and check-ins asked the question that
picked the item, labelled with its count and share, so questions asked of a
different number of stories and check-ins compare on one scale.

Uses matplotlib's object interface (``Figure`` + ``FigureCanvasAgg``), never
pyplot, so no global state is shared between requests or threads. The PNG
carries no metadata (no software name, no time), so the same photo always
gives the same bytes.
"""

from __future__ import annotations

import textwrap
from io import BytesIO

from flows.content.guide import Guide
from flows.teams.photo import TeamPhoto, heading_text, share_text

WIDTH_INCHES = 8.0
ROW_INCHES = 0.34
SECTION_INCHES = 0.7
DPI = 110
LABEL_WIDTH = 34
TITLE_WIDTH = 70
BAR_COLOUR = "#3f7f8c"
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def chart_png(guide: Guide, photo: TeamPhoto) -> bytes:
    """Render the photo's shares as a PNG: largest on top in every section."""
    # here, not at the top: matplotlib takes about a second and 40 MB to load
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sections = [s for s in photo.sections if s.items and s.asked]
    rows = sum(len(s.items) for s in sections)
    height = 1.0 + SECTION_INCHES * max(len(sections), 1) + ROW_INCHES * max(rows, 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(textwrap.fill(photo.title, TITLE_WIDTH), fontsize=12, fontweight="bold")
    if not sections:
        figure.text(0.5, 0.5, "—", ha="center", va="center")
    else:
        grid = figure.add_gridspec(len(sections), 1, height_ratios=[len(s.items) for s in sections])
        for position, section in enumerate(sections):
            axes = figure.add_subplot(grid[position])
            labels = [textwrap.fill(label, LABEL_WIDTH) for label, _ in section.items]
            shares = [section.share(count) or 0.0 for _, count in section.items]
            bars = axes.barh(range(len(shares)), shares, color=BAR_COLOUR, height=0.7)
            said = [
                f"{count} ({share_text(guide, share)})"
                for (_, count), share in zip(section.items, shares, strict=True)
            ]
            axes.bar_label(bars, said, padding=3, fontsize=8)
            axes.set_yticks(range(len(shares)), labels, fontsize=8)
            axes.invert_yaxis()
            axes.set_title(heading_text(guide, section), loc="left", fontsize=10)
            axes.set_xlim(0, 1.18)  # one scale for all, with room for the labels
            axes.set_xticks(TICKS, [share_text(guide, tick) for tick in TICKS], fontsize=8)
            axes.xaxis.set_visible(position == len(sections) - 1)
            axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlabel(guide.teams.chart_axis, fontsize=8)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
