"""The student report: one line per unstarted unit, one hint per mistake, learner values, places and language."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from courses.ch04_learning.mutants.catalogue import MUTANTS
from grader.classroom.selfcheck import SelfCheck
from grader.mutants.variants import build_notebook
from grader.pipeline.display import summarize, summarize_pair
from grader.pipeline.outcomes import Outcome, Suite
from grader.pipeline.report import render_json, render_markdown, render_text
from grader.pipeline.scoring import GradeReport, UnitScore
from grader.pipeline.scoring import TestResult as Result
from grader.tests.helpers import STUDENT, notebook_from_cells, write_notebook

MUTANT = {m.id: m for m in MUTANTS}
HANGUL = re.compile("[가-힣]")


def half_done(tmp_path):
    """The solution with two mistakes (no batch mean, forward difference) and TwoLayerNet left as the stub."""
    notebook = build_notebook(MUTANT["diff_forward"], base=build_notebook(MUTANT["cee_no_batch_mean"]))
    stub = nbformat.read(str(STUDENT), as_version=4)
    stub_net = next(c.source for c in stub.cells if c.cell_type == "code" and "class TwoLayerNet" in c.source)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "class TwoLayerNet" in cell.source:
            cell.source = stub_net
    notebook.metadata.pop("grader", None)  # the language comes from the command line in these tests
    return write_notebook(notebook, tmp_path / "ch04_learning.ipynb")


def run_grade(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", *args, "--seed", "7"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def half_done_reports(tmp_path_factory):
    """The half-done notebook's text report in English and Korean, and its JSON report."""
    tmp_path = tmp_path_factory.mktemp("half")
    path = half_done(tmp_path)
    english = run_grade(str(path), "--lang", "en", "--json", str(tmp_path / "r.json"))
    korean = run_grade(str(path), "--lang", "ko")
    return english, korean, json.loads((tmp_path / "r.json").read_text())


