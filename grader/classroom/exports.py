"""Exports: Gradescope's autograder ``results.json`` from one report, and LMS gradebook CSVs from a results folder.

Gradescope (autograder specification): top-level ``score`` and ``tests``, each test
with ``name``, ``score``, ``max_score``, ``output``, ``visibility``, ``status``.
Hidden tests are shown ``after_published`` and their output is the kit's hidden
message, which never carries inputs or expected values. A submission that could not be
graded has no top-level ``score`` (the spec requires one only where the tests lack theirs)
and a single visible 0/0 test "Not graded" whose output gives the reason in Korean and
English: no row of failed tests that would read as a grade of 0. Protection layers the grading
ran without go into one zero-point test with visibility ``hidden`` (staff only), since
nobody reads a Gradescope autograder's standard output.

Canvas (Gradebook > Import): ``Student, ID, SIS User ID, SIS Login ID, Section`` then
one column per assignment, and a ``Points Possible`` row. Moodle (Grades > Import >
CSV): one identifier column (``idnumber`` or ``email``) mapped to a user field, then
the grade.

Both CSVs, like ``gradebook.csv``, are UTF-8 with a byte-order mark so that Excel shows Korean
names (Canvas and Moodle read past the mark). A student whose submission could not be graded gets
a blank grade, never 0 (a 0 would look like a graded submission); :func:`export_warnings` lists
them, with damaged result files and roster students who have no result, for standard error.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from grader.classroom import gradebook, students
from grader.errors import GraderError
from grader.pipeline import reasons

HIDDEN_VISIBILITY = "after_published"
STAFF_TEST = "Grader environment (staff only) / 채점 환경 (교수자용)"
NOT_GRADED_TEST = "Not graded / 채점되지 않음"
NOT_GRADED = (
    "채점되지 않았습니다. 이 제출물에는 점수가 없습니다(0점이 아님). / Not graded: this submission has no score "
    "(it is not a 0)."
)
# Gradescope's output when nothing went wrong; the assignment is the report's (a report naming none: no name).
GRADED_BY = "{assignment} 자동 채점기로 채점했습니다. / Graded by the {assignment} autograder."
GRADED = "자동 채점기로 채점했습니다. / Graded by the autograder."
ROSTER_COLUMNS = ("student", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email", "idnumber")


def gradescope_results(report: dict[str, Any], *, hidden_visibility: str = HIDDEN_VISIBILITY) -> dict[str, Any]:
    """Gradescope's results.json for one contract JSON report."""
    if report.get("ungradable"):  # nothing ran: the reason, never the report's zeros
        errors = report.get("errors")
        detail = str(errors[0]) if isinstance(errors, list) and errors else ""
        return not_graded_results(report["ungradable"], detail)
    tests = []
    for function in report["functions"]:
        for test in function["tests"]:
            hidden = test["suite"] == "hidden"
            tests.append(
                {
                    "name": f"{function['name']} · {test['name']}" + (" (hidden)" if hidden else ""),
                    "score": test["score"],
                    "max_score": test["max_score"],
                    "status": "passed" if test["outcome"] == "passed" else "failed",
                    "output": _test_output(test),
                    "visibility": hidden_visibility if hidden else "visible",
                    "tags": [function["name"], test["suite"]],
                }
            )
    warnings = sandbox_warnings(report)
    if warnings:  # Gradescope shows a "hidden" test to staff only: where they see what the sandbox lacked
        tests.append(
            {
                "name": STAFF_TEST,
                "score": 0,
                "max_score": 0,
                "visibility": "hidden",
                "output": "\n".join(warnings),
                "tags": ["staff"],
            }
        )
    problems = list(report.get("errors", [])) + [
        f"채점기 내부 오류(학생 잘못 아님) / INTERNAL ERROR (not your fault): {e.splitlines()[0]}"
        for e in report.get("internal_errors", [])
    ]
    assignment = str(report.get("assignment") or "")
    graded_by = GRADED_BY.format(assignment=assignment) if assignment else GRADED
    return {
        "score": report["score"],
        "output": "\n".join(problems) or graded_by,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def not_graded_results(reason: str, detail: str = "", extra_data: dict[str, Any] | None = None) -> dict[str, Any]:
    """results.json for a submission that was not graded: the reason in Korean and English, nothing that reads
    as a score (no top-level score; one 0/0 test, since the spec wants a score somewhere)."""
    text = "\n".join([NOT_GRADED, reasons.render(reason, "ko"), reasons.render(reason, "en"), detail]).strip()
    return {
        "output": text,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": NOT_GRADED_TEST,
                "score": 0,
                "max_score": 0,
                "status": "failed",
                "output": text,
                "visibility": "visible",
                "tags": ["not-graded"],
            }
        ],
        "extra_data": {"status": "ungradable", "reason": reasons.known(reason)} | (extra_data or {}),
    }


def sandbox_warnings(report: dict[str, Any]) -> list[str]:
    """One line per protection layer the grading ran without (``isolation.missing`` of a JSON report)."""
    isolation = report.get("isolation")
    missing = isolation.get("missing") if isinstance(isolation, dict) else None
    if not isinstance(missing, dict):
        return []
    return [f"warning: no {layer}: {why} / 경고: 보호 계층 {layer} 없음" for layer, why in sorted(missing.items())]


def _test_output(test: dict[str, Any]) -> str:
    if test["outcome"] == "passed":
        return "passed"
    return f"{test['outcome']}: {test['message']}".strip()


