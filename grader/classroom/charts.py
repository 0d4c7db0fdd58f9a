"""The class report's charts, drawn by matplotlib (Agg, no display) as SVG text.

Labels are ASCII on purpose: matplotlib's bundled DejaVu fonts have no Hangul, and a chart
must not depend on which CJK fonts a TA's machine has (the HTML around the charts carries
the Korean). Text is drawn as paths, so the browser needs no font either.
"""

from __future__ import annotations

import io

from grader.errors import GraderError

try:
    import matplotlib
except ImportError:  # the staff extra: students' environments and Gradescope's never install it
    raise GraderError(
        "the class report needs the kit's staff extra: pip install -e '.[staff]' (make setup installs it)",
        ko="수업 보고서에는 staff 추가 패키지가 필요합니다: pip install -e '.[staff]' (make setup이 설치합니다)",
    ) from None

matplotlib.use("Agg")  # before pyplot: no display, also under sudo in CI

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BAR_COLOUR = "#3b6ea8"
FULL_COLOUR = "#2f855a"  # full marks: its own bar, in its own colour
MAX_BINS = 20
FIGURE_INCHES = (3.8, 2.5)  # shown at its natural size (3.8 in = 365 px): the labels stay at FONT_POINTS
FONT_POINTS = 9.5  # about 12.7 px on the page, the size of the report's notes


def score_histogram(scores: list[float], maximum: float) -> str:
    """A histogram of scores from 0 to ``maximum`` as an SVG document, full marks as a bar of its own.

    No title: the page puts one caption (in both languages) under each chart. Each bar carries its count, so
    a TA reads how many students without following gridlines.
    """
    figure, axes = plt.subplots(figsize=FIGURE_INCHES, dpi=100)
    try:
        top = maximum if maximum > 0 else max(scores + [1.0])
        bins = _bins(top)
        width = top / bins
        below = [score for score in scores if score < top]
        counts, edges = np.histogram(below, bins=bins, range=(0, top))
        full_at = top + 0.9 * width  # a gap, so the full-marks bar is not read as the last bin
        bars = axes.bar(edges[:-1], counts, width=width, align="edge", color=BAR_COLOUR, edgecolor="white")
        full = axes.bar([full_at], [len(scores) - len(below)], width=width, color=FULL_COLOUR, edgecolor="white")
        full_count = len(scores) - len(below)
        for group, values in ((bars, [int(c) for c in counts]), (full, [full_count])):
            axes.bar_label(group, labels=[f"{c}" if c else "" for c in values], fontsize=FONT_POINTS - 1)
        ticks = [t for t in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top) if 0 <= t <= 0.85 * top]
        axes.set_xticks([*ticks, full_at], [f"{t:g}" for t in ticks] + [f"{top:g} full"])
        axes.set_xlim(-0.2 * width, full_at + 0.7 * width)
        axes.set_ylim(0, max(1, *counts, full_count) * 1.18)
        axes.set_xlabel(f"score (of {top:g})", fontsize=FONT_POINTS)
        axes.set_ylabel("students", fontsize=FONT_POINTS)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        axes.tick_params(labelsize=FONT_POINTS)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout(pad=0.3)
        return _svg(figure)
    finally:
        plt.close(figure)


def _bins(top: float) -> int:
    """One bin per point below full marks for small maxima, at most MAX_BINS."""
    return max(1, min(MAX_BINS, int(round(top)) or 1))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # No date and a fixed hash salt: the same class gives the same bytes (reports can be diffed).
    with matplotlib.rc_context({"svg.hashsalt": "class-report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
