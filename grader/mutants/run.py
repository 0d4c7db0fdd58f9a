"""Grade every variant in-process (the reference loaded once per process) and summarise what grading saw."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.mutants.variants import MUTANT, NOTHING, Variant, build_notebook
from grader.processes import harden_pool_process

GRADING_SEED = 20240604  # fixed, so a run is reproducible
ASSIGNMENT = "ch04_learning"
# The units the catalogue covers (CONTRACT.md's five). Grading only these keeps a run near a minute;
# ``units=None`` grades every unit of the rubric.
UNITS = ("cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet")
# Units that run the student's own code of another unit by design, so a mistake there is charged to
# both: train_neuralnet trains the student's TwoLayerNet (see its rubric section).
BUILDS_ON_STUDENT = {"train_neuralnet": ("TwoLayerNet",)}


@dataclass
class FailedTest:
    """One test that did not pass while grading a variant."""

    unit: str
    name: str
    suite: str
    outcome: str
    message: str


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
        return [unit for unit, lost in self.lost.items()
                if lost > 0 and unit != self.variant.unit and self.variant.unit not in BUILDS_ON_STUDENT.get(unit, ())]  # fmt: skip

    @property
    def charged_by_design(self) -> list[str]:
        """Units that build on the student's code of the mutant's unit and lost points too."""
        return [unit for unit, lost in self.lost.items()
                if lost > 0 and self.variant.unit in BUILDS_ON_STUDENT.get(unit, ())]  # fmt: skip

    @property
    def earned(self) -> dict[str, float]:
        """Points earned per unit."""
        return {unit: round(self.max_scores[unit] - self.lost[unit], 6) for unit in self.lost}

    @property
    def nothing_units(self) -> list[str]:
        """The units a do-nothing entry must earn 0 in: its own, and those that run its code by design."""
        unit = self.variant.unit
        return [u for u in self.lost if u == unit or unit in BUILDS_ON_STUDENT.get(u, ())]

    @property
    def earned_for_nothing(self) -> float:
        """Points a do-nothing entry earned in the units it fakes (must be 0)."""
        return round(sum(self.earned[u] for u in self.nothing_units), 6)

    @property
    def nothing_holds(self) -> bool:
        """A do-nothing entry earned 0 where it fakes the work and lost nothing anywhere else."""
        others = [u for u in self.lost if u not in self.nothing_units]
        return (self.earned_for_nothing == 0 and not any(self.lost[u] for u in others)
                and not self.internal_errors)  # fmt: skip

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
    mutants = [r for r in results if r.variant.kind == MUTANT]
    nothings = [r for r in results if r.variant.kind == NOTHING]
    others = [r for r in results if r.variant.kind not in (MUTANT, NOTHING)]
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

_REFERENCE = None  # one per process: loading it runs the instructor's definitions


def _reference():
    global _REFERENCE
    if _REFERENCE is None:
        from grader.assignment import load_assignment
        from grader.reference import load_reference

        _REFERENCE = load_reference(load_assignment(ASSIGNMENT))
    return _REFERENCE


def grade_variant(variant: Variant, *, seed: int = GRADING_SEED, lang: str = "both",
                  units: tuple[str, ...] | None = UNITS) -> VariantResult:  # fmt: skip
    """Build the variant's notebook, grade it in this process and collect what it lost where."""
    import nbformat

    from grader.grade import grade_notebook

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
        path = Path(folder) / f"{ASSIGNMENT}-{variant.id}.ipynb"
        nbformat.write(build_notebook(variant), str(path))
        report = grade_notebook(path, assignment_id=ASSIGNMENT, units=list(units) if units else None, lang=lang,
                                grading_seed=seed, reference=_reference())  # fmt: skip
    failed = [FailedTest(u.name, t.name, t.suite, t.outcome, t.message)
              for u in report.units for t in u.tests if t.outcome != "passed"]  # fmt: skip
    return VariantResult(
        variant=variant,
        lost={u.name: round(u.max_score - u.score, 6) for u in report.units},
        max_scores={u.name: u.max_score for u in report.units},
        failed=failed,
        tests=[(u.name, t.name, t.suite) for u in report.units for t in u.tests],
        errors=list(report.errors),
        internal_errors=list(report.internal_errors),
        seconds=time.perf_counter() - start,
    )


def units_for(variant: Variant, units: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The units to grade ``variant`` in: a do-nothing entry also in the units that run its code by design."""
    if units is None or variant.kind != NOTHING:
        return units
    extra = tuple(u for u, builds_on in BUILDS_ON_STUDENT.items() if variant.unit in builds_on and u not in units)
    return units + extra


def _grade_in_worker(task: tuple[Variant, int, str, tuple[str, ...] | None]) -> VariantResult:
    variant, seed, lang, units = task
    return grade_variant(variant, seed=seed, lang=lang, units=units_for(variant, units))


def grade_variants(variants: list[Variant], *, processes: int = 2, seed: int = GRADING_SEED, lang: str = "both",
                   units: tuple[str, ...] | None = UNITS) -> list[VariantResult]:  # fmt: skip
    """Grade every variant, over ``processes`` processes (1: in this one); results in the given order."""
    tasks = [(variant, seed, lang, units) for variant in variants]
    if processes <= 1 or len(variants) <= 1:
        return [_grade_in_worker(task) for task in tasks]
    # spawn, not fork: the caller may be a pytest run with threads and open worker pipes
    # each pool process dies with this one and is not dumpable, like a batch's (grader.processes)
    with multiprocessing.get_context("spawn").Pool(processes, harden_pool_process, (os.getpid(),)) as pool:
        return pool.map(_grade_in_worker, tasks, chunksize=1)
