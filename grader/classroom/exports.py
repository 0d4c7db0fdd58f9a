"""Exports: Gradescope's autograder ``results.json`` from one report, and LMS gradebook CSVs from a results folder.

Gradescope (autograder specification): top-level ``score`` and ``tests``, each test
with ``name``, ``score``, ``max_score``, ``output``, ``visibility``, ``status``.
Hidden tests are shown ``after_published`` and their output is the kit's hidden
message, which never carries inputs or expected values. Protection layers the grading
ran without go into one zero-point test with visibility ``hidden`` (staff only), since
nobody reads a Gradescope autograder's standard output.

Canvas (Gradebook > Import): ``Student, ID, SIS User ID, SIS Login ID, Section`` then
one column per assignment, and a ``Points Possible`` row. Moodle (Grades > Import >
CSV): one identifier column (``idnumber`` or ``email``) mapped to a user field, then
the grade.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.classroom import gradebook

HIDDEN_VISIBILITY = "after_published"
STAFF_TEST = "Grader environment (staff only) / 채점 환경 (교수자용)"
ROSTER_COLUMNS = ("student", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email", "idnumber")


def gradescope_results(report: dict, *, hidden_visibility: str = HIDDEN_VISIBILITY) -> dict:
    """Gradescope's results.json for one contract JSON report."""
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
        f"INTERNAL ERROR (not your fault): {e.splitlines()[0]}" for e in report.get("internal_errors", [])
    ]
    return {
        "score": report["score"],
        "output": "\n".join(problems) or "Graded by the ch04 autograder.",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def sandbox_warnings(report: dict) -> list[str]:
    """One line per protection layer the grading ran without (``isolation.missing`` of a JSON report)."""
    isolation = report.get("isolation")
    missing = isolation.get("missing") if isinstance(isolation, dict) else None
    if not isinstance(missing, dict):
        return []
    return [f"warning: no {layer}: {why}" for layer, why in sorted(missing.items())]


def _test_output(test: dict) -> str:
    if test["outcome"] == "passed":
        return "passed"
    return f"{test['outcome']}: {test['message']}".strip()


def read_roster(path: Path | None) -> dict[str, dict[str, str]]:
    """An optional roster CSV keyed by student id (columns from ROSTER_COLUMNS; others ignored)."""
    if path is None:
        return {}
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return {
            row["student"].strip(): {k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS}
            for row in csv.DictReader(stream)
            if (row.get("student") or "").strip()
        }


def canvas_csv(results_dir: Path, *, assignment_name: str, roster: dict[str, dict[str, str]]) -> str:
    """A Canvas gradebook import: one assignment column, scores out of the batch's maximum."""
    results = gradebook.read_results(results_dir)
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
                f"{float(results[student].get('score', 0.0)):g}",
            ]
        )
    return buffer.getvalue()


def moodle_csv(results_dir: Path, *, grade_column: str, roster: dict[str, dict[str, str]]) -> str:
    """A Moodle grade import: idnumber, email and the grade (map idnumber or email to the user field)."""
    results = gradebook.read_results(results_dir)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["idnumber", "email", grade_column])
    for student in sorted(results):
        person = roster.get(student, {})
        writer.writerow(
            [
                person.get("idnumber") or student,
                person.get("email", ""),
                f"{float(results[student].get('score', 0.0)):g}",
            ]
        )
    return buffer.getvalue()
