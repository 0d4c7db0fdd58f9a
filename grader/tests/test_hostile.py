"""Hostile submissions: every attack in fixtures/hostile fails, costs only its own unit, and leaves no trace.

For each fixture: grading ends within its limit; the attacked unit loses points (or
nothing changes, as its header says); every other unit keeps the instructor
notebook's score; no file of the graded checkout changed and none named after the
attack appeared in /tmp, $HOME or the kit; no worker process is left; nothing
reached a TCP, UDP or UNIX listener on this machine; hidden tests' messages carry no
text the student's code chose. Run as root, and (where ``runuser`` works) a
representative subset as ``nobody``, where the grader must say the uid drop is missing.

    .venv/bin/python -m pytest -q grader/tests/test_hostile.py
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

import grader.grade
from grader import sandbox
from grader.assignment import load_assignment
from grader.report import to_json_data
from grader.tests.hostile import (
    CORE_UNITS,
    SECRET_VARIABLE,
    Fixture,
    Listeners,
    Places,
    all_fixtures,
    build_submission,
    make_kit_snapshot,
    running_as_root,
    seconds_since_boot,
    traces,
    tree_digest,
    worker_processes,
)

SEED = 12345
SUITE_LIMITS = sandbox.Limits(call_seconds=2, load_seconds=8, submission_seconds=90, cpu_seconds=10,
                              memory_bytes=1024**3, scratch_bytes=16 * 1024**2)  # fmt: skip
SUBSET = os.environ.get("HOSTILE_SUBSET")  # "unprivileged": only the fixtures marked for that run
FIXTURES = [fixture for fixture in all_fixtures() if not SUBSET or SUBSET in fixture.subset]
REQUIRED_THREATS = {f"T{n}" for n in range(1, 37)} - {"T6", "T23", "T24"}  # T6: no pytest in workers; T23/24: CI


@pytest.fixture(scope="module")
def kit():
    """A snapshot of the checkout's grading material that other people's edits cannot disturb."""
    holder = Path(tempfile.mkdtemp(prefix="hostile-kit-"))
    os.chmod(holder, 0o711)  # workers (other uids) traverse it to reach the snapshot's grader/ in CLI runs
    try:
        yield make_kit_snapshot(holder / "checkout")
    finally:
        shutil.rmtree(holder, ignore_errors=True)


@pytest.fixture
def on_snapshot(kit, monkeypatch):
    """In-process grading reads the assignment (tests, rubric, hidden folders) from the snapshot."""
    monkeypatch.setattr(grader.grade, "load_assignment", lambda assignment_id: load_assignment(assignment_id, kit))
    return kit


def grade_in_process(notebook: Path, reference, limits: sandbox.Limits) -> dict:
    """Grade the core units in this process; the report as the contract's JSON data."""
    report = grader.grade.grade_notebook(notebook, assignment_id="ch04_learning", units=list(CORE_UNITS),
                                         limits=limits, grading_seed=SEED, reference=reference)  # fmt: skip
    return to_json_data(report)


