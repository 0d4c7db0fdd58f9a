"""Classifying a test's end (exception -> Verdict) and rendering it (Verdict -> words), on plain values.

No pytest session and no worker here: the classification is a pure function of the exception's type and the
codes the trusted side set, and the rendering a pure function of the verdict. One test runs a real pytest
session to show the per-test time limit ends a test in a type of its own.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader import sandbox
from grader.pipeline import timer
from grader.pipeline.checks import Mismatch, Problem, Text, as_scalar
from grader.pipeline.classify import classify, mistake_key
from grader.pipeline.engine_hints import MISSPELT, SYNTAX_ERROR
from grader.pipeline.outcomes import Ending, Outcome, Suite
from grader.pipeline.plugin import GradingPlugin
from grader.pipeline.reference import ReferenceFailure
from grader.pipeline.render import guarded_view, render_message
from grader.pipeline.student_errors import StudentMissing, StudentRaised
from grader.untrusted.calls import Call

pytest_plugins = ["pytester"]  # the time-limit test runs a real pytest session

CALL = Call("softmax", (np.array([1.0, 2.0]),))
HINT = Text("축을 확인하세요.", "check the axis.", id="course.axis")
SECRET = "hidden-input-0.123"  # text the student's code chose: a hidden test must never show it


def raised(kind: str = "ValueError", message: str = SECRET) -> StudentRaised:
    return StudentRaised(CALL, {"type": kind, "message": message, "where": ["cell 3, line 2, in softmax"]})


def unchanged(frame: str) -> str:
    return frame


CASES = [
    (None, Outcome.PASSED, Ending.RETURNED, False),
    (Mismatch(Text("틀림", "wrong"), CALL, kind=Problem.WRONG_SHAPE), Outcome.FAILED, Ending.MISMATCH, False),
    (StudentMissing("softmax", "softmx"), Outcome.MISSING, Ending.NOT_DEFINED, False),
    (raised(), Outcome.ERROR, Ending.RAISED, False),
    (raised("NotImplementedError", ""), Outcome.ERROR, Ending.NOT_IMPLEMENTED, False),
    (sandbox.WorkerTimeout("ran past 10 s"), Outcome.TIMEOUT, Ending.WORKER_FAILED, False),
    (sandbox.WorkerDied("the worker died"), Outcome.ERROR, Ending.WORKER_FAILED, False),
    (sandbox.IsolationFailure("no seccomp"), Outcome.ERROR, Ending.WORKER_FAILED, True),
    (timer.TestTimedOut(120), Outcome.TIMEOUT, Ending.TEST_TIMED_OUT, False),
    (pytest.skip.Exception("skipped"), Outcome.ERROR, Ending.SKIPPED, True),
    (
        ReferenceFailure("the reference failed", ko="참조 풀이가 실패했습니다"),
        Outcome.ERROR,
        Ending.REFERENCE_FAILED,
        True,
    ),
    (KeyError("Timeout"), Outcome.ERROR, Ending.KIT_FAILED, True),  # its words say Timeout; its type decides
]


@pytest.mark.parametrize(("error", "outcome", "ending", "internal"), CASES, ids=[c[2].value for c in CASES])
def test_the_verdict_follows_the_exception_type(error, outcome, ending, internal):
    verdict = classify(error)
    assert (verdict.outcome, verdict.ending, verdict.internal) == (outcome, ending, internal)


def test_a_failure_whose_words_say_timeout_is_not_a_timeout():
    """pytest-timeout's words on any other failure decide nothing (they once did: "Timeout" in str(error))."""
    assert classify(pytest.fail.Exception("Timeout >120.0s")).outcome is Outcome.ERROR
    assert classify(AssertionError("Timeout")).ending is Ending.KIT_FAILED


def test_the_diagnosis_is_the_chosen_hint_id_except_for_a_stub():
    mismatch = Mismatch(Text("틀림", "wrong"), CALL, hint=HINT)
    assert classify(mismatch).diagnosis == "course.axis"
    stub = raised("NotImplementedError", "")
    stub.hint = HINT
    assert classify(stub).diagnosis == ""
    assert classify(StudentMissing("softmax", "softmx")).hint is MISSPELT
    assert classify(StudentMissing("softmax", None, (Text("셀 [3]", "cell [3]"), 2))).hint is SYNTAX_ERROR


