"""What an audit found, per unit, and its renderings: the text report (Korean and English) and the JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from grader.audit.operators import OPERATORS

# Why a survivor is set apart as equivalent-looking (codes; text rendered last).
SAME_ANSWERS = "same-answers"
EQUIVALENCE = {
    SAME_ANSWERS: (
        "스위트의 모든 호출과 그 변형(배열 x1000, 부호 반전, 1차원<->2차원, 정수 인수 +-1)에서 풀이와 같은 답 "
        "(부동소수 반올림 차이까지)",
        "the solution's answers on every call the suites make and on its perturbations (float arrays x1000, "
        "negated, 1-D <-> 2-D, integer keywords +-1), up to float rounding",
    ),
}
NO_CODE = "no-code"  # a unit with no definition of its own in the solution (e.g. a training procedure)


@dataclass
class Survivor:
    """A mutant every test of its unit passed."""

    id: str
    operator: str
    detail: str
    line: int
    diff: str
    probes: int = 0  # suite calls the mutant was run on to judge equivalence
    equivalent: str = ""  # a code of EQUIVALENCE when set apart, else ""

    def to_data(self) -> dict[str, object]:
        """As JSON data."""
        data: dict[str, object] = {"id": self.id, "diff": self.diff, "operator": self.operator, "detail": self.detail}
        data |= {"line": self.line, "probes": self.probes}
        if self.equivalent:
            data["equivalent"] = self.equivalent
        return data


@dataclass
class UnitAudit:
    """One unit's audit."""

    unit: str
    mutants: int = 0
    killed: int = 0
    survivors: list[Survivor] = field(default_factory=list)  # not equivalent-looking: gaps in the suites
    equivalent: list[Survivor] = field(default_factory=list)  # survived, and answer as the solution does
    noops: list[str] = field(default_factory=list)  # changes that leave the syntax tree as it was (not graded)
    errors: list[str] = field(default_factory=list)  # "mutant id: internal error" (the kit failed, not a test)
    by_operator: dict[str, list[int]] = field(default_factory=dict)  # operator -> [mutants, killed]
    tests: list[str] = field(default_factory=list)  # every test of the unit, "suite:name"
    never_failed: list[str] = field(default_factory=list)  # tests no mutant failed
    kills: dict[str, int] = field(default_factory=dict)  # "suite:name" -> mutants it failed on
    max_points: float = 0.0
    nothing_points: float | None = None  # the published stub's score in this unit (None: no stub to grade)
    note: str = ""  # NO_CODE when the unit has no code of its own

    @property
    def kill_rate(self) -> float | None:
        """Killed over the mutants that are not equivalent-looking (None when there are none)."""
        counted = self.mutants - len(self.equivalent) - len(self.errors)
        return self.killed / counted if counted > 0 else None

    def to_data(self) -> dict[str, object]:
        """As JSON data: the contract's mutants, killed, survivors, and the rest."""
        return {
            "mutants": self.mutants,
            "killed": self.killed,
            "survivors": [s.to_data() for s in self.survivors],
            "equivalent": [s.to_data() for s in self.equivalent],
            "kill_rate": None if self.kill_rate is None else round(self.kill_rate, 4),
            "noops": self.noops,
            "errors": self.errors,
            "by_operator": self.by_operator,
            "tests_never_failed": self.never_failed,
            "kills_per_test": self.kills,
            "max_points": self.max_points,
            "do_nothing_points": self.nothing_points,
            "note": self.note,
        }


