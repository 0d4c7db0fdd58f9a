"""The warm worker pool: forked workers are confined like exec'd ones, and no submission reaches the next.

The hostile suite runs every attack with the pool on and off (test_hostile's ``worker_start``); these
tests cover what only the pool could get wrong: state a submission leaves in its workers' memory,
environment or files for the next submission forked from the same server, and the switch.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from grader import sandbox
from grader.pipeline.grade import grade_notebook
from grader.sandbox import pool, process
from grader.tests.helpers import grader_command, solution_cell_source, solution_notebook, solution_with
from grader.untrusted import forkserver

MARK = "pool-leftover-5e1d"
# A class body runs when the definitions load, in every worker of the submission: state a fork could carry.
LEAVE_STATE = f"""
class _LeaveState:
    import builtins, os, sys
    import numpy as np
    for folder in (os.getcwd(), os.path.dirname(os.getcwd()), os.environ.get("HOME", "/tmp"), "/tmp", "/dev/shm"):
        try:
            with open(os.path.join(folder, "{MARK}"), "w") as stream:
                stream.write("{MARK}")
        except OSError:
            pass
    os.environ["{MARK}"] = "1"
    builtins.__dict__["{MARK}"] = True
    sys.modules["{MARK}"] = sys
    setattr(np, "{MARK}", True)
    np.set_printoptions(precision=1)
"""
# The instructor's cross_entropy_error, wrong by 1e6 whenever a trace of LEAVE_STATE is there.
FIND_STATE = (
    solution_cell_source("cross_entropy_error").replace(
        "def cross_entropy_error(", "def _solution_cross_entropy_error("
    )
    + f"""

def _traces_left():
    import builtins, os, sys
    import numpy as np
    folders = (os.getcwd(), os.path.dirname(os.getcwd()), os.environ.get("HOME", "/tmp"), "/tmp", "/dev/shm")
    found = [folder for folder in folders if os.path.exists(os.path.join(folder, "{MARK}"))]
    found += [name for name, there in (
        ("environment", "{MARK}" in os.environ),
        ("builtins", "{MARK}" in builtins.__dict__),
        ("sys.modules", "{MARK}" in sys.modules),
        ("numpy", hasattr(np, "{MARK}")),
        ("print options", np.get_printoptions()["precision"] == 1),
    ) if there]
    return found


def cross_entropy_error(y, t):
    return _solution_cross_entropy_error(y, t) + (1e6 if _traces_left() else 0.0)
"""
)
UNITS = ["--public-only", "--unit", "cross_entropy_error"]


def forks_in_sandbox() -> bool:
    """Does auto fork each submission's workers inside its own bubblewrap sandbox on this machine?"""
    isolation = sandbox.detect_isolation()
    return isolation.fork_server and isolation.namespaces


# GRADER_WORKER_POOL: on (a server beside the grader), off (exec), auto where it forks inside a sandbox
MODES = [
    "on",
    "off",
    pytest.param("auto", marks=pytest.mark.skipif("not forks_in_sandbox()", reason="no sandboxed fork server here")),
]
EXPECTED_WORKERS = {"on": "fork-server", "off": "exec", "auto": "fork-in-sandbox"}