def test_a_hidden_test_neither_shows_nor_keys_on_the_student_text():
    error = raised()
    verdict = classify(error)
    public = render_message(verdict, error, Suite.PUBLIC, "en", unchanged)
    hidden = render_message(verdict, error, Suite.HIDDEN, "en", unchanged)
    assert SECRET in public and "cell 3, line 2" in public
    assert SECRET not in hidden and "cell 3" not in hidden and "softmax raised ValueError" in hidden
    assert SECRET in mistake_key(verdict, error, Suite.PUBLIC)
    assert mistake_key(verdict, error, Suite.HIDDEN) == "raised ValueError"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_ending_is_worded_in_the_language_asked_for(lang):
    """Korean messages are Korean sentences (an exception's name and code names aside); English ones have no Hangul."""
    for error, *_ in CASES:
        verdict = classify(error)
        for suite in Suite:
            message = render_message(verdict, error, suite, lang, unchanged)
            if verdict.ending in (Ending.RETURNED, Ending.WORKER_FAILED):  # the sandbox's words are its own
                continue
            hangul = any("가" <= character <= "힣" for character in message)
            assert hangul == (lang == "ko"), (verdict.ending, suite, message)


def test_a_korean_sentence_names_a_type_in_korean():
    """Not "ndarray of shape (5,) and dtype float64을(를)": a Korean phrase inside the Korean sentence."""
    with pytest.raises(Mismatch) as raised:
        as_scalar(np.zeros(5), CALL)
    korean, english = raised.value.problem.ko, raised.value.problem.en
    assert "shape (5,), dtype float64인 ndarray을(를) 반환했습니다" in korean and "of shape" not in korean
    assert "ndarray of shape (5,) and dtype float64" in english


def test_a_guarded_view_of_a_kit_failure_names_no_words_of_it():
    error = KeyError(SECRET)
    view = guarded_view(classify(error), error, "en")
    assert SECRET not in view.fixed_text and "KeyError" in view.fixed_text
    assert guarded_view(classify(timer.TestTimedOut(5)), timer.TestTimedOut(5), "en").outcome is Outcome.TIMEOUT


def test_a_test_past_its_time_limit_ends_in_a_type_of_its_own(pytester: pytest.Pytester, monkeypatch):
    """The grading plugin's pytest-timeout hooks: a test that runs past the ini's limit raises TestTimedOut."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # as a grading run has it: only -p plugins
    pytester.makepyfile(
        test_slow=textwrap.dedent(
            """
            import time

            def test_slow():
                time.sleep(30)
            """
        )
    )
    seen = []

    class Plugin:
        pytest_timeout_set_timer = GradingPlugin.pytest_timeout_set_timer  # the grading plugin's own hooks
        pytest_timeout_cancel_timer = GradingPlugin.pytest_timeout_cancel_timer

        def pytest_runtest_makereport(self, item, call):
            if call.when == "call":
                seen.append(classify(call.excinfo.value if call.excinfo else None))

    pytester.runpytest_inprocess("-p", "pytest_timeout", "--timeout", "0.5", plugins=[Plugin()])
    assert [verdict.ending for verdict in seen] == [Ending.TEST_TIMED_OUT]


def test_the_tests_of_an_unreadable_notebook_say_they_never_ran(tmp_path):
    """No text to match: each test of a notebook that could not be read carries ending "not-run"."""
    from grader.pipeline.grade import grade_notebook
    from grader.pipeline.report import to_json_data

    path = tmp_path / "ch04_learning.ipynb"
    path.write_bytes(b"")
    report = grade_notebook(path, assignment_id="ch04_learning", units=["numerical_diff"])
    tests = [test for unit in to_json_data(report)["functions"] for test in unit["tests"]]
    assert tests and all(test["ending"] == "not-run" and test["outcome"] == "error" for test in tests)
