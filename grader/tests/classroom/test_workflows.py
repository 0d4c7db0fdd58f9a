"""Every workflow the kit ships lints clean (offline), and keeps to the rules of docs/THREATS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from grader.assignment import KIT_ROOT

LINTER = Path(sys.executable).parent / "check-jsonschema"
WORKFLOWS = sorted(p for p in (KIT_ROOT / "templates").rglob("*.yml") if "workflows" in p.parts)
WORKFLOWS += sorted((KIT_ROOT / ".github" / "workflows").glob("*.yml"))


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINTER), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def load(name: str) -> dict:
    (path,) = [p for p in WORKFLOWS if p.name == name]
    return YAML(typ="safe").load(path.read_text())


def test_every_workflow_lints_clean():
    assert len(WORKFLOWS) >= 4
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_names_a_bad_key(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = lint(broken)
    assert result.returncode != 0 and "stepz" in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["autograde.yml", "feedback-comment.yml"])
def test_student_workflows_hold_no_secret_and_call_one_grader_command(name):
    text = next(p for p in WORKFLOWS if p.name == name).read_text()
    assert "secrets." not in text
    assert text.count("python -m grader ci") + text.count("python3 -m grader ci") == 1


def test_pull_request_workflow_is_read_only_and_the_commenter_runs_no_pull_request_code():
    autograde, commenter = load("autograde.yml"), load("feedback-comment.yml")
    assert autograde["permissions"] == {"contents": "read"}
    assert set(autograde["on"]) >= {"push", "pull_request"} and "pull_request_target" not in autograde["on"]
    assert list(commenter["on"]) == ["workflow_run"] and commenter["permissions"] == {}
    steps = commenter["jobs"]["comment"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert "ref" not in checkout.get("with", {})  # the default branch, never the pull request's head
    assert not any("pip install" in s.get("run", "") for s in steps)


def test_regrade_gives_the_token_only_to_jobs_that_run_no_student_code():
    jobs = load("regrade.yml")["jobs"]
    for name, job in jobs.items():
        text = str(job)
        runs_grader_on_students = "--stage grade" in text
        assert ("GRADER_TOKEN" in text) == (not runs_grader_on_students), name
    assert "sudo .venv/bin/python -m grader ci regrade" in str(jobs["grade"]) and "bubblewrap" in str(jobs["grade"])
