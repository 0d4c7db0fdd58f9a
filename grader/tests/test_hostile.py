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

import grader.pipeline.grade
from grader import sandbox
from grader.assignment import load_assignment
from grader.pipeline.report import render_json, render_markdown, render_text, to_json_data
from grader.sandbox import runtime
from grader.tests.conftest import active_layers
from grader.tests.fake_github import TOKEN, FakeGitHub
from grader.tests.helpers import grader_command
from grader.tests.hostile import (
    CORE_UNITS,
    SECRET_VARIABLE,
    Fixture,
    Listeners,
    Places,
    all_fixtures,
    build_submission,
    control_characters,
    make_kit_snapshot,
    markdown_outside_code,
    markdown_problems,
    running_as_root,
    seconds_since_boot,
    traces,
    tree_digest,
    worker_processes,
)

SEED = 12345
SUITE_LIMITS = sandbox.Limits(
    call_seconds=2,
    load_seconds=8,
    submission_seconds=90,
    cpu_seconds=10,
    memory_bytes=1024**3,
    scratch_bytes=16 * 1024**2,
)
SUBSET = os.environ.get("HOSTILE_SUBSET")  # "unprivileged": only the fixtures marked for that run
FIXTURES = [fixture for fixture in all_fixtures() if not SUBSET or SUBSET in fixture.subset]
GRADED = [fixture for fixture in FIXTURES if fixture.mode != "artifact"]
ARTIFACTS = [fixture for fixture in FIXTURES if fixture.mode == "artifact"]
OUTPUT_BYTES = 1_000_000  # report.json, report.md and standard output, each, for any one submission
# The kit's one HTML element, its heading in the report's language (a fixture's notebook may ask for Korean)
KIT_HTML = {
    "<details><summary>실패한 테스트 / Failing tests</summary>",
    "<details><summary>실패한 테스트</summary>",
    "<details><summary>Failing tests</summary>",
    "</details>",
}
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
    monkeypatch.setattr(
        grader.pipeline.grade, "load_assignment", lambda assignment_id: load_assignment(assignment_id, kit)
    )
    return kit


def grade_in_process(notebook: Path, reference, limits: sandbox.Limits) -> tuple[dict, dict[str, str]]:
    """Grade the core units in this process; (the contract's JSON data, output name -> the text written there)."""
    report = grader.pipeline.grade.grade_notebook(
        notebook,
        assignment_id="ch04_learning",
        units=list(CORE_UNITS),
        limits=limits,
        grading_seed=SEED,
        reference=reference,
    )
    outputs = {"report.json": render_json(report), "report.md": render_markdown(report), "stdout": render_text(report)}
    return to_json_data(report), outputs


# Runs ``python -m grader ARGS`` and writes this process's own peak RSS (KiB; its workers not included) to PEAK.
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a grader started by a pytest process that had
# grown to 600 MB "peaked" at 614 MiB whatever it did; VmHWM belongs to the program now running.
PEAK_WRAPPER = """
import resource, runpy, sys
def own_peak():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peak, sys.argv = sys.argv[1], ["grader", *sys.argv[2:]]
try:
    runpy.run_module("grader", run_name="__main__", alter_sys=True)
finally:
    open(peak, "w").write(str(own_peak()))
"""


