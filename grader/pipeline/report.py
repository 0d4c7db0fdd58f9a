"""Render a GradeReport: a terminal table, JSON exactly per docs/CONTRACT.md, and Markdown for PRs.

Every renderer first bounds the report (:func:`fit_report`), so one submission's report.json,
report.md and standard output stay small whatever its code sent back; in Markdown every text
that is not the kit's own goes into a code span or a fenced block (:mod:`grader.pipeline.inert`).
"""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from grader.pipeline.checks import Text
from grader.pipeline.curves import learning_curves_markdown
from grader.pipeline.inert import clean, md_block, md_code, md_fit, one_line
from grader.pipeline.scoring import GradeReport, TestResult, UnitScore

MESSAGE_LIMIT = 4000  # characters of one test's message
MESSAGES_BUDGET = 100_000  # characters of all test messages of one report; later ones keep their first line
CUT_MESSAGE_LIMIT = 200
LIST_LIMITS = {"errors": (50, 1000), "internal_errors": (20, 4000), "notes": (20, 2000)}  # (items, characters)
MARKDOWN_BYTES = 512 * 1024
TEXT_BYTES = 512 * 1024
BUDGET_NOTE = "(보고서 크기 제한으로 나머지는 생략 / the rest is cut: the report's size limit)"
TOO_LONG = "\n\n… (보고서가 너무 길어 잘렸습니다 / the report was too long and has been cut)\n"

NAMES_SHOWN = 3  # test names listed for a group of failing tests

MISSING_LINE_LIMIT = 2000  # a missing unit's one line: its name, the cell that did not parse, the hint, both languages
_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}

# Every heading in the language asked for (``Text.render``: ko, en, or "ko / en").
TOTAL = Text("합계", "total")
SAVED = Text("저장", "saved")
PASSED = Text("테스트 {total}개 중 {passed}개 통과", "{passed}/{total} tests passed")
NOT_IMPLEMENTED = Text("아직 구현하지 않음", "not implemented yet")
PUBLIC_ONLY = Text(
    "공개 테스트만의 점수입니다. 나머지는 과목 채점의 숨은 테스트가 정합니다.",
    "public tests only: the hidden tests of the course's grading decide the rest.",
)
COUNTED = Text("테스트 {n}개 (공개 {public}, 숨은 {hidden})", "{n} tests ({public} public, {hidden} hidden)")
ONLY_PUBLIC, ONLY_HIDDEN = Text("공개 테스트 {n}개", "{n} public tests"), Text("숨은 테스트 {n}개", "{n} hidden tests")
PUBLIC, HIDDEN = Text("공개", "public"), Text("숨은 테스트", "hidden")
HINT = Text("힌트", "hint")
FAILING = Text("실패한 테스트", "Failing tests")
NOTES = Text("참고", "Notes")
PROBLEMS = Text("노트북 문제", "Notebook problems")
INTERNAL = Text(
    "채점기 내부 오류입니다. 학생의 잘못이 아니며 점수가 불완전할 수 있습니다",
    "INTERNAL ERROR in the grader (not the student's fault; scores may be incomplete)",
)
SANDBOX_NEUTRAL = Text(
    "이 컴퓨터에서는 채점기의 보호 기능 일부를 쓸 수 없습니다. 점수에는 영향이 없습니다.",
    "Some of the grader's protections are not available on this machine; this does not change the score.",
)
UNIT, SCORE, TESTS = Text("단위", "unit"), Text("점수", "score"), Text("테스트", "tests")


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
    lists: dict[str, Any] = {}  # GradeReport's list fields by name
    for name, (items, characters) in LIST_LIMITS.items():
        entries = getattr(report, name)
        lists[name] = [clean(entry, characters) for entry in entries[:items]]
        lists[name] += [f"… {len(entries) - items} more / {len(entries) - items}개 더"] if len(entries) > items else []
    return replace(report, units=units, notebook=one_line(report.notebook, 500), **lists)


def to_json_data(report: GradeReport) -> dict[str, Any]:
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
                        "diagnosis": test.diagnosis,
                        "hint": test.hint,
                        "problem": test.problem,
                        "guarded": test.guarded,
                        "not_implemented": test.not_implemented,
                        "ending": test.ending,
                    }
                    for test in unit.tests
                ],
            }
            for unit in report.units
        ],
        "errors": list(report.errors),
        "internal_errors": list(report.internal_errors),
        "suites": list(report.suites),
        "isolation": {
            "layers": list(report.isolation),
            "missing": dict(report.isolation_missing),
            "workers": report.workers,
        },
        "notes": list(report.notes),
        "ungradable": report.ungradable or None,  # a reason code: the score above is no grade
    }


def render_json(report: GradeReport) -> str:
    """JSON text of :func:`to_json_data`."""
    return json.dumps(to_json_data(report), ensure_ascii=False, indent=2) + "\n"


