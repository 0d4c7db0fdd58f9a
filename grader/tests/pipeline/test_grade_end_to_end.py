"""The command line end to end: the instructor notebook scores full marks, the stub scores zero."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.assignment import KIT_ROOT
from grader.tests.helpers import STUDENT

UNITS = [
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
    "train_neuralnet",
]
# Per assignment: its maximum, its units in the report's order, and one line of the stub's Markdown table.
EXPECTED = {
    "ch04_learning": (110.0, UNITS, "| ❌ `TwoLayerNet` | 0 / 35 |"),
    "ch03_networks": (
        100.0,
        ["step_function", "sigmoid", "relu", "softmax", "init_network", "forward", "predict", "accuracy"],
        "| ❌ `softmax` | 0 / 15 |",
    ),
}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("assignment_id", sorted(EXPECTED))
def test_solution_scores_full_marks(tmp_path, assignment_id):
    maximum, units, _ = EXPECTED[assignment_id]
    solution = KIT_ROOT / "solutions" / f"{assignment_id}.ipynb"
    result = run_cli("grade", str(solution), "--assignment", assignment_id, "--json", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["assignment"] == assignment_id
    assert report["max_score"] == maximum
    assert report["score"] == maximum, [t for f in report["functions"] for t in f["tests"] if t["outcome"] != "passed"]
    assert [f["name"] for f in report["functions"]] == units
    assert report["internal_errors"] == []


@pytest.mark.parametrize("assignment_id", sorted(EXPECTED))
def test_stub_scores_zero_with_every_unit_listed(tmp_path, assignment_id):
    """The published stub, its assignment told by its name (no --assignment): 0 with every unit listed."""
    maximum, units, markdown_row = EXPECTED[assignment_id]
    stub = KIT_ROOT / "assignments" / f"{assignment_id}.ipynb"
    result = run_cli("grade", str(stub), "--json", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["assignment"] == assignment_id
    assert report["score"] == 0.0
    assert report["max_score"] == maximum
    assert [f["name"] for f in report["functions"]] == units
    assert all(f["max_score"] > 0 and f["score"] == 0 for f in report["functions"])
    # one line per unit, each saying it is not implemented yet (in the stub's language): one screen
    lines = result.stdout.splitlines()
    assert len(lines) < 30, result.stdout
    for unit in units:
        (line,) = [line for line in lines if line.strip().startswith(unit + " ")]
        assert "0 / " in line and ("아직 구현하지 않음" in line or "not implemented yet" in line), line
    assert markdown_row in (tmp_path / "r.md").read_text()


def test_json_report_matches_the_contract(tmp_path):
    run_cli("grade", str(STUDENT), "--unit", "numerical_diff", "--json", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert {"assignment", "notebook", "score", "max_score", "functions", "errors"} <= set(report)
    assert report["assignment"] == "ch04_learning"
    assert report["notebook"] == str(STUDENT)
    assert [f["name"] for f in report["functions"]] == ["numerical_diff"]
    for function in report["functions"]:
        assert set(function) == {"name", "score", "max_score", "tests"}
        assert function["score"] == sum(t["score"] for t in function["tests"])
        for test in function["tests"]:
            fixed = {"name", "suite", "outcome", "score", "max_score", "message"}
            extension = {"diagnosis", "hint", "problem", "guarded", "not_implemented", "ending"}  # docs/CONTRACT.md
            assert set(test) == fixed | extension
            assert test["problem"] in {"", "not-a-number", "wrong-type", "wrong-keys", "wrong-shape", "not-finite"} | {
                "wrong-value",
                "input-changed",
                "below-threshold",
            }
            assert type(test["guarded"]) is bool and type(test["not_implemented"]) is bool
            assert (test["outcome"] == "passed") <= (test["diagnosis"] == test["hint"] == test["problem"] == "")
            assert test["outcome"] in {"passed", "failed", "error", "timeout", "missing"}
            assert test["suite"] in {"public", "hidden"}
    assert report["score"] == sum(f["score"] for f in report["functions"])


def test_misuse_exits_non_zero(tmp_path):
    assert run_cli("grade", str(tmp_path / "nope.ipynb")).returncode == 2
    assert run_cli("grade", str(STUDENT), "--assignment", "ch99").returncode == 2
    result = run_cli("grade", str(STUDENT), "--unit", "softmaxx")
    assert result.returncode == 2 and "softmaxx" in result.stderr


def test_unreadable_notebook_is_a_graded_zero(tmp_path):
    path = tmp_path / "ch04_learning.ipynb"
    path.write_text("this is not json")
    result = run_cli("grade", str(path), "--json", str(tmp_path / "r.json"))
    assert result.returncode == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["score"] == 0 and "not valid JSON" in report["errors"][0]
    assert len(report["functions"]) == 6
