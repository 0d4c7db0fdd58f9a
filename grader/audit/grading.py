"""Grade an audit's mutants through the catalogue's own path (``grader.mutants.run.grade_variant``), and probe survivors.

A mutant becomes a :class:`~grader.mutants.variants.Variant` whose one edit replaces the unit's cell, and is
graded exactly like a hand-written mutant of ``make mutants``: the notebook built, ``grade_notebook`` with the
public and hidden suites at a fixed seed, the reference loaded once per process. The solution is graded the
same way first, with a reference that remembers every call the suites made: those calls are the probes a
survivor is run on to tell an equivalent-looking mutant (same answers) from a real gap in the suites.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.assignment import Assignment
from grader.audit.mutate import Mutant
from grader.audit.probes import perturbed, same_answers
from grader.classroom.processes import machine_probes, start_pool_process
from grader.mutants.run import VariantResult, grade_variant
from grader.mutants.variants import MUTANT, Catalogue, Define, Variant, build_notebook
from grader.pipeline.reference import Reference, load_reference
from grader.pipeline.scoring import GradeReport
from grader.untrusted import calls
from grader.untrusted.calls import Call

PROBE_SECONDS = 120.0  # a survivor's probes, all together


@dataclass
class RecordingReference(Reference):
    """The solution's reference, remembering every call it answered (the suites' probes)."""

    calls: dict[str, Call] = field(default_factory=dict)
    tests: dict[str, list[str]] = field(default_factory=dict)  # unit -> "suite:name" of every test graded

    def run(self, call: Call) -> dict[str, object]:
        """Answer as the reference does, and keep the call."""
        from grader.pipeline.reference import call_key

        self.calls.setdefault(call_key(call), call)
        return super().run(call)


def as_variant(mutant: Mutant, solution: Path) -> Variant:
    """The mutant as a catalogue variant: one ``Define`` of the unit's cell."""
    return Variant(
        mutant.id,
        MUTANT,
        mutant.unit,
        f"자동 돌연변이: {mutant.detail}",
        f"automatic mutant: {mutant.detail}",
        (Define(mutant.unit, mutant.cell_source),),
        seen="grader audit",
        solution=solution,
    )


def audit_catalogue(assignment: Assignment, unit: str, seed: int) -> Catalogue:
    """A catalogue of no variants whose only job is to tell ``grade_variant`` the assignment, unit and seed."""
    return Catalogue(assignment.id, assignment.solution_notebook, (), (unit,), seed)


def _grade_task(task: tuple[Variant, Catalogue, int, str]) -> VariantResult:
    variant, catalogue, seed, lang = task
    return grade_variant(variant, catalogue, seed=seed, lang=lang, units=catalogue.units)


def grade_all(
    tasks: list[tuple[Variant, Catalogue]],
    *,
    processes: int,
    seed: int,
    lang: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[VariantResult]:
    """Grade every (variant, its unit's catalogue) over ``processes`` spawned processes (1: here), in order."""
    jobs = [(variant, catalogue, seed, lang) for variant, catalogue in tasks]
    results: list[VariantResult] = []
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(_grade_task(job))
            if progress:
                progress(len(results), len(jobs))
        return results
    # spawn, like make mutants: the caller may be a pytest run with threads and open worker pipes
    starting = (os.getpid(), machine_probes())  # the machine probed once, here, for every pool process
    with multiprocessing.get_context("spawn").Pool(processes, start_pool_process, starting) as pool:
        for result in pool.imap(_grade_task, jobs, chunksize=1):
            results.append(result)
            if progress:
                progress(len(results), len(jobs))
    return results


def record_solution(
    assignment: Assignment, units: list[str], seed: int, lang: str
) -> tuple[GradeReport, RecordingReference]:
    """Grade the solution on ``units`` with a recording reference: (its report, the reference with the calls)."""
    from grader.pipeline.grade import grade_notebook

    loaded = load_reference(assignment)
    if not isinstance(loaded, Reference):
        raise LookupError("no solution notebook")
    recording = RecordingReference(loaded.extraction, loaded.namespace)
    report = grade_notebook(
        assignment.solution_notebook,
        assignment_id=assignment.id,
        units=units,
        lang=lang,
        grading_seed=seed,
        reference=recording,
    )
    return report, recording


def grade_stub(assignment: Assignment, units: list[str], seed: int, lang: str) -> dict[str, float] | None:
    """Points the published stub (``assignments/<id>.ipynb``) earns per unit: what doing nothing is paid."""
    from grader.pipeline.grade import grade_notebook

    if not assignment.student_notebook.is_file():
        return None
    report = grade_notebook(
        assignment.student_notebook, assignment_id=assignment.id, units=units, lang=lang, grading_seed=seed
    )
    return {unit.name: unit.score for unit in report.units}


def probe(variant: Variant, recording: RecordingReference, unit: str) -> tuple[bool, int]:
    """(every probe answered as the solution does, the number of probes) for a mutant that survived grading.

    The probes are the suites' own calls on the unit and their perturbations (:mod:`grader.audit.probes`); the
    mutant's definitions run in this process as the reference's do (a mutant is the instructor's code with one
    change, never a student's).
    """
    from grader.pipeline import deadline
    from grader.pipeline.extract import extract_definitions
    from grader.pipeline.reference import ReferenceFailure
    from grader.untrusted.worker import load_definitions

    extraction = extract_definitions(build_notebook(variant))
    namespace, problems = load_definitions([s.to_data() for s in extraction.snippets])
    probes = [p for call in recording.calls.values() if call.unit == unit for p in perturbed(call)]
    if problems or not probes:
        return False, 0
    answered = 0
    try:
        with deadline.time_limit(PROBE_SECONDS), np.errstate(all="ignore"):
            for call in probes:
                try:
                    expected = Reference.run(recording, call)  # not recorded: perturbed calls are no suite's
                except ReferenceFailure:
                    continue  # the solution cannot answer this perturbation either: not a probe
                answered += 1
                try:
                    answer = calls.execute(namespace, call)
                except Exception:  # noqa: BLE001  raising where the solution answers is not equivalent
                    return False, answered
                if not same_answers(answer, expected):
                    return False, answered
    except deadline.DeadlineExceeded:
        return False, answered
    return True, answered
