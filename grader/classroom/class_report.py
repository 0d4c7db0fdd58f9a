"""The class report for course staff: one self-contained HTML page and a Markdown summary of a results folder.

The page loads nothing: CSS is inline, charts are matplotlib SVGs in ``data:`` URIs, there is no
script, and a Content-Security-Policy forbids every fetch, so it opens the same from an artifact,
an e-mail or a laptop offline. Every text a student could influence (ids, notebook problems,
code) is escaped (HTML) or put in code spans (Markdown).

Over the kit's 400 lines (about 440): the HTML page and the Markdown summary render the same sections from the
same ``ClassSummary`` and are kept side by side so that they stay in step; what they read is
:mod:`grader.classroom.class_summary`, what they draw is :mod:`grader.classroom.charts`.
"""

from __future__ import annotations

import base64
import html
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom import charts, outputs
from grader.classroom.class_summary import ClassSummary, PassRate, Reason, summarise
from grader.classroom.similarity import SimilarityReport, given_code, render_html_section, render_markdown_section
from grader.errors import GraderError
from grader.pipeline import reasons
from grader.pipeline.inert import md_code, one_line

HTML_FILE = "class-report.html"
MARKDOWN_FILE = "class-report.md"
SECTIONS = {  # id -> heading; the browser test checks that each one shows
    "scores": "Score distribution / 점수 분포",
    "tests": "Pass rate of every test / 테스트별 통과율",
    "mistakes": "Commonest diagnosed mistakes / 자주 나온 실수",
    "ungraded": "Not graded or partly graded / 채점되지 않았거나 일부만 채점됨",
    "timing": "Grading time / 채점 시간",
}
SIMILARITY_SECTION = ("similarity", "Similar submissions / 유사한 제출물")
MAX_NAMES = 30  # students named per mistake; the rest counted
CSS = """
body { font-family: system-ui, "Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; margin-top: 2.2rem; }
nav a { margin-right: 1rem; } table { border-collapse: collapse; margin: .6rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: .8rem 1.2rem; } figure { margin: 0; }
figure img { display: block; } figcaption { font-weight: 600; margin: .1rem 0 .2rem; }
.bar { background: #e4e8ec; width: 8rem; height: .8rem; display: inline-block; vertical-align: middle; }
.bar span { background: #3b6ea8; height: 100%; display: block; }
.low span { background: #c2410c; } .note { color: #57606a; font-size: .92rem; }
.student-text { font-style: italic; } .student-text q { font-style: normal; background: #fff8c5; }
code, pre { font-family: ui-monospace, "D2Coding", "NanumGothicCoding", monospace; font-size: .85rem; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .6rem; } .pair pre { background: #f6f8fa;
  padding: .5rem; border: 1px solid #d0d7de; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #fde68a; } td.who { min-width: 10rem; } details { margin: .4rem 0; } summary { cursor: pointer; }
details.unit > summary { padding: .3rem .4rem; background: #f6f8fa; border: 1px solid #d0d7de; }
details.unit[open] > summary { margin-bottom: .3rem; } table.wide { width: 100%; } td.tests { font-size: .85rem; color: #57606a; }
td.hint { min-width: 30rem; } td.tests { min-width: 8rem; } .failing { color: #c2410c; font-weight: 600; }
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def write_report(
    results_dir: Path, *, out_dir: Path | None = None, similar: SimilarityReport | None = None
) -> list[Path]:
    """Write ``class-report.html`` and ``class-report.md`` (into ``out_dir``, default the results folder), with the
    similarity section when the caller computed ``similar`` (:func:`grader.classroom.similarity.compare_class`)."""
    summary = summarise(results_dir)
    out_dir = out_dir or results_dir
    html_path = outputs.write_text(out_dir / HTML_FILE, render_html(summary, similar, source=str(results_dir)))
    md_path = outputs.write_text(out_dir / MARKDOWN_FILE, render_markdown(summary, similar))
    return [html_path, md_path]


# -- HTML ----------------------------------------------------------------------------------------


def render_html(summary: ClassSummary, similar: SimilarityReport | None = None, *, source: str = "") -> str:
    """The whole page."""
    sections = dict(SECTIONS) | (dict([SIMILARITY_SECTION]) if similar is not None else {})
    bodies = {
        "scores": _html_scores(summary),
        "tests": _html_tests(summary),
        "mistakes": _html_mistakes(summary),
        "ungraded": _html_ungraded(summary),
        "timing": _html_timing(summary),
    }
    if similar is not None:
        try:
            given = given_code(summary.assignment)
        except GraderError:  # an assignment this checkout lacks: every alike span is marked, book code too
            given = []
        bodies["similarity"] = render_html_section(similar, given)
    e = html.escape
    graded = len(summary.totals)
    parts = [
        "<!doctype html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Class report / 수업 보고서: {e(summary.assignment)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>Class report / 수업 보고서: {e(summary.assignment)}</h1>",
        f"<p>{len(summary.students)} students / 학생: {graded} graded / 채점됨, {len(summary.ungradable)} not "
        f"graded / 채점 안 됨. Units / 단원: {e(', '.join(summary.units))}."
        + (f' <span class="note">From / 원본: <code>{e(source)}</code></span>' if source else "")
        + "</p>"
        + (f"<p>{e(summary.deadline_line())}</p>" if summary.deadline else ""),
        "<nav>" + "".join(f'<a href="#{key}">{e(title)}</a>' for key, title in sections.items()) + "</nav></header>",
    ]
    for key, title in sections.items():
        parts.append(f'<section id="{key}"><h2>{e(title)}</h2>{bodies[key]}</section>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_scores(summary: ClassSummary) -> str:
    e = html.escape
    rows = []
    columns: list[tuple[str, dict[str, float], float, str | None]] = [
        ("total / 총점", summary.totals, summary.max_total, None)
    ]
    columns += [(unit, summary.unit_scores[unit], summary.unit_max[unit], unit) for unit in summary.units]
    for label, scores, maximum, unit in columns:
        spread = summary.spread(scores)
        stub = len(summary.not_implemented.get(unit, [])) if unit else ""
        rows.append(
            f"<tr><td>{e(label)}</td><td class=num>{maximum:g}</td><td class=num>{spread['n']}</td>"
            + "".join(f"<td class=num>{spread[k]:.1f}</td>" for k in ("mean", "median", "min", "max"))
            + f"<td class=num>{stub}</td></tr>"
        )
    figures = [
        f"<figure><figcaption>{e(label)}</figcaption>"
        f'<img alt="{e(label)}: histogram / 히스토그램" src="{_svg_uri(charts.score_histogram(list(scores.values()), maximum))}">'
        "</figure>"
        for label, scores, maximum, _ in columns
        if scores
    ]
    return (
        "<table><tr><th>unit / 단원</th><th>max / 만점</th><th>students / 학생</th><th>mean / 평균</th>"
        "<th>median / 중앙값</th><th>min / 최저</th><th>max / 최고</th><th>not implemented / 미구현</th></tr>"
        + "".join(rows)
        + "</table>"
        + '<p class="note">Graded submissions only; not graded ones are in their own section. In each histogram the '
        "green bar on the right is full marks; each bar says how many students. 채점된 제출물만 셉니다. 오른쪽 초록 막대는 "
        "만점이고, 막대 위의 수는 학생 수입니다.</p>" + f'<div class="charts">{"".join(figures)}</div>'
    )


def _html_tests(summary: ClassSummary) -> str:
    e = html.escape
    graded = len(summary.totals)
    groups = []
    for unit, rates in tests_by_unit(summary):
        rows = []
        for rate in rates:
            denominator = denominator_of(rate, graded)
            percent = 100 * rate.passed / denominator if denominator else 0.0
            low = " low" if percent < 50 else ""
            rows.append(
                f"<tr><td><code>{e(rate.name)}</code></td><td>{e(rate.suite)}</td>"
                f"<td class=num>{rate.passed}/{denominator}</td>"
                f'<td><span class="bar{low}"><span style="width:{percent:.0f}%"></span></span> {percent:.0f}%</td>'
                f"<td>{e(other_outcomes(rate, denominator))}</td></tr>"
            )
        groups.append(
            f'<details class="unit"><summary>{unit_line(unit, rates, graded, html_markup=True)}</summary>'
            "<table><tr><th>test / 테스트</th><th>suite / 묶음</th><th>passed / 통과</th><th>pass rate / 통과율</th>"
            "<th>other outcomes / 그 밖의 결과</th></tr>" + "".join(rows) + "</table></details>"
        )
    return (
        f'<p class="note">Out of the {graded} graded submissions (not graded ones count nowhere); per unit, the tests '
        "some student failed come first. Click a unit to open it. / 채점된 제출물 "
        f"{graded}개 기준입니다(채점되지 않은 제출물은 빠짐). 단원마다 실패한 학생이 있는 테스트가 먼저 나옵니다. "
        "단원을 누르면 펼쳐집니다.</p>" + "".join(groups)
    )


def tests_by_unit(summary: ClassSummary) -> list[tuple[str, list[PassRate]]]:
    """Per unit in the assignment's order, its tests: lowest pass rate first, public before hidden on a tie."""
    graded = len(summary.totals)
    grouped = []
    for unit in summary.units:
        rates = [rate for rate in summary.tests if rate.unit == unit]
        if rates:
            rates.sort(key=lambda r: (r.passed / (denominator_of(r, graded) or 1), r.suite != "public"))
            grouped.append((unit, rates))
    return grouped


