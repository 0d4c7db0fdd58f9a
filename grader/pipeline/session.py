"""What one grading run shares between its tests: the submission, the reference, the workers and the results.

:mod:`grader.pipeline.grade` configures a :class:`GradingSession`; the plugin's fixtures and hooks read it.
:meth:`GradingSession.run_student` is the one place a call reaches the student's code: it turns the worker's
reply into observations or into the exception that says why there are none
(:mod:`grader.pipeline.student_errors`, :class:`grader.sandbox.WorkerFailure`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from grader import sandbox
from grader.assignment import Assignment
from grader.pipeline.checks import Text
from grader.pipeline.display import admit
from grader.pipeline.engine_hints import STALLED
from grader.pipeline.extract import Extraction
from grader.pipeline.load_problems import LoadProblems
from grader.pipeline.outcomes import Outcome
from grader.pipeline.reference import RecordedReference, Reference
from grader.pipeline.scoring import TestResult, points_for
from grader.pipeline.student_errors import StudentRaised, student_missing
from grader.pipeline.workers import WorkerPool
from grader.untrusted.calls import Call

# What a test asked once and later tests of its unit read again (UnitHarness.got_once): observations or failure.
Kept = tuple[dict[str, object], None] | tuple[None, Exception]


@dataclass
class GradingSession:
    """Everything one grading run shares between tests; configured by :mod:`grader.pipeline.grade`."""

    assignment: Assignment
    extraction: Extraction
    reference: Reference | RecordedReference
    substitutes: dict[str, tuple[str, list[str]]]  # unit -> (source, names)
    units: tuple[str, ...]
    limits: sandbox.Limits
    isolation: sandbox.Isolation
    lang: str = "both"
    suites: tuple[str, ...] = ()  # the suites this run collects; empty: every suite the checkout has
    grading_seed: int = field(default_factory=lambda: secrets.randbits(31))
    results: list[TestResult] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    run_state: sandbox.RunState = field(default_factory=sandbox.RunState)  # the time budget all workers share
    kept: dict[tuple[str, str], Kept] = field(default_factory=dict)  # UnitHarness.got_once: (unit, key) -> outcome
    stalled: dict[str, sandbox.WorkerTimeout] = field(default_factory=dict)  # unit -> what its later tests raise
    cases: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (unit, suite, function) -> cases
    progress: Callable[[int, int, str], None] | None = None  # told (done, total, unit) after every test
    total: int = 0  # tests collected for this run
    pool: WorkerPool = field(init=False)
    problems: LoadProblems = field(init=False)

    def __post_init__(self) -> None:
        self.pool = WorkerPool(
            self.limits,
            self.isolation,
            make_worker=lambda: sandbox.Worker(
                self.limits, self.isolation, self.assignment.hidden_dirs(), self.run_state, self.assignment.course_code
            ),
            holds_reference=lambda unit: self.holds_reference_units(unit),
        )
        self.problems = LoadProblems(self.extraction, self.lang)

    @property
    def load_problems(self) -> list[str]:
        """Definition and import problems the workers reported, one line each, in the run's language."""
        return self.problems.lines

    # -- workers ---------------------------------------------------------------------------
    def prestart(self) -> None:
        """Start the first units' workers at once so their start-up overlaps."""
        self.pool.prestart(self.units)

    def live_workers(self) -> int:
        """How many of this session's workers are running now."""
        return self.pool.live_workers()

    def stop_workers(self) -> None:
        """Stop every worker and remove their scratch folders."""
        self.pool.stop_all()
        self.run_state.close()

    def run_student(self, unit: str, call: Call) -> dict[str, object]:
        """Run a call in the unit's worker and return its raw observations."""
        if call.unit not in self.extraction.names:
            raise student_missing(call.unit, self.extraction)
        stalled = self.stalled.get(unit)
        if stalled is not None:  # one endless loop costs one time limit, not one per test
            raise stalled
        try:
            worker = self.pool.worker(unit)
            if unit not in self.pool.loaded:
                source, names = self.substitutes.get(unit, ("", []))
                report = worker.load([s.to_data() for s in self.extraction.snippets], source, names)
                if self.holds_reference_units(unit):
                    self.problems.record_guarded(report)
                else:
                    self.problems.record(report)
                self.pool.loaded.add(unit)
            reply = worker.call(call.to_data(), call.procedure or call.target, call.seconds)
        except sandbox.WorkerTimeout as error:
            if not isinstance(error, sandbox.BudgetExhausted):  # the budget's own message already covers the rest
                self.stalled[unit] = stalled_again(error)
            raise
        return self.observations(reply, call)

    def observations(self, reply: dict[str, object], call: Call) -> dict[str, object]:
        """The observations in a worker's reply to ``call``, or the exception saying why there are none."""
        if "missing" in reply:
            raise student_missing(call.unit, self.extraction)
        raised = reply.get("raised")
        if type(raised) is dict:
            raise StudentRaised(call, raised)
        outcome = reply.get("outcome")
        if type(outcome) is not dict:
            raise sandbox.WorkerFailure(
                Text(f"{call.target}의 결과가 돌아오지 않았습니다", f"no result came back from {call.target}").render(
                    self.lang
                )
            )
        return cast(dict[str, object], admit(outcome))  # admit keeps a dict a dict

    # -- the rubric and the other units ----------------------------------------------------
    def holds_reference_units(self, unit: str) -> bool:
        """True when the unit's worker gets reference versions of other graded units (not only given helpers)."""
        graded = {other.name for other in self.assignment.units}
        return bool(set(self.substitutes.get(unit, ("", []))[1]) & graded)

    def own_dependencies(self, unit: str) -> list[str]:
        """Graded units this unit calls (``uses``) that run in the student's own version: in a student repository,
        which has no reference code, every one; in the course's grading, none."""
        substituted = set(self.substitutes.get(unit, ("", []))[1])
        graded = [other.name for other in self.assignment.units]
        return [name for name in graded if name in self.assignment.unit(unit).uses and name not in substituted]

    def failing_dependencies(self, unit: str) -> list[str]:
        """Those of :meth:`own_dependencies` already graded in this run with a test that did not pass."""
        own = self.own_dependencies(unit)
        return [name for name in own if any(r.unit == name and r.outcome != Outcome.PASSED for r in self.results)]

    def points(self, unit: str, suite: str, function: str) -> float:
        """A test case's maximum points from the rubric."""
        rubric = self.assignment.unit(unit).points.get(suite, {})
        return points_for(rubric.get(function, 0.0), self.cases.get((unit, suite, function), 1))


def stalled_again(error: sandbox.WorkerTimeout) -> sandbox.WorkerTimeout:
    """What the later tests of a unit whose worker ran past its limit fail with, at once: the same words, in both
    languages (each test renders its message in the report's language)."""
    again = sandbox.WorkerTimeout(
        f"{error} {STALLED.en}",
        f"{error.message_for('hidden')} {STALLED.en}",
        ko=f"{error.ko or error} {STALLED.ko}",
        hidden_ko=f"{error.message_for('hidden', 'ko')} {STALLED.ko}",
    )
    again.hint = error.hint
    return again