def render_text(report: GradeReport) -> str:
    """The student report for a terminal: one line per unit, then each failing unit's mistakes, one hint each."""
    report = fit_report(report)
    lang = report.lang
    lines = [header(report), ""]
    views = [unit_view(unit) for unit in report.units]
    width = max([_width(u.name) for u in report.units] + [_width(TOTAL.render(lang)), 8])
    for view in views:
        unit = view.unit
        lines.append(f"  {_pad(unit.name, width)}  {_score(unit.score, unit.max_score)}  {view.status_text(lang)}")
    lines.append(f"  {_pad(TOTAL.render(lang), width)}  {_score(report.score, report.max_score)}".rstrip())
    if "hidden" not in report.suites:
        lines.append(f"  {PUBLIC_ONLY.render(lang)}")
    for view in views:
        if view.groups:
            lines += ["", f"{view.unit.name} — {_points(view.unit.score)} / {_points(view.unit.max_score)}"]
            for group in view.groups:
                lines.append(f"  {_MARK[group.example.outcome]} {group.names(lang)}")
                lines += [f"      {line}" for line in group.body()]
                if group.hint:
                    lines.append(f"      {HINT.render(lang)}: {group.hint}")
    lines += _notes(report)
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > TEXT_BYTES:
        text = text.encode("utf-8")[: TEXT_BYTES - 200].decode("utf-8", "ignore") + TOO_LONG
    return text


def header(report: GradeReport) -> str:
    """The first line: the assignment and the file graded, with the time it was saved."""
    line = f"{report.assignment} — {report.notebook}"
    if report.saved_at is not None:
        line += f" ({SAVED.render(report.lang)} {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(report.saved_at))})"
    return line


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _score(score: float, maximum: float) -> str:
    return f"{_points(score):>5} / {_points(maximum):<5}"


def _notes(report: GradeReport) -> list[str]:
    lang = report.lang
    lines = ["", f"{NOTES.render(lang)}:"] + [f"  - {note}" for note in report.notes] if report.notes else []
    if report.errors:
        lines += ["", f"{PROBLEMS.render(lang)}:"] + [f"  - {e}" for e in report.errors]
    if report.internal_errors:
        lines += ["", f"{INTERNAL.render(lang)}:"]
        lines += [f"  - {e}" for e in report.internal_errors]
    lines += isolation_lines(report)
    return lines


WORKER_STARTS = {
    "fork-server": "forked from a warm server, restricted and checked like every worker (GRADER_WORKER_POOL=off: exec)",
    "fork-in-sandbox": "forked from a warm server inside the submission's own bubblewrap sandbox, restricted and "
    "checked like every worker (GRADER_WORKER_POOL=off: exec)",
    "exec": "a new interpreter each (under bubblewrap when it is in use)",
}


def isolation_lines(report: GradeReport) -> list[str]:
    """The sandbox in full for course staff; for students one neutral line, and only when a layer is missing.

    The details are advice to the machine's owner (install bubblewrap, close folders to other users) that a
    student cannot act on: they stay in the JSON report, Gradescope's staff-only test and staff checkouts.
    """
    if report.staff:
        if not report.isolation:
            return []
        lines = ["", f"isolation: {', '.join(report.isolation)}"]
        if report.workers:
            lines.append(f"  workers: {WORKER_STARTS.get(report.workers, report.workers)}")
        return lines + [f"  warning: no {layer}: {why}" for layer, why in report.isolation_missing.items()]
    return ["", SANDBOX_NEUTRAL.render(report.lang)] if report.isolation_missing else []


def render_markdown(report: GradeReport, images: bool = True) -> str:
    """GitHub-flavoured Markdown for a PR comment or job summary; texts that are not the kit's are inert.

    ``images=False``: learning curves as text, for GitHub (which strips ``data:`` images there)."""
    report = fit_report(report)
    lang = report.lang
    lines = [
        f"## {report.assignment}: {_points(report.score)} / {_points(report.max_score)}",
        "",
        f"| {UNIT.render(lang)} | {SCORE.render(lang)} | {TESTS.render(lang)} |",
        "|:---|---:|:---|",
    ]
    views = [unit_view(unit) for unit in report.units]
    for view in views:
        unit = view.unit
        icon = "✅" if unit.score == unit.max_score else ("❌" if unit.score == 0 else "🟡")
        lines.append(
            f"| {icon} {md_code(unit.name, 80, table=True)} | {_points(unit.score)} / "
            f"{_points(unit.max_score)} | {md_code(view.status_text(lang), 300, table=True)} |"
        )
    if "hidden" not in report.suites:
        lines += ["", f"_{PUBLIC_ONLY.render(lang)}_"]
    if any(view.groups for view in views):
        lines += ["", f"<details><summary>{FAILING.render(lang)}</summary>", ""]
        for view in views:
            if not view.groups:
                continue
            unit = view.unit
            lines += [f"**{md_code(unit.name, 80)}** — {_points(unit.score)} / {_points(unit.max_score)}", ""]
            for group in view.groups:
                body = group.body() + ([f"{HINT.render(lang)}: {group.hint}"] if group.hint else [])
                lines += [
                    f"- {_MARK[group.example.outcome]} {md_code(group.names(lang), 400)}",
                    "",
                    md_block("\n".join(body), MESSAGE_LIMIT),
                    "",
                ]
        lines.append("</details>")
    lines += learning_curves_markdown(report, images)  # the training unit's curves, student next to reference
    if report.errors:
        lines += [
            "",
            f"**{PROBLEMS.render(lang)}**",
            "",
            md_block("\n".join(f"- {e}" for e in report.errors), 60_000),
        ]
    if report.notes:
        lines += [
            "",
            f"**{NOTES.render(lang)}**",
            "",
            md_block("\n".join(f"- {note}" for note in report.notes), 45_000),
        ]
    if report.internal_errors:
        lines += ["", "> [!WARNING]", f"> {INTERNAL.render(lang)}."]
    return md_fit("\n".join(lines) + "\n", MARKDOWN_BYTES, TOO_LONG)


