"""Publishing: stubs replace solutions, instructor cells go, the result is reproducible and current."""

from __future__ import annotations

import ast

import nbformat

from grader.classroom.publish import render_student_notebook, stale_message
from grader.tests.helpers import STUDENT


def test_publishing_twice_gives_identical_bytes(assignment):
    assert render_student_notebook(assignment) == render_student_notebook(assignment)


def test_committed_student_notebook_is_current(assignment):
    assert stale_message(assignment) is None


def test_student_notebook_has_stubs_and_no_solution(assignment):
    notebook = nbformat.reads(render_student_notebook(assignment), as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in code and "END SOLUTION" not in code
    assert "y[np.arange(batch_size), t]" not in code and "(f(x + h) - f(x - h))" not in code
    assert code.count("raise NotImplementedError") == 10
    assert "implement TwoLayerNet.gradient" in code
    for cell in notebook.cells:
        assert "instructor-only" not in cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            ast.parse(cell.source)
            assert cell.outputs == [] and cell.execution_count is None
    assert "def softmax(" in code and "def sigmoid_grad(" in code


def test_stale_notebook_is_detected(assignment, tmp_path, monkeypatch):
    copy = tmp_path / "assignments"
    copy.mkdir()
    (copy / "ch04_learning.ipynb").write_text(STUDENT.read_text().replace("YOUR CODE HERE", "edited"))
    monkeypatch.setattr(type(assignment), "student_notebook", property(lambda self: copy / "ch04_learning.ipynb"))
    assert "stale" in stale_message(assignment)
