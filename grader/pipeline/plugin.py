"""The pytest side: fixtures that reach the student's worker and the reference, and outcome collection.

Tests live in ``tests_<suite>/<assignment>/test_<unit>.py``; the file name says the
unit, the rubric says the points. A test passes only by returning normally; a
skip, an xfail, a crash in the grader or a missing result all count as not passed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import sandbox
from grader.assignment import Assignment
from grader.pipeline.checks import RETURNED_NONE, Mismatch, Text, show
from grader.pipeline.display import admit, summarize_pair
from grader.pipeline.extract import Extraction
from grader.pipeline.guarded import (
    GUARDED_NOTE,  # noqa: F401  re-exported: the mutant table tells guarded tests by it
    GuardedView,
    exception_name,
    render_guarded,
    view_of_mismatch,
    view_of_raised,
)
from grader.pipeline.inert import clean, one_line
from grader.pipeline.reference import Reference, ReferenceFailure
from grader.pipeline.scoring import TestResult, points_for
from grader.untrusted.calls import Call

OUTPUT_SHOWN_BYTES = 2000
MESSAGE_LIMIT = 4000  # characters of one test's message, whatever the student's code sent
RAISED_TEXT_LIMIT = 1000  # an exception's message
FRAMES_SHOWN = 8  # frames of an exception's "where", each one line
LOAD_PROBLEMS_SHOWN = 20  # definition and import problems listed per submission


class StudentRaised(Exception):
    """The student's code raised an exception during a call."""

    def __init__(self, call: Call, raised: dict) -> None:
        self.call = call
        self.type = one_line(raised.get("type", "Exception"), 100)
        super().__init__(self.type)
        self.text = clean(raised.get("message", ""), RAISED_TEXT_LIMIT)
        where = raised.get("where")
        self.where = [one_line(w, 200) for w in where[:FRAMES_SHOWN]] if type(where) is list else []
        self.hint: Text | None = None  # set by a test that knows what this kind of exception usually means


class StudentMissing(Exception):
    """The student's notebook does not define what the call needs."""

    def __init__(self, name: str, close: str | None, syntax_error: tuple[Text, int] | None = None) -> None:
        super().__init__(name)
        self.name = name
        # A name whose own cell does not parse is not misspelt: a look-alike (the book's numerical_diff_bad)
        # would send the student to the wrong cell, so the SyntaxError's cell and line are told instead.
        self.close = None if syntax_error else close
        self.syntax_error = syntax_error  # (the cell as Jupyter labels it, the line of its SyntaxError)
        self.hint: Text | None = SYNTAX_ERROR if syntax_error else (MISSPELT if self.close else None)


def student_missing(name: str, extraction: Extraction) -> StudentMissing:
    """Why ``name`` is missing, from the notebook alone: its cell's SyntaxError, a close name, or nothing."""
    found = extraction.syntax_error_defining(name)
    if found is None:
        return StudentMissing(name, extraction.close_name(name))
    number, line = found
    label = Text(extraction.cell_label(number, "ko"), extraction.cell_label(number, "en"))
    return StudentMissing(name, None, (label, line))


@dataclass
class UnitHarness:
    """What a test gets as ``unit``: run a call on the student's code and on the reference."""

    name: str
    suite: str
    session: GradingSession

    def expected(self, call: Call) -> dict:
        """The reference's observations for ``call``."""
        return self.session.reference.run(call)

    def got(self, call: Call) -> dict:
        """The student's observations for ``call``, or StudentRaised / StudentMissing / WorkerFailure."""
        return self.session.run_student(self.name, call)

    def got_hinted(self, call: Call, hint_for: Callable[[StudentRaised], Text | None]) -> dict:
        """Like :meth:`got`; an exception from the student's code carries the hint ``hint_for`` gives for it."""
        try:
            return self.got(call)
        except StudentRaised as error:
            error.hint = hint_for(error)
            raise

    def got_once(self, call: Call, key: str) -> dict:
        """The student's observations of ``call``, run once per grading run under ``key``.

        A later test of this unit asking for the same ``key`` gets the same observations, or the same
        failure, without running it again: one long run that two tests read, each judging its own part.
        """
        kept = self.session.kept.get((self.name, key))
        if kept is None:
            try:
                kept = ("observed", self.got(call))
            except (StudentRaised, StudentMissing, sandbox.WorkerFailure) as failure:
                if getattr(failure, "internal", False):
                    raise  # the grader's own problem: the next test tries again with a fresh worker
                kept = ("failed", failure)
            self.session.kept[(self.name, key)] = kept
        if kept[0] == "failed":
            raise kept[1]
        return kept[1]

    def both(self, call: Call) -> tuple[dict, dict]:
        """(student's, reference's) observations of the same call; the reference runs first."""
        expected = self.expected(call)
        return self.got(call), expected