def grade_cli(notebook: Path, kit: Path, out: Path, secret: str) -> tuple[dict, int]:
    """Grade with ``python -m grader`` run from the snapshot; (report data, the grader's pid)."""
    command = [sys.executable, "-m", "grader", "grade", str(notebook), "--assignment", "ch04_learning",
               "--json", str(out), "--seed", str(SEED)]  # fmt: skip
    for unit in CORE_UNITS:
        command += ["--unit", unit]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **{SECRET_VARIABLE: secret})
    # Its own session: an attack that signals the grader's process group reaches no further than the grader.
    process = subprocess.Popen(
        command, cwd=kit, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return json.loads(out.read_text()), process.pid


@pytest.fixture(scope="module")
def baseline(kit, reference, tmp_path_factory):
    """Unit -> score of the unmodified instructor notebook, graded the same way."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(grader.grade, "load_assignment", lambda assignment_id: load_assignment(assignment_id, kit))
    try:
        places = Places(kit, kit / "grader", "baseline", 1, 1)
        empty = Fixture("baseline", "", "numerical_diff", "", "no-effect")
        notebook = build_submission(empty, places, tmp_path_factory.mktemp("baseline"))
        data = grade_in_process(notebook, reference, SUITE_LIMITS)
    finally:
        monkeypatch.undo()
    assert data["internal_errors"] == [], data["internal_errors"]
    scores = {unit["name"]: unit["score"] for unit in data["functions"]}
    assert all(score > 0 for score in scores.values()), scores
    return scores


def scores_of(data: dict) -> dict[str, float]:
    """Unit -> score."""
    return {unit["name"]: unit["score"] for unit in data["functions"]}


def report_tests(data: dict, unit: str | None = None, suite: str | None = None) -> list[dict]:
    """The report's tests, filtered by unit and suite."""
    return [test for function in data["functions"] if unit in (None, function["name"]) for test in function["tests"]
            if suite in (None, test["suite"])]  # fmt: skip


def skip_unless_layers(fixture: Fixture) -> None:
    """Skip an attack that only kernel layers this machine lacks can stop (SECURITY.md says it then works)."""
    if os.environ.get("HOSTILE_IGNORE_NEEDS"):  # bench/layers.py: show what happens without those layers
        return
    isolation = sandbox.detect_isolation()
    have = {"namespaces": isolation.namespaces, "uid-drop": isolation.uid_drop, "seccomp": isolation.seccomp,
            "hidden-files": isolation.hidden_files}  # fmt: skip
    if fixture.needs and not any(have.get(layer, False) for layer in fixture.needs):
        pytest.skip(f"{fixture.name} is stopped only by {' or '.join(fixture.needs)}, which this machine lacks")


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.name)
def test_attack_is_contained(fixture, on_snapshot, baseline, reference, tmp_path, monkeypatch):
    skip_unless_layers(fixture)
    kit = on_snapshot
    marker = f"hostile-{fixture.name}-{secrets.token_hex(4)}"
    listeners = Listeners(Path("/tmp") / f"{marker}.sock")
    code = kit / "grader" if fixture.mode == "cli" else sandbox.WORKER_SCRIPT.parent
    places = Places(kit, code, marker, listeners.tcp_port, listeners.udp_port)
    try:
        notebook = build_submission(fixture, places, tmp_path / "submission")
        before = tree_digest(kit)
        for name, value in ((SECRET_VARIABLE, marker), ("CI", "true"), ("GITHUB_ACTIONS", "true")):
            monkeypatch.setenv(name, value)
        started, booted = time.monotonic(), seconds_since_boot() - 0.05  # /proc counts in 10 ms ticks
        if fixture.trusted_seconds is not None:  # a deadline short enough to reach without a long test
            monkeypatch.setattr(grader.grade, "TRUSTED_SECONDS", fixture.trusted_seconds, raising=False)
        if fixture.mode == "cli":
            data, grader_pid = grade_cli(notebook, kit, tmp_path / "report.json", marker)
        else:
            data, grader_pid = (
                grade_in_process(notebook, reference, replace(SUITE_LIMITS, **fixture.limits)),
                os.getpid(),
            )
        elapsed = time.monotonic() - started
        arrivals = listeners.arrivals()
    finally:
        listeners.close()
    report_text = json.dumps(data, ensure_ascii=False)

    assert elapsed < fixture.seconds, f"grading took {elapsed:.1f} s"
    assert data["internal_errors"] == [], data["internal_errors"]
    scores = scores_of(data)
    if fixture.expect == "notebook-rejected":
        assert all(score == 0 for score in scores.values()), scores
        assert any("MiB" in error for error in data["errors"]), data["errors"]
    elif fixture.expect == "attacked-unit-loses":
        assert scores[fixture.unit] < baseline[fixture.unit], f"the attack on {fixture.unit} was not penalised"
        others = {unit: score for unit, score in scores.items() if unit != fixture.unit}
        assert others == {unit: baseline[unit] for unit in others}, "a unit the attack did not target lost points"
    else:
        assert scores == baseline, "an attack on the environment changed a score"
    public = [test["message"] for test in report_tests(data, fixture.unit, "public")]
    if fixture.message:
        assert any(places.fill(fixture.message) in message for message in public), public
    for token in fixture.public_shows:
        assert (
            any(places.fill(token) in message for message in public)
            or token == "passed"
            and any(test["outcome"] == "passed" for test in report_tests(data, fixture.unit, "public"))
        ), public
    hidden_texts = [test["message"] for test in report_tests(data, suite="hidden")] + data["errors"]
    for token in fixture.hidden_absent:
        leaked = [text for text in hidden_texts if places.fill(token).lower() in text.lower()]
        assert not leaked, f"hidden-suite text carries {token!r}: {leaked}"
    assert len(report_text) < 1_000_000, "the report carries too much of the student's output"
    after = tree_digest(kit)
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    assert changed == [], "files of the graded checkout changed"
    assert traces(marker) == [], "the attack left files behind"
    assert arrivals == [], "something reached a listener on this machine"
    assert worker_processes([grader_pid], booted, kit) == [], "worker processes outlived the grading"
    if not running_as_root() and fixture.expect != "notebook-rejected":  # a refused notebook runs no worker
        assert "uid-drop" in data["isolation"]["missing"], data["isolation"]


