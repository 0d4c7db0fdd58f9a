"""Mutation analysis of an assignment's suites (``python -m grader audit ID``): how strong are the tests?

Every unit of the solution notebook is mutated by operators on its syntax tree (:mod:`grader.audit.operators`,
written with ``ast``: mutmut, cosmic-ray and mutatest mutate whole module files and run their own test
command, none can mutate one function in a notebook cell and hand it to this kit's grading, and none has
NumPy's mistakes: ``axis``, reductions, the input returned). Each mutant is graded with the public and hidden
suites through the catalogue's grading path (:mod:`grader.audit.grading`); a mutant that loses no point in its
unit survives, and a survivor giving the solution's answers on every call the suites make is set apart as
equivalent-looking. :func:`run_audit` is the command; :func:`audit_assignment` the same as a function.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from grader.assignment import Assignment, load_assignment
from grader.audit.grading import (
    RecordingReference,
    as_variant,
    audit_catalogue,
    grade_all,
    grade_stub,
    probe,
    record_solution,
)
from grader.audit.mutate import Mutant, find_unit, generate
from grader.audit.report import NO_CODE, SAME_ANSWERS, AuditReport, Survivor, UnitAudit, render_text
from grader.errors import GraderError
from grader.mutants.run import VariantResult
from grader.mutants.variants import Catalogue, Variant, solution_notebook

AUDIT_SEED = 20261207  # the hidden suite's seed unless --seed: an audit is reproducible


class AuditError(GraderError):
    """The audit cannot start (no solution notebook, the solution itself fails); the message says what to do."""


def audit_assignment(
    assignment_id: str,
    *,
    units: list[str] | None = None,
    processes: int = 2,
    seed: int = AUDIT_SEED,
    lang: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> AuditReport:
    """Mutate every chosen unit of the solution, grade each mutant, probe the survivors; the findings per unit."""
    start = time.perf_counter()
    assignment = load_assignment(assignment_id)
    if not assignment.solution_notebook.is_file():
        raise AuditError(
            f"{assignment.solution_notebook} is missing: the audit mutates the instructor's solution, so run it in "
            "the course's checkout",
            ko=f"{assignment.solution_notebook}이(가) 없습니다: 감사는 교수자 풀이를 바꾸므로 강의용 저장소에서 실행하세요",
        )
    chosen = [assignment.unit(name).name for name in units] if units else [u.name for u in assignment.units]
    report = AuditReport(assignment.id, seed, processes)
    notebook = solution_notebook(assignment.solution_notebook)
    codes = {name: find_unit(notebook, name) for name in dict.fromkeys(chosen)}
    # A unit without code of its own (a training procedure run on another unit's class) has no mutant: its
    # suite is not graded on the solution, only on the stub (what doing nothing earns there).
    recording = _record(assignment, [name for name, code in codes.items() if code], seed, lang, report)
    stub = grade_stub(assignment, list(codes), seed, lang)
    tasks: list[tuple[Variant, Catalogue]] = []
    mutants: dict[str, Mutant] = {}
    for name, code in codes.items():
        audit = report.units[name] = UnitAudit(
            name, max_points=assignment.unit(name).max_score(assignment.available_suites())
        )
        audit.nothing_points = None if stub is None else stub.get(name)
        if code is None:
            audit.note = NO_CODE
            continue
        audit.tests = recording.tests.get(name, []) if recording else []
        generated = generate(code)
        audit.noops = generated.noops
        catalogue = audit_catalogue(assignment, name, seed)
        for mutant in generated.mutants:
            mutants[mutant.id] = mutant
            tasks.append((as_variant(mutant, assignment.solution_notebook), catalogue))
    results = grade_all(tasks, processes=processes, seed=seed, lang=lang, progress=progress)
    for result in results:
        _count(report.units[result.variant.unit or ""], result, mutants[result.variant.id], recording)
    for audit in report.units.values():
        for result in results:
            if result.variant.unit == audit.unit:
                for test in {f"{t.suite}:{t.name}" for t in result.failed if t.unit == audit.unit}:
                    audit.kills[test] = audit.kills.get(test, 0) + 1
        audit.never_failed = [test for test in audit.tests if test not in audit.kills] if audit.mutants else []
    report.seconds = time.perf_counter() - start
    return report


def _record(
    assignment: Assignment, units: list[str], seed: int, lang: str, report: AuditReport
) -> RecordingReference | None:
    """Grade the solution on ``units`` (it must score full: else the audit says so) and keep the suites' calls."""
    if not units:
        return None
    solution, recording = record_solution(assignment, units, seed, lang)
    for unit_score in solution.units:
        recording.tests[unit_score.name] = [f"{t.suite}:{t.name}" for t in unit_score.tests]
        if unit_score.score < unit_score.max_score:
            report.solution_problems.append(
                f"the solution scores {unit_score.score:g}/{unit_score.max_score:g} in {unit_score.name}: fix the "
                f"suites or the solution first / 풀이가 {unit_score.name}에서 만점이 아닙니다: 먼저 고치세요"
            )
    return recording


def _count(audit: UnitAudit, result: VariantResult, mutant: Mutant, recording: RecordingReference | None) -> None:
    """One graded mutant into its unit's figures: killed, an internal error, or a survivor (probed)."""
    audit.mutants += 1
    counts = audit.by_operator.setdefault(mutant.operator, [0, 0])
    counts[0] += 1
    if result.internal_errors:
        audit.errors.append(f"{mutant.id}: {result.internal_errors[0].splitlines()[0]}")
        return
    if result.lost.get(audit.unit, 0.0) > 0:
        audit.killed += 1
        counts[1] += 1
        return
    survivor = Survivor(mutant.id, mutant.operator, mutant.detail, mutant.line, mutant.diff)
    same, survivor.probes = probe(result.variant, recording, audit.unit) if recording else (False, 0)
    if same:
        survivor.equivalent = SAME_ANSWERS
        audit.equivalent.append(survivor)
    else:
        audit.survivors.append(survivor)


def _progress_line(done: int, total: int) -> None:
    if sys.stderr.isatty() or done == total or done % 20 == 0:
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        print(f"graded / 채점함 {done}/{total} mutants", end=end, file=sys.stderr, flush=True)


def run_audit(options: argparse.Namespace) -> int:
    """The ``audit`` command: print the report, write ``--json``; exit 0 when every non-equivalent mutant is
    killed and the stub earns nothing, else 1."""
    from grader.classroom import outputs

    if options.processes < 1:
        raise AuditError("--processes must be at least 1", ko="--processes는 1 이상이어야 합니다")
    report = audit_assignment(
        options.assignment,
        units=options.unit,
        processes=options.processes,
        seed=AUDIT_SEED if options.seed is None else options.seed,
        progress=_progress_line,
    )
    if options.json:
        outputs.write_text(options.json, report.to_json())
    sys.stdout.write(render_text(report))
    return 0 if report.holds else 1


__all__ = ["AUDIT_SEED", "AuditError", "audit_assignment", "run_audit"]