# -- the student view: one status per unit, failing tests grouped by the mistake diagnosed -------------------


@dataclass
class MistakeGroup:
    """Failing tests of one unit that went wrong the same way: shown once, with one example and one hint."""

    tests: list[TestResult]

    @property
    def example(self) -> TestResult:
        """The test shown in full: a public one when there is one (a hidden test shows no inputs)."""
        return next((t for t in self.tests if t.suite == "public"), self.tests[0])

    @property
    def hint(self) -> str:
        return self.example.hint

    def names(self, lang: str) -> str:
        """Which tests: a few names, and how many of each suite."""
        public = [t.name for t in self.tests if t.suite == "public"]
        hidden = [t.name for t in self.tests if t.suite != "public"]
        shown = (public + hidden)[:NAMES_SHOWN]
        listed = ", ".join(shown) + (", …" if len(self.tests) > len(shown) else "")
        if len(self.tests) == 1:
            suite = PUBLIC.render(lang) if public else HIDDEN.render(lang)
            return f"{listed} ({suite})"
        counted = COUNTED if public and hidden else (ONLY_PUBLIC if public else ONLY_HIDDEN)
        return f"{counted.render(lang).format(n=len(self.tests), public=len(public), hidden=len(hidden))}: {listed}"

    def body(self) -> list[str]:
        """The example's message without its hint line (the hint is shown once, after it)."""
        lines = self.example.message.splitlines()
        return [line for line in lines if not (self.hint and line.endswith(": " + self.hint))]


@dataclass
class UnitView:
    """What a student needs to see of one unit."""

    unit: UnitScore
    state: str  # "full", "not-implemented", "missing" or "failing"
    groups: list[MistakeGroup] = field(default_factory=list)
    detail: str = ""  # for not-implemented: where the stub raises; for missing: the message

    def status_text(self, lang: str) -> str:
        """The unit's line in the table, after its score."""
        total = len(self.unit.tests)
        if self.state == "full":
            return f"✓ {PASSED.render(lang).format(passed=total, total=total)}"
        if self.state == "not-implemented":  # where: "line 10 of code cell 4", the unit's name said once already
            where = self.detail.removeprefix(f"{self.unit.name}, ")
            return NOT_IMPLEMENTED.render(lang) + (f" ({where})" if where else "")
        if self.state == "missing":
            return self.detail
        return PASSED.render(lang).format(passed=self.unit.passed, total=total)


def unit_view(unit: UnitScore) -> UnitView:
    """A unit as the student report shows it: done, not started (one line), or its mistakes grouped."""
    failing = [t for t in unit.tests if t.outcome != "passed"]
    if not failing:
        return UnitView(unit, "full")
    if unit.passed == 0 and all(t.not_implemented for t in failing):
        where = next((t.location for t in failing if t.location), "")
        if not where:  # a unit that runs another unit's stub (training runs the student's network)
            targets = {t.mistake.removeprefix("not-implemented ").split(".")[0] for t in failing}
            where = ", ".join(sorted(targets - {unit.name}))
        return UnitView(unit, "not-implemented", detail=where)
    if unit.passed == 0 and all(t.outcome == "missing" for t in failing):
        first = next((t for t in failing if t.suite == "public"), failing[0])
        # The whole message, hint included: a missing unit has no block of failing tests below its line, so a cut
        # line was the only place its hint could be read (the realistic class's syntax error lost 288 characters).
        return UnitView(unit, "missing", detail=one_line(first.message, MISSING_LINE_LIMIT))
    groups: dict[str, MistakeGroup] = {}
    for test in failing:
        key = test.mistake or f"{test.outcome} {test.suite} {test.message.split(chr(10), 1)[0]}"
        groups.setdefault(key, MistakeGroup([])).tests.append(test)
    return UnitView(unit, "failing", list(groups.values()))
