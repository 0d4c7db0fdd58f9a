"""How a test ended, from the exception its call ended in (or none) to a typed :class:`Verdict`: pure.

pytest's ``reports.py`` turns what happened into a report apart from running the test and from consuming
the report; this is that seam for grading. The decision is made on the exception's *type* and on codes the
trusted side set (a check's :class:`~grader.pipeline.checks.Problem`, a hint's id, a worker failure's class),
never on a message's text. :mod:`grader.pipeline.render` turns the verdict into words.
"""

from __future__ import annotations

import pytest

from grader import sandbox
from grader.pipeline.checks import Mismatch, Text
from grader.pipeline.guarded import GuardedView, exception_name
from grader.pipeline.outcomes import Ending, Outcome, Suite, Verdict
from grader.pipeline.reference import ReferenceFailure
from grader.pipeline.student_errors import StudentMissing, StudentRaised
from grader.pipeline.timer import TestTimedOut

# What pytest raises for a skip or an xfail inside a test: not passed, and the kit's failure (a test must not skip).
SKIPS: tuple[type[BaseException], ...] = (pytest.skip.Exception, pytest.xfail.Exception)


def classify(error: BaseException | None) -> Verdict:
    """The verdict of a test that ended in ``error`` (None: it returned normally)."""
    if error is None:
        return Verdict(outcome=Outcome.PASSED, ending=Ending.RETURNED)
    if isinstance(error, Mismatch):
        target = error.call.target if error.call is not None else ""
        return Verdict(
            outcome=Outcome.FAILED, ending=Ending.MISMATCH, hint=error.hint, problem=error.kind, target=target
        )
    if isinstance(error, StudentMissing):
        return Verdict(outcome=Outcome.MISSING, ending=Ending.NOT_DEFINED, hint=error.hint, target=error.name)
    if isinstance(error, StudentRaised):
        ending = Ending.NOT_IMPLEMENTED if error.not_implemented else Ending.RAISED
        return Verdict(
            outcome=Outcome.ERROR, ending=ending, hint=error.hint, raised=error.type, target=error.call.target
        )
    if isinstance(error, sandbox.WorkerFailure):
        outcome = Outcome.TIMEOUT if isinstance(error, sandbox.WorkerTimeout) else Outcome.ERROR
        hint = error.hint if isinstance(error.hint, Text) else None
        return Verdict(outcome=outcome, ending=Ending.WORKER_FAILED, internal=error.internal, hint=hint)
    if isinstance(error, TestTimedOut):
        return Verdict(outcome=Outcome.TIMEOUT, ending=Ending.TEST_TIMED_OUT)
    if isinstance(error, SKIPS):
        return Verdict(outcome=Outcome.ERROR, ending=Ending.SKIPPED, internal=True)
    if isinstance(error, ReferenceFailure):
        return Verdict(outcome=Outcome.ERROR, ending=Ending.REFERENCE_FAILED, internal=True)
    return Verdict(outcome=Outcome.ERROR, ending=Ending.KIT_FAILED, internal=True)


def mistake_key(verdict: Verdict, error: BaseException | None, suite: Suite) -> str:
    """What went wrong, as a key chosen on the trusted side: tests sharing it are shown once in the student report.

    The diagnosed hint when there is one, else what the kit saw. A hidden test's key never holds text from the
    student's code (an exception message could carry hidden inputs), only the outcome and a built-in
    exception's name.
    """
    if verdict.ending is Ending.NOT_IMPLEMENTED:
        return f"not-implemented {verdict.target}"
    if verdict.outcome is Outcome.PASSED:
        return ""
    if verdict.hint is not None:
        return f"hint {verdict.hint.id or verdict.hint.en}"
    if isinstance(error, Mismatch):
        return f"{verdict.outcome} {error.problem.en}" if suite is Suite.PUBLIC else str(verdict.outcome)
    if isinstance(error, StudentRaised):
        shown = exception_name(error.type)
        return f"raised {shown} {error.text}" if suite is Suite.PUBLIC else f"raised {shown}"
    return str(verdict.outcome)


def guarded_mistake_key(view: GuardedView) -> str:
    """The key of :func:`mistake_key` for a guarded test, from its view alone."""
    if view.raised == "NotImplementedError":
        return f"not-implemented {view.target}"
    if view.outcome == Outcome.PASSED:
        return ""
    if view.hint is not None:
        return f"hint {view.hint.id or view.hint.en}"
    if view.problem is not None:
        return f"{view.outcome} {view.problem.value}"
    if view.raised:
        return f"raised {view.raised}"
    return str(view.outcome)


def guarded_diagnosis(view: GuardedView, lang: str) -> tuple[str, str, bool]:
    """(hint, mistake, not implemented) of a guarded test, from its view alone."""
    hint_text = view.hint.render(lang) if view.hint is not None else ""
    if view.raised == "NotImplementedError":
        return hint_text, guarded_mistake_key(view), True
    if view.outcome == Outcome.PASSED:
        return "", "", False
    return hint_text, guarded_mistake_key(view), False
