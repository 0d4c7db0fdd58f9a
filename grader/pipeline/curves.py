"""Learning curves as small SVG charts for the Markdown report, drawn here (no plotting library).

A training test records ``student_curve`` and ``reference_curve`` (plain floats,
see :func:`courses.ch04_learning.training.curve`); the report shows the two side by
side as ``data:`` URIs, so the Markdown file stays one self-contained file. Each
chart has two panels: the training loss per iteration (averaged over bins) and
the train/test accuracy per epoch, as the book plots them. Labels inside the
charts are English (they render without CJK fonts); the captions are in the report's language.
"""

from __future__ import annotations

import base64
import math
from typing import Any

from grader.pipeline.checks import Text
from grader.pipeline.scoring import GradeReport, TestResult

WIDTH, HEIGHT = 440, 190
PANEL_WIDTH, TOP, BOTTOM, LEFT = 170, 28, 158, 38
LOSS_POINTS = 100  # the loss is averaged into at most this many bins
TRAIN_COLOUR, TEST_COLOUR, LOSS_COLOUR, AXIS_COLOUR = "#1f77b4", "#ff7f0e", "#2ca02c", "#555555"


def _number(value: object) -> float | None:
    """A finite float, or None (a gap in the line)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _binned(values: list[Any], bins: int) -> list[tuple[float, float | None]]:
    """(x, mean of the finite values) of consecutive bins; a bin with none is a gap."""
    size = max(1, math.ceil(len(values) / bins))
    out = []
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        finite = [v for v in map(_number, chunk) if v is not None]
        out.append((start + (len(chunk) - 1) / 2, sum(finite) / len(finite) if finite else None))
    return out


def _path(points: list[tuple[float, float | None]], x_max: float, y_max: float, left: float) -> str:
    """SVG path data; None values break the line; values above y_max are drawn at the top."""
    parts, pen_down = [], False
    for x, y in points:
        if y is None:
            pen_down = False
            continue
        px = left + PANEL_WIDTH * (x / x_max if x_max else 0.0)
        py = BOTTOM - (BOTTOM - TOP) * min(max(y, 0.0), y_max) / y_max
        parts.append(f"{'L' if pen_down else 'M'}{px:.1f},{py:.1f}")
        pen_down = True
    return " ".join(parts)


def _axes(left: float, x_label: str, x_max: float, y_label: str, y_max: float, y_ticks: list[float]) -> list[str]:
    out = [
        f'<rect x="{left}" y="{TOP}" width="{PANEL_WIDTH}" height="{BOTTOM - TOP}" fill="none" '
        f'stroke="{AXIS_COLOUR}" stroke-width="0.8"/>'
    ]
    for tick in y_ticks:
        y = BOTTOM - (BOTTOM - TOP) * tick / y_max
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + PANEL_WIDTH}" y2="{y:.1f}" stroke="#dddddd" '
            f'stroke-width="0.6"/><text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end">{tick:g}</text>'
        )
    out.append(f'<text x="{left}" y="{BOTTOM + 12}" text-anchor="middle">0</text>')
    out.append(f'<text x="{left + PANEL_WIDTH}" y="{BOTTOM + 12}" text-anchor="middle">{x_max:g}</text>')
    out.append(f'<text x="{left + PANEL_WIDTH / 2}" y="{BOTTOM + 24}" text-anchor="middle">{x_label}</text>')
    out.append(f'<text x="{left + PANEL_WIDTH / 2}" y="{TOP - 6}" text-anchor="middle">{y_label}</text>')
    return out


def learning_curve_svg(curve: dict[str, Any], loss_max: float) -> str:
    """Two panels: loss per iteration (y from 0 to loss_max) and accuracy per epoch (0 to 1)."""
    losses = list(curve.get("train_loss", []))
    epochs = [_number(e) for e in curve.get("epochs", [])]
    iterations = max(len(losses), 1)
    step = next(s for s in (0.25, 0.5, 1.0, 2.0, 5.0) if loss_max / s <= 5)
    body = _axes(
        LEFT,
        "iteration",
        iterations,
        "train loss",
        loss_max,
        [step * i for i in range(int(loss_max / step + 1e-9) + 1)],
    )
    body.append(
        f'<path d="{_path(_binned(losses, LOSS_POINTS), iterations, loss_max, LEFT)}" fill="none" '
        f'stroke="{LOSS_COLOUR}" stroke-width="1.4"/>'
    )
    right = LEFT + PANEL_WIDTH + 50
    epoch_count = max(len(epochs) - 1, 1)
    # "acc", not the word itself: a course may have a unit of that name, and the engine names no unit.
    body += _axes(right, "epoch", epoch_count, "acc", 1.0, [0.0, 0.25, 0.5, 0.75, 1.0])
    for key, colour, dash in (("train_acc", TRAIN_COLOUR, ""), ("test_acc", TEST_COLOUR, ' stroke-dasharray="4 3"')):
        points = [(float(i), _number(v)) for i, v in enumerate(curve.get(key, []))]
        body.append(
            f'<path d="{_path(points, epoch_count, 1.0, right)}" fill="none" stroke="{colour}" '
            f'stroke-width="1.4"{dash}/>'
        )
    body.append(
        f'<text x="{right + PANEL_WIDTH - 4}" y="{BOTTOM - 22}" text-anchor="end" fill="{TRAIN_COLOUR}">'
        f'train</text><text x="{right + PANEL_WIDTH - 4}" y="{BOTTOM - 10}" text-anchor="end" '
        f'fill="{TEST_COLOUR}">test</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="10" fill="#222222">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>{"".join(body)}</svg>'
    )


def data_uri(svg: str) -> str:
    """The SVG as a base64 ``data:`` URI for an image link."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _loss_max(*curves: dict[str, Any]) -> float:
    """A shared loss scale: the largest early loss, at least 0.5, rounded up to a half."""
    early = [_number(v) for c in curves for v in list(c.get("train_loss", []))[:20]]
    peak = max([v for v in early if v is not None] + [0.5])
    return math.ceil(min(peak, 10.0) * 2) / 2


