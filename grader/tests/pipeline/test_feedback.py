"""Feedback comes out in the language asked for: hints, labels and messages, from --lang or the notebook."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from courses.ch04_learning.hints import DIFF_FORWARD, GRAD_FINISHED
from courses.ch04_learning.mutants.catalogue import MUTANTS
from grader.mutants.variants import build_notebook
from grader.tests.helpers import write_notebook

MUTANT = {m.id: m for m in MUTANTS}


def failing_messages(report, suite: str = "public") -> list[str]:
    return [t.message for u in report.units for t in u.tests if t.outcome != "passed" and t.suite == suite]


@pytest.mark.parametrize("lang", ["ko", "en", "both"])
def test_a_mismatch_hint_comes_out_in_the_language_asked_for(grade, lang):
    report = grade(build_notebook(MUTANT["diff_forward"]), units=["numerical_diff"], lang=lang)
    messages = failing_messages(report)
    assert messages and all(f"{'힌트' if lang == 'ko' else 'hint'}: " in m for m in messages)
    text = "\n".join(messages)
    assert (DIFF_FORWARD.ko in text) == (lang != "en")
    assert (DIFF_FORWARD.en in text) == (lang != "ko")
    assert ("호출" in text) == (lang != "en") and ("call:" in text) == (lang != "ko")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_an_exception_hint_comes_out_in_the_language_asked_for(grade, lang):
    report = grade(build_notebook(MUTANT["grad_finished_call"]), units=["numerical_gradient"], lang=lang)
    for suite in ("public", "hidden"):
        messages = failing_messages(report, suite)
        # The sentence around the exception's name is in the language asked for too.
        raised = "에서 TypeError 예외가 발생했습니다" if lang == "ko" else " raised TypeError"
        assert messages and all(raised in m for m in messages)
        assert not any(" raised " in m for m in messages) if lang == "ko" else True
        assert all(GRAD_FINISHED.render(lang) in m for m in messages)
        assert not any(GRAD_FINISHED.render("en" if lang == "ko" else "ko") in m for m in messages)


def test_the_notebook_metadata_chooses_the_language_over_the_locale(tmp_path):
    notebook = build_notebook(MUTANT["diff_forward"])
    notebook.metadata["grader"] = {"lang": "ko"}
    path = write_notebook(notebook, tmp_path / "ch04_learning.ipynb")
    environment = {**os.environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(path), "--unit", "numerical_diff", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert DIFF_FORWARD.ko in result.stdout and DIFF_FORWARD.en not in result.stdout


def test_an_endless_loop_costs_one_time_limit_and_every_test_says_why(grade, monkeypatch):
    """numerical_gradient without it.iternext() loops forever: the first test waits out its limit, the other
    nine fail at once with the same words and the same diagnosis (the class report lists it under its unit)."""
    from grader import sandbox
    from grader.pipeline.engine_hints import STALLED, TIMEOUT
    from grader.tests.helpers import solution_with

    calls = []
    original = sandbox.Worker.call

    def counted(self, call_data, what, seconds=None):
        calls.append(what)
        return original(self, call_data, what, seconds)

    monkeypatch.setattr(sandbox.Worker, "call", counted)
    endless = (
        "def numerical_gradient(f, x):\n"
        "    it = np.nditer(x, flags=['multi_index'])\n"
        "    while not it.finished:\n"
        "        pass\n"
    )
    report = grade(solution_with([endless]), units=["numerical_gradient"], limits=sandbox.Limits(call_seconds=2))
    tests = report.units[0].tests
    assert len(tests) >= 8 and all(t.outcome == "timeout" and t.score == 0 for t in tests)
    assert all(t.diagnosis == TIMEOUT.id and TIMEOUT.en in t.message and TIMEOUT.ko in t.message for t in tests)
    assert [STALLED.en in t.message for t in tests] == [False] + [True] * (len(tests) - 1)
    assert calls == ["numerical_gradient"]  # one call waited out its limit; no later test reached a worker


def _missing_tests(report) -> list:
    return [t for u in report.units for t in u.tests if t.outcome == "missing"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_unit_whose_cell_has_a_syntax_error_is_told_so_and_not_sent_to_a_look_alike(grade, lang):
    """A TA's class: `def numerical_diff(f, x)` without its `:` gave "Did you mean numerical_diff_bad?" (the
    book's bad example, defined in an earlier cell). The message must name the SyntaxError's cell and line."""
    from grader.pipeline.engine_hints import SYNTAX_ERROR

    notebook = build_notebook(MUTANT["diff_forward"])
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "def numerical_diff(f, x):" in c.source)
    cell.source = cell.source.replace("def numerical_diff(f, x):", "def numerical_diff(f, x)")
    cell.execution_count = 7
    report = grade(notebook, units=["numerical_diff"], lang=lang)
    tests = _missing_tests(report)
    assert tests and len(tests) == len(report.units[0].tests)
    expected = {
        "ko": "numerical_diff은(는) 셀 [7]에 정의되어 있지만, 그 셀의 1번째 줄에 문법 오류(SyntaxError)가 있습니다",
        "en": "numerical_diff is defined in cell [7], which has a SyntaxError at line 1: fix it first.",
    }[lang]
    for test in tests:
        assert test.message.splitlines()[0].startswith(expected), test.message
        assert "numerical_diff_bad" not in test.message and test.diagnosis == SYNTAX_ERROR.id


def test_a_misspelt_unit_gets_a_did_you_mean(grade):
    from grader.pipeline.engine_hints import MISSPELT

    notebook = build_notebook(MUTANT["diff_forward"])
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "def numerical_diff(f, x):" in c.source)
    cell.source = cell.source.replace("def numerical_diff(f, x):", "def numerical_dif(f, x):")
    report = grade(notebook, units=["numerical_diff"], lang="en")
    tests = _missing_tests(report)
    assert tests and len(tests) == len(report.units[0].tests)
    assert all("Did you mean numerical_dif? Rename it to numerical_diff." in t.message for t in tests)
    assert {t.diagnosis for t in tests} == {MISSPELT.id}