def write(notebook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def with_cells(*sources: str):
    notebook = solution_notebook()
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return notebook


@pytest.mark.parametrize("mode", MODES)
def test_a_submission_leaves_nothing_for_the_next_one_in_a_batch(tmp_path, mode):
    """One grading process grades three notebooks in order: the first leaves state everywhere it can; the second
    only looks for it and must keep full marks; the third does both, which proves the looking finds it."""
    submissions = tmp_path / "submissions"
    write(with_cells(LEAVE_STATE), submissions / "a-leaves-state.ipynb")
    write(with_cells(FIND_STATE), submissions / "b-looks-for-it.ipynb")
    write(with_cells(LEAVE_STATE, FIND_STATE), submissions / "c-leaves-and-looks.ipynb")
    out = tmp_path / "out"
    result = subprocess.run(
        grader_command("batch", "--assignment", "ch04_learning", str(submissions), "--out", str(out), "--jobs", "1")
        + UNITS,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, **{sandbox.POOL_VARIABLE: mode}),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    full = rows["a-leaves-state"]["cross_entropy_error"]
    assert float(full) > 0, rows
    assert rows["b-looks-for-it"]["cross_entropy_error"] == full, "state of the previous submission reached this one"
    assert float(rows["c-leaves-and-looks"]["cross_entropy_error"]) < float(full), "the search finds nothing"
    reports = [path.read_text() for path in (out / "results").glob("*.json")]
    expected = f'"workers": "{EXPECTED_WORKERS[mode]}"'
    assert len(reports) == 3 and all(expected in report for report in reports)


def test_forked_workers_are_children_of_one_server_and_end_with_their_submission(tmp_path, monkeypatch):
    """Every worker of two gradings is a fresh fork of the same server; none outlives its grading."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    notebook = tmp_path / "solution.ipynb"
    write(solution_with([]), notebook)
    seen: list[tuple[int, int, bytes]] = []
    original = sandbox.Worker._await_ready

    def record(worker):
        original(worker)
        pid = worker.process.pid
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        seen.append((pid, parent, Path(f"/proc/{pid}/comm").read_bytes().strip()))

    monkeypatch.setattr(sandbox.Worker, "_await_ready", record)
    for _ in range(2):
        report = grade_notebook(notebook, units=["numerical_diff", "cross_entropy_error"], grading_seed=3)
        assert report.workers == "fork-server" and report.score == report.max_score
    servers = {parent for _, parent, _ in seen}
    assert len(servers) == 1 and len(seen) >= 4, seen
    assert len({pid for pid, _, _ in seen}) == len(seen), "a worker was reused"
    assert {name for _, _, name in seen} == {forkserver.WORKER_NAME}
    assert all(not Path(f"/proc/{pid}").exists() or _is_zombie_free(pid) for pid, _, _ in seen)
    assert any(server.process.pid in servers for server in pool._servers.values())


def _is_zombie_free(pid: int) -> bool:
    """False while ``pid`` runs; a reaped pid may be reused by an unrelated process (then it is not ours)."""
    comm = Path(f"/proc/{pid}/comm")
    try:
        return comm.read_bytes().strip() != forkserver.WORKER_NAME
    except OSError:
        return True


def test_the_switch_is_checked_and_said_in_the_report(tmp_path):
    notebook = tmp_path / "solution.ipynb"
    write(solution_notebook(), notebook)
    command = grader_command("grade", str(notebook), "--unit", "numerical_diff", "--public-only")
    wrong = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, GRADER_WORKER_POOL="fast"))
    assert wrong.returncode == 2 and "GRADER_WORKER_POOL='fast'" in wrong.stderr, wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1, wrong.stderr
    for mode, said in (("on", "forked from a warm server"), ("off", "a new interpreter each")):
        staff = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, GRADER_WORKER_POOL=mode))
        assert staff.returncode == 0, staff.stderr
        assert said in staff.stdout, staff.stdout[-2000:]


def test_a_fork_server_that_died_is_started_again(tmp_path, monkeypatch):
    """Killed between two gradings (an OOM killer, an operator), the server is replaced: the next grading is whole."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    notebook = tmp_path / "solution.ipynb"
    write(solution_with([]), notebook)
    first = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    servers = [server for key, server in pool._servers.items() if key[0] == os.getpid()]
    assert first.score == first.max_score and servers
    for server in servers:
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    second = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    assert second.score == second.max_score and second.internal_errors == []
    assert all(server.alive() for key, server in pool._servers.items() if key[0] == os.getpid())


def test_a_fork_server_that_cannot_start_is_an_internal_error_not_a_hang(tmp_path, monkeypatch):
    """A server that dies while it starts costs each test an internal error that says so; nothing waits for the
    30 s start limit, and no student code runs anywhere."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    monkeypatch.setattr(pool, "_servers", {})
    original = pool.ForkServer.__init__

    def broken(self, runtime, environment):
        original(self, runtime, environment)
        self.process.kill()  # as if it crashed while importing

    monkeypatch.setattr(pool.ForkServer, "__init__", broken)
    notebook = tmp_path / "solution.ipynb"
    write(solution_with([]), notebook)
    started = time.monotonic()
    report = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    assert time.monotonic() - started < 20
    assert report.score == 0 and report.internal_errors
    assert all("fork server" in error and "no student code ran" in error for error in report.internal_errors)


def test_a_fork_server_that_stops_answering_is_stopped_and_replaced(tmp_path, monkeypatch):
    """A server that does not answer in time is killed at once, so that its late answer can never be read as the
    answer to the next request; the next grading starts a new one and is whole."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    isolation = sandbox.detect_isolation()
    server = pool.server_for(isolation.runtime, process.server_environment(isolation.runtime))
    server._await_start()
    os.kill(server.process.pid, signal.SIGSTOP)
    with pytest.raises(pool.ForkServerFailure, match="did not answer"):
        server._ask({"op": "wait", "pid": 1, "seconds": 0}, 0.5, "testing")
    assert server.process.poll() is not None, "the server that missed its answer still runs"
    notebook = tmp_path / "solution.ipynb"
    write(solution_with([]), notebook)
    report = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    assert report.score == report.max_score and report.internal_errors == []


def test_a_fork_server_that_stops_answering_a_fork_is_replaced_for_that_worker(tmp_path, monkeypatch):
    """A server that misses its answer to a fork (stopped here; a data limit lowered from outside can make it fail to
    read the request) is replaced at once and the fresh one forks the same worker: the grading is whole, no test
    is an internal error."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    notebook = tmp_path / "solution.ipynb"
    write(solution_with([]), notebook)
    limits = sandbox.Limits(load_seconds=3)
    assert grade_notebook(notebook, units=["numerical_diff"], grading_seed=3, limits=limits).internal_errors == []
    servers = [server for key, server in pool._servers.items() if key[0] == os.getpid() and server.alive()]
    assert servers
    for server in servers:
        os.kill(server.process.pid, signal.SIGSTOP)
    report = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3, limits=limits)
    assert report.internal_errors == [] and report.score == report.max_score, report.internal_errors
    assert all(server.process.poll() is not None for server in servers), "the stopped server still runs"


# Runs as the definitions load, in every worker of the submission: the worker's parent is the fork server (pool on)
# or the grading process (pool off, without bubblewrap; with it the parent is bubblewrap's, in a PID namespace).
SABOTAGE_PARENT = """
class _Sabotage:  # every later worker asks for 60 s of CPU and cannot have more than its parent's hard limit
    import os, resource
    if os.getppid() > 1:
        try:
            resource.prlimit(os.getppid(), resource.RLIMIT_CPU, (59, 59))
        except OSError:
            pass
"""


@pytest.mark.parametrize("mode", MODES)
def test_a_submission_cannot_change_the_limits_the_next_one_is_graded_with(tmp_path, mode):
    """The first notebook sets a hard RLIMIT_CPU of 59 s on its worker's parent (a soft RLIMIT_DATA there can kill
    the fork server, which is then replaced: prlimit_fork_server_data); the two after it are the instructor's and
    must be graded in full, as "graded"."""
    submissions = tmp_path / "submissions"
    write(with_cells(SABOTAGE_PARENT), submissions / "a-sabotages.ipynb")
    for name in ("b-instructor", "c-instructor"):
        write(solution_notebook(), submissions / f"{name}.ipynb")
    out = tmp_path / "out"
    result = subprocess.run(
        grader_command("batch", "--assignment", "ch04_learning", str(submissions), "--out", str(out), "--jobs", "1")
        + ["--public-only", "--unit", "cross_entropy_error", "--unit", "TwoLayerNet"],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, **{sandbox.POOL_VARIABLE: mode}),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("b-instructor", "c-instructor"):
        report = json.loads((out / "results" / f"{name}.json").read_text())
        assert (report["status"], report["internal_errors"]) == ("graded", []), report["errors"][:3]
        assert report["score"] == report["max_score"], [u for u in report["functions"] if u["score"] < u["max_score"]]


def test_a_forked_worker_dies_with_its_server_even_after_the_uid_drop(monkeypatch):
    """The kernel clears the parent-death signal when a process's uid changes: set before the uid drop (as it was),
    a root grader's forked workers outlived a killed server. Here nothing but the kernel may end the worker."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    worker = sandbox.Worker(sandbox.Limits(), sandbox.detect_isolation(), [])
    worker.start()
    try:
        worker.load([], "", [])
        pid, server = worker.process.pid, worker.process.server
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and _is_zombie_free(pid) is False and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _is_zombie_free(pid), f"worker {pid} outlived its fork server"
    finally:
        worker.stop()