@dataclass
class GradingSession:
    """Everything one grading run shares between tests; configured by :mod:`grader.pipeline.grade`."""

    assignment: Assignment
    extraction: Extraction
    reference: Reference
    substitutes: dict[str, tuple[str, list[str]]]  # unit -> (source, names)
    units: tuple[str, ...]
    limits: sandbox.Limits
    isolation: sandbox.Isolation
    lang: str = "both"
    suites: tuple[str, ...] = ()  # the suites this run collects; empty: every suite the checkout has
    grading_seed: int = field(default_factory=lambda: secrets.randbits(31))
    results: list[TestResult] = field(default_factory=list)
    load_problems: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    _workers: dict[str, sandbox.Worker] = field(default_factory=dict)
    run_state: sandbox.RunState = field(default_factory=sandbox.RunState)  # the time budget all workers share
    _loaded: set[str] = field(default_factory=set)
    _problem_at: set[tuple[object, object]] = field(default_factory=set)  # (cell, line) of load problems listed
    kept: dict[tuple[str, str], tuple] = field(default_factory=dict)  # UnitHarness.got_once: (unit, key) -> outcome
    stalled: dict[str, sandbox.WorkerTimeout] = field(default_factory=dict)  # unit -> what its later tests raise
    _recent: list[str] = field(default_factory=list)  # units by last use, oldest first
    _cases: dict[tuple[str, str, str], int] = field(default_factory=dict)
    progress: Callable[[int, int, str], None] | None = None  # told (done, total, unit) after every test
    total: int = 0  # tests collected for this run

    # -- workers ---------------------------------------------------------------------------
    def worker(self, unit: str) -> sandbox.Worker:
        """The worker for ``unit``; a new one after a crash or timeout."""
        if unit not in self._workers:
            self._workers[unit] = sandbox.Worker(
                self.limits, self.isolation, self.assignment.hidden_dirs(), self.run_state, self.assignment.course_code
            )
        worker = self._workers[unit]
        self._recent = [name for name in self._recent if name != unit] + [unit]
        self._separate_reference_holders(unit)
        if worker.process is None:
            self._make_room()
            self._loaded.discard(unit)
            worker.start()
        return worker

    def _separate_reference_holders(self, unit: str) -> None:
        """A worker holding reference code of other units never lives beside another worker with student code.

        Two live workers can talk through whatever they share (locks on a file both read, CPU time, the
        memory cgroup), so the reference numerical_gradient in gradient_descent's worker could reach
        numerical_gradient's own (``lock_channel_reference_relay``). Workers with nothing loaded yet
        (started early) hold no student code and stay.
        """
        holder = self.holds_reference_units(unit)
        for name, other in self._workers.items():
            if name != unit and other.process is not None and name in self._loaded:
                if holder or self.holds_reference_units(name):
                    other.stop()

    def _make_room(self) -> None:
        """Stop the least recently used workers so that their memory limits add up to the submission's budget."""
        plan = sandbox.memory_plan(self.limits)
        live = [name for name in self._recent if self._workers.get(name) and self._workers[name].process]
        while len(live) >= plan.live_workers:
            self._workers[live.pop(0)].stop()

    def live_workers(self) -> int:
        """How many of this session's workers are running now."""
        return sum(1 for worker in self._workers.values() if worker.process is not None)

    def prestart(self) -> None:
        """Start the first units' workers at once so their start-up overlaps (as many as memory allows)."""
        room = sandbox.memory_plan(self.limits).live_workers
        for unit in reversed(self.units[:room]):  # the first unit last: the most recently used
            self.worker(unit)

    def run_student(self, unit: str, call: Call) -> dict:
        """Run a call in the unit's worker and return its raw observations."""
        if call.unit not in self.extraction.names:
            raise student_missing(call.unit, self.extraction)
        stalled = self.stalled.get(unit)
        if stalled is not None:  # one endless loop costs one time limit, not one per test
            raise stalled
        try:
            worker = self.worker(unit)
            if unit not in self._loaded:
                source, names = self.substitutes.get(unit, ("", []))
                report = worker.load([s.to_data() for s in self.extraction.snippets], source, names)
                if self.holds_reference_units(unit):
                    self._record_guarded_load_problems(report)
                else:
                    self._record_load_problems(report)
                self._loaded.add(unit)
            reply = worker.call(call.to_data(), call.procedure or call.target, call.seconds)
        except sandbox.WorkerTimeout as error:
            if not isinstance(error, sandbox.BudgetExhausted):  # the budget's own message already covers the rest
                self.stalled[unit] = stalled_again(error, self.lang)
            raise
        if "missing" in reply:
            raise student_missing(call.unit, self.extraction)
        if "raised" in reply and type(reply["raised"]) is dict:
            raise StudentRaised(call, reply["raised"])
        outcome = reply.get("outcome")
        if type(outcome) is not dict:
            raise sandbox.WorkerFailure(f"no result came back from {call.target}")
        return admit(outcome)

    def _record_load_problems(self, report: dict) -> None:
        """Definition-time problems the worker reported; every field is the worker's, so each is checked and cut."""
        problems = report.get("problems") if type(report) is dict else None
        for problem in problems if type(problems) is list else []:
            if len(self.load_problems) >= LOAD_PROBLEMS_SHOWN or type(problem) is not dict:
                break
            cell, line = problem.get("cell"), one_line(problem.get("line"), 12)
            label = self.extraction.cell_label(cell, self.lang) if type(cell) is int else f"cell {one_line(cell, 12)}"
            where = f"{label}, line {line}"
            error = problem.get("error") if type(problem.get("error")) is dict else {}
            names = problem.get("names") if type(problem.get("names")) is list else []
            names_text = one_line(", ".join(map(str, names[:10])), 200)
            raised = f"{one_line(error.get('type'), 100)}: {one_line(error.get('message'), 500)}"
            text = (
                f"{where}: import of {names_text} skipped: {raised}"
                if problem.get("kind") == "import"
                else f"{where}: defining {names_text} failed: {raised}"
            )
            if text not in self.load_problems:
                self.load_problems.append(text)
            self._problem_at.add((cell, problem.get("line")))

    def _record_guarded_load_problems(self, report: dict) -> None:
        """Load problems from a worker holding reference code: only which snippet (found in the trusted
        extraction by its cell and line) and a built-in exception's name, never the worker's text."""
        problems = report.get("problems") if type(report) is dict else None
        snippets = {(snippet.cell, snippet.line): snippet for snippet in self.extraction.snippets}
        for problem in problems if type(problems) is list else []:
            if len(self.load_problems) >= LOAD_PROBLEMS_SHOWN or type(problem) is not dict:
                break
            snippet = snippets.get((problem.get("cell"), problem.get("line")))
            error = problem.get("error") if type(problem.get("error")) is dict else {}
            if snippet is None:
                continue
            where = f"{self.extraction.cell_label(snippet.cell, self.lang)}, line {snippet.line}"
            names = ", ".join(snippet.names[:10])
            raised = exception_name(error.get("type") if type(error.get("type")) is str else "")
            doing = f"import of {names} skipped" if snippet.kind == "import" else f"defining {names} failed"
            if (snippet.cell, snippet.line) not in self._problem_at:  # an unguarded worker said it in full
                self._problem_at.add((snippet.cell, snippet.line))
                self.load_problems.append(f"{where}: {doing}: {raised}")

    def stop_workers(self) -> None:
        """Stop every worker and remove their scratch folders."""
        for worker in self._workers.values():
            worker.stop()
        self.run_state.close()

    # -- outcomes --------------------------------------------------------------------------
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
        return [name for name in own if any(r.unit == name and r.outcome != "passed" for r in self.results)]

    def points(self, unit: str, suite: str, function: str) -> float:
        """A test case's maximum points from the rubric."""
        rubric = self.assignment.unit(unit).points.get(suite, {})
        return points_for(rubric.get(function, 0.0), self._cases.get((unit, suite, function), 1))


