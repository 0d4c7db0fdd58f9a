"""Hint precision: does the hint a mistake gets send its author to it? Judged by hint ids, never by message text.

For every mutant (and broken notebook) the catalogue names the hint ids an honest diagnosis may show
(``Variant.hints``; empty when no hint is honest). Each failing test of the mutant's own unit counts as
*right* (it shows one of them), *wrong* (it shows another) or *none* (it shows no hint: a missed chance when
the catalogue expects one, the honest answer when it expects none). A hint shown in any other unit because
of the mutant is wrong: that unit was not broken, unless it runs the mutant's unit by design and shows one
of the expected hints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.mutants.run import VariantResult
from grader.mutants.variants import BREAKS


@dataclass
class HintCount:
    """How one mutant's failing tests were diagnosed."""

    right: int = 0  # tests showing a hint the catalogue expects
    wrong: list[str] = field(default_factory=list)  # "unit.test: hint id" of every wrong hint shown
    none: int = 0  # failing tests of the mutant's unit showing no hint

    @property
    def holds(self) -> bool:
        """No wrong hint anywhere."""
        return not self.wrong


def count_hints(result: VariantResult) -> HintCount:
    """Judge every failing test of one graded mutant against the hints its catalogue entry expects."""
    variant, count = result.variant, HintCount()
    for test in result.failed:
        if test.unit != variant.unit and not test.diagnosis:
            continue  # another unit failing without a hint: scores judge that, not hint precision
        if not test.diagnosis:
            count.none += 1
        elif test.diagnosis in variant.hints and _may_show(result, test.unit):
            count.right += 1
        else:
            count.wrong.append(f"{test.unit}.{test.name}: {test.diagnosis}")
    return count


def _may_show(result: VariantResult, unit: str) -> bool:
    """The mutant's own unit, or one that runs its code by design, may show the mutant's hints."""
    own = result.variant.unit
    return unit == own or own in result.builds_on_student.get(unit, ())


def precision_lines(results: list[VariantResult]) -> list[str]:
    """The hint-precision table: per mutant its tests right / wrong / none, then the course's totals."""
    mutants = [r for r in results if r.variant.kind in BREAKS]
    counts = {r.variant.id: count_hints(r) for r in mutants}
    width = max([len(r.variant.id) for r in mutants] + [7])
    lines = [
        "Hint precision / 힌트 정확도: failing tests whose hint is right / wrong / none (by hint id)",
        "",
        f"  {'variant':<{width}}  right  wrong   none  expected",
    ]
    for result in mutants:
        count = counts[result.variant.id]
        expected = ", ".join(result.variant.hints) or "(no hint)"
        more = f"; ... (+{len(count.wrong) - 2})" if len(count.wrong) > 2 else ""
        mark = "" if count.holds else "  WRONG: " + "; ".join(count.wrong[:2]) + more
        lines.append(
            f"  {result.variant.id:<{width}}  {count.right:>5}  {len(count.wrong):>5}  {count.none:>5}  {expected}{mark}"
        )
    right = sum(c.right for c in counts.values())
    wrong = sum(len(c.wrong) for c in counts.values())
    none = sum(c.none for c in counts.values())
    shown = right + wrong
    share = f"{100 * right / shown:.1f}%" if shown else "-"
    lines += [
        "",
        f"hint precision: {right} right, {wrong} wrong, {none} none ({share} of the hints shown are right); "
        f"mutants with a wrong hint: {sum(not c.holds for c in counts.values())}/{len(mutants)}",
    ]
    return lines