def denominator_of(rate: PassRate, graded: int) -> int:
    """The graded count: a graded student for whom the test did not run counts as not run, never drops out."""
    return max(graded, rate.total)


def other_outcomes(rate: PassRate, denominator: int) -> str:
    """Every outcome but passed, with its count; graded students the test never ran for as "not run"."""
    outcomes = dict(rate.outcomes)
    if denominator > rate.total:
        outcomes["not run / 실행 안 됨"] = denominator - rate.total
    return ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items()))


def unit_line(unit: str, rates: list[PassRate], graded: int, *, html_markup: bool = False) -> str:
    """One line about a unit's tests: how many some student failed, and the lowest pass rate."""
    failing = [rate for rate in rates if rate.passed < denominator_of(rate, graded)]
    name = f"<strong>{html.escape(unit)}</strong>" if html_markup else unit
    if not failing:
        return f"{name}: all {len(rates)} tests passed by every graded student / 테스트 {len(rates)}개 모두 전원 통과"
    worst = rates[0]
    worst_line = f"{worst.passed}/{denominator_of(worst, graded)}"
    counted = f"{len(failing)} of {len(rates)} tests failed by someone"
    if html_markup:
        counted = f'<span class="failing">{counted}</span>'
    return (
        f"{name}: {counted} · lowest {worst_line} ({worst.name}) / 실패가 있는 테스트 {len(failing)}/{len(rates)}개 · "
        f"최저 통과 {worst_line}"
    )


