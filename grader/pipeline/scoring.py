"""Pure data: test outcomes and the rubric -> per-unit scores. No I/O, no pytest, no nbformat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.pipeline.outcomes import Ending, Outcome, Suite

OUTCOMES = tuple(Outcome)


@dataclass(kw_only=True)
class TestResult:
    """One test of one unit; built by keyword everywhere."""

    __test__ = False  # not a test class

    unit: str  # the graded unit, e.g. "cross_entropy_error"
    name: str  # the test's name in the report, e.g. "one_hot_batch[2d]"
    suite: Suite  # public or hidden; a guarded test is a public one with ``guarded`` set
    outcome: Outcome  # how the test ended
    score: float  # points earned
    max_score: float  # points possible (from the rubric)
    message: str = ""  # what failed and how to look into it; never hidden inputs
    description: str = ""  # what the test checks, one line
    internal: bool = False  # True when the kit itself failed, not the student
    # Data the test recorded (record_property), e.g. learning curves: plain JSON-like values.
    details: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # the diagnosed mistake's hint in the report's language (also the message's last line)
    mistake: str = ""  # what went wrong, as a key chosen on the trusted side: tests sharing it are shown once
    not_implemented: bool = False  # the student's code raised NotImplementedError: the stub is still there
    location: str = ""  # where the student's code raised, as the learner finds it (public tests only)
    diagnosis: str = ""  # the id of the hint the trusted checks chose ("ch04_learning.cee_labels"), else ""
    problem: str = ""  # what a failed check found, a code of grader.pipeline.checks.Problem ("wrong-shape"), else ""
    # The unit's worker held reference code: what it sent is never shown (grader/pipeline/guarded.py).
    guarded: bool = False
    # What ended the test (grader.pipeline.outcomes.Ending), decided by the exception's type: "not-run" when
    # the notebook could not be read and no test ran.
    ending: Ending = Ending.RETURNED


@dataclass
class UnitScore:
    """A unit's tests and their sum."""

    name: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Sum of the tests' scores."""
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        """Sum of the tests' maxima."""
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def passed(self) -> int:
        """How many tests passed."""
        return sum(t.outcome == "passed" for t in self.tests)


@dataclass
class GradeReport:
    """A whole grading run: every unit, notebook-level errors and the sandbox in use."""

    assignment: str
    notebook: str
    units: list[UnitScore]
    errors: list[str] = field(default_factory=list)  # notebook problems: syntax errors, failed imports
    isolation: list[str] = field(default_factory=list)  # active protection layers
    isolation_missing: dict[str, str] = field(default_factory=dict)  # layer -> why it is missing
    workers: str = ""  # how workers started: "fork-server" (a warm server's forks) or "exec"
    internal_errors: list[str] = field(default_factory=list)  # bugs in the kit, never the student's fault
    suites: list[str] = field(default_factory=list)
    lang: str = "both"
    notes: list[str] = field(default_factory=list)  # how this run differs from the course's grading, for the reader
    staff: bool = False  # graded in a checkout holding the hidden suite (course staff's): machine warnings in full
    saved_at: float | None = None  # when the graded notebook file was last saved (its modification time)
    ungradable: str = ""  # a grader.pipeline.reasons code when the notebook could not be read: no test ran

    @property
    def score(self) -> float:
        """Sum of the units' scores."""
        return round(sum(u.score for u in self.units), 6)

    @property
    def max_score(self) -> float:
        """Sum of the units' maxima."""
        return round(sum(u.max_score for u in self.units), 6)


def points_for(rubric_points: float, cases: int) -> float:
    """A test function's points split evenly over its parametrised cases."""
    return rubric_points / cases if cases else 0.0
