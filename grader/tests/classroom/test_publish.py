"""Publishing: stubs replace solutions, instructor cells go, the result is reproducible and current."""

from __future__ import annotations

import ast

import nbformat
import pytest

from grader.assignment import known_assignments, load_assignment
from grader.classroom.publish import render_student_notebook, stale_message

# Every assignment of the kit: each published stub must be reproducible and current.
ASSIGNMENTS = known_assignments()


def test_the_kit_has_both_assignments():
    assert {"ch04_learning", "ch03_networks"} <= set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_publishing_twice_gives_identical_bytes(assignment_id):
    assignment = load_assignment(assignment_id)
    assert render_student_notebook(assignment) == render_student_notebook(assignment)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_committed_student_notebook_is_current(assignment_id):
    assert stale_message(load_assignment(assignment_id)) is None


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


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_stale_notebook_is_detected(assignment_id, tmp_path, monkeypatch):
    assignment = load_assignment(assignment_id)
    copy = tmp_path / "assignments"
    copy.mkdir()
    edited = assignment.student_notebook.read_text().replace("NotImplementedError", "NotImplementedErrorX", 1)
    assert edited != assignment.student_notebook.read_text()
    (copy / f"{assignment_id}.ipynb").write_text(edited)
    monkeypatch.setattr(type(assignment), "student_notebook", property(lambda self: copy / f"{assignment_id}.ipynb"))
    assert "stale" in stale_message(assignment)