STALLED = Text(
    "(이 단원의 앞선 테스트가 시간 제한을 넘겨, 이 테스트는 다시 실행하지 않았습니다.)",
    "(an earlier test of this unit ran past its time limit, so this one was not run again.)",
)
TIMEOUT = Text(
    "시간 제한을 넘기는 가장 흔한 원인은 끝나지 않는 반복문입니다: 조건이 바뀌지 않는 while, 다음으로 넘어가지 않는 반복자. "
    "노트북에서 같은 호출을 실행해 끝나는지 확인하세요.",
    "the usual cause of running past the time limit is a loop that never ends: a while whose condition never "
    "changes, an iterator that never advances. Run the same call in your notebook and see whether it returns.",
    id="grader.timeout",
)


SYNTAX_ERROR = Text(
    "문법 오류(SyntaxError)가 있는 셀은 아무것도 정의하지 못합니다: 파이썬이 셀 전체를 읽지 못하므로 그 안의 함수가 모두 없는 "
    "것이 됩니다. 메시지가 가리키는 줄(빠진 `:`, 닫히지 않은 괄호, 들여쓰기)을 고치고 셀을 다시 실행하세요.",
    "a cell with a SyntaxError defines nothing: Python cannot read the cell at all, so every function in it is "
    "missing. Fix the line the message names (a missing `:`, an unclosed bracket, the indentation) and run the "
    "cell again.",
    id="grader.syntax-error",
)
MISSPELT = Text(
    "채점기는 함수와 클래스를 정확한 이름(대소문자 포함)으로 찾습니다: 과제에 주어진 이름 그대로 정의하세요.",
    "the grader finds functions and classes by their exact name, case included: define it under the name the "
    "assignment gives.",
    id="grader.misspelt-name",
)


