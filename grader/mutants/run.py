"""Grade every variant in-process (the reference loaded once per process) and summarise what grading saw."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.assignment import load_assignment
from grader.classroom.processes import machine_probes, start_pool_process
from grader.mutants.variants import BREAKS, NOTHING, Catalogue, Variant, build_notebook, load_catalogue
from grader.pipeline.grade import grade_notebook
from grader.pipeline.reference import RecordedReference, Reference, load_reference


@dataclass
class FailedTest:
    """One test that did not pass while grading a variant."""

    unit: str
    name: str
    suite: str
    outcome: str
    message: str
    diagnosis: str = ""  # the id of the hint the grader showed ("" for none): what hint precision judges
    guarded: bool = False  # the unit's worker held reference code: the message shows nothing it sent


@dataclass
class VariantResult:
    """What grading one variant gave, unit by unit."""

    variant: Variant
    lost: dict[str, float]  # unit -> points lost
    max_scores: dict[str, float]  # unit -> points possible
    failed: list[FailedTest] = field(default_factory=list)
    tests: list[tuple[str, str, str]] = field(default_factory=list)  # every test graded: (unit, name, suite)
    errors: list[str] = field(default_factory=list)  # notebook problems the grader reported
    internal_errors: list[str] = field(default_factory=list)  # bugs in the kit
    seconds: float = 0.0
    builds_on_student: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the catalogue's

    @property
    def score(self) -> float:
        """Total points earned."""
        return round(sum(self.max_scores.values()) - sum(self.lost.values()), 6)

    @property
    def max_score(self) -> float:
        """Total points possible."""
        return round(sum(self.max_scores.values()), 6)

    @property
    def caught(self) -> bool:
        """A mutant lost points in the unit it breaks."""
        return self.variant.unit is not None and self.lost.get(self.variant.unit, 0.0) > 0

    @property
    def charged_elsewhere(self) -> list[str]:
        """Independent units other than the mutant's own that lost points (should be none)."""
        return [
            unit
            for unit, lost in self.lost.items()
            if lost > 0 and unit != self.variant.unit and self.variant.unit not in self.builds_on_student.get(unit, ())
        ]

    @property
    def charged_by_design(self) -> list[str]:
        """Units that build on the student's code of the mutant's unit and lost points too."""
        return [
            unit
            for unit, lost in self.lost.items()
            if lost > 0 and self.variant.unit in self.builds_on_student.get(unit, ())
        ]

    @property
    def earned(self) -> dict[str, float]:
        """Points earned per unit."""
        return {unit: round(self.max_scores[unit] - self.lost[unit], 6) for unit in self.lost}

    @property
    def nothing_units(self) -> list[str]:
        """The units a do-nothing entry must earn 0 in: its own, and those that run its code by design."""
        unit = self.variant.unit
        return [u for u in self.lost if u == unit or unit in self.builds_on_student.get(u, ())]

    @property
    def earned_for_nothing(self) -> float:
        """Points a do-nothing entry earned in the units it fakes (must be 0)."""
        return round(sum(self.earned[u] for u in self.nothing_units), 6)

    @property
    def nothing_holds(self) -> bool:
        """A do-nothing entry earned 0 where it fakes the work and lost nothing anywhere else."""
        others = [u for u in self.lost if u not in self.nothing_units]
        return self.earned_for_nothing == 0 and not any(self.lost[u] for u in others) and not self.internal_errors

    @property
    def public_caught(self) -> bool:
        """A public test of the mutant's unit failed: the student sees it before submitting."""
        return any(t.unit == self.variant.unit and t.suite == "public" for t in self.failed)


@dataclass
class Summary:
    """The catalogue's figures: the kill rate, the public-suite catch rate and the styles' scores."""

    mutants: int
    caught: int  # lost points in their own unit
    caught_cleanly: int  # ... and in no other unit
    public_caught: int
    variants_full_marks: int  # styles and harmless variants at full marks
    variants_expected_full: int
    seconds: float
    nothings: int = 0  # do-nothing entries
    nothings_at_zero: int = 0  # ... that earned 0 in their unit and lost nothing elsewhere

    @property
    def kill_rate(self) -> float:
        """Share of mutants that lost points in the unit they break and nowhere else."""
        return self.caught_cleanly / self.mutants if self.mutants else 0.0

    @property
    def public_rate(self) -> float:
        """Share of mutants a public test of their unit catches."""
        return self.public_caught / self.mutants if self.mutants else 0.0


