"""Which assignment a notebook is graded as (issue 22, item 5): configured wins; a guess needs name and metadata
to agree; a notebook's metadata never picks its own assignment where course staff configured one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.assignment import KIT_ROOT, AssignmentError
from grader.pipeline.grade import guess_assignment
from grader.tests.helpers import SOLUTION, grader_command, notebook_from_cells, write_notebook

CH03_SOLUTION = KIT_ROOT / "solutions" / "ch03_networks.ipynb"
CH04_UNITS = {
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
    "train_neuralnet",
}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(grader_command(*args), capture_output=True, text=True, timeout=600)


def with_metadata(source: Path, path: Path, assignment: object) -> Path:
    """A copy of ``source`` whose metadata ``grader.assignment`` is ``assignment``."""
    notebook = nbformat.read(source, as_version=4)
    notebook.metadata.setdefault("grader", {})["assignment"] = assignment
    return write_notebook(notebook, path)


@pytest.fixture
def mallory(tmp_path) -> Path:
    """The chapter-3 solution saved under the chapter-4 name, as in the issue (its metadata says ch03_networks)."""
    path = tmp_path / "mallory_ch04_learning.ipynb"
    shutil.copy(CH03_SOLUTION, path)
    assert nbformat.read(path, as_version=4).metadata["grader"]["assignment"] == "ch03_networks"
    return path


def assert_one_bilingual_misuse_line(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 2, done.stdout[-2000:]
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert HANGUL.search(done.stderr) and "Cannot tell which assignment" in done.stderr
    assert "--assignment ID" in done.stderr and "Traceback" not in done.stderr


def test_grade_stops_when_the_file_name_and_the_metadata_disagree(mallory):
    done = run("grade", str(mallory), "--public-only")
    assert_one_bilingual_misuse_line(done)
    assert "ch04_learning" in done.stderr and "'ch03_networks'" in done.stderr
    assert "step_function" not in done.stdout  # nothing of chapter 3 was graded


def test_grade_with_an_assignment_grades_that_one_and_reports_the_metadata_as_a_notebook_problem(mallory, tmp_path):
    done = run("grade", str(mallory), "--assignment", "ch04_learning", "--public-only", "--json", str(tmp_path / "r"))
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r").read_text(encoding="utf-8"))
    assert report["assignment"] == "ch04_learning" and {f["name"] for f in report["functions"]} == CH04_UNITS
    assert report["score"] < report["max_score"]  # chapter 3's code solves none of chapter 4 in full
    first = report["errors"][0]
    assert "'ch03_networks'" in first and "ch04_learning" in first and HANGUL.search(first), first


@pytest.mark.parametrize("metadata", ["ch99_nowhere", {"assignment": ["nested"]}, 7])
def test_metadata_naming_no_assignment_never_crashes(tmp_path, metadata):
    notebook = with_metadata(SOLUTION, tmp_path / "homework.ipynb", metadata)  # the name names no assignment
    guessed = run("grade", str(notebook), "--public-only", "--unit", "numerical_diff")
    assert_one_bilingual_misuse_line(guessed)
    configured = run(
        "grade", str(notebook), "--assignment", "ch04_learning", "--public-only", "--unit", "numerical_diff",
        "--json", str(tmp_path / "r"),
    )  # fmt: skip
    assert configured.returncode == 0, configured.stderr
    report = json.loads((tmp_path / "r").read_text(encoding="utf-8"))
    # numerical_diff's public points in rubrics/ch04_learning.toml: 1 + 2 + 2; the solution earns them all
    assert (report["assignment"], report["score"], report["max_score"]) == ("ch04_learning", 5.0, 5.0)
    assert "grader.assignment" in report["errors"][0]


def test_a_guess_takes_the_name_or_the_metadata_alone_and_both_when_they_agree(tmp_path):
    named = tmp_path / "kim_ch03_networks.ipynb"
    plain = notebook_from_cells(["x = 1"])
    assert guess_assignment(named, plain) == "ch03_networks"  # no metadata: the name
    assert guess_assignment(tmp_path / "homework.ipynb", _claiming("ch04_learning")) == "ch04_learning"
    assert guess_assignment(named, _claiming("ch03_networks")) == "ch03_networks"
    assert guess_assignment(named, None) == "ch03_networks"  # an unreadable notebook: the name alone
    for path, notebook in (
        (named, _claiming("ch04_learning")),  # they disagree
        (tmp_path / "ch03_networks_or_ch04_learning.ipynb", plain),  # the name names two
        (tmp_path / "homework.ipynb", plain),  # neither says
    ):
        with pytest.raises(AssignmentError, match="--assignment ID"):
            guess_assignment(path, notebook)


def _claiming(assignment: object):
    return notebook_from_cells(["x = 1"], metadata={"grader": {"assignment": assignment}})


def test_metadata_cannot_make_a_ch04_batch_grade_a_notebook_as_ch03(tmp_path):
    """Hostile: a chapter-4 batch; eve's notebook is chapter 3's solution, metadata and all, under a plain name;
    mallory's is chapter 4's solution whose metadata claims chapter 3. Both are graded as chapter 4."""
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(CH03_SOLUTION, subs / "eve.ipynb")
    with_metadata(SOLUTION, subs / "mallory.ipynb", "ch03_networks")
    units = ["--unit", "numerical_diff", "--unit", "cross_entropy_error", "--public-only"]
    done = run("batch", str(subs), "--assignment", "ch04_learning", "--out", str(tmp_path / "out"), *units)
    assert done.returncode == 0, done.stderr
    for student, full_marks in (("eve", False), ("mallory", True)):
        result = json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert result["assignment"] == "ch04_learning" and result["status"] == "graded"
        assert [f["name"] for f in result["functions"]] == ["numerical_diff", "cross_entropy_error"]
        # public points of the two units in the rubric, 5 + 9: earned in full only by the chapter-4 code
        assert (result["score"] == 14.0) is full_marks, result["score"]
        assert "'ch03_networks'" in result["errors"][0] and HANGUL.search(result["errors"][0])
    rows = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(row.startswith("mallory,14,5,9,graded") for row in rows), rows


def test_gradescope_grades_the_configured_assignment_and_says_the_metadata_disagreed(mallory, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.move(mallory, submission / mallory.name)
    results = tmp_path / "results.json"
    done = run("gradescope", str(submission), "--assignment", "ch04_learning", "--results", str(results))
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert {test["tags"][0] for test in data["tests"] if "staff" not in test["tags"]} <= CH04_UNITS
    assert not any("step_function" in test["name"] for test in data["tests"])
    assert "'ch03_networks'" in data["output"] and "ch04_learning" in data["output"]


def test_check_in_a_student_repository_grades_its_one_assignment_whatever_the_metadata_says(tmp_path):
    """A published student repository holds one assignment: configured by publishing, so it wins in check().
    Run in its own interpreter: grading makes a process non-dumpable, which later tests check this one is not."""
    notebook = with_metadata(SOLUTION, tmp_path / "homework.ipynb", "ch03_networks")
    script = (
        "import json, sys, grader.assignment as a\n"
        "a.known_assignments = lambda root=a.KIT_ROOT: ['ch04_learning']  # what a student repository holds\n"
        "from grader.classroom.selfcheck import check\n"
        "report = check('numerical_diff', notebook=sys.argv[1], lang='en').report\n"
        "print(json.dumps([report.assignment, report.score, report.errors]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(notebook)], capture_output=True, text=True, timeout=300, cwd=KIT_ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assignment, score, errors = json.loads(done.stdout.splitlines()[-1])
    assert (assignment, score) == ("ch04_learning", 5)  # numerical_diff's public points in the rubric
    assert "'ch03_networks'" in errors[0]
