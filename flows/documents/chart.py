"""A bar chart drawn as PNG bytes: a section a question, one bar an item.

The chart is plain data (every label already in the reader's language), so a reply can
carry it and the adapters draw it when they send it, in a worker thread and after the
step's transaction: matplotlib takes about a second to load, then 0.1-0.3 s a chart.

Uses matplotlib's object interface (``Figure`` + ``FigureCanvasAgg``), never
pyplot, so no global state is shared between requests or threads. The PNG
carries no metadata (no software name, no time), so the same chart always
gives the same bytes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from io import BytesIO

WIDTH_INCHES = 8.0
ROW_INCHES = 0.34
SECTION_INCHES = 0.7
DPI = 110
LABEL_WIDTH = 34
TITLE_WIDTH = 70
BAR_COLOUR = "#3f7f8c"
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Bar:
    """One item: its label, its share (0..1) and what the bar says ("4 (67%)")."""

    label: str
    share: float
    said: str


@dataclass(frozen=True)
class ChartSection:
    """One question: its heading and its bars, largest first."""

    heading: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """A chart to draw: its title, the axis and tick labels, and a section a question."""

    title: str
    axis: str
    ticks: tuple[str, ...]  # the labels of TICKS
    sections: tuple[ChartSection, ...]

    def render(self) -> bytes:
        """The PNG (loads matplotlib on first use: not on the event loop)."""
        return _draw(self)


def _draw(chart: Chart) -> bytes:
    # here, not at the top: matplotlib takes about a second and 40 MB to load
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sections = chart.sections
    rows = sum(len(s.bars) for s in sections)
    height = 1.0 + SECTION_INCHES * max(len(sections), 1) + ROW_INCHES * max(rows, 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(textwrap.fill(chart.title, TITLE_WIDTH), fontsize=12, fontweight="bold")
    if not sections:
        figure.text(0.5, 0.5, "—", ha="center", va="center")
    else:
        grid = figure.add_gridspec(len(sections), 1, height_ratios=[len(s.bars) for s in sections])
        for position, section in enumerate(sections):
            axes = figure.add_subplot(grid[position])
            labels = [textwrap.fill(bar.label, LABEL_WIDTH) for bar in section.bars]
            shares = [bar.share for bar in section.bars]
            drawn = axes.barh(range(len(shares)), shares, color=BAR_COLOUR, height=0.7)
            axes.bar_label(drawn, [bar.said for bar in section.bars], padding=3, fontsize=8)
            axes.set_yticks(range(len(shares)), labels, fontsize=8)
            axes.invert_yaxis()
            axes.set_title(section.heading, loc="left", fontsize=10)
            axes.set_xlim(0, 1.18)  # one scale for all, with room for the labels
            axes.set_xticks(TICKS, list(chart.ticks), fontsize=8)
            axes.xaxis.set_visible(position == len(sections) - 1)
            axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlabel(chart.axis, fontsize=8)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