WITHHELD = Text(
    "여기서는 보여 주지 않음: 작업 프로세스에 참조 구현이 있었습니다(SECURITY.md, 보호된 피드백). 노트북의 학습 셀에서 "
    "확인하세요",
    "not shown here: your worker held reference code (SECURITY.md, guarded feedback); the training cell of your "
    "notebook draws it",
)
NO_RESULT = Text("학습 결과 없음 (위의 실패 참고)", "no training result (see the failing test)")
TEST_ACC = Text("시험 정확도", "test acc")
STUDENT, REFERENCE = Text("학생", "student"), Text("기준 풀이", "reference")
HEADING = Text("학습 곡선 ({suite}, 반복 {iterations}회)", "learning curves ({suite}, {iterations} iterations)")
SUITES = {"public": Text("공개", "public"), "hidden": Text("숨은 테스트", "hidden")}
ROWS = (
    (Text("훈련 손실 (반복)", "train loss (iterations)"), "train_loss"),
    (Text("훈련 정확도 (에폭)", "train acc (epochs)"), "train_acc"),
    (Text("시험 정확도 (에폭)", "test acc (epochs)"), "test_acc"),
)
LEGEND = Text(
    "왼쪽: 반복마다의 훈련 손실(구간 평균), 오른쪽: 에폭마다의 정확도(실선 훈련, 점선 시험).",
    "Left: training loss per iteration (bin means); right: train and test acc per epoch (solid train, dashed test).",
)


def _caption(curve: dict[str, Any] | None, lang: str, withheld: bool = False) -> str:
    if curve is None:
        return (WITHHELD if withheld else NO_RESULT).render(lang)
    final_acc, seconds = _number(curve.get("final_test_acc")), _number(curve.get("seconds"))
    label = TEST_ACC.render(lang)
    text = f"{label} {final_acc:.3f}" if final_acc is not None else f"{label} —"
    return text + (f" · {seconds:.1f} s" if seconds is not None else "")


SPARKS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 24  # characters of one text curve


def sparkline(values: list[Any], low: float, high: float, points: int = SPARK_POINTS) -> str:
    """A curve as block characters between ``low`` and ``high`` (a gap is a space): what GitHub shows."""
    marks = []
    for _, value in _binned(values, points):
        if value is None:
            marks.append(" ")
            continue
        share = min(max((value - low) / (high - low), 0.0), 1.0) if high > low else 0.0
        marks.append(SPARKS[round(share * (len(SPARKS) - 1))])
    return "".join(marks)


def _text_curve(values: list[Any], low: float, high: float) -> str:
    finite = [v for v in map(_number, values) if v is not None]
    if not finite:
        return "—"
    return f"`{sparkline(values, low, high)}` {finite[0]:.2f} → {finite[-1]:.2f}"


def _text_rows(
    student: dict[str, Any] | None, reference: dict[str, Any], loss_max: float, withheld: bool, lang: str
) -> list[str]:
    """The curves as a table of text (GitHub strips ``data:`` images from comments and job summaries)."""
    missing = WITHHELD.render(lang) if withheld else "—"
    rows = []
    for label, key in ROWS:
        high = loss_max if key == "train_loss" else 1.0
        mine = _text_curve(list(student.get(key, [])), 0.0, high) if student else missing
        rows.append(f"| {label.render(lang)} | {mine} | {_text_curve(list(reference.get(key, [])), 0.0, high)} |")
    return rows


def learning_curves_markdown(report: GradeReport, images: bool = True) -> list[str]:
    """Markdown lines: per unit, the last test's student and reference curves side by side, in the report's
    language.

    ``images=False`` draws them as text (block-character curves), for GitHub's comments and job summaries,
    which strip ``data:`` images; files and viewers that show images get the SVG charts.
    """
    lang = report.lang
    lines: list[str] = []
    for unit in report.units:
        tests: list[TestResult] = [t for t in unit.tests if "reference_curve" in t.details]
        if not tests:
            continue
        test = tests[-1]
        reference, student = test.details["reference_curve"], test.details.get("student_curve")
        loss_max = _loss_max(reference, *([student] if student else []))
        suite, iterations = SUITES.get(test.suite, Text(test.suite, test.suite)), reference.get("iters_num")
        heading = Text(
            HEADING.ko.format(suite=suite.ko, iterations=iterations),
            HEADING.en.format(suite=suite.en, iterations=iterations),
        )
        lines += ["", f"### `{unit.name}`: {heading.render(lang)}", ""]
        mine, theirs = _caption(student, lang, test.guarded), _caption(reference, lang)
        if not images:
            lines += [
                f"| | {STUDENT.render(lang)} | {REFERENCE.render(lang)} |",
                "|---|---|---|",
                *_text_rows(student, reference, loss_max, test.guarded, lang),
                f"| | {mine} | {theirs} |",
            ]
            continue
        student_chart = (
            f"![{STUDENT.render(lang)}]({data_uri(learning_curve_svg(student, loss_max))})" if student else "—"
        )
        reference_chart = f"![{REFERENCE.render(lang)}]({data_uri(learning_curve_svg(reference, loss_max))})"
        lines += [
            f"| {STUDENT.render(lang)} | {REFERENCE.render(lang)} |",
            "|---|---|",
            f"| {student_chart} | {reference_chart} |",
            f"| {mine} | {theirs} |",
            "",
            LEGEND.render(lang),
        ]
    return lines
