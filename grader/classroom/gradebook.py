"""A results folder: one JSON report and one Markdown feedback file per student, and the gradebook built from them.

Layout of ``RESULTS_DIR``::

    batch.json              what was graded: assignment, units, suites, grading seed
    results/<student>.json  the contract's JSON report + student, status, source_sha256, batch, and (graded in a
                            grading process) seconds and graded_at (UTC): how long it took, when it ended
    feedback/<student>.md   the Markdown feedback for that student
    gradebook.csv           student, total, one column per unit, status, reason, reason_text (UTF-8 with a BOM,
                            for Excel); an ungradable student's scores are blank and its reason is filled in
    class-report.html/.md   for course staff (grader.classroom.class_report)

Every file is written atomically (a temporary file, then ``os.replace``), so an
interrupted run leaves finished results whole and nothing half-written; under ``sudo``
they belong to the invoking user (``grader.classroom.outputs``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from grader.classroom import outputs
from grader.errors import GraderError
from grader.pipeline import reasons

BATCH_FILE = "batch.json"
GRADEBOOK_FILE = "gradebook.csv"
STATUSES = ("graded", "internal-error", "ungradable")
# Excel (Korean Windows too) opens a CSV as UTF-8 only when it starts with a byte-order mark; without one
# 홍길동 turns into mojibake. Python's csv module, Canvas and Moodle read past it (encoding "utf-8-sig").
BOM = "\ufeff"


class GradebookError(GraderError):
    """A results folder is inconsistent (different batches, duplicate students); the message says which."""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part (see ``outputs``)."""
    outputs.write_text(path, text)


def result_path(out: Path, student: str) -> Path:
    """Where one student's JSON result lives."""
    return out / "results" / f"{student}.json"


def feedback_path(out: Path, student: str) -> Path:
    """Where one student's Markdown feedback lives."""
    return out / "feedback" / f"{student}.md"


def read_result(path: Path) -> dict[str, Any] | None:
    """A finished result, or None if the file is missing or unreadable (then it is graded again)."""
    data = _read_json(path)
    return data if isinstance(data, dict) and data.get("status") in STATUSES and _scores_readable(data) else None


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply (found by fuzzing)
        return None


def _scores_readable(result: dict[str, Any]) -> bool:
    """The fields the gradebook reads have their types (found by fuzzing: a wrong type crashed the gradebook).
    An ungradable result has no score (None); older kits wrote 0 there, which is read and shown blank too."""
    functions = result.get("functions", [])
    blank = is_ungradable(result) and result.get("score") is None
    return (
        (blank or _is_score(result.get("score", 0.0)))
        and isinstance(functions, list)
        and all(isinstance(f.get("name"), str) and _is_score(f.get("score")) for f in functions if isinstance(f, dict))
    )


def _is_score(value: object) -> bool:
    # a NaN fails the comparison; huge ints compare exactly
    return isinstance(value, int | float) and not isinstance(value, bool) and -1e9 <= value <= 1e9


def unreadable_results(out: Path) -> list[Path]:
    """Result files that :func:`read_results` leaves out (damaged, half a file from another tool, unreadable)."""
    return [path for path in sorted((out / "results").glob("*.json")) if read_result(path) is None]


def read_results(out: Path) -> dict[str, dict[str, Any]]:
    """Every finished result in a results folder, by student id."""
    results = {}
    for path in sorted((out / "results").glob("*.json")):
        data = read_result(path)
        if data is not None:
            results[path.stem] = data
    return results


def read_batch(out: Path) -> dict[str, Any] | None:
    """The folder's batch description, if any."""
    data = _read_json(out / BATCH_FILE)
    return data if isinstance(data, dict) else None  # found by fuzzing: a list here crashed its readers


def write_batch(out: Path, batch: dict[str, Any]) -> None:
    """Record what this folder's results were graded with."""
    write_atomic(out / BATCH_FILE, json.dumps(batch, indent=2, sort_keys=True) + "\n")


def unit_scores(result: dict[str, Any]) -> dict[str, float]:
    """Unit name -> score of one result."""
    return {f["name"]: float(f["score"]) for f in result.get("functions", []) if isinstance(f, dict)}


def excel_csv(text: str) -> str:
    """CSV text as Excel opens it in every locale: with a byte-order mark."""
    return BOM + text


def is_ungradable(result: dict[str, Any]) -> bool:
    """A submission that could not be graded: its exported scores are blank, never 0."""
    return result.get("status") == "ungradable"


def reason_of(result: dict[str, Any]) -> str:
    """An ungradable result's reason code (``unknown`` for one an older kit wrote without a code)."""
    return reasons.known(result.get("reason"))


def render_gradebook(results: dict[str, dict[str, Any]], units: list[str]) -> str:
    """``student,total,<unit>...,status,reason,reason_text``, one row per student in id order; an ungradable
    student's scores are blank (never 0) and its reason is the code and the text in Korean and English."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    late = any(isinstance(result.get("late"), dict) for result in results.values())  # a regrade with a deadline
    header = ["student", "total", *units, "status", "reason", "reason_text", *(LATE_COLUMNS if late else ())]
    writer.writerow(header)
    for student in sorted(results):
        result = results[student]
        scores = unit_scores(result)
        blank = is_ungradable(result)
        writer.writerow(
            [
                student,
                "" if blank else f"{float(result.get('score', 0.0)):g}",
                *("" if blank else f"{scores.get(unit, 0.0):g}" for unit in units),
                result["status"],
                reason_of(result) if blank else "",
                reasons.render(reason_of(result)) if blank else "",
                *(late_cells(result) if late else ()),
            ]
        )
    return excel_csv(buffer.getvalue())


# With a deadline (ci regrade --deadline): the commit graded, when it was pushed (and how that is known), how
# late, and the percent the late policy took off the total, which is already the penalised score.
LATE_COLUMNS = ("commit", "submitted_at", "evidence", "late_hours", "penalty_percent")


def late_cells(result: dict[str, Any]) -> list[str]:
    """The LATE_COLUMNS of one result (blank where it has no late record: not fetched, ungradable)."""
    found = result.get("late")
    late: dict[str, Any] = found if isinstance(found, dict) else {}
    hours = late.get("late_seconds")
    return [
        str(late.get("commit", "")),
        str(late.get("submitted_at", "")),
        str(late.get("evidence", "")),
        f"{float(hours) / 3600:.2f}".rstrip("0").rstrip(".") if isinstance(hours, int | float) else "",
        f"{float(late.get('penalty_percent', 0)):g}" if late else "",
    ]


def write_gradebook(out: Path, units: list[str], students: set[str] | None = None) -> Path:
    """Build ``gradebook.csv`` from the results folder (only ``students`` when given)."""
    results = read_results(out)
    if students is not None:
        results = {student: result for student, result in results.items() if student in students}
    path = out / GRADEBOOK_FILE
    write_atomic(path, render_gradebook(results, units))
    return path