@dataclass
class AuditReport:
    """A whole audit: the assignment, how it was graded, and every unit's findings."""

    assignment: str
    seed: int
    processes: int
    units: dict[str, UnitAudit] = field(default_factory=dict)
    seconds: float = 0.0
    solution_problems: list[str] = field(default_factory=list)  # the solution itself lost points: audit void

    @property
    def holds(self) -> bool:
        """Every non-equivalent mutant killed, nothing paid for doing nothing, no internal error."""
        return not self.solution_problems and all(
            not u.survivors and not u.errors and not u.nothing_points for u in self.units.values()
        )

    def to_json(self) -> str:
        """The ``--json`` file."""
        data = {
            "assignment": self.assignment,
            "seed": self.seed,
            "processes": self.processes,
            "seconds": round(self.seconds, 1),
            "solution_problems": self.solution_problems,
            "units": {name: unit.to_data() for name, unit in self.units.items()},
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_text(report: AuditReport) -> str:
    """The text report: the table, then each unit's survivors with their diffs and its tests no mutant fails."""
    lines = [f"돌연변이 감사 / Mutation audit: {report.assignment} (grading seed {report.seed})", ""]
    lines += [f"  ! {problem}" for problem in report.solution_problems]
    lines += _table(report)
    for audit in report.units.values():
        lines += ["", f"== {audit.unit}"]
        if audit.note == NO_CODE:
            lines.append(
                "  풀이에 이 단원의 코드가 없음 (다른 단원의 코드를 실행) / no code of its own in the solution"
            )
            continue
        lines += _operator_lines(audit)
        lines += _survivor_lines("살아남은 돌연변이 / Survivors", audit.survivors)
        lines += _survivor_lines("같은 답을 내는 돌연변이 (등가로 보임) / Equivalent-looking", audit.equivalent)
        if audit.noops:
            lines += ["", f"  문법상 변화 없음 (채점 안 함) / Syntactic no-ops (not graded): {len(audit.noops)}"]
        if audit.errors:
            lines += ["", "  내부 오류 / Internal errors:", *(f"    {e}" for e in audit.errors)]
        shown = ", ".join(audit.never_failed) if audit.never_failed else "-"
        lines += ["", f"  어떤 돌연변이에도 실패하지 않은 테스트 / Tests no mutant fails: {shown}"]
    lines += ["", _how_decided(), f"graded in {report.seconds:.0f} s ({report.processes} processes)"]
    return "\n".join(lines) + "\n"


def _table(report: AuditReport) -> list[str]:
    head = f"  {'unit':<20} {'mutants':>7} {'killed':>6} {'survive':>7} {'equiv':>5} {'rate':>6} {'nothing':>9}"
    lines = ["단원별 / Per unit (rate: killed / non-equivalent; nothing: the stub's points / 스텁의 점수)", "", head]
    for audit in report.units.values():
        rate = "-" if audit.kill_rate is None else f"{100 * audit.kill_rate:.0f}%"
        nothing = "-" if audit.nothing_points is None else f"{audit.nothing_points:g}/{audit.max_points:g}"
        lines.append(
            f"  {audit.unit:<20} {audit.mutants:>7} {audit.killed:>6} {len(audit.survivors):>7} "
            f"{len(audit.equivalent):>5} {rate:>6} {nothing:>9}"
        )
    return lines


def _operator_lines(audit: UnitAudit) -> list[str]:
    parts = [f"{op} {killed}/{count}" for op, (count, killed) in audit.by_operator.items()]
    return ["  연산자별 잡힘 / Killed per operator: " + (", ".join(parts) or "-")]


def _survivor_lines(heading: str, survivors: list[Survivor]) -> list[str]:
    if not survivors:
        return []
    lines = ["", f"  {heading} ({len(survivors)}):"]
    for survivor in survivors:
        ko, en = OPERATORS[survivor.operator]
        lines.append(f"  - {survivor.id}: {ko} / {en}: {survivor.detail} ({survivor.probes} probes)")
        lines += [f"      {line}" for line in survivor.diff.rstrip("\n").split("\n")]
    return lines


def _how_decided() -> str:
    ko, en = EQUIVALENCE[SAME_ANSWERS]
    return (
        f"등가로 보는 기준 / Equivalent-looking: 살아남은 돌연변이 중 {ko} / survivors giving {en}; "
        "문법상 변화 없음은 구문 트리가 그대로인 변경 / syntactic no-ops leave the syntax tree unchanged."
    )