def summarise(results: list[VariantResult], seconds: float = 0.0) -> Summary:
    """The figures of a run."""
    mutants = [r for r in results if r.variant.kind in BREAKS]
    nothings = [r for r in results if r.variant.kind == NOTHING]
    others = [r for r in results if r.variant.kind not in (*BREAKS, NOTHING)]
    return Summary(
        mutants=len(mutants),
        caught=sum(r.caught for r in mutants),
        caught_cleanly=sum(r.caught and not r.charged_elsewhere for r in mutants),
        public_caught=sum(r.public_caught for r in mutants),
        variants_full_marks=sum(r.score == r.max_score and not r.internal_errors for r in others),
        variants_expected_full=len(others),
        seconds=seconds,
        nothings=len(nothings),
        nothings_at_zero=sum(r.nothing_holds for r in nothings),
    )


# -- grading ---------------------------------------------------------------------------------------

_REFERENCES: dict[
    str, Reference | RecordedReference
] = {}  # one per assignment and process: loading it runs the instructor's definitions


def _reference(assignment_id: str) -> Reference | RecordedReference:
    if assignment_id not in _REFERENCES:
        _REFERENCES[assignment_id] = load_reference(load_assignment(assignment_id))
    return _REFERENCES[assignment_id]


def grade_variant(
    variant: Variant,
    catalogue: Catalogue,
    *,
    seed: int | None = None,
    lang: str = "both",
    units: tuple[str, ...] | None = (),
) -> VariantResult:
    """Build the variant's notebook, grade it in this process and collect what it lost where.

    ``units``: () for the catalogue's units, None for every unit of the rubric.
    """
    units = catalogue.units if units == () else units
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
        path = Path(folder) / f"{catalogue.assignment}-{variant.id}.ipynb"
        nbformat.write(build_notebook(variant), str(path))
        report = grade_notebook(
            path,
            assignment_id=catalogue.assignment,
            units=list(units) if units else None,
            lang=lang,
            grading_seed=catalogue.seed if seed is None else seed,
            reference=_reference(catalogue.assignment),
        )
    failed = [
        FailedTest(u.name, t.name, t.suite, t.outcome, t.message, t.diagnosis, guarded=t.guarded)
        for u in report.units
        for t in u.tests
        if t.outcome != "passed"
    ]
    return VariantResult(
        variant=variant,
        lost={u.name: round(u.max_score - u.score, 6) for u in report.units},
        max_scores={u.name: u.max_score for u in report.units},
        failed=failed,
        tests=[(u.name, t.name, t.suite) for u in report.units for t in u.tests],
        errors=list(report.errors),
        internal_errors=list(report.internal_errors),
        seconds=time.perf_counter() - start,
        builds_on_student=dict(catalogue.builds_on_student),
    )


def units_for(variant: Variant, catalogue: Catalogue, units: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The units to grade ``variant`` in: a do-nothing entry also in the units that run its code by design."""
    if units is None or variant.kind != NOTHING:
        return units
    extra = tuple(u for u, on in catalogue.builds_on_student.items() if variant.unit in on and u not in units)
    return units + extra


def _grade_in_worker(task: tuple[Variant, str, int | None, str, tuple[str, ...] | None]) -> VariantResult:
    variant, assignment_id, seed, lang, units = task
    catalogue = load_catalogue(assignment_id)
    units = catalogue.units if units == () else units
    return grade_variant(variant, catalogue, seed=seed, lang=lang, units=units_for(variant, catalogue, units))


def grade_variants(
    variants: list[Variant],
    catalogue: Catalogue,
    *,
    processes: int = 2,
    seed: int | None = None,
    lang: str = "both",
    units: tuple[str, ...] | None = (),
) -> list[VariantResult]:
    """Grade every variant, over ``processes`` processes (1: in this one); results in the given order.

    ``units``: () for the catalogue's units, None for every unit of the rubric.
    """
    tasks = [(variant, catalogue.assignment, seed, lang, units) for variant in variants]
    if processes <= 1 or len(variants) <= 1:
        return [_grade_in_worker(task) for task in tasks]
    # spawn, not fork: the caller may be a pytest run with threads and open worker pipes
    # each pool process dies with this one and is not dumpable, like a batch's (grader.classroom.processes)
    starting = (os.getpid(), machine_probes())  # the machine probed once, here, for every pool process
    with multiprocessing.get_context("spawn").Pool(processes, start_pool_process, starting) as pool:
        return pool.map(_grade_in_worker, tasks, chunksize=1)