@dataclass
class MistakeRow:
    """One hint of the mistakes table: the units it was shown in, who got it, in which tests."""

    diagnosis: str
    hint: str
    units: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


def mistake_rows(summary: ClassSummary) -> list[MistakeRow]:
    """The summary's mistakes with each hint once: a mistake charged to two units (a unit whose tests run the
    student's own code of another, by design) is one row naming both units, each student counted once."""
    rows: dict[str, MistakeRow] = {}
    for mistake in summary.mistakes:
        row = rows.setdefault(mistake.diagnosis or mistake.hint, MistakeRow(mistake.diagnosis, mistake.hint))
        row.units += [mistake.unit] if mistake.unit not in row.units else []
        row.students += [student for student in mistake.students if student not in row.students]
        row.tests += [f"{mistake.unit}.{name}" for name in sorted(mistake.tests)]
    order = {unit: index for index, unit in enumerate(summary.units)}
    for row in rows.values():
        if len(row.units) == 1:
            row.tests = [name.split(".", 1)[1] for name in row.tests]
    return sorted(rows.values(), key=lambda r: (-len(r.students), order.get(r.units[0], len(order)), r.hint))


def _html_mistakes(summary: ClassSummary) -> str:
    e = html.escape
    if not summary.mistakes:
        return "<p>No diagnosed mistake in these results. / 진단된 실수가 없습니다.</p>"
    rows = []
    for mistake in mistake_rows(summary):
        names = ", ".join(mistake.students[:MAX_NAMES])
        more = f" … +{len(mistake.students) - MAX_NAMES}" if len(mistake.students) > MAX_NAMES else ""
        rows.append(
            f"<tr><td class=num>{len(mistake.students)}</td><td>{e(', '.join(mistake.units))}</td>"
            f'<td class="hint">{e(mistake.hint)}</td><td class="who">{e(names + more)}</td>'
            f'<td class="tests"><details><summary>{len(mistake.tests)} tests / 테스트 {len(mistake.tests)}개</summary>'
            f"{e(', '.join(mistake.tests))}</details></td></tr>"
        )
    return (
        '<p class="note">Each row is one hint the checks chose from what a submission returned: a likely '
        "mistake (docs/MISTAKES.md), each student counted once; a mistake that costs points in two units is one row. "
        "힌트마다 한 줄이며 학생 수는 한 번씩만 셉니다.</p>"
        '<table class="wide"><tr><th>students / 학생 수</th><th>unit / 단원</th><th>mistake (hint) / 실수 (힌트)</th>'
        "<th>who / 학생</th><th>tests / 테스트</th></tr>" + "".join(rows) + "</table>"
    )