class ExportError(GraderError):
    """The results folder or the roster cannot be exported; the message says which file and why."""


def read_roster(path: Path | None) -> dict[str, dict[str, str]]:
    """An optional roster CSV keyed by student id (columns from ROSTER_COLUMNS; others ignored).

    Ids follow the same rule as the batch's (:mod:`grader.classroom.students`, Korean names included).
    """
    if path is None:
        return {}
    roster: dict[str, dict[str, str]] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            for line, row in enumerate(csv.DictReader(stream), start=2):
                if not (row.get("student") or "").strip():
                    continue
                student = students.checked(row["student"], f"{path}:{line}")
                if student in roster:
                    raise ExportError(
                        f"{path}:{line}: student {student} is listed twice",
                        ko=f"{path}:{line}: 학생 {student}이(가) 두 번 나옵니다",
                    )
                roster[student] = {k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS} | {"student": student}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ExportError(
            f"{path}: not a readable UTF-8 CSV roster ({type(error).__name__}: {error})",
            ko=f"{path}: 읽을 수 있는 UTF-8 CSV 명단이 아닙니다",
        ) from None
    return roster


def load_results(results_dir: Path) -> dict[str, dict[str, Any]]:
    """The finished results of a batch results folder, or ExportError saying why there are none."""
    folder = results_dir / "results"
    if not folder.is_dir():
        raise ExportError(
            f"{results_dir} is not a batch results folder (no results/ in it): give the --out "
            "folder of `python -m grader batch`",
            ko=f"{results_dir}은(는) 배치 결과 폴더가 아닙니다(results/ 없음): `python -m grader batch`의 --out 폴더를 주세요",
        )
    try:
        os.listdir(folder)
    except OSError as error:
        raise ExportError(
            f"{folder} cannot be read ({error.strerror}): run as the user who wrote it",
            ko=f"{folder}을(를) 읽을 수 없습니다: 그 폴더를 쓴 사용자로 실행하세요",
        ) from None
    results = gradebook.read_results(results_dir)
    if not results:
        raise ExportError(
            f"{folder} holds no readable result: run `python -m grader batch` into {results_dir}",
            ko=f"{folder}에 읽을 수 있는 결과가 없습니다: `python -m grader batch`로 {results_dir}에 채점하세요",
        )
    return results


def export_warnings(results_dir: Path, roster: dict[str, dict[str, str]]) -> list[str]:
    """What an export left blank or out, one line each, for standard error."""
    results = load_results(results_dir)
    lines = [
        f"blank grade (not 0) / 빈칸(0점 아님): {student}: {reasons.render(gradebook.reason_of(result))} "
        f"({gradebook.reason_of(result)}: {_first_error(result)})"
        for student, result in sorted(results.items())
        if gradebook.is_ungradable(result)
    ]
    lines += [
        f"left out: {path} is not a readable result / 빠짐: {path}은(는) 읽을 수 있는 결과가 아닙니다"
        for path in gradebook.unreadable_results(results_dir)
    ]
    lines += [  # results written before the rule (an older kit): exported, but the LMS may not match them
        f"student id {student!r} breaks the rule ({students.RULE}); check its row after the import / "
        f"학생 id {student!r}이(가) 규칙에 맞지 않습니다: 가져온 뒤 그 행을 확인하세요"
        for student in results
        if not students.is_valid(students.normalise(student))
    ]
    if roster:
        lines += [
            f"no result: {student} is in the roster but not in {results_dir} / 결과 없음: {student}은(는) 명단에 있지만 "
            f"{results_dir}에 없습니다"
            for student in roster
            if student not in results
        ]
        lines += [
            f"not in the roster: {student} (exported under the student id) / 명단에 없음: {student} (학생 id로 내보냄)"
            for student in results
            if student not in roster
        ]
    return lines


def _first_error(result: dict[str, Any]) -> str:
    errors = result.get("errors")
    return str(errors[0]).splitlines()[0][:300] if isinstance(errors, list) and errors else "no reason recorded"


def _grade(result: dict[str, Any]) -> str:
    return "" if gradebook.is_ungradable(result) else f"{float(result.get('score', 0.0)):g}"


def canvas_csv(results_dir: Path, *, assignment_name: str, roster: dict[str, dict[str, str]]) -> str:
    """A Canvas gradebook import: one assignment column, scores out of the batch's maximum."""
    results = load_results(results_dir)
    maximum = max((float(r["max_score"]) for r in results.values() if r.get("max_score") is not None), default=0.0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment_name])
    writer.writerow(["Points Possible", "", "", "", "", f"{maximum:g}"])
    for student in sorted(results):
        person = roster.get(student, {})
        writer.writerow(
            [
                person.get("name") or student,
                person.get("canvas_id", ""),
                person.get("sis_user_id") or student,
                person.get("sis_login_id", ""),
                person.get("section", ""),
                _grade(results[student]),
            ]
        )
    return gradebook.excel_csv(buffer.getvalue())


def moodle_csv(results_dir: Path, *, grade_column: str, roster: dict[str, dict[str, str]]) -> str:
    """A Moodle grade import: idnumber, email and the grade (map idnumber or email to the user field)."""
    results = load_results(results_dir)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["idnumber", "email", grade_column])
    for student in sorted(results):
        person = roster.get(student, {})
        writer.writerow(
            [
                person.get("idnumber") or student,
                person.get("email", ""),
                _grade(results[student]),
            ]
        )
    return gradebook.excel_csv(buffer.getvalue())
