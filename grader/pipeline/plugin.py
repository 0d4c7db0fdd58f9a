"""The pytest side: fixtures that reach the student's worker and the reference, and the hooks that record outcomes.

Tests live in ``tests_<suite>/<assignment>/test_<unit>.py``; the file name says the unit, the rubric says
the points. A test passes only by returning normally; a skip, an xfail, a crash in the grader or a missing
result all count as not passed.

As in pytest itself, running, classifying and consuming are kept apart: the session runs calls
(:mod:`grader.pipeline.session`, its workers in :mod:`grader.pipeline.workers`), :func:`classify` turns how a
test ended into a verdict, :mod:`grader.pipeline.render` words it, and ``pytest_runtest_makereport`` only
wires them and records the :class:`TestResult`. Per-item state lives in ``item.stash``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import pytest

from grader import sandbox
from grader.pipeline.checks import Mismatch, Text
from grader.pipeline.classify import classify, guarded_diagnosis, mistake_key
from grader.pipeline.engine_hints import TIMEOUT, uses_failing_units
from grader.pipeline.guarded import render_guarded
from grader.pipeline.inert import clean
from grader.pipeline.outcomes import Ending, Outcome, Suite, Verdict
from grader.pipeline.render import PRINTED, guarded_view, learner_frame, render_message
from grader.pipeline.scoring import TestResult
from grader.pipeline.session import GradingSession, Kept
from grader.pipeline.student_errors import StudentMissing, StudentRaised
from grader.untrusted.calls import Call

OUTPUT_SHOWN_BYTES = 2000
MESSAGE_LIMIT = 4000  # characters of one test's message, whatever the student's code sent


@dataclass(frozen=True, kw_only=True)
class TestIdentity:
    """Which unit, suite and rubric entry a collected test is, from its path and name."""

    __test__ = False  # not a test class

    unit: str
    suite: Suite
    function: str  # the test function's name, as the rubric lists it


IDENTITY = pytest.StashKey[TestIdentity]()


def test_identity(item: pytest.Item) -> TestIdentity:
    """The test's identity, read from its path and name once and kept in its stash."""
    if IDENTITY not in item.stash:
        path = Path(str(item.path))
        folder = path.parent.parent.name.removeprefix("tests_")
        item.stash[IDENTITY] = TestIdentity(
            unit=path.stem.removeprefix("test_"),
            # Only tests_public/ and tests_hidden/ are collected; anything else shows as little as a hidden test.
            suite=Suite(folder) if folder in tuple(Suite) else Suite.HIDDEN,
            function=getattr(item, "originalname", item.name),
        )
    return item.stash[IDENTITY]


@dataclass
class UnitHarness:
    """What a test gets as ``unit``: run a call on the student's code and on the reference."""

    name: str
    suite: str
    session: GradingSession

    def expected(self, call: Call) -> dict[str, object]:
        """The reference's observations for ``call``."""
        return self.session.reference.run(call)

    def got(self, call: Call) -> dict[str, object]:
        """The student's observations for ``call``, or StudentRaised / StudentMissing / WorkerFailure."""
        return self.session.run_student(self.name, call)

    def got_hinted(self, call: Call, hint_for: Callable[[StudentRaised], Text | None]) -> dict[str, object]:
        """Like :meth:`got`; an exception from the student's code carries the hint ``hint_for`` gives for it."""
        try:
            return self.got(call)
        except StudentRaised as error:
            error.hint = hint_for(error)
            raise

    def got_once(self, call: Call, key: str) -> dict[str, object]:
        """The student's observations of ``call``, run once per grading run under ``key``.

        A later test of this unit asking for the same ``key`` gets the same observations, or the same
        failure, without running it again: one long run that two tests read, each judging its own part.
        """
        kept: Kept | None = self.session.kept.get((self.name, key))
        if kept is None:
            try:
                kept = (self.got(call), None)
            except (StudentRaised, StudentMissing, sandbox.WorkerFailure) as failure:
                if isinstance(failure, sandbox.WorkerFailure) and failure.internal:
                    raise  # the grader's own problem: the next test tries again with a fresh worker
                kept = (None, failure)
            self.session.kept[(self.name, key)] = kept
        observed, failed = kept
        if failed is not None:
            raise failed
        assert observed is not None  # Kept holds one of the two
        return observed

    def both(self, call: Call) -> tuple[dict[str, object], dict[str, object]]:
        """(student's, reference's) observations of the same call; the reference runs first."""
        expected = self.expected(call)
        return self.got(call), expected


