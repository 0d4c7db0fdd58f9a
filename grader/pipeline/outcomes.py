"""How a test ended, as typed values: the outcome, the suite kind and the verdict a test's end is classified into.

Codes decide and text is rendered last (:mod:`grader.pipeline.render`): a :class:`Verdict` holds what the
trusted side decided about one test, and every report (terminal, JSON, Markdown, HTML, Gradescope) is
written from it. "Guarded" is no suite: it is a property of a public test whose worker holds reference code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: checks imports numpy, and the CI's light commands (ci comment) read outcomes
    from grader.pipeline.checks import Problem, Text


class Outcome(StrEnum):
    """How one test ended; the JSON report's ``outcome``."""

    PASSED = "passed"  # the test returned normally: its points are earned
    FAILED = "failed"  # a check found the result wrong (a Mismatch)
    ERROR = "error"  # the student's code raised, a worker failed, or the kit itself failed (``internal``)
    TIMEOUT = "timeout"  # a call or the test ran past its time limit
    MISSING = "missing"  # the notebook does not define what the test calls, or no result was recorded


class Suite(StrEnum):
    """Which suite a test belongs to; the JSON report's ``suite``."""

    PUBLIC = "public"  # students have these tests: their messages show calls, expected and got values
    HIDDEN = "hidden"  # course staff's only: a message never quotes an input or an expected value


class Ending(StrEnum):
    """What kind of thing ended a test, decided by the exception's type (never by its text)."""

    RETURNED = "returned"  # the test returned normally
    MISMATCH = "mismatch"  # a check raised Mismatch
    RAISED = "raised"  # the student's code raised (StudentRaised)
    NOT_IMPLEMENTED = "not-implemented"  # the student's code raised NotImplementedError: the stub is still there
    NOT_DEFINED = "not-defined"  # the notebook does not define what was called (StudentMissing)
    WORKER_FAILED = "worker-failed"  # the worker hung, died or sent what cannot be decoded (WorkerFailure)
    TEST_TIMED_OUT = "test-timed-out"  # the whole test ran past the grading run's per-test limit
    SKIPPED = "skipped"  # pytest skipped or xfailed the test: counts as not passed, and as the kit's failure
    REFERENCE_FAILED = "reference-failed"  # the instructor's solution failed: the kit's failure
    KIT_FAILED = "kit-failed"  # any other exception in the trusted code: the kit's failure
    NOT_RUN = "not-run"  # the notebook could not be read, so no test ran (the report's ``ungradable`` says why)
    NOT_RECORDED = "not-recorded"  # the rubric lists the test but the run recorded no result for it


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What the trusted side decided about one test's end; the report's fields and messages come from it."""

    outcome: Outcome  # how the test ended
    ending: Ending  # what ended it, from the exception's type
    internal: bool = False  # the kit failed, not the student's code
    hint: Text | None = None  # the diagnosed mistake's hint (chosen by the trusted checks), else None
    problem: Problem | None = None  # what a failed check found, else None
    raised: str = ""  # the exception's type name, when the student's code raised
    target: str = ""  # the function or method the failing call named, when there was one

    @property
    def diagnosis(self) -> str:
        """The id of the hint the trusted checks chose, else "" (a stub's NotImplementedError is no mistake)."""
        if self.hint is None or self.ending is Ending.NOT_IMPLEMENTED:
            return ""
        return self.hint.id