def grade_cli(notebook: Path, kit: Path, out: Path, secret: str) -> tuple[dict, dict[str, str], int, int]:
    """Grade with ``python -m grader`` run from the snapshot; (report data, outputs, the grader's pid, its peak MiB)."""
    markdown = out.with_suffix(".md")
    peak = out.with_suffix(".peak")
    command = [
        sys.executable,
        "-c",
        PEAK_WRAPPER,
        str(peak),
        "grade",
        str(notebook),
        "--assignment",
        "ch04_learning",
        "--json",
        str(out),
        "--markdown",
        str(markdown),
        "--seed",
        str(SEED),
    ]
    for unit in CORE_UNITS:
        command += ["--unit", unit]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **{SECRET_VARIABLE: secret})
    # Its own session: an attack that signals the grader's process group reaches no further than the grader.
    process = subprocess.Popen(
        command, cwd=kit, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()[-3000:]
    outputs = {"report.json": out.read_text(), "report.md": markdown.read_text(), "stdout": stdout.decode()}
    return json.loads(outputs["report.json"]), outputs, process.pid, int(peak.read_text() or 0) // 1024


@pytest.fixture(scope="module")
def baseline(kit, reference, tmp_path_factory):
    """Unit -> score of the unmodified instructor notebook, graded the same way."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(
        grader.pipeline.grade, "load_assignment", lambda assignment_id: load_assignment(assignment_id, kit)
    )
    try:
        places = Places(kit, kit / "grader", "baseline", 1, 1)
        empty = Fixture("baseline", "", "numerical_diff", "", "no-effect")
        notebook = build_submission(empty, places, tmp_path_factory.mktemp("baseline"))
        data, _ = grade_in_process(notebook, reference, SUITE_LIMITS)
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
    return [
        test
        for function in data["functions"]
        if unit in (None, function["name"])
        for test in function["tests"]
        if suite in (None, test["suite"])
    ]


def skip_unless_layers(fixture: Fixture) -> None:
    """Skip an attack that only kernel layers this machine lacks can stop (SECURITY.md says it then works)."""
    if os.environ.get("HOSTILE_IGNORE_NEEDS"):  # bench/layers.py: show what happens without those layers
        return
    have = active_layers()
    if fixture.needs and not any(have.get(layer, False) for layer in fixture.needs):
        pytest.skip(f"{fixture.name} is stopped only by {' or '.join(fixture.needs)}, which this machine lacks")


def strings_in(data: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings_in(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings_in(value)]
    return []


def check_outputs(fixture: Fixture, places: Places, data: dict, outputs: dict[str, str]) -> None:
    """Each output is bounded and free of terminal escapes; the Markdown has only the kit's structure."""
    for name, text in outputs.items():
        assert len(text.encode()) < OUTPUT_BYTES, f"{name} holds {len(text.encode())} bytes"
    for name, text in [
        ("stdout", outputs["stdout"]),
        ("report.md", outputs["report.md"]),
        *(("report.json", text) for text in strings_in(data)),
    ]:
        assert control_characters(text) == [], f"{name} carries {control_characters(text)}"
    heading = f"{data['assignment']}: {data['score']:g} / {data['max_score']:g}"
    assert markdown_problems(outputs["report.md"], {heading}, KIT_HTML) == []
    prose = markdown_outside_code(outputs["report.md"])
    assert [token for token in fixture.markdown_inert if places.fill(token) in prose] == []


def _forks_in_sandbox() -> bool:
    """Does the default (auto) fork workers inside each submission's bubblewrap sandbox here?"""
    isolation = sandbox.detect_isolation()
    return isolation.fork_server and isolation.namespaces


@pytest.fixture(params=["off", "on", "auto"], ids=["exec", "pool", "sandboxed-pool"])
def worker_start(request, monkeypatch):
    """Every attack in every way workers start here: exec'd (under bubblewrap where it works), forked from the warm
    server beside the grader, and forked inside the submission's own sandbox (where auto does that)."""
    if request.param == "auto":
        monkeypatch.delenv(sandbox.POOL_VARIABLE, raising=False)
        if not _forks_in_sandbox():
            pytest.skip("auto forks no worker inside a sandbox here (no bubblewrap, seccomp or Landlock)")
        return "fork-in-sandbox"
    monkeypatch.setenv(sandbox.POOL_VARIABLE, request.param)
    return "fork-server" if request.param == "on" else "exec"


@pytest.mark.parametrize("fixture", GRADED, ids=lambda fixture: fixture.name)
def test_attack_is_contained(fixture, worker_start, on_snapshot, baseline, reference, tmp_path, monkeypatch):
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
            monkeypatch.setattr(grader.pipeline.grade, "TRUSTED_SECONDS", fixture.trusted_seconds, raising=False)
        peak_mib = None
        if fixture.mode == "cli":
            data, outputs, grader_pid, peak_mib = grade_cli(notebook, kit, tmp_path / "report.json", marker)
        else:
            data, outputs = grade_in_process(notebook, reference, replace(SUITE_LIMITS, **fixture.limits))
            grader_pid = os.getpid()
        elapsed = time.monotonic() - started
        arrivals = listeners.arrivals()
    finally:
        listeners.close()
    report_text = json.dumps(data, ensure_ascii=False)

    assert elapsed < fixture.seconds, f"grading took {elapsed:.1f} s"
    if fixture.trusted_mib is not None:
        assert peak_mib is not None, "trusted-mib is measured in cli mode only"
        assert peak_mib < fixture.trusted_mib, f"the grading process peaked at {peak_mib} MiB"
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
    every_text = [test["message"] for test in report_tests(data)] + data["errors"]
    for token in fixture.public_absent:
        leaked = [text for text in every_text if places.fill(token) in text]
        assert not leaked, f"a test message carries {token!r}: {leaked}"
    hidden_texts = [test["message"] for test in report_tests(data, suite="hidden")] + data["errors"]
    for token in fixture.hidden_absent:
        leaked = [text for text in hidden_texts if places.fill(token).lower() in text.lower()]
        assert not leaked, f"hidden-suite text carries {token!r}: {leaked}"
    assert len(report_text) < 1_000_000, "the report carries too much of the student's output"
    check_outputs(fixture, places, data, outputs)
    after = tree_digest(kit)
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    assert changed == [], "files of the graded checkout changed"
    assert traces(marker, kit) == [], "the attack left files behind"
    assert arrivals == [], "something reached a listener on this machine"
    assert worker_processes([grader_pid], booted, kit) == [], "worker processes outlived the grading"
    if fixture.expect != "notebook-rejected":
        assert data["isolation"]["workers"] == worker_start, data["isolation"]
    if not running_as_root() and fixture.expect != "notebook-rejected":  # a refused notebook runs no worker
        assert "uid-drop" in data["isolation"]["missing"], data["isolation"]


@pytest.mark.parametrize("fixture", ARTIFACTS, ids=lambda fixture: fixture.name)
def test_a_forged_artifact_gives_an_inert_comment_or_a_clear_refusal(fixture, tmp_path):
    """``ci comment`` reads a report.json the student may have forged: it posts only inert Markdown, and what it
    cannot represent it refuses with one line and exit status 2, never a traceback."""
    places = Places(tmp_path, tmp_path, f"hostile-{fixture.name}", 1, 1)
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    for name, text in fixture.files.items():
        (artifact / name).write_text(places.fill(text), encoding="utf-8")
    run_url = "https://github.com/class/kim-ch04/actions/runs/42"
    event = {"workflow_run": {"head_sha": "c0ffee" * 6, "pull_requests": [{"number": 7}], "html_url": run_url}}
    (tmp_path / "event.json").write_text(json.dumps(event))
    with FakeGitHub() as fake:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
        env.update(
            GITHUB_EVENT_PATH=str(tmp_path / "event.json"),
            GITHUB_REPOSITORY="class/kim-ch04",
            GITHUB_TOKEN=TOKEN,
            GITHUB_API_URL=fake.url,
        )
        result = subprocess.run(
            grader_command("ci", "comment", "--artifact", str(artifact)),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode in (0, 2) and "Traceback" not in result.stderr, result.stderr[-3000:]
    if result.returncode == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    (posted,) = fake.comments["class/kim-ch04#7"]
    body = posted["body"]
    assert len(body) < 65_536 and control_characters(body) == []
    headings = {line.lstrip("#").strip() for line in body.splitlines() if line.startswith("### Public tests")}
    assert len(headings) <= 1
    assert markdown_problems(body, headings, {"<!-- ch04-grader-feedback -->"}, {run_url}) == []
    prose = markdown_outside_code(body)
    assert [token for token in fixture.markdown_inert if places.fill(token) in prose] == []


def test_the_catalogue_covers_the_threats():
    fixtures = all_fixtures()
    assert len(fixtures) >= 30
    covered = {threat.strip() for fixture in fixtures for threat in fixture.threat.split(",")}
    assert REQUIRED_THREATS <= covered, f"no fixture for {sorted(REQUIRED_THREATS - covered)}"
    units = {fixture.unit for fixture in fixtures}
    assert units == set(CORE_UNITS), units
    assert {fixture.expect for fixture in fixtures} == {"attacked-unit-loses", "no-effect", "notebook-rejected"}


UNPRIVILEGED_TEST = "test_a_representative_subset_holds_as_an_unprivileged_user"


def unprivileged_impossible() -> str | None:
    """Why the subset cannot run as ``nobody`` here (None: it can): it needs root, runuser and a reachable Python."""
    if SUBSET is not None:
        return "this is the nobody run itself"
    if not running_as_root() or shutil.which("runuser") is None:
        return "needs root and runuser"
    unreachable = runtime.unreachable_part(runtime.direct())
    if unreachable is not None:
        return f"nobody cannot run this Python: {unreachable} is closed to other users (the kit's tests as a user cover it)"
    return None


def unprivileged_possible() -> bool:
    """Root with runuser and a Python other users can run: the subset can run as ``nobody``."""
    return unprivileged_impossible() is None


@pytest.fixture(scope="module", autouse=True)
def start_unprivileged_early(request):
    """In a plain run, start the ``nobody`` run at once (when its test is selected), so it overlaps the root run's
    waiting. Under xdist every process collects every test, and only the one that runs the test must start it:
    there the test starts it itself (make test gives it a group of its own, so it overlaps the others there)."""
    selected = any(item.name == UNPRIVILEGED_TEST for item in request.session.items)
    if unprivileged_possible() and selected and "PYTEST_XDIST_WORKER" not in os.environ:
        request.getfixturevalue("unprivileged_run")


@pytest.fixture(scope="module")
def unprivileged_run(request, tmp_path_factory):
    """The ``nobody`` run of the representative subset, started (a separate pytest) and handed to its test."""
    if not unprivileged_possible():
        yield None
        return
    home = tmp_path_factory.mktemp("nobody-home")
    os.chmod(home, 0o777)
    variables = {
        "HOSTILE_SUBSET": "unprivileged",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
    }
    command = [
        "runuser",
        "-u",
        "nobody",
        "--",
        "env",
        "-i",
        *[f"{k}={v}" for k, v in variables.items()],
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "grader/tests/test_hostile.py::test_attack_is_contained",
    ]
    output = home.parent / "nobody-output.txt"
    with open(output, "w") as stream:
        process = subprocess.Popen(command, cwd=sandbox.KIT_ROOT, stdout=stream, stderr=subprocess.STDOUT)
    try:
        yield process, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.skipif(not unprivileged_possible(), reason=str(unprivileged_impossible()))
def test_a_representative_subset_holds_as_an_unprivileged_user(unprivileged_run):
    """As ``nobody`` the grader has no uid drop (and says so); the other layers must still stop these attacks."""
    subset = [fixture.name for fixture in all_fixtures() if "unprivileged" in fixture.subset]
    assert len(subset) >= 8
    process, output = unprivileged_run
    process.wait(timeout=600)
    text = output.read_text()
    assert process.returncode == 0, text[-5000:]
    assert f"{len(subset)} passed" in text, text[-2000:]