# Every hint the engine itself gives (a fact about the notebook, whatever the course): with a course's hints,
# all a guarded test's hint can be (SECURITY.md's bound counts them). uses_failing_units is never one: it
# is given only where a unit runs the student's own versions of others, so its worker holds no reference code.
ENGINE_HINTS = (TIMEOUT, SYNTAX_ERROR, MISSPELT, RETURNED_NONE)


def uses_failing_units(unit: str, failing: list[str]) -> Text:
    """The hint of a unit that calls the student's own versions of units failing their own tests."""
    names = ", ".join(failing)
    return Text(
        f"{unit}은(는) 여러분의 {names}을(를) 씁니다. {names}이(가) 자기 테스트에서 실패하므로 먼저 고친 뒤 이 테스트를 다시 "
        f"보세요. 과목 채점에서는 {unit}에 참조 {names}이(가) 쓰이므로 이 실수는 {names}에서만 점수를 잃습니다.",
        f"{unit} uses your {names}, which fails its own tests: fix {names} first, then look at this test again. The "
        f"course's grading gives {unit} a reference {names}, so there this mistake costs points in {names} only.",
        id="grader.uses-failing-unit",
    )


def stalled_again(error: sandbox.WorkerTimeout, lang: str) -> sandbox.WorkerTimeout:
    """What the later tests of a unit whose worker ran past its limit fail with, at once: the same words."""
    note = STALLED.render(lang)
    again = sandbox.WorkerTimeout(f"{error} {note}", f"{error.message_for('hidden')} {note}")
    again.hint = getattr(error, "hint", None)
    return again


