"""Render a GradeReport: a terminal table, JSON exactly per CONTRACT.md, and Markdown for PRs."""

from __future__ import annotations

import json

from grader.curves import learning_curves_markdown
from grader.scoring import GradeReport

_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}


def _points(value: float) -> str:
    return f"{value:g}"


def to_json_data(report: GradeReport) -> dict:
    """The report as the contract's JSON object (extra fields allowed, none renamed)."""
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
    lines = [f"{report.assignment} — {report.notebook}", ""]
    width = max([len(u.name) for u in report.units] + [8])
    for unit in report.units:
        lines.append(f"  {unit.name:<{width}}  {_points(unit.score):>5} / {_points(unit.max_score):<5}"
                     f"  {unit.passed}/{len(unit.tests)} tests passed")  # fmt: skip
    lines.append(f"  {'total':<{width}}  {_points(report.score):>5} / {_points(report.max_score):<5}")
    failures = [(u.name, t) for u in report.units for t in u.tests if t.outcome != "passed"]
    if failures:
        lines += ["", "Failing tests / 실패한 테스트:"]
        for unit_name, test in failures:
            lines.append(f"  {_MARK[test.outcome]} {unit_name} · {test.name} ({test.suite}, {test.outcome})")
            lines += [f"      {line}" for line in test.message.splitlines()]
    lines += _notes(report)
    return "\n".join(lines) + "\n"


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


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(report: GradeReport) -> str:
    """GitHub-flavoured Markdown for a PR comment or job summary."""
    lines = [f"## {report.assignment}: {_points(report.score)} / {_points(report.max_score)}", "",
             "| unit / 단위 | score / 점수 | tests / 테스트 |", "|---|---:|---:|"]  # fmt: skip
    for unit in report.units:
        icon = "✅" if unit.score == unit.max_score else ("❌" if unit.score == 0 else "🟡")
        lines.append(f"| {icon} `{unit.name}` | {_points(unit.score)} / {_points(unit.max_score)} | "
                     f"{unit.passed} / {len(unit.tests)} |")  # fmt: skip
    failures = [(u.name, t) for u in report.units for t in u.tests if t.outcome != "passed"]
    if failures:
        lines += ["", "<details><summary>Failing tests / 실패한 테스트</summary>", ""]
        for unit_name, test in failures:
            lines += [f"**`{unit_name}` · {_md_escape(test.name)}** ({test.suite}, {test.outcome})", "", "```text",
                      test.message.replace("```", "ˋˋˋ"), "```", ""]  # fmt: skip
        lines.append("</details>")
    lines += learning_curves_markdown(report)  # the training unit's curves, student next to reference
    if report.errors:
        lines += ["", "**Notebook problems / 노트북 문제**", ""] + [f"- {_md_escape(e)}" for e in report.errors]
    if report.notes:
        lines += ["", "**Notes / 참고**", ""] + [f"- {_md_escape(note)}" for note in report.notes]
    if report.internal_errors:
        lines += [
            "",
            "> [!WARNING]",
            "> Internal error in the grader (not the student's fault); scores may be incomplete.",
        ]
    return "\n".join(lines) + "\n"