STUDENT_TEXT = "학생 노트북의 글 / from the student's notebook"


def _html_reason(reason: Reason) -> str:
    """A reason as HTML: text quoted from the student's notebook is marked so, never shown as the kit's words."""
    if reason.from_student:
        return f'<span class="student-text">{STUDENT_TEXT}: <q>{html.escape(reason.text)}</q></span>'
    return html.escape(reason.text)


def _md_reason(reason: Reason) -> str:
    return (
        f"{STUDENT_TEXT}: {md_code(reason.text, 300, table=True)}"
        if reason.from_student
        else md_code(reason.text, 300, table=True)
    )


def _html_ungraded(summary: ClassSummary) -> str:
    e = html.escape
    rows = [
        f"<tr><td>{e(student)}</td><td>not graded / 채점 안 됨</td><td>{e(reasons.render(code, 'ko'))}<br>"
        f"{e(reasons.render(code, 'en'))}<br><code>{e(code)}</code>: {e(summary.ungradable_detail.get(student, ''))}"
        "</td></tr>"
        for student, code in sorted(summary.ungradable.items())
    ]
    rows += [
        f"<tr><td>{e(student)}</td><td>partly graded / 일부 채점</td><td>{'<br>'.join(map(_html_reason, reasons))}</td></tr>"
        for student, reasons in sorted(summary.partial.items())
    ]
    rows += [
        f"<tr><td>{e(path)}</td><td>result unreadable / 결과 파일을 읽을 수 없음</td><td>left out of this report / 이 보고서에서 빠짐</td></tr>"
        for path in summary.unreadable
    ]
    if not rows:
        return "<p>Every submission was graded in full. / 모든 제출물이 채점되었습니다.</p>"
    return (
        '<p class="note">Not graded: no score at all (blank in the gradebook and LMS exports). Partly graded: a '
        "score, but part of the notebook could not be read, or the grader hit an internal error. / 채점 안 됨: 점수가 "
        "전혀 없습니다(성적표와 LMS 내보내기에서 빈칸). 일부 채점: 점수는 있지만 노트북의 일부를 읽지 못했거나 채점기에 "
        "내부 오류가 있었습니다.</p>"
        "<table><tr><th>student / 학생</th><th>status / 상태</th><th>reason / 이유</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _html_timing(summary: ClassSummary) -> str:
    e = html.escape
    facts = timing_facts(summary)
    if not facts:
        return (
            "<p>This batch recorded no grading times (graded before the kit recorded them). / 이 일괄 채점에는 채점 "
            "시간 기록이 없습니다(키트가 기록하기 전에 채점됨).</p>"
        )
    rows = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in facts)
    return f"<table>{rows}</table>"


def timing_facts(summary: ClassSummary) -> list[tuple[str, str]]:
    """(label, value) lines about how long grading took."""
    seconds = summary.seconds
    if not seconds:
        return []
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:5]
    facts = [
        ("submissions timed / 측정된 제출물", f"{len(seconds)}"),
        ("grading time, summed / 채점 시간 합계", f"{sum(seconds.values()):.1f} s"),
        ("median per submission / 제출물당 중앙값", f"{statistics.median(seconds.values()):.1f} s"),
        ("slowest / 가장 느림", ", ".join(f"{student} {value:.1f} s" for student, value in slowest)),
    ]
    if summary.graded_at:
        stamps = sorted(summary.graded_at.values())
        facts.append(("graded between / 채점 시각 (UTC)", f"{stamps[0]} – {stamps[-1]}"))
    return facts


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# -- Markdown ------------------------------------------------------------------------------------


