"""Prove the grading right: grade realistic mistakes (mutants), correct styles and do-nothing submissions.

``python -m grader mutants`` (or ``python -m grader.mutants``, ``make mutants``) grades every variant
and prints a table; :func:`run_catalogue` is the same as a function.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from grader.mutants.run import GRADING_SEED, UNITS, Summary, VariantResult, grade_variants, summarise
from grader.mutants.variants import Variant


@dataclass
class CatalogueRun:
    """The results of one run over the catalogue, and its figures."""

    results: list[VariantResult]
    summary: Summary
    processes: int
    seed: int

    @property
    def holds(self) -> bool:
        """Every mutant caught in its own unit only, every style and harmless change at full marks, every
        do-nothing entry at 0 in its unit and full marks elsewhere."""
        summary = self.summary
        return (summary.caught_cleanly == summary.mutants
                and summary.variants_full_marks == summary.variants_expected_full
                and summary.nothings_at_zero == summary.nothings
                and not any(r.internal_errors for r in self.results))  # fmt: skip


def all_variants() -> list[Variant]:
    """Every mutant, then every correct style and harmless change, then every do-nothing submission."""
    from grader.mutants.catalogue import MUTANTS
    from grader.mutants.nothing import NOTHING
    from grader.mutants.styles import STYLES

    return MUTANTS + STYLES + NOTHING


def run_catalogue(*, only: list[str] | None = None, processes: int = 2, seed: int = GRADING_SEED,
                  lang: str = "both", all_units: bool = False) -> CatalogueRun:  # fmt: skip
    """Grade the catalogue (or the variants named in ``only``) and summarise."""
    variants = all_variants()
    if only:
        unknown = sorted(set(only) - {v.id for v in variants})
        if unknown:
            raise KeyError(f"no variant named {', '.join(unknown)}")
        variants = [v for v in variants if v.id in only]
    start = time.perf_counter()
    results = grade_variants(variants, processes=processes, seed=seed, lang=lang, units=None if all_units else UNITS)
    return CatalogueRun(results, summarise(results, time.perf_counter() - start), processes, seed)
