"""A results folder -> what course staff want to know about the class, as plain data (no rendering here).

Scores per unit and in total, the pass rate of every test, the commonest diagnosed mistakes
(the hints the checks chose, which name a mistake class of docs/MISTAKES.md), who could not be
graded or was graded only in part and why, and how long grading took.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.classroom import gradebook
from grader.errors import GraderError
from grader.pipeline.outcomes import Ending

# The message of every test of a notebook that could not be read (grader.pipeline.grade): such tests never ran,
# so they count in no pass rate (the submission is listed as partly graded, with the reason).


class ClassReportError(GraderError):
    """A results folder holds nothing to report on; the message says what to give instead."""


@dataclass
class PassRate:
    """How one test of one unit went across the graded students."""

    unit: str
    name: str
    suite: str
    passed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> students, every outcome but passed

    @property
    def total(self) -> int:
        """Students this test ran for."""
        return self.passed + sum(self.outcomes.values())

    @property
    def rate(self) -> float:
        """Share of those students who passed it."""
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class Reason:
    """Why a submission was graded only in part: the kit's words, or text quoted from the student's notebook."""

    text: str
    from_student: bool = False


@dataclass
class Mistake:
    """One diagnosed mistake (a hint) in one unit, and the students whose results carry it."""

    unit: str
    hint: str  # the hint's text as the kit rendered it
    diagnosis: str = ""  # the hint's id: what the students are grouped by
    students: list[str] = field(default_factory=list)
    tests: set[str] = field(default_factory=set)


@dataclass
class ClassSummary:
    """Everything the class report shows."""

    assignment: str
    units: list[str]
    students: list[str]
    unit_max: dict[str, float]  # unit -> its maximum
    unit_scores: dict[str, dict[str, float]]  # unit -> student -> score (graded students only)
    totals: dict[str, float]  # student -> total (graded students only)
    max_total: float
    tests: list[PassRate]
    mistakes: list[Mistake]  # commonest first
    not_implemented: dict[str, list[str]]  # unit -> students whose unit is still the stub
    ungradable: dict[str, str]  # student -> why, as a grader.pipeline.reasons code (rendered by the report)
    partial: dict[str, list[Reason]]  # student -> what was not graded, or may be incomplete
    seconds: dict[str, float]  # student -> seconds its grading took (when the batch recorded it)
    graded_at: dict[str, str]  # student -> when (UTC)
    unreadable: list[str] = field(default_factory=list)  # result files left out
    ungradable_detail: dict[str, str] = field(default_factory=dict)  # student -> what was found (file, parser)
    deadline: dict[str, Any] = field(
        default_factory=dict
    )  # the regrade's deadline and late policy (deadline.json), if any
    late: dict[str, float] = field(default_factory=dict)  # student -> percent taken off, for work pushed late

    def deadline_line(self) -> str:
        """The deadline and its policy in both languages, or "" when the results had none."""
        if not self.deadline:
            return ""
        late = f"{len(self.late)} late / 늦은 제출 {len(self.late)}" if self.late else "none late / 늦은 제출 없음"
        return f"Deadline / 마감: {self.deadline.get('due', '?')} · {self.deadline.get('describe', '')} · {late}"

    def spread(self, scores: dict[str, float]) -> dict[str, float]:
        """Mean, median, lowest and highest of some scores (zeros when there are none)."""
        values = list(scores.values())
        if not values:
            return {"n": 0, "mean": 0.0, "median": 0.0, "min": 0.0, "max": 0.0}
        return {
            "n": len(values),
            "mean": statistics.fmean(values),
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
        }


def summarise(results_dir: Path) -> ClassSummary:
    """Read every result of a batch results folder into a ClassSummary."""
    if not (results_dir / "results").is_dir():
        raise ClassReportError(
            f"{results_dir} is not a batch results folder (no results/ in it): give the --out folder of "
            "`python -m grader batch`",
            ko=f"{results_dir}은(는) 배치 결과 폴더가 아닙니다(results/ 없음): `python -m grader batch`의 --out 폴더를 주세요",
        )
    results = gradebook.read_results(results_dir)
    if not results:
        raise ClassReportError(
            f"{results_dir / 'results'} holds no readable result: run a batch into it first",
            ko=f"{results_dir / 'results'}에 읽을 수 있는 결과가 없습니다: 먼저 배치로 채점하세요",
        )
    batch = gradebook.read_batch(results_dir) or {}
    units = _units(batch, results)
    graded = {s: r for s, r in results.items() if not gradebook.is_ungradable(r)}
    summary = ClassSummary(
        assignment=str(batch.get("assignment") or next(iter(results.values())).get("assignment", "")),
        units=units,
        students=sorted(results),
        unit_max=_unit_max(graded.values(), units),
        unit_scores={unit: {} for unit in units},
        totals={s: float(r.get("score", 0.0)) for s, r in graded.items()},
        max_total=0.0,
        tests=[],
        mistakes=[],
        not_implemented={unit: [] for unit in units},
        ungradable={s: gradebook.reason_of(r) for s, r in results.items() if gradebook.is_ungradable(r)},
        partial={s: why for s, r in graded.items() if (why := _partly_graded(r))},
        seconds={s: float(r["seconds"]) for s, r in results.items() if _is_number(r.get("seconds"))},
        graded_at={s: str(r["graded_at"]) for s, r in results.items() if isinstance(r.get("graded_at"), str)},
        unreadable=[str(path) for path in gradebook.unreadable_results(results_dir)],
        ungradable_detail={s: _first(r.get("errors")) for s, r in results.items() if gradebook.is_ungradable(r)},
    )
    summary.deadline = _deadline(results_dir)
    summary.late = {
        s: float(r["late"].get("penalty_percent") or 0.0)
        for s, r in graded.items()
        if isinstance(r.get("late"), dict)
        and _is_number(r["late"].get("late_seconds"))
        and r["late"]["late_seconds"] > 0
    }
    summary.max_total = sum(summary.unit_max.values())
    _read_tests(summary, graded)
    return summary


def _deadline(results_dir: Path) -> dict[str, Any]:
    """What ``ci regrade --deadline`` recorded (``deadline.json``), or nothing."""
    try:
        data = json.loads((results_dir / "deadline.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: str(value) for key, value in data.items()} if isinstance(data, dict) else {}


def _units(batch: dict[str, Any], results: dict[str, dict[str, Any]]) -> list[str]:
    units = batch.get("units")
    if isinstance(units, list) and all(isinstance(u, str) for u in units):
        return list(units)
    names = [f["name"] for r in results.values() for f in r.get("functions", []) if isinstance(f, dict)]
    return list(dict.fromkeys(names))


def _unit_max(results: Iterable[dict[str, Any]], units: list[str]) -> dict[str, float]:
    maxima: dict[str, float] = {}
    for result in results:
        for function in _dicts(result.get("functions")):
            if _is_number(function.get("max_score")) and isinstance(function.get("name"), str):
                maxima[function["name"]] = max(maxima.get(function["name"], 0.0), float(function["max_score"]))
    return {unit: maxima.get(unit, 0.0) for unit in units}


def _read_tests(summary: ClassSummary, graded: dict[str, dict[str, Any]]) -> None:
    rates: dict[tuple[str, str, str], PassRate] = {}
    mistakes: dict[tuple[str, str], Mistake] = {}
    for student, result in sorted(graded.items()):
        for function in _dicts(result.get("functions")):
            unit = function.get("name")
            if unit not in summary.unit_scores:
                continue
            summary.unit_scores[unit][student] = float(function.get("score", 0.0))
            stub = False
            for test in _dicts(function.get("tests")):
                if test.get("ending") == Ending.NOT_RUN:  # the notebook could not be read: no test ran
                    continue
                key = (unit, str(test.get("name")), str(test.get("suite")))
                rate = rates.setdefault(key, PassRate(*key))
                outcome = str(test.get("outcome"))
                if outcome == "passed":
                    rate.passed += 1
                    continue
                rate.outcomes[outcome] = rate.outcomes.get(outcome, 0) + 1
                stub = stub or test.get("not_implemented") is True
                # A diagnosis is the id of the hint the trusted checks chose; its text is the kit's rendering
                # of that hint. Nothing is read back from the message, which may quote the student's output.
                diagnosis = test.get("diagnosis")
                if type(diagnosis) is str and diagnosis:
                    hint = test.get("hint")
                    mistake = mistakes.setdefault(
                        (unit, diagnosis), Mistake(unit, hint if type(hint) is str and hint else diagnosis, diagnosis)
                    )
                    if student not in mistake.students:
                        mistake.students.append(student)
                    mistake.tests.add(key[1])
            if stub:
                summary.not_implemented[unit].append(student)
    order = {unit: index for index, unit in enumerate(summary.units)}
    summary.tests = sorted(rates.values(), key=lambda r: (order[r.unit], r.suite != "public"))
    summary.mistakes = sorted(mistakes.values(), key=lambda m: (-len(m.students), order[m.unit], m.hint))


def _dicts(items: object) -> list[dict[str, Any]]:
    """The dict entries of a list from a result file (read_result checks only what the gradebook reads)."""
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _partly_graded(result: dict[str, Any]) -> list[Reason]:
    """Why a graded result may be incomplete: a kit bug, notebook problems (a cell that did not parse...).

    A notebook problem quotes the student's code (an exception's message, a line that did not parse): it is
    marked as the student's text, so that no staff view shows it as the kit's words.
    """
    reasons = [Reason(f"internal error (not the student's fault): {_first(result.get('internal_errors'))}")]
    if result.get("status") != "internal-error":
        reasons = []
    errors = result.get("errors")
    if isinstance(errors, list):
        reasons += [Reason(str(e).splitlines()[0][:300], from_student=True) for e in errors[:5] if str(e).strip()]
    return reasons


def _first(errors: object) -> str:
    if isinstance(errors, list) and errors:
        return str(errors[0]).splitlines()[0][:300]
    return "no reason recorded"


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and value == value
