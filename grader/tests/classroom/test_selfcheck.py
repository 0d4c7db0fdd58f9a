"""`from grader import check`: the same result as `make check`, as HTML in a real Jupyter kernel."""

from __future__ import annotations

import json
import subprocess

import nbformat
import pytest

from grader.classroom.selfcheck import SelfCheckError, check, find_notebook
from grader.tests.helpers import STUDENT, grader_command, solution_cell_source


def outcomes(functions: list[dict]) -> list[tuple[str, str, str]]:
    return [(f["name"], t["name"], t["outcome"]) for f in functions for t in f["tests"]]


def test_check_agrees_with_the_command_line_and_renders_text_and_html(tmp_path):
    path = tmp_path / "ch04_learning.ipynb"
    stub = nbformat.read(STUDENT, as_version=4)
    stub.cells.append(nbformat.v4.new_code_cell(solution_cell_source("numerical_diff")))
    nbformat.write(stub, path)
    result = check("cross_entropy_error", notebook=path)
    cli = subprocess.run(
        grader_command(
            "grade", str(path), "--public-only", "--unit", "cross_entropy_error", "--json", str(tmp_path / "r.json")
        ),
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads((tmp_path / "r.json").read_text())["functions"]
    from grader.pipeline.report import to_json_data

    assert outcomes(to_json_data(result.report)["functions"]) == outcomes(expected)
    assert result.report.suites == ["public"] and result.report.score == 0
    text, page = repr(result), result._repr_html_()
    assert "cross_entropy_error" in text and "unsaved edits" in text
    assert "<table" in page and "NotImplementedError" in page and "0 / 9" in page
    assert check(notebook=path).report.units[1].score == 5  # every unit: numerical_diff is solved


def test_without_a_session_or_a_name_the_error_says_how_to_name_the_notebook(monkeypatch, tmp_path):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SelfCheckError, match="check\\(notebook="):
        find_notebook()


def test_one_line_in_a_running_jupyter_kernel_shows_an_html_table(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    path = tmp_path / "ch04_learning.ipynb"
    cells = [
        "import numpy as np",
        solution_cell_source("numerical_diff"),
        'from grader import check; check("numerical_diff")',
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter server gives the kernel it starts
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    (output,) = notebook.cells[-1].outputs
    html = output["data"]["text/html"]
    assert "numerical_diff" in html and "5 / 5" in html and "<table" in html
    assert "unsaved edits" in output["data"]["text/plain"]


def test_the_check_line_in_a_graded_notebook_is_an_import_only_and_never_runs(grade):
    from grader.pipeline.extract import extract_definitions
    from grader.tests.helpers import notebook_from_cells

    line = 'from grader import check; check("numerical_diff")'
    extraction = extract_definitions(notebook_from_cells(["import os; os.system('touch /tmp/x')", line]))
    assert [s.source for s in extraction.snippets] == ["import os", "from grader import check"]
    report = grade(
        notebook_from_cells(["import numpy as np", solution_cell_source("numerical_diff"), line]),
        units=["numerical_diff"],
    )
    assert report.errors == [] and report.units[0].score == 10
