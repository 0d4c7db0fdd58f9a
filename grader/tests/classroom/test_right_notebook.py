"""The right notebook, always: check() grades the notebook its kernel runs, Gradescope exactly one, and both say
which file they graded."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import nbformat
import pytest

from grader.classroom import selfcheck
from grader.classroom.selfcheck import SelfCheckError, check, find_notebook
from grader.tests.classroom.test_exports import GRADESCOPE_SCHEMA
from grader.tests.helpers import STUDENT, grader_command, notebook_from_cells, solution_cell_source, write_notebook


@pytest.fixture
def two_notebooks(tmp_path, monkeypatch):
    """course/ch04_learning.ipynb (the stub) and course/ch04_learning-Copy1.ipynb (numerical_diff solved)."""
    folder = tmp_path / "course"
    folder.mkdir()
    stub = nbformat.read(STUDENT, as_version=4)
    write_notebook(stub, folder / "ch04_learning.ipynb")
    stub.cells.append(nbformat.v4.new_code_cell(solution_cell_source("numerical_diff")))
    copy = write_notebook(stub, folder / "ch04_learning-Copy1.ipynb")
    monkeypatch.delenv(selfcheck.SESSION_VARIABLE, raising=False)
    monkeypatch.chdir(folder)  # a kernel runs in its notebook's folder
    return folder, copy


def test_a_kernel_that_does_not_say_its_notebook_gets_a_question_not_a_guess(two_notebooks):
    with pytest.raises(SelfCheckError) as error:
        find_notebook()
    message = str(error.value)
    assert "check(notebook=" in message
    assert "ch04_learning-Copy1.ipynb" in message and "ch04_learning.ipynb" in message  # what is there, to choose


def test_the_session_name_jupyter_gives_the_kernel_is_the_notebook_even_relative_to_the_server_root(
    two_notebooks, monkeypatch
):
    folder, copy = two_notebooks
    monkeypatch.setenv(selfcheck.SESSION_VARIABLE, "course/ch04_learning-Copy1.ipynb")  # the server's root is above
    assert find_notebook() == copy.resolve()


def test_the_session_api_names_this_kernels_notebook(two_notebooks, monkeypatch):
    folder, copy = two_notebooks
    monkeypatch.setattr(selfcheck, "_kernel_id", lambda: "4f1c")
    sessions = [
        {"path": "course/ch04_learning.ipynb", "kernel": {"id": "another"}, "root_dir": str(folder.parent)},
        {"path": "course/ch04_learning-Copy1.ipynb", "kernel": {"id": "4f1c"}, "root_dir": str(folder.parent)},
    ]
    assert find_notebook(sessions=sessions) == copy.resolve()
    with pytest.raises(SelfCheckError):
        find_notebook(sessions=sessions[:1])  # no session of this kernel: ask


def test_check_grades_the_copy_it_runs_in_and_names_it_first_with_its_save_time(two_notebooks, monkeypatch):
    folder, copy = two_notebooks
    monkeypatch.setenv(selfcheck.SESSION_VARIABLE, str(copy))
    result = check("numerical_diff", lang="en")
    assert result.notebook == copy.resolve() and result.report.score == 5  # not the stub beside it (0)
    first = repr(result).splitlines()[0]
    assert first.startswith(f"ch04_learning — {copy.resolve()} (saved ") and first.endswith(")")


def gradescope(submission, results, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        grader_command(
            "gradescope", str(submission), "--assignment", "ch04_learning", "--results", str(results), *extra
        ),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_gradescope_grades_none_of_two_notebooks_of_the_assignment_and_says_which_it_found(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    for name in ("ch04_learning.ipynb", "ch04_learning-Copy1.ipynb"):
        write_notebook(nbformat.read(STUDENT, as_version=4), submission / name)
    done = gradescope(submission, tmp_path / "results.json")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert "score" not in data and [(t["score"], t["max_score"]) for t in data["tests"]] == [(0, 0)]  # no grade
    assert data["extra_data"]["reason"] == "several-notebooks"
    assert "ch04_learning.ipynb" in data["output"] and "ch04_learning-Copy1.ipynb" in data["output"]
    assert sorted(data["extra_data"]["notebooks_found"]) == ["ch04_learning-Copy1.ipynb", "ch04_learning.ipynb"]


def test_gradescope_grades_the_one_notebook_of_the_assignment_and_names_it_first(tmp_path):
    submission = tmp_path / "submission"
    (submission / "scratch").mkdir(parents=True)
    write_notebook(nbformat.read(STUDENT, as_version=4), submission / "ch04_learning.ipynb")
    write_notebook(notebook_from_cells(["print('trying things')"]), submission / "scratch" / "notes.ipynb")
    done = gradescope(submission, tmp_path / "results.json", "--lang", "en")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["output"].splitlines()[0].startswith("채점한 파일 / Graded file: ch04_learning.ipynb (")
    assert data["extra_data"]["graded_file"] == "ch04_learning.ipynb" and len(data["tests"]) >= 62
    assert done.stdout.splitlines()[0].startswith("채점한 파일 / Graded file: ch04_learning.ipynb")
