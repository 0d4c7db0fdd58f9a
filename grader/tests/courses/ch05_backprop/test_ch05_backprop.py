"""ch05_backprop: the solution scores full marks and the stub 0 with every unit listed; the notebook's numbers;
the catalogue's size; and the lines the chapter needed outside its notebook, against chapter 3's."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from courses.ch05_backprop.mutants import CATALOGUE
from grader.assignment import KIT_ROOT, load_assignment
from grader.mutants.variants import MUTANT, NOTHING, STYLE

ID = "ch05_backprop"
UNITS = ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet", "train_neuralnet"]


def grade(notebook: str, out) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "grader", "grade", notebook, "--json", str(out)],
        cwd=KIT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


@pytest.mark.timeout(900)
def test_solution_full_marks_and_stub_zero_with_every_unit_listed(tmp_path):
    solution = grade(f"solutions/{ID}.ipynb", tmp_path / "solution.json")
    failing = [t for f in solution["functions"] for t in f["tests"] if t["outcome"] != "passed"]
    assert solution["score"] == solution["max_score"] == 110.0, failing
    assert solution["internal_errors"] == [] and solution["errors"] == []
    stub = grade(f"assignments/{ID}.ipynb", tmp_path / "stub.json")
    assert stub["score"] == 0.0 and stub["max_score"] == 110.0
    assert [f["name"] for f in stub["functions"]] == UNITS
    assert all(f["max_score"] > 0 and f["score"] == 0 for f in stub["functions"])


def test_the_rubric_lists_every_unit_with_both_suites():
    assignment = load_assignment(ID)
    assert [unit.name for unit in assignment.units] == UNITS
    assert all(unit.points["public"] and unit.points["hidden"] for unit in assignment.units)
    assert sum(unit.max_score(("public", "hidden")) for unit in assignment.units) == 110


def test_the_notebook_is_korean_and_english_and_computes_the_books_numbers(capsys):
    notebook = nbformat.read(KIT_ROOT / "solutions" / f"{ID}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "오차역전파법" in text and "Backpropagation" in text
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    space: dict = {}
    for source in code[:7]:  # the helpers, the layers and the apple-and-orange example (not the training)
        exec(compile(source, "<ch05>", "exec"), space)
    assert round(space["price"], 6) == 715.0
    assert [round(float(space[name]), 6) for name in ("dapple", "dapple_num", "dorange", "dorange_num", "dtax")] == [
        2.2, 110.0, 3.3, 165.0, 650.0,
    ]  # fmt: skip


def test_the_hand_catalogue_has_at_least_fifteen_mistakes_and_covers_every_unit():
    variants = CATALOGUE.variants
    mutants = [v for v in variants if v.kind == MUTANT]
    assert len(mutants) >= 15
    assert {v.unit for v in mutants} == set(UNITS) - {"train_neuralnet"}
    assert {v.unit for v in variants if v.kind == NOTHING} == set(UNITS) - {"train_neuralnet"}
    assert [v for v in variants if v.kind == STYLE]


def _lines(*patterns: str) -> int:
    return sum(len(path.read_text().splitlines()) for pattern in patterns for path in KIT_ROOT.glob(pattern))


def test_chapter_5_needed_fewer_lines_outside_its_notebook_than_chapter_3():
    """Tests, rubric and course package without the mutant catalogue: what grading needs (issue 27's count)."""

    def outside(assignment_id: str) -> int:
        return _lines(f"tests_public/{assignment_id}/*.py", f"tests_hidden/{assignment_id}/*.py",
                      f"rubrics/{assignment_id}.toml", f"courses/{assignment_id}/*.py",
                      f"courses/{assignment_id}/untrusted/*.py")  # fmt: skip

    assert outside(ID) < outside("ch03_networks")
