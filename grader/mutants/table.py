"""Render a catalogue run as a terminal table: mutants, correct styles, then the figures."""

from __future__ import annotations

from grader.mutants.run import Summary, VariantResult
from grader.mutants.variants import HARMLESS, MUTANT, STYLE

SHORT = {"cross_entropy_error": "CEE", "numerical_diff": "diff", "numerical_gradient": "grad",
         "gradient_descent": "GD", "TwoLayerNet": "Net", "train_neuralnet": "train"}  # fmt: skip


def _lost(value: float) -> str:
    return "." if value == 0 else f"-{value:.3g}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def render_table(results: list[VariantResult], summary: Summary, *, lang: str = "en", processes: int = 2,
                 seed: int = 0) -> str:  # fmt: skip
    """The whole report: one line per variant, then the kill rate and the public-suite catch rate."""
    units = list(results[0].lost) if results else []
    heads = [SHORT.get(unit, unit[:6]) for unit in units]
    mutants = [r for r in results if r.variant.kind == MUTANT]
    others = [r for r in results if r.variant.kind != MUTANT]
    id_width = max([len(r.variant.id) for r in results] + [7])
    lines = [f"Mutants / 돌연변이 ({len(mutants)}): points lost per unit / 단위별 감점", ""]
    lines.append(f"  {'variant':<{id_width}}  {'breaks':<19} " + " ".join(f"{h:>5}" for h in heads)
                 + "  public  caught  description")  # fmt: skip
    for result in mutants:
        variant = result.variant
        clean = result.caught and not result.charged_elsewhere
        extra = f" (also: {', '.join(result.charged_by_design)}, by design)" if result.charged_by_design else ""
        lines.append(f"  {variant.id:<{id_width}}  {variant.unit:<19} "
                     + " ".join(f"{_lost(result.lost[u]):>5}" for u in units)
                     + f"  {_yes(result.public_caught):>6}  {_yes(clean):>6}  {variant.describe(lang)}{extra}")  # fmt: skip
    lines += [
        "",
        f"Correct styles and harmless changes / 올바른 다른 풀이와 채점 밖의 변경 ({len(others)}): must score full marks",
        "",
    ]
    for result in others:
        kind = "style" if result.variant.kind == STYLE else "harmless"
        mark = "ok" if result.score == result.max_score and not result.internal_errors else "LOST POINTS"
        lines.append(f"  {result.variant.id:<{id_width}}  {kind:<8}  {result.score:g}/{result.max_score:g}  {mark:<11}  "
                     f"{result.variant.describe(lang)}")  # fmt: skip
    lines += ["", *summary_lines(results, summary, processes=processes, seed=seed)]
    problems = [f"  - {r.variant.id}: {e}" for r in results for e in r.internal_errors]
    if problems:
        lines += ["", "INTERNAL ERRORS in the grader:", *problems]
    return "\n".join(lines) + "\n"


def summary_lines(results: list[VariantResult], summary: Summary, *, processes: int, seed: int) -> list[str]:
    """The figures a README or an issue's closing note quotes."""
    styles = [r for r in results if r.variant.kind == STYLE]
    harmless = [r for r in results if r.variant.kind == HARMLESS]
    full = sum(r.score == r.max_score and not r.internal_errors for r in styles)
    full_harmless = sum(r.score == r.max_score and not r.internal_errors for r in harmless)
    return [
        f"mutants: {summary.mutants}; caught in their own unit and charged to no other: {summary.caught_cleanly} "
        f"(kill rate {100 * summary.kill_rate:.1f}%)",
        f"caught by the public suite alone / 공개 테스트만으로 잡힘: {summary.public_caught} "
        f"({100 * summary.public_rate:.1f}%)",
        f"correct styles at full marks: {full}/{len(styles)}; harmless changes at full marks: "
        f"{full_harmless}/{len(harmless)}",
        f"graded in {summary.seconds:.0f} s ({processes} processes, grading seed {seed})",
    ]