def timeout_hint(error: BaseException | None) -> None:
    """A timeout with no hint of its test's own gets the usual cause's (never the budget's: that is not a loop)."""
    if (
        isinstance(error, sandbox.WorkerTimeout)
        and not isinstance(error, sandbox.BudgetExhausted)
        and error.hint is None
    ):
        # WorkerFailure declares ``hint = None`` (grader/sandbox/process.py): any Text may be attached.
        cast(Any, error).hint = TIMEOUT


def trusted_details(properties: list[tuple[str, object]]) -> dict[str, object]:
    """The recorded properties a test of a worker holding reference code may keep: the reference's only.

    A property named ``reference_*`` is computed on the trusted side from the test's own call; anything
    else (a student's learning curve) came from the worker and could carry the reference code out.
    """
    return {str(key): value for key, value in properties if str(key).startswith("reference_")}


class GradingPlugin:
    """Registered once per collected session (:mod:`grader.pipeline.collected`), told each run's session."""

    def __init__(self, session: GradingSession | None) -> None:
        self._session = session  # the submission being graded; grader.pipeline.collected sets it for each run

    @property
    def session(self) -> GradingSession:
        """The grading session of the submission being graded now."""
        if self._session is None:
            raise RuntimeError("the grading plugin ran a test outside a grading run")
        return self._session

    @session.setter
    def session(self, session: GradingSession | None) -> None:
        self._session = session

    @property
    def running(self) -> bool:
        """True while a grading run is using this plugin."""
        return self._session is not None

    @pytest.fixture
    def unit(self, request: pytest.FixtureRequest) -> UnitHarness:
        """The harness for the unit this test file grades."""
        identity = test_identity(request.node)  # a test's node is its item
        return UnitHarness(identity.unit, identity.suite, self.session)

    @pytest.fixture
    def grading_seed(self) -> int:
        """A seed chosen when grading starts: hidden inputs no list of answers can anticipate."""
        return self.session.grading_seed

    def select(self, items: list[pytest.Item]) -> list[pytest.Item]:
        """The collected items this run grades, in order: the selected units' tests. Counts cases per test
        function and checks the rubric against the tests (a mismatch is an internal error of this run)."""
        session = self.session
        session.cases.clear()
        selected = []
        for item in items:
            identity = test_identity(item)
            if identity.unit not in session.units:
                continue
            selected.append(item)
            key = (identity.unit, identity.suite, identity.function)
            session.cases[key] = session.cases.get(key, 0) + 1
            if identity.function not in session.assignment.unit(identity.unit).points.get(identity.suite, {}):
                rubric = session.assignment.rubric_path.name
                session.internal_errors.append(
                    Text(
                        f"{item.nodeid}의 배점이 {rubric}에 없습니다", f"{item.nodeid} has no points in {rubric}"
                    ).render("both")
                )
        for unit in session.units:
            for suite, tests in session.assignment.unit(unit).points.items():
                for function in tests:
                    if (unit, suite, function) not in session.cases and self._suite_present(suite):
                        test = f"{unit}.{suite}.{function}"
                        session.internal_errors.append(
                            Text(
                                f"{test}이(가) 배점표에 있지만 그런 테스트를 찾지 못했습니다",
                                f"{test} is in the rubric but no such test was collected",
                            ).render("both")
                        )
        # One unit at a time, public then hidden: each unit's worker starts once, and a worker holding
        # reference code (kept apart from the others) does not have to be stopped and started again.
        order = {unit: index for index, unit in enumerate(session.units)}
        suites = {Suite.PUBLIC: 0, Suite.HIDDEN: 1}
        selected.sort(key=lambda item: (order[test_identity(item).unit], suites[test_identity(item).suite]))
        session.total = len(selected)
        return selected

    def _suite_present(self, suite: str) -> bool:
        return suite in (self.session.suites or self.session.assignment.available_suites())

    def pytest_timeout_set_timer(self, item: pytest.Item, settings: object) -> bool | None:
        """pytest-timeout's per-test limit, ending the test in a type of its own (see grader/pipeline/timer.py)."""
        from grader.pipeline import timer

        seconds = getattr(settings, "timeout", None)
        return timer.start(item, float(seconds)) if isinstance(seconds, (int, float)) else None

    def pytest_timeout_cancel_timer(self, item: pytest.Item) -> bool | None:
        """Disarm the timer :meth:`pytest_timeout_set_timer` armed."""
        from grader.pipeline import timer

        return timer.cancel(item)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
        """Wire run -> classify -> record for each test's end; skip pytest's costly traceback rendering."""
        failed = call.excinfo is not None
        if call.when == "call" or (call.when == "setup" and failed):
            error = call.excinfo.value if call.excinfo is not None else None
            identity = test_identity(item)
            self.attach_engine_hints(identity.unit, error)
            self.record(item, identity, classify(error), error)
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            "failed" if failed else "passed",
            "see the grading report" if failed else None,
            cast(Literal["setup", "call", "teardown"], call.when),  # a test's phases: never "collect" here
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )

    def attach_engine_hints(self, unit: str, error: BaseException | None) -> None:
        """The engine's own hints, chosen from the run's facts before the verdict is made."""
        failing = self.session.failing_dependencies(unit) if error is not None else []
        if failing and isinstance(error, (Mismatch, StudentRaised, sandbox.WorkerFailure)):
            # The test compared with a reference that used correct versions of these: the student's own are wrong,
            # so whatever this unit's own hint says may be their fault. Say that instead of guessing.
            cast(Any, error).hint = uses_failing_units(unit, failing)  # WorkerFailure declares hint = None
        timeout_hint(error)

    def record(self, item: pytest.Item, identity: TestIdentity, verdict: Verdict, error: BaseException | None) -> None:
        """Append the TestResult of one test, rendered from its verdict."""
        session, lang, unit, suite = self.session, self.session.lang, identity.unit, identity.suite
        holds_reference = session.holds_reference_units(unit)
        printed = session.pool.take_output(unit)
        location = ""
        if suite is Suite.PUBLIC and holds_reference:  # built from trusted data only: see grader/pipeline/guarded.py
            view = guarded_view(verdict, error, lang)
            message = render_guarded(view, lang)
            hint, mistake, not_implemented = guarded_diagnosis(view, lang)
            details = trusted_details(item.user_properties)
        else:
            message = render_message(verdict, error, suite, lang, lambda f: learner_frame(f, session.extraction, lang))
            if verdict.outcome is not Outcome.PASSED and suite is Suite.PUBLIC and printed.strip():
                # hidden: printed output could carry inputs
                message += f"\n{PRINTED.render(lang)}:\n{clean(printed, OUTPUT_SHOWN_BYTES)}"
            if isinstance(error, StudentRaised) and error.where and suite is Suite.PUBLIC:
                location = learner_frame(error.where[-1], session.extraction, lang)
            hint = (
                verdict.hint.render(lang) if verdict.hint is not None and verdict.outcome is not Outcome.PASSED else ""
            )
            mistake = mistake_key(verdict, error, suite)
            not_implemented = verdict.ending is Ending.NOT_IMPLEMENTED
            details = (
                trusted_details(item.user_properties)
                if holds_reference
                else {str(key): value for key, value in item.user_properties}
            )
        message = clean(message, MESSAGE_LIMIT)
        maximum = session.points(unit, suite, identity.function)
        doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip().splitlines()
        passed = verdict.outcome is Outcome.PASSED
        session.results.append(
            TestResult(
                unit=unit,
                name=item.name.removeprefix("test_"),
                suite=suite,
                outcome=verdict.outcome,
                score=maximum if passed else 0.0,
                max_score=maximum,
                message=message,
                description=doc[0] if doc else "",
                internal=verdict.internal,
                details=details,
                hint=hint,
                mistake=mistake,
                not_implemented=not_implemented,
                location=location,
                diagnosis=verdict.diagnosis if hint else "",
                problem=verdict.problem.value if verdict.problem is not None and not passed else "",
                guarded=holds_reference,
                ending=verdict.ending,
            )
        )
        if verdict.internal:
            session.internal_errors.append(f"{item.nodeid}: {message}")
        if session.progress is not None:
            session.progress(len(session.results), session.total, unit)