def timeout_hint(error: BaseException | None) -> None:
    """A timeout with no hint of its test's own gets the usual cause's (never the budget's: that is not a loop)."""
    if (
        isinstance(error, sandbox.WorkerTimeout)
        and not isinstance(error, sandbox.BudgetExhausted)
        and getattr(error, "hint", None) is None
    ):
        error.hint = TIMEOUT


def test_identity(item: pytest.Item) -> tuple[str, str, str]:
    """(unit, suite, test function name) of a collected test, from its path and name."""
    path = Path(str(item.path))
    suite = path.parent.parent.name.removeprefix("tests_")
    unit = path.stem.removeprefix("test_")
    return unit, suite, getattr(item, "originalname", item.name)


class GradingPlugin:
    """Registered with ``pytest.main(plugins=[...])`` by :mod:`grader.pipeline.grade`."""

    def __init__(self, session: GradingSession) -> None:
        self.session = session

    @pytest.fixture
    def unit(self, request: pytest.FixtureRequest) -> UnitHarness:
        """The harness for the unit this test file grades."""
        unit, suite, _ = test_identity(request.node)
        return UnitHarness(unit, suite, self.session)

    @pytest.fixture
    def grading_seed(self) -> int:
        """A seed chosen when grading starts: hidden inputs no list of answers can anticipate."""
        return self.session.grading_seed

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Keep the selected units' tests; count cases per test function; check the rubric."""
        selected, deselected = [], []
        for item in items:
            unit, suite, function = test_identity(item)
            if unit not in self.session.units:
                deselected.append(item)
                continue
            selected.append(item)
            key = (unit, suite, function)
            self.session._cases[key] = self.session._cases.get(key, 0) + 1
            if function not in self.session.assignment.unit(unit).points.get(suite, {}):
                self.session.internal_errors.append(
                    f"{item.nodeid} has no points in {self.session.assignment.rubric_path.name}"
                )
        for unit in self.session.units:
            for suite, tests in self.session.assignment.unit(unit).points.items():
                for function in tests:
                    if (unit, suite, function) not in self.session._cases and self._suite_present(suite):
                        self.session.internal_errors.append(
                            f"{unit}.{suite}.{function} is in the rubric but no such test was collected"
                        )
        # One unit at a time, public then hidden: each unit's worker starts once, and a worker holding
        # reference code (kept apart from the others) does not have to be stopped and started again.
        order = {unit: index for index, unit in enumerate(self.session.units)}
        suites = {"public": 0, "hidden": 1}
        selected.sort(key=lambda item: (order[test_identity(item)[0]], suites.get(test_identity(item)[1], 2)))
        items[:] = selected
        self.session.total = len(selected)
        if deselected:
            config.hook.pytest_deselected(items=deselected)

    def _suite_present(self, suite: str) -> bool:
        return suite in (self.session.suites or self.session.assignment.available_suites())

    def pytest_sessionstart(self) -> None:
        """Start the workers early."""
        self.session.prestart()

    def pytest_sessionfinish(self) -> None:
        """Stop every worker, whatever happened."""
        self.session.stop_workers()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        """Turn each test's end into one TestResult; skip pytest's costly traceback rendering."""
        failed = call.excinfo is not None
        if call.when == "call" or (call.when == "setup" and failed):
            self.record(item, call)
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            "failed" if failed else "passed",
            "see the grading report" if failed else None,
            call.when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )

    def record(self, item: pytest.Item, call: pytest.CallInfo) -> None:
        """Append the TestResult of one test."""
        unit, suite, function = test_identity(item)
        guarded = suite == "public" and self.session.holds_reference_units(unit)
        error = call.excinfo.value if call.excinfo is not None else None
        failing = self.session.failing_dependencies(unit) if error is not None else []
        if failing and isinstance(error, (Mismatch, StudentRaised, sandbox.WorkerFailure)):
            # The test compared with a reference that used correct versions of these: the student's own are wrong,
            # so whatever this unit's own hint says may be their fault. Say that instead of guessing.
            error.hint = uses_failing_units(unit, failing)
        timeout_hint(error)
        worker = self.session._workers.get(unit)
        printed = worker.take_output() if worker is not None else ""
        if guarded:  # built from trusted data only: see grader/pipeline/guarded.py
            view = self.guarded_view(call.excinfo)
            outcome, message, internal = view.outcome, render_guarded(view, self.session.lang), self._internal(call)
            hint, mistake, not_implemented = guarded_diagnosis(view, self.session.lang)
            location, problem = "", view.problem
            details = trusted_details(item.user_properties)
        else:
            outcome, message, internal = self.classify(call.excinfo, suite)
            if outcome != "passed" and suite == "public" and printed.strip():  # hidden: could carry inputs
                message += (
                    "\n"
                    + _label("출력", "printed output", self.session.lang)
                    + ":\n"
                    + clean(printed, OUTPUT_SHOWN_BYTES)
                )
            raised = call.excinfo.value if call.excinfo is not None else None
            location = raised.where[-1] if isinstance(raised, StudentRaised) and raised.where else ""
            location = location if suite == "public" else ""
            hint, mistake, not_implemented = diagnosis(call.excinfo, outcome, suite, self.session.lang)
            problem = raised.kind if isinstance(raised, Mismatch) else None
            details = (
                trusted_details(item.user_properties)
                if self.session.holds_reference_units(unit)
                else {str(key): value for key, value in item.user_properties}
            )
        message = clean(message, MESSAGE_LIMIT)
        maximum = self.session.points(unit, suite, function)
        error = call.excinfo.value if call.excinfo is not None else None
        chosen = getattr(error, "hint", None)
        name = item.name.removeprefix("test_")
        doc = (getattr(item.obj, "__doc__", None) or "").strip().splitlines()
        self.session.results.append(
            TestResult(
                unit=unit,
                name=name,
                suite=suite,
                outcome=outcome,
                score=maximum if outcome == "passed" else 0.0,
                max_score=maximum,
                message=message,
                description=doc[0] if doc else "",
                internal=internal,
                details=details,
                hint=hint,
                mistake=mistake,
                not_implemented=not_implemented,
                location=location,
                # A stub's NotImplementedError is no mistake: the hint its test would give is not a diagnosis.
                diagnosis=chosen.id if isinstance(chosen, Text) and hint and not not_implemented else "",
                problem=problem.value if problem is not None and outcome != "passed" else "",
                guarded=self.session.holds_reference_units(unit),
            )
        )
        if internal:
            self.session.internal_errors.append(f"{item.nodeid}: {message}")
        if self.session.progress is not None:
            self.session.progress(len(self.session.results), self.session.total, unit)

    def guarded_view(self, excinfo: pytest.ExceptionInfo | None) -> GuardedView:
        """How a guarded test ended, as a view of trusted data only (see grader/pipeline/guarded.py)."""
        if excinfo is None:
            return GuardedView(outcome="passed")
        error = excinfo.value
        if isinstance(error, Mismatch):
            return view_of_mismatch(error)
        if isinstance(error, StudentRaised):
            if error.type == "NotImplementedError":
                return GuardedView(outcome="error", raised="NotImplementedError", target=error.call.target)
            return view_of_raised(error.call, error.type, error.hint)
        if isinstance(error, StudentMissing):  # the name and its close match come from the notebook, not a worker
            return GuardedView(outcome="missing", fixed_text=render_missing(error, self.session.lang), hint=error.hint)
        if isinstance(error, sandbox.WorkerFailure):  # the kit's own sentence, as a hidden test gets it
            return GuardedView(
                outcome=error.kind, fixed_text=error.message_for("hidden"), hint=getattr(error, "hint", None)
            )
        # The grader's own failure: its text could quote a value that came back, so only the exception's kind.
        outcome, message, _ = self.classify(excinfo, "hidden")
        if isinstance(error, ReferenceFailure):
            return GuardedView(outcome="error", fixed_text=message)
        return GuardedView(
            outcome=outcome if outcome == "timeout" else "error",
            fixed_text=f"internal error in the grader, not your fault; tell your instructor: {excinfo.typename}",
        )

    @staticmethod
    def _internal(call: pytest.CallInfo) -> bool:
        """True when the kit failed, not the student's code (as :meth:`classify` decides)."""
        excinfo = call.excinfo
        if excinfo is None:
            return False
        error = excinfo.value
        if isinstance(error, (Mismatch, StudentRaised, StudentMissing)):
            return False
        if isinstance(error, sandbox.WorkerFailure):
            return error.internal
        return not (excinfo.typename == "Failed" and "Timeout" in str(error))

    def classify(self, excinfo: pytest.ExceptionInfo | None, suite: str) -> tuple[str, str, bool]:
        """(outcome, message, internal) for how a public or hidden test ended (guarded tests: :meth:`guarded_view`)."""
        lang = self.session.lang
        if excinfo is None:
            return "passed", "", False
        error = excinfo.value
        if isinstance(error, Mismatch):
            return "failed", render_mismatch(error, suite, lang), False
        if isinstance(error, StudentMissing):
            return "missing", render_missing(error, lang) + _hint_line(error.hint, lang), False
        if isinstance(error, StudentRaised):
            error.where = [learner_frame(frame, self.session.extraction, lang) for frame in error.where]
            return "error", render_raised(error, suite, lang), False
        if isinstance(error, sandbox.WorkerFailure):  # hidden tests: no exit status or other student-chosen text
            return error.kind, error.message_for(suite) + _hint_line(getattr(error, "hint", None), lang), error.internal
        if excinfo.typename == "Failed" and "Timeout" in str(error):
            return "timeout", "the test ran past the grader's time limit", False
        if excinfo.typename in ("Skipped", "XFailed"):
            return "error", "internal error in the grader: the test was skipped (skips count as not passed)", True
        # A hidden test's internal error names only the exception's kind: its text could quote a hidden input.
        reason = (
            error.args[0]
            if isinstance(error, ReferenceFailure)
            else (f"{excinfo.typename}: {error}" if suite == "public" else excinfo.typename)
        )
        return "error", f"internal error in the grader, not your fault; tell your instructor: {reason}", True