def render_markdown(summary: ClassSummary, similar: SimilarityReport | None = None) -> str:
    """A Markdown summary of the same sections (no charts; a job summary or an e-mail)."""
    lines = [
        f"# Class report / 수업 보고서: {summary.assignment}",
        "",
        f"{len(summary.students)} students / 학생: {len(summary.totals)} graded / 채점됨, "
        f"{len(summary.ungradable)} not graded / 채점 안 됨.",
        *(["", summary.deadline_line()] if summary.deadline else []),
        "",
        f"## {SECTIONS['scores']}",
        "",
        "| unit / 단원 | max / 만점 | students / 학생 | mean / 평균 | median / 중앙값 | min / 최저 | max / 최고 | "
        "not implemented / 미구현 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    columns: list[tuple[str, dict[str, float], float, str | None]] = [
        ("total", summary.totals, summary.max_total, None)
    ]
    columns += [(unit, summary.unit_scores[unit], summary.unit_max[unit], unit) for unit in summary.units]
    for label, scores, maximum, unit in columns:
        s = summary.spread(scores)
        stub = len(summary.not_implemented.get(unit, [])) if unit else ""
        lines.append(
            f"| {label} | {maximum:g} | {s['n']} | {s['mean']:.1f} | {s['median']:.1f} | {s['min']:.1f} | "
            f"{s['max']:.1f} | {stub} |"
        )
    graded = len(summary.totals)
    lines += ["", f"## {SECTIONS['tests']}", ""]
    lines += [
        f"Out of the {graded} graded submissions; per unit, failing tests first. / 채점된 제출물 {graded}개 기준.",
        "",
    ]
    lines += [f"- {unit_line(unit, rates, graded)}" for unit, rates in tests_by_unit(summary)]
    lines += [
        "",
        "| unit / 단원 | test / 테스트 | suite / 묶음 | passed / 통과 | rate / 통과율 | other outcomes / 그 밖의 결과 |",
    ]
    lines += ["|---|---|---|---:|---:|---|"]
    for unit, rates in tests_by_unit(summary):
        for rate in rates:
            denominator = denominator_of(rate, graded)
            percent = 100 * rate.passed / denominator if denominator else 0.0
            lines.append(
                f"| {unit} | {md_code(rate.name, table=True)} | {rate.suite} | {rate.passed}/{denominator} | "
                f"{percent:.0f}% | {other_outcomes(rate, denominator)} |"
            )
    lines += ["", f"## {SECTIONS['mistakes']}", ""]
    if summary.mistakes:
        lines += [
            "| students / 학생 수 | unit / 단원 | mistake (hint) / 실수 (힌트) | who / 학생 |",
            "|---:|---|---|---|",
        ]
        for mistake in mistake_rows(summary):
            who = ", ".join(mistake.students[:MAX_NAMES]) + (" …" if len(mistake.students) > MAX_NAMES else "")
            lines.append(
                f"| {len(mistake.students)} | {', '.join(mistake.units)} | {md_code(mistake.hint, 400, table=True)} | "
                f"{md_code(who, 2000, table=True)} |"
            )
    else:
        lines.append("No diagnosed mistake. / 진단된 실수가 없습니다.")
    lines += ["", f"## {SECTIONS['ungraded']}", ""]
    problems = [
        (
            s,
            "not graded / 채점 안 됨",
            [Reason(reasons.render(code)), Reason(f"{code}: {summary.ungradable_detail.get(s, '')}")],
        )
        for s, code in sorted(summary.ungradable.items())
    ]
    problems += [(s, "partly graded / 일부 채점", r) for s, r in sorted(summary.partial.items())]
    if problems:
        lines += ["| student / 학생 | status / 상태 | reason / 이유 |", "|---|---|---|"]
        lines += [
            f"| {md_code(s, table=True)} | {status} | {' · '.join(map(_md_reason, reasons))} |"
            for s, status, reasons in problems
        ]
    else:
        lines.append("Every submission was graded in full. / 모든 제출물이 채점되었습니다.")
    lines += ["", f"## {SECTIONS['timing']}", ""]
    facts = timing_facts(summary)
    lines += [f"- {label}: {one_line(value, 500)}" for label, value in facts] or [
        "No grading times recorded. / 채점 시간 기록이 없습니다."
    ]
    if similar is not None:
        lines += ["", f"## {SIMILARITY_SECTION[1]}", "", render_markdown_section(similar)]
    return "\n".join(lines) + "\n"
