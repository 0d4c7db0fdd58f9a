"""`python -m grader new ID` in a copy of the kit's layout: the scaffold publishes and grades at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.authoring.scaffold import ScaffoldError, scaffold
from grader.tests.helpers import kit_without_assignments

ID = "demo_unit"


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """The grader package (without its tests) and an empty courses package: a kit with no assignment."""
    return kit_without_assignments(tmp_path / "kit")


def run(kit: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` run in the copy (its own grader package comes first on sys.path)."""
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, capture_output=True, text=True, timeout=300)


def graded(kit: Path, notebook: str, out: Path) -> dict:
    result = run(kit, "grade", notebook, "--assignment", ID, "--json", str(out))
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


@pytest.mark.timeout(600)
def test_new_scaffolds_an_assignment_whose_solution_scores_full_and_stub_zero(kit, tmp_path):
    result = run(kit, "new", ID)
    assert result.returncode == 0, result.stderr
    assert f"publish --assignment {ID}" in result.stdout
    assert not (kit / "courses" / ID).exists(), "no course package: the generic checks grade the suites"
    assignment = load_assignment(ID, kit)
    assert [unit.name for unit in assignment.units] == ["sum_squares_error"]
    assert all(list(unit.points[suite]) for unit in assignment.units for suite in ("public", "hidden"))

    assert run(kit, "publish", "--assignment", ID).returncode == 0
    stub = (kit / "assignments" / f"{ID}.ipynb").read_text()
    assert "NotImplementedError" in stub and "BEGIN SOLUTION" not in stub and "0.5 * np.sum" not in stub

    solution = graded(kit, f"solutions/{ID}.ipynb", tmp_path / "solution.json")
    assert solution["internal_errors"] == []
    assert solution["score"] == solution["max_score"] == 20.0
    assert {test["suite"] for f in solution["functions"] for test in f["tests"]} == {"public", "hidden"}

    zero = graded(kit, f"assignments/{ID}.ipynb", tmp_path / "stub.json")
    assert zero["score"] == 0.0 and zero["max_score"] == 20.0
    assert [f["name"] for f in zero["functions"]] == ["sum_squares_error"]


@pytest.mark.timeout(300)
def test_a_wrong_answer_loses_the_points_of_every_test(kit, tmp_path):
    """The generic checks really compare: a sum without the 1/2 fails all three tests."""
    assert run(kit, "new", ID).returncode == 0
    solution = kit / "solutions" / f"{ID}.ipynb"
    wrong = kit / "wrong.ipynb"
    wrong.write_text(solution.read_text().replace("0.5 * np.sum", "np.sum"))
    report = graded(kit, "wrong.ipynb", tmp_path / "wrong.json")
    assert report["score"] == 0.0
    assert {t["outcome"] for f in report["functions"] for t in f["tests"]} == {"failed"}


def test_new_refuses_an_existing_assignment_and_a_bad_id(kit):
    assert run(kit, "new", ID).returncode == 0
    again = run(kit, "new", ID)
    assert again.returncode == 2
    assert again.stderr.startswith("error: ") and "already exists" in again.stderr and "이미 있습니다" in again.stderr
    bad = run(kit, "new", "../Chapter 6")
    assert bad.returncode == 2 and "not an assignment id" in bad.stderr


def test_scaffolding_writes_the_same_bytes_twice(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    written = scaffold(ID, first)
    scaffold(ID, second)
    for path in written:
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()
    with pytest.raises(ScaffoldError):
        scaffold(ID, first)
