"""The team photo as a chart: one bar chart per question, as PNG bytes.

Uses matplotlib's object interface (``Figure`` + ``FigureCanvasAgg``), never
pyplot, so no global state is shared between requests or threads. The PNG
carries no metadata (no software name, no time), so the same photo always
gives the same bytes.
"""

from __future__ import annotations

import textwrap
from io import BytesIO

from flows.team_photo import TeamPhoto

WIDTH_INCHES = 8.0
ROW_INCHES = 0.34
SECTION_INCHES = 0.7
DPI = 110
LABEL_WIDTH = 34
TITLE_WIDTH = 70
BAR_COLOUR = "#3f7f8c"


def chart_png(photo: TeamPhoto, axis_label: str) -> bytes:
    """Render the photo's counts as a PNG: largest count on top in every section."""
    # here, not at the top: matplotlib takes about a second and 40 MB to load
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    sections = [s for s in photo.sections if s.items]
    rows = sum(len(s.items) for s in sections)
    height = 1.0 + SECTION_INCHES * max(len(sections), 1) + ROW_INCHES * max(rows, 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(textwrap.fill(photo.title, TITLE_WIDTH), fontsize=12, fontweight="bold")
    if not sections:
        figure.text(0.5, 0.5, "—", ha="center", va="center")
    else:
        grid = figure.add_gridspec(len(sections), 1, height_ratios=[len(s.items) for s in sections])
        largest = max(count for s in sections for _, count in s.items)
        for position, section in enumerate(sections):
            axes = figure.add_subplot(grid[position])
            labels = [textwrap.fill(label, LABEL_WIDTH) for label, _ in section.items]
            counts = [count for _, count in section.items]
            bars = axes.barh(range(len(counts)), counts, color=BAR_COLOUR, height=0.7)
            axes.bar_label(bars, padding=3, fontsize=8)
            axes.set_yticks(range(len(counts)), labels, fontsize=8)
            axes.invert_yaxis()
            axes.set_title(section.title, loc="left", fontsize=10)
            axes.set_xlim(0, largest * 1.12 + 0.5)  # one scale for all: bars compare
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.xaxis.set_visible(position == len(sections) - 1)
            axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlabel(axis_label, fontsize=8)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
