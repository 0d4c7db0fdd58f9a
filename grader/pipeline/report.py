"""Render a GradeReport: a terminal table, JSON exactly per docs/CONTRACT.md, and Markdown for PRs.

Every renderer first bounds the report (:func:`fit_report`), so one submission's report.json,
report.md and standard output stay small whatever its code sent back; in Markdown every text
that is not the kit's own goes into a code span or a fenced block (:mod:`grader.pipeline.inert`).
"""

from __future__ import annotations

import json
from dataclasses import replace

from grader.pipeline.curves import learning_curves_markdown
from grader.pipeline.inert import clean, md_block, md_code, md_fit, one_line
from grader.pipeline.scoring import GradeReport, UnitScore

MESSAGE_LIMIT = 4000  # characters of one test's message
MESSAGES_BUDGET = 100_000  # characters of all test messages of one report; later ones keep their first line
CUT_MESSAGE_LIMIT = 200
LIST_LIMITS = {"errors": (50, 1000), "internal_errors": (20, 4000), "notes": (20, 2000)}  # (items, characters)
MARKDOWN_BYTES = 512 * 1024
TEXT_BYTES = 512 * 1024
BUDGET_NOTE = "(보고서 크기 제한으로 나머지는 생략 / the rest is cut: the report's size limit)"
TOO_LONG = "\n\n… (보고서가 너무 길어 잘렸습니다 / the report was too long and has been cut)\n"

_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}


def _points(value: float) -> str:
    return f"{value:g}"


def fit_report(report: GradeReport) -> GradeReport:
    """A copy of the report whose texts are clean and bounded: each message, all messages together, and each list."""
    budget, units = MESSAGES_BUDGET, []
    for unit in report.units:
        tests = []
        for test in unit.tests:
            message = clean(test.message, MESSAGE_LIMIT)
            if len(message) > budget:
                message = one_line(message.split("\n", 1)[0], CUT_MESSAGE_LIMIT) + " " + BUDGET_NOTE
            budget = max(budget - len(message), 0)
            tests.append(replace(test, message=message))
        units.append(UnitScore(unit.name, tests))
    lists = {}
    for name, (items, characters) in LIST_LIMITS.items():
        entries = getattr(report, name)
        lists[name] = [clean(entry, characters) for entry in entries[:items]]
        lists[name] += [f"… {len(entries) - items} more / {len(entries) - items}개 더"] if len(entries) > items else []
    return replace(report, units=units, notebook=one_line(report.notebook, 500), **lists)


def to_json_data(report: GradeReport) -> dict:
    """The report as the contract's JSON object (extra fields allowed, none renamed)."""
    report = fit_report(report)
    return {
        "assignment": report.assignment,
        "notebook": report.notebook,
        "score": report.score,
        "max_score": report.max_score,
        "functions": [
            {
                "name": unit.name,
                "score": unit.score,
                "max_score": unit.max_score,
                "tests": [
                    {
                        "name": test.name,
                        "suite": test.suite,
                        "outcome": test.outcome,
                        "score": test.score,
                        "max_score": test.max_score,
                        "message": test.message,
                    }
                    for test in unit.tests
                ],
            }
            for unit in report.units
        ],
        "errors": list(report.errors),
        "internal_errors": list(report.internal_errors),
        "suites": list(report.suites),
        "isolation": {"layers": list(report.isolation), "missing": dict(report.isolation_missing)},
        "notes": list(report.notes),
    }


def render_json(report: GradeReport) -> str:
    """JSON text of :func:`to_json_data`."""
    return json.dumps(to_json_data(report), ensure_ascii=False, indent=2) + "\n"


def render_text(report: GradeReport) -> str:
    """A readable terminal report: one line per unit, then each failing test with its message."""
    report = fit_report(report)
    lines = [f"{report.assignment} — {report.notebook}", ""]
    width = max([len(u.name) for u in report.units] + [8])
    for unit in report.units:
        lines.append(
            f"  {unit.name:<{width}}  {_points(unit.score):>5} / {_points(unit.max_score):<5}"
            f"  {unit.passed}/{len(unit.tests)} tests passed"
        )
    lines.append(f"  {'total':<{width}}  {_points(report.score):>5} / {_points(report.max_score):<5}")
    failures = [(u.name, t) for u in report.units for t in u.tests if t.outcome != "passed"]
    if failures:
        lines += ["", "Failing tests / 실패한 테스트:"]
        for unit_name, test in failures:
            lines.append(f"  {_MARK[test.outcome]} {unit_name} · {test.name} ({test.suite}, {test.outcome})")
            lines += [f"      {line}" for line in test.message.splitlines()]
    lines += _notes(report)
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > TEXT_BYTES:
        text = text.encode("utf-8")[: TEXT_BYTES - 200].decode("utf-8", "ignore") + TOO_LONG
    return text


def _notes(report: GradeReport) -> list[str]:
    lines = ["", "Notes / 참고:"] + [f"  - {note}" for note in report.notes] if report.notes else []
    if report.errors:
        lines += ["", "Notebook problems / 노트북 문제:"] + [f"  - {e}" for e in report.errors]
    if report.internal_errors:
        lines += ["", "INTERNAL ERROR in the grader (not the student's fault; scores may be incomplete):"]
        lines += [f"  - {e}" for e in report.internal_errors]
    if report.isolation:
        lines += ["", f"isolation: {', '.join(report.isolation)}"]
        lines += [f"  warning: no {layer}: {why}" for layer, why in report.isolation_missing.items()]
    return lines


def render_markdown(report: GradeReport) -> str:
    """GitHub-flavoured Markdown for a PR comment or job summary; texts that are not the kit's are inert."""
    report = fit_report(report)
    lines = [
        f"## {report.assignment}: {_points(report.score)} / {_points(report.max_score)}",
        "",
        "| unit / 단위 | score / 점수 | tests / 테스트 |",
        "|---|---:|---:|",
    ]
    for unit in report.units:
        icon = "✅" if unit.score == unit.max_score else ("❌" if unit.score == 0 else "🟡")
        lines.append(
            f"| {icon} {md_code(unit.name, 80, table=True)} | {_points(unit.score)} / "
            f"{_points(unit.max_score)} | {unit.passed} / {len(unit.tests)} |"
        )
    failures = [(u.name, t) for u in report.units for t in u.tests if t.outcome != "passed"]
    if failures:
        lines += ["", "<details><summary>Failing tests / 실패한 테스트</summary>", ""]
        for unit_name, test in failures:
            lines += [
                f"**{md_code(unit_name, 80)} · {md_code(test.name, 200)}** ({test.suite}, {test.outcome})",
                "",
                md_block(test.message, MESSAGE_LIMIT),
                "",
            ]
        lines.append("</details>")
    lines += learning_curves_markdown(report)  # the training unit's curves, student next to reference
    if report.errors:
        lines += [
            "",
            "**Notebook problems / 노트북 문제**",
            "",
            md_block("\n".join(f"- {e}" for e in report.errors), 60_000),
        ]
    if report.notes:
        lines += ["", "**Notes / 참고**", "", md_block("\n".join(f"- {note}" for note in report.notes), 45_000)]
    if report.internal_errors:
        lines += [
            "",
            "> [!WARNING]",
            "> Internal error in the grader (not the student's fault); scores may be incomplete.",
        ]
    return md_fit("\n".join(lines) + "\n", MARKDOWN_BYTES, TOO_LONG)