_FRAME = re.compile(r"cell (\d+), line (\d+), in (.*)")


def learner_frame(frame: str, extraction: Extraction, lang: str) -> str:
    """``cell 9, line 10, in f`` (the worker's file name for a cell) as the learner finds it: the function, the
    line inside the cell, and the cell as Jupyter shows it (``f, line 10 of cell [5]``)."""
    match = _FRAME.fullmatch(frame)
    if match is None:
        return frame
    number, line, function = int(match.group(1)), match.group(2), match.group(3)
    label = extraction.cell_label(number, lang)
    if lang == "ko":
        return f"{function}, {label}의 {line}번째 줄"
    return f"{function}, line {line} of {label}"


def diagnosis(excinfo: pytest.ExceptionInfo | None, outcome: str, suite: str, lang: str) -> tuple[str, str, bool]:
    """(hint, mistake, not implemented) of a test's end, all chosen on the trusted side.

    ``mistake`` groups tests in the student report: the diagnosed hint when there is one, else what the
    kit saw. A hidden test's key never holds text from the student's code (an exception message could
    carry hidden inputs), only the outcome and a built-in exception's name.
    """
    error = excinfo.value if excinfo is not None else None
    hint = getattr(error, "hint", None)
    hint_text = hint.render(lang) if isinstance(hint, Text) else ""
    if isinstance(error, StudentRaised) and error.type == "NotImplementedError":
        return hint_text, f"not-implemented {error.call.target}", True
    if outcome == "passed":
        return "", "", False
    if hint_text:
        return hint_text, f"hint {hint.id or hint.en}", False
    if isinstance(error, Mismatch):
        return "", f"{outcome} {error.problem.en}" if suite == "public" else outcome, False
    if isinstance(error, StudentRaised):
        shown = exception_name(error.type)
        return "", f"raised {shown} {error.text}" if suite == "public" else f"raised {shown}", False
    return "", outcome, False


