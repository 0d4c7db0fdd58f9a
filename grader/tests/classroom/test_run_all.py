"""Run All in a freshly published notebook reaches every check: each unit has its own self-check right after it,
and the demo cells of units still unfinished (they raise NotImplementedError) do not stop the run."""

from __future__ import annotations

import nbformat
import pytest

from grader.assignment import load_assignment
from grader.classroom.publish import DEMO_TAG, SELF_CHECK_TAG, render_student_notebook


@pytest.mark.parametrize("assignment_id", ["ch03_networks", "ch04_learning"])
def test_run_all_reaches_every_check_of_the_stub(assignment_id, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    assignment = load_assignment(assignment_id)
    notebook = nbformat.reads(render_student_notebook(assignment), as_version=4)
    checks = [cell for cell in notebook.cells if SELF_CHECK_TAG in cell.metadata.get("tags", [])]
    cells = notebook.cells
    for index, cell in enumerate(cells):  # each check comes right after the cell that defines its unit
        if cell in checks:
            unit = cell.source.splitlines()[-1][7:-2]
            before = next(c for c in reversed(cells[:index]) if c not in checks)
            assert f"def {unit}(" in before.source or f"class {unit}" in before.source, (unit, before.source[:80])
    defined = {u.name for u in assignment.units if f"def {u.name}(" in str(cells) or f"class {u.name}" in str(cells)}
    assert {cell.source.splitlines()[-1][7:-2] for cell in checks} == defined and len(checks) == len(defined)
    path = tmp_path / f"{assignment_id}.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # as Jupyter Server tells a kernel its notebook
    # nbclient stops at an error unless the cell is tagged raises-exception, as Jupyter's Run All does
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError where Run All would stop
    assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")  # every cell ran
    raised = [c for c in notebook.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert raised and all(DEMO_TAG in cell.metadata["tags"] for cell in raised)  # the stubs did raise, and went on
    # every check ran and graded its own unit: 0 points for a stub, never an error of its own
    for cell in checks:
        assert not any(o.get("output_type") == "error" for o in cell.outputs), cell.outputs
        shown = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
        assert cell.source.splitlines()[-1][7:-2] in shown, shown[:500]