def section(text: str, unit: str) -> list[str]:
    """The lines of one unit's section of failures (after the table)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{unit} — "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def test_the_stub_fits_on_one_screen_with_one_line_per_unit_and_its_points():
    text = run_grade(str(STUDENT), "--lang", "en")
    lines = text.splitlines()
    assert len(lines) < 30, text
    for unit, points in [("cross_entropy_error", 20), ("TwoLayerNet", 35), ("train_neuralnet", 10)]:
        (line,) = [line for line in lines if line.strip().startswith(unit + " ")]
        assert f"0 / {points}" in line and "not implemented yet" in line
    assert "NotImplementedError" not in text  # said once per unit in words, not 62 times


def test_a_mistake_is_shown_once_with_one_hint_while_the_json_keeps_every_test(half_done_reports):
    english, _, data = half_done_reports
    diff = section(english, "numerical_diff")
    assert sum(line.strip().startswith("hint:") for line in diff) == 1, diff
    assert "forward" in " ".join(diff) and "7 tests (3 public, 4 hidden)" in diff[1]
    tests = next(f for f in data["functions"] if f["name"] == "numerical_diff")["tests"]
    assert len(tests) == 7 and all("hint: " in t["message"] for t in tests)  # the contract's JSON is unchanged


def test_values_are_shown_as_a_learner_writes_them(half_done_reports):
    english, _, _ = half_done_reports
    diff = " ".join(section(english, "numerical_diff"))
    # function_1(x) = 0.01 x^2 + 0.1 x at x = 5: the derivative is 0.2; a forward difference adds 0.01 h = 1e-6
    assert "expected: 0.2 " in diff + " " and "got: 0.200001" in diff
    assert "np.float64" not in english and "np.int64" not in english
    assert "shape=(4, 10)" in " ".join(section(english, "cross_entropy_error"))  # a cut array says its shape


def test_english_and_korean_reports_hold_no_word_of_the_other_language(half_done_reports):
    english, korean, _ = half_done_reports
    assert HANGUL.findall(english) == []
    for word in ("total", "hint:", "tests passed", "expected:", "not implemented"):
        assert word not in korean, word
    assert "합계" in korean and "힌트:" in korean and "아직 구현하지 않음" in korean


def test_a_unit_left_as_the_stub_takes_one_line_and_nothing_below(half_done_reports):
    english, _, _ = half_done_reports
    (line,) = [line for line in english.splitlines() if line.strip().startswith("TwoLayerNet ")]
    assert "0 / 35" in line and "not implemented yet" in line
    assert not any(line.startswith("TwoLayerNet — ") for line in english.splitlines())


def test_a_public_total_says_the_hidden_tests_decide_the_rest(tmp_path):
    text = run_grade(str(half_done(tmp_path)), "--lang", "en", "--public-only")
    assert "public tests only: the hidden tests of the course's grading decide the rest" in text
    full = run_grade(str(half_done(tmp_path)), "--lang", "en", "--unit", "numerical_diff")
    assert "hidden tests of the course's grading decide" not in full


def test_a_place_is_the_function_the_line_in_the_cell_and_the_cell_as_jupyter_numbers_it(grade):
    notebook = notebook_from_cells(
        [
            ("markdown", "# 4장"),
            "import numpy as np",
            ("markdown", "## 수치 미분"),
            "def numerical_diff(f, x):\n    h = 1e-4\n    raise ValueError('h is too small')",
        ]
    )
    notebook.cells[1].execution_count, notebook.cells[3].execution_count = 3, 7
    report = grade(notebook, units=["numerical_diff"], suites=("public",), lang="en")
    messages = [t.message for t in report.units[0].tests]
    assert all("numerical_diff, line 3 of cell [7]" in m for m in messages), messages
    assert not any("cell 4" in m for m in messages)  # its place among all cells, markdown counted
    notebook.cells[3].execution_count = None  # never run: its place among code cells
    report = grade(notebook, units=["numerical_diff"], suites=("public",), lang="ko")
    assert all("numerical_diff, 코드 셀 2의 3번째 줄" in t.message for t in report.units[0].tests)


def student_report(missing: dict[str, str], staff: bool) -> GradeReport:
    test = Result(
        unit="numerical_diff",
        name="book_function_1",
        suite=Suite.PUBLIC,
        outcome=Outcome.PASSED,
        score=10.0,
        max_score=10.0,
    )
    return GradeReport(
        "ch04_learning",
        "ch04_learning.ipynb",
        [UnitScore("numerical_diff", [test])],
        isolation=["process", "rlimits"],
        isolation_missing=missing,
        suites=["public"],
        lang="en",
        staff=staff,
    )


def test_machine_warnings_are_for_staff_and_the_json_while_students_get_one_neutral_line():
    missing = {"uid-drop": "not root: chmod -R o-rwx rubrics .git", "namespaces": "bubblewrap is not installed"}
    student, staff = render_text(student_report(missing, False)), render_text(student_report(missing, True))
    assert "chmod" not in student and "bubblewrap" not in student and "warning" not in student
    assert len([line for line in student.splitlines() if "protections" in line]) == 1
    assert "chmod -R o-rwx" in staff and staff.count("warning: no ") == 2
    assert json.loads(render_json(student_report(missing, False)))["isolation"]["missing"] == missing
    assert "protections" not in render_text(student_report({}, False))  # nothing missing: nothing said
    assert "chmod" not in render_markdown(student_report(missing, True))


def test_the_jupyter_table_has_one_left_aligned_row_per_unit_and_the_failing_tests_under_it(tmp_path, grade):
    path = half_done(tmp_path)
    report = grade(path, suites=("public",), lang="en")
    page = SelfCheck(report, path, path.stat().st_mtime)._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    unit_rows = [row for row in rows if "<code>" in row]
    assert [re.search(r"<code>(.*?)</code>", row).group(1) for row in unit_rows] == [u.name for u in report.units]
    assert "text-align:right" not in page and page.count("text-align:left") >= len(rows)
    after_diff = rows[rows.index(next(r for r in unit_rows if "numerical_diff" in r)) + 1]
    assert "colspan" in after_diff and after_diff.count("hint</b>") == 1 and "book_function_1" in after_diff


def test_numbers_and_arrays_are_printed_by_numpy_as_a_learner_reads_them():
    assert summarize(np.float64(15.424887904293415)) == "15.42" and summarize(np.int64(4)) == "4"
    assert summarize_pair(np.float64(0.1999999999990898), 0.20000099999917254) == ("0.2", "0.200001")
    shown = summarize(np.arange(40.0).reshape(4, 10))
    assert shown.startswith("array([[0., 1., ..., 8., 9.],") and shown.endswith("shape=(4, 10))")
    assert summarize(np.array([0.5, 0.25])) == "array([0.5, 0.25])"