def guarded_diagnosis(view: GuardedView, lang: str) -> tuple[str, str, bool]:
    """(hint, mistake, not implemented) of a guarded test, from its view alone (as :func:`diagnosis`)."""
    hint_text = view.hint.render(lang) if view.hint is not None else ""
    if view.raised == "NotImplementedError":
        return hint_text, f"not-implemented {view.target}", True
    if view.outcome == "passed":
        return "", "", False
    if view.hint is not None:
        return hint_text, f"hint {view.hint.id or view.hint.en}", False
    if view.problem is not None:
        return "", f"{view.outcome} {view.problem.value}", False
    if view.raised:
        return "", f"raised {view.raised}", False
    return "", view.outcome, False


def trusted_details(properties: list[tuple[str, object]]) -> dict:
    """The recorded properties a test of a worker holding reference code may keep: the reference's only.

    A property named ``reference_*`` is computed on the trusted side from the test's own call; anything
    else (a student's learning curve) came from the worker and could carry the reference code out.
    """
    return {str(key): value for key, value in properties if str(key).startswith("reference_")}


def _label(ko: str, en: str, lang: str) -> str:
    return Text(ko, en).render(lang)


def render_mismatch(error: Mismatch, suite: str, lang: str) -> str:
    """A failing check: for public tests the call, expected and got; for hidden tests only the hint."""
    if suite == "hidden":
        lines = [Text("숨은 테스트에서 결과가 틀렸습니다.", "a hidden test got a wrong result.").render(lang)]
    else:
        lines = [error.problem.render(lang)]
        if error.call is not None:
            lines.append(f"{_label('호출', 'call', lang)}: {error.call.describe()}")
        shows_got = error.got is not None
        expected, got = (
            summarize_pair(error.expected, error.got)
            if error.expected is not None and shows_got
            else (show(error.expected), show(error.got))
        )
        if error.expected is not None:
            lines.append(f"{_label('기대값', 'expected', lang)}: {expected}")
        if shows_got:
            lines.append(f"{_label('받은 값', 'got', lang)}: {got}")
    if error.hint is not None:
        lines.append(f"{_label('힌트', 'hint', lang)}: {error.hint.render(lang)}")
    return "\n".join(lines)


