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
        "the class report needs the kit's staff extra: pip install -e '.[staff]' (make setup installs it) / "
        "수업 보고서에는 staff 추가 패키지가 필요합니다: pip install -e '.[staff]'"
    ) from None

matplotlib.use("Agg")  # before pyplot: no display, also under sudo in CI

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BAR_COLOUR = "#3b6ea8"
MAX_BINS = 20


def score_histogram(title: str, scores: list[float], maximum: float) -> str:
    """A histogram of scores from 0 to ``maximum`` as an SVG document."""
    figure, axes = plt.subplots(figsize=(4.2, 2.6), dpi=100)
    try:
        top = maximum if maximum > 0 else max(scores + [1.0])
        bins = _bins(scores, top)
        axes.hist(scores, bins=bins, range=(0, top), color=BAR_COLOUR, edgecolor="white")
        axes.set_title(title, fontsize=10)
        axes.set_xlabel(f"score (of {top:g})", fontsize=8)
        axes.set_ylabel("students", fontsize=8)
        axes.set_xlim(0, top)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(labelsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        return _svg(figure)
    finally:
        plt.close(figure)


def _bins(scores: list[float], top: float) -> int:
    """One bin per point for small maxima, at most MAX_BINS."""
    return max(1, min(MAX_BINS, int(round(top)) or 1))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # No date and a fixed hash salt: the same class gives the same bytes (reports can be diffed).
    with matplotlib.rc_context({"svg.hashsalt": "class-report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
