"""The audit can fail: in a copy of the kit whose hidden suite loses a test on purpose, ``python -m grader audit``
finds survivors it did not find with the whole suite, says so in its JSON and exits 1.

The copy is graded by its own ``grader`` (a subprocess started in it), so the checkout's suites are never touched.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignment import KIT_ROOT

pytestmark = pytest.mark.timeout(900)
ASSIGNMENT = "ch03_networks"
UNIT = "softmax"
# The hidden test removed on purpose: the only test of softmax with batches whose rows lie far apart besides the
# public one removed with it; without both, a softmax that subtracts a column's (or the batch's) maximum survives.
WEAKENED = {"hidden": ["test_random_batches"], "public": ["test_batch_far_apart"]}
HIDDEN = ("tests_hidden", "solutions", "rubrics")


def _kit_copy(target: Path) -> Path:
    """The grading material of one assignment, as the audit needs it; hidden folders closed to others."""
    target.mkdir(parents=True)
    shutil.copytree(KIT_ROOT / "grader", target / "grader", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copytree(KIT_ROOT / "courses", target / "courses", ignore=shutil.ignore_patterns("__pycache__"))
    for folder, name in (("solutions", ".ipynb"), ("assignments", ".ipynb"), ("rubrics", ".toml")):
        (target / folder).mkdir()
        shutil.copy2(KIT_ROOT / folder / f"{ASSIGNMENT}{name}", target / folder)
    for suite in ("tests_public", "tests_hidden"):
        shutil.copytree(KIT_ROOT / suite / ASSIGNMENT, target / suite / ASSIGNMENT)
    os.chmod(target, 0o755)
    for folder in HIDDEN:
        os.chmod(target / folder, 0o700)
    return target


def _remove_test(kit: Path, suite: str, test: str) -> None:
    """Delete one test function from its file and its line from the rubric (so the solution still scores full)."""
    path = kit / f"tests_{suite}" / ASSIGNMENT / f"test_{UNIT}.py"
    source = path.read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == test)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = source.splitlines(keepends=True)
    path.write_text("".join(lines[: first - 1] + lines[node.end_lineno :]), encoding="utf-8")
    rubric = kit / "rubrics" / f"{ASSIGNMENT}.toml"
    text = rubric.read_text(encoding="utf-8")
    section = re.escape(f"[units.{UNIT}.{suite}]")
    weakened, count = re.subn(rf"({section}\n(?:[^\[\n].*\n)*?){test} = [0-9.]+\n", r"\1", text)
    assert count == 1, f"{test} not found in the rubric's [units.{UNIT}.{suite}]"
    rubric.write_text(weakened, encoding="utf-8")


def _audit(kit: Path, out: Path) -> tuple[int, dict, str]:
    """Run the copy's own ``python -m grader audit`` on the unit: (exit status, its JSON, its text report)."""
    environment = {**os.environ, "PYTHONPATH": str(kit)}
    process = subprocess.run(
        [sys.executable, "-m", "grader", "audit", ASSIGNMENT, "--unit", UNIT, "--json", str(out)],
        cwd=kit,
        env=environment,
        capture_output=True,
        text=True,
        timeout=800,
    )
    assert process.returncode in (0, 1), process.stderr[-3000:]
    return process.returncode, json.loads(out.read_text(encoding="utf-8")), process.stdout


@pytest.fixture(scope="module")
def audits(tmp_path_factory) -> dict:
    """The unit audited with the whole suite, then with the weakened one."""
    kit = _kit_copy(tmp_path_factory.mktemp("audit") / "kit")
    whole = _audit(kit, kit.parent / "whole.json")
    for suite, tests in WEAKENED.items():
        for test in tests:
            _remove_test(kit, suite, test)
    weakened = _audit(kit, kit.parent / "weakened.json")
    return {"whole": whole, "weakened": weakened}


def _survivors(data: dict) -> set[str]:
    return {survivor["id"] for survivor in data["units"][UNIT]["survivors"]}


def test_a_weakened_suite_lets_mutants_survive_that_the_whole_suite_kills(audits):
    status, whole, _ = audits["whole"]
    weak_status, weakened, text = audits["weakened"]
    assert _survivors(weakened) - _survivors(whole), "removing tests on purpose must leave new survivors"
    assert weak_status == 1
    assert weakened["units"][UNIT]["killed"] < whole["units"][UNIT]["killed"]
    new = sorted(_survivors(weakened) - _survivors(whole))
    assert all(f"- {mutant_id}:" in text for mutant_id in new)  # each survivor is listed, with its diff


def test_the_json_keeps_the_contract(audits):
    _, data, _ = audits["weakened"]
    unit = data["units"][UNIT]
    assert isinstance(unit["mutants"], int) and isinstance(unit["killed"], int)
    assert unit["mutants"] == unit["killed"] + len(unit["survivors"]) + len(unit["equivalent"]) + len(unit["errors"])
    for survivor in unit["survivors"]:
        assert set(survivor) >= {"id", "diff"}
        assert survivor["diff"].startswith(f"--- {UNIT} (solution)\n+++ {UNIT} ({survivor['id']})\n")
    assert unit["do_nothing_points"] == 0  # the published stub earns nothing in softmax


def test_mutant_ids_are_the_same_in_both_runs(audits):
    whole, weakened = audits["whole"][1]["units"][UNIT], audits["weakened"][1]["units"][UNIT]
    assert whole["mutants"] == weakened["mutants"] > 20
    ids = {s["id"] for s in whole["survivors"] + whole["equivalent"]}
    assert ids <= {s["id"] for s in weakened["survivors"] + weakened["equivalent"]}


@pytest.mark.parametrize(
    "arguments, says",
    [(["no_such_assignment"], "unknown assignment"), ([ASSIGNMENT, "--unit", "no_such_unit"], "no_such_unit")],
)
def test_misuse_is_one_line_and_exit_status_2(arguments, says):
    process = subprocess.run(
        [sys.executable, "-m", "grader", "audit", *arguments], cwd=KIT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 2
    assert process.stderr.startswith("error: ") and says in process.stderr and process.stderr.count("\n") == 1
    assert "Traceback" not in process.stderr
