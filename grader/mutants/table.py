"""Render a catalogue run as a terminal table: mutants, correct styles, do-nothing submissions, then the figures."""

from __future__ import annotations

from grader.mutants.precision import precision_lines
from grader.mutants.run import Summary, VariantResult
from grader.mutants.variants import BREAKS, HARMLESS, NOTHING, STYLE


def _lost(value: float) -> str:
    return "." if value == 0 else f"-{value:.3g}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def render_table(
    results: list[VariantResult],
    summary: Summary,
    *,
    lang: str = "en",
    processes: int = 2,
    seed: int = 0,
    short_names: dict[str, str] | None = None,
) -> str:
    """The whole report: one line per variant, then the kill rate and the public-suite catch rate."""
    units = list(dict.fromkeys(unit for r in results if r.variant.kind != NOTHING for unit in r.lost))
    heads = [(short_names or {}).get(unit, unit[:6]) for unit in units]
    mutants = [r for r in results if r.variant.kind in BREAKS]
    others = [r for r in results if r.variant.kind in (STYLE, HARMLESS)]
    nothings = [r for r in results if r.variant.kind == NOTHING]
    id_width = max([len(r.variant.id) for r in results] + [7])
    lines = [f"Mutants / 돌연변이 ({len(mutants)}): points lost per unit / 단위별 감점", ""]
    lines.append(
        f"  {'variant':<{id_width}}  {'breaks':<19} "
        + " ".join(f"{h:>5}" for h in heads)
        + "  public  caught  description"
    )
    for result in mutants:
        variant = result.variant
        clean = result.caught and not result.charged_elsewhere
        extra = f" (also: {', '.join(result.charged_by_design)}, by design)" if result.charged_by_design else ""
        lines.append(
            f"  {variant.id:<{id_width}}  {variant.unit:<19} "
            + " ".join(f"{_lost(result.lost[u]):>5}" for u in units)
            + f"  {_yes(result.public_caught):>6}  {_yes(clean):>6}  {variant.describe(lang)}{extra}"
        )
    lines += [
        "",
        f"Correct styles and harmless changes / 올바른 다른 풀이와 채점 밖의 변경 ({len(others)}): must score full marks",
        "",
    ]
    for result in others:
        kind = "style" if result.variant.kind == STYLE else "harmless"
        mark = "ok" if result.score == result.max_score and not result.internal_errors else "LOST POINTS"
        lines.append(
            f"  {result.variant.id:<{id_width}}  {kind:<8}  {result.score:g}/{result.max_score:g}  {mark:<11}  "
            f"{result.variant.describe(lang)}"
        )
    if nothings:
        lines += ["", *nothing_lines(nothings, lang=lang, id_width=id_width, short_names=short_names)]
    lines += ["", *unit_lines(results)]
    lines += ["", *precision_lines(results)]
    lines += ["", *summary_lines(results, summary, processes=processes, seed=seed)]
    problems = [f"  - {r.variant.id}: {e}" for r in results for e in r.internal_errors]
    if problems:
        lines += ["", "INTERNAL ERRORS in the grader:", *problems]
    return "\n".join(lines) + "\n"


def nothing_lines(
    nothings: list[VariantResult], *, lang: str, id_width: int, short_names: dict[str, str] | None = None
) -> list[str]:
    """The do-nothing section: points each entry earns per unit; its own unit (and train for a net) must read 0."""
    units = list(dict.fromkeys(unit for r in nothings for unit in r.lost))
    heads = [(short_names or {}).get(unit, unit[:6]) for unit in units]
    lines = [
        f"Do-nothing submissions / 아무것도 하지 않는 제출 ({len(nothings)}): points earned per unit / 단위별 득점 "
        "(its own unit, in [brackets], must read 0; every other unit full)",
        "",
    ]
    lines.append(
        f"  {'variant':<{id_width}}  {'fakes':<19} " + " ".join(f"{h:>7}" for h in heads) + "  zero  description"
    )
    for result in nothings:
        cells = []
        for unit in units:
            if unit not in result.earned:
                cells.append(f"{'-':>7}")
            elif unit in result.nothing_units:
                cells.append(f"{'[' + format(result.earned[unit], 'g') + ']':>7}")
            else:
                cells.append(f"{format(result.earned[unit], 'g'):>7}")
        lines.append(
            f"  {result.variant.id:<{id_width}}  {result.variant.unit:<19} "
            + " ".join(cells)
            + f"  {_yes(result.nothing_holds):>4}  {result.variant.describe(lang)}"
        )
    return lines


def unit_lines(results: list[VariantResult]) -> list[str]:
    """Per unit: mutants caught, and the most points any do-nothing submission of that unit earns (must be 0)."""
    units = list(dict.fromkeys(r.variant.unit for r in results if r.variant.unit))
    lines = [
        "Per unit / 단위별",
        "",
        f"  {'unit':<19}  {'mutants caught':>14}  {'do-nothing entries':>18}  "
        "points a do-nothing submission earns / 아무것도 하지 않은 제출의 득점",
    ]
    for unit in units:
        mutants = [r for r in results if r.variant.kind in BREAKS and r.variant.unit == unit]
        nothings = [r for r in results if r.variant.kind == NOTHING and r.variant.unit == unit]
        caught = sum(r.caught and not r.charged_elsewhere for r in mutants)
        most = max((r.earned_for_nothing for r in nothings), default=None)
        shown = "-" if most is None else f"{most:g}" + ("" if most == 0 else "  PAID FOR NOTHING")
        lines.append(f"  {unit:<19}  {f'{caught}/{len(mutants)}':>14}  {len(nothings):>18}  {shown}")
    return lines


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
        f"do-nothing submissions at 0 in their unit and full marks elsewhere: {summary.nothings_at_zero}/"
        f"{summary.nothings}",
        f"graded in {summary.seconds:.0f} s ({processes} processes, grading seed {seed})",
    ]
