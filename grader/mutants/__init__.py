"""Prove the grading right: grade realistic mistakes (mutants), correct styles and do-nothing submissions.

``python -m grader mutants`` (or ``python -m grader.mutants``, ``make mutants``) grades every variant
and prints a table; :func:`run_catalogue` is the same as a function.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from grader.assignment import AssignmentError
from grader.mutants.precision import count_hints
from grader.mutants.run import Summary, VariantResult, grade_variants, summarise
from grader.mutants.variants import BREAKS, Catalogue, Variant, load_catalogue


@dataclass
class CatalogueRun:
    """The results of one run over the catalogue, and its figures."""

    results: list[VariantResult]
    summary: Summary
    processes: int
    seed: int
    catalogue: Catalogue

    @property
    def holds(self) -> bool:
        """Every mutant caught in its own unit only, every style and harmless change at full marks, every
        do-nothing entry at 0 in its unit and full marks elsewhere, and no mutant shown a wrong hint."""
        summary = self.summary
        return (
            summary.caught_cleanly == summary.mutants
            and summary.variants_full_marks == summary.variants_expected_full
            and summary.nothings_at_zero == summary.nothings
            and not any(r.internal_errors for r in self.results)
            and all(count_hints(r).holds for r in self.results if r.variant.kind in BREAKS)
        )


def all_variants(catalogue: Catalogue) -> list[Variant]:
    """Every mutant, then every correct style and harmless change, then every do-nothing submission."""
    return list(catalogue.variants)


def run_catalogue(
    assignment_id: str,
    *,
    only: list[str] | None = None,
    processes: int = 2,
    seed: int | None = None,
    lang: str = "both",
    all_units: bool = False,
) -> CatalogueRun:
    """Grade an assignment's catalogue (or the variants named in ``only``) and summarise."""
    catalogue = load_catalogue(assignment_id)
    variants = all_variants(catalogue)
    if only:
        unknown = sorted(set(only) - {v.id for v in variants})
        if unknown:
            names = ", ".join(unknown)
            raise AssignmentError(
                f"no variant named {names} in {assignment_id}'s catalogue",
                ko=f"{assignment_id}의 카탈로그에 {names}(이)라는 변이가 없습니다",
            )
        variants = [v for v in variants if v.id in only]
    seed = catalogue.seed if seed is None else seed
    start = time.perf_counter()
    results = grade_variants(
        variants, catalogue, processes=processes, seed=seed, lang=lang, units=None if all_units else ()
    )
    return CatalogueRun(results, summarise(results, time.perf_counter() - start), processes, seed, catalogue)