def test_the_catalogue_covers_the_threats():
    fixtures = all_fixtures()
    assert len(fixtures) >= 30
    covered = {threat.strip() for fixture in fixtures for threat in fixture.threat.split(",")}
    assert REQUIRED_THREATS <= covered, f"no fixture for {sorted(REQUIRED_THREATS - covered)}"
    units = {fixture.unit for fixture in fixtures}
    assert units == set(CORE_UNITS), units
    assert {fixture.expect for fixture in fixtures} == {"attacked-unit-loses", "no-effect", "notebook-rejected"}


UNPRIVILEGED_TEST = "test_a_representative_subset_holds_as_an_unprivileged_user"


def unprivileged_possible() -> bool:
    """Root with runuser: the subset can run as ``nobody``."""
    return SUBSET is None and running_as_root() and shutil.which("runuser") is not None


@pytest.fixture(scope="module", autouse=True)
def unprivileged_run(request, tmp_path_factory):
    """Start the ``nobody`` run at once (when its test is selected), so it overlaps the root run's waiting."""
    if not unprivileged_possible() or not any(item.name == UNPRIVILEGED_TEST for item in request.session.items):
        yield None
        return
    home = tmp_path_factory.mktemp("nobody-home")
    os.chmod(home, 0o777)
    variables = {"HOSTILE_SUBSET": "unprivileged", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(home),
                 "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}  # fmt: skip
    command = ["runuser", "-u", "nobody", "--", "env", "-i", *[f"{k}={v}" for k, v in variables.items()],
               sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "grader/tests/test_hostile.py::test_attack_is_contained"]  # fmt: skip
    output = home.parent / "nobody-output.txt"
    with open(output, "w") as stream:
        process = subprocess.Popen(command, cwd=sandbox.KIT_ROOT, stdout=stream, stderr=subprocess.STDOUT)
    try:
        yield process, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.skipif(not unprivileged_possible(), reason="needs root and runuser (and is not the nobody run itself)")
def test_a_representative_subset_holds_as_an_unprivileged_user(unprivileged_run):
    """As ``nobody`` the grader has no uid drop (and says so); the other layers must still stop these attacks."""
    subset = [fixture.name for fixture in all_fixtures() if "unprivileged" in fixture.subset]
    assert len(subset) >= 8
    process, output = unprivileged_run
    process.wait(timeout=600)
    text = output.read_text()
    assert process.returncode == 0, text[-5000:]
    assert f"{len(subset)} passed" in text, text[-2000:]