def render_raised(error: StudentRaised, suite: str, lang: str) -> str:
    """An exception from the student's code; its text is kept out of hidden tests (it could carry inputs)."""
    # Hidden tests: the type name and frames come from student code too (a class or function can be named
    # after an input), so only a built-in exception's name is shown, and no frames.
    where = f" ({'; '.join(error.where)})" if error.where and suite == "public" else ""
    if error.type == "NotImplementedError":
        return (
            Text(
                "아직 구현되지 않았습니다 (NotImplementedError).", "not implemented yet (NotImplementedError)."
            ).render(lang)
            + where
        )
    if suite == "hidden":
        return f"{error.call.target} raised {exception_name(error.type)}" + _hint_line(error.hint, lang)
    return f"{error.call.describe()} raised {error.type}: {error.text}{where}" + _hint_line(error.hint, lang)


def _hint_line(hint: Text | None, lang: str) -> str:
    return f"\n{_label('힌트', 'hint', lang)}: {hint.render(lang)}" if hint is not None else ""


def render_missing(error: StudentMissing, lang: str) -> str:
    """ "not found", with the SyntaxError of the cell that defines it, or a did-you-mean when a close name exists."""
    if error.syntax_error is not None:
        label, line = error.syntax_error
        return Text(
            f"{error.name}은(는) {label.ko}에 정의되어 있지만, 그 셀의 {line}번째 줄에 문법 오류(SyntaxError)가 "
            "있습니다: 먼저 고치세요.",
            f"{error.name} is defined in {label.en}, which has a SyntaxError at line {line}: fix it first.",
        ).render(lang)
    text = Text(f"{error.name}을(를) 노트북에서 찾을 수 없습니다.", f"{error.name} not found in the notebook.").render(
        lang
    )
    if error.close:
        text += " " + Text(
            f"혹시 {error.close}인가요? 이름을 {error.name}(으)로 바꾸세요.",
            f"Did you mean {error.close}? Rename it to {error.name}.",
        ).render(lang)
    return text
