"""Every worker starts with the limits, priority and CPU mask the kit chose, never with what its parent had.

A process of the grader's user may change the grading process's or the fork server's limits from outside
(``prlimit``) and every worker started after would inherit them (issue 22). These tests change them from
outside, as such a process would, and check what the worker really runs with (read from ``/proc``), that a
worker reporting anything else is refused, and that a fork server whose own standing changed is replaced.
"""

from __future__ import annotations

import dataclasses
import os
import resource
from pathlib import Path

import pytest

from grader import sandbox
from grader.pipeline.grade import grade_notebook
from grader.sandbox import pool
from grader.tests.helpers import solution_with, write_notebook

# What SECURITY.md says every worker gets (Limits' defaults and the kit's choices), as /proc/<pid>/limits shows it.
EXPECTED_LIMITS = {
    "Max cpu time": ("60", "60"),
    "Max file size": ("16777216", "16777216"),
    "Max data size": ("2147483648", "2147483648"),
    "Max stack size": ("8388608", "8388608"),
    "Max core file size": ("0", "0"),
    "Max open files": ("64", "64"),
    "Max locked memory": ("65536", "65536"),
    "Max address space": ("2147483648", "2147483648"),
    "Max file locks": ("0", "0"),
    "Max pending signals": ("1024", "1024"),
    "Max msgqueue size": ("0", "0"),
    "Max nice priority": ("0", "0"),
    "Max realtime priority": ("0", "0"),
    "Max realtime timeout": ("0", "0"),
}


@pytest.fixture(params=["off", "on"], ids=["exec", "pool"])
def worker_start(request, monkeypatch):
    monkeypatch.setenv(sandbox.POOL_VARIABLE, request.param)
    return request.param


@pytest.fixture
def notebook(tmp_path):
    return write_notebook(solution_with([]), tmp_path / "solution.ipynb")


def proc_limits(pid: int) -> dict[str, tuple[str, str]]:
    rows = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {row[:26].strip(): tuple(row[26:].split()[:2]) for row in rows}


def test_a_worker_starts_with_the_kits_limits_whatever_its_parent_has(notebook, worker_start, monkeypatch):
    seen: list[dict] = []
    original = sandbox.Worker._await_ready

    def record(worker):
        original(worker)
        pid = worker.process.pid
        seen.append(proc_limits(pid) | {"nice": os.getpriority(os.PRIO_PROCESS, pid)})

    monkeypatch.setattr(sandbox.Worker, "_await_ready", record)
    changed = {resource.RLIMIT_MSGQUEUE: 4242, resource.RLIMIT_RTTIME: 4242, resource.RLIMIT_STACK: 4 * 1024**2}
    before = {limit: resource.getrlimit(limit) for limit in changed}
    try:
        for limit, soft in changed.items():  # soft limits only: the test process can set them back
            resource.setrlimit(limit, (soft, before[limit][1]))
        report = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    finally:
        for limit, value in before.items():
            resource.setrlimit(limit, value)
    assert report.score == report.max_score and report.internal_errors == []
    assert seen
    for limits in seen:
        assert {name: limits.get(name) for name in EXPECTED_LIMITS} == EXPECTED_LIMITS
        assert limits["nice"] == os.getpriority(os.PRIO_PROCESS, 0)


def test_a_worker_whose_limits_differ_from_what_was_set_is_refused(notebook, worker_start, monkeypatch):
    original = sandbox.Worker._restrictions

    def slipped(worker):  # as if the worker had inherited a limit the kit did not set
        restrictions = original(worker)
        rlimits = dict(restrictions.rlimits, RLIMIT_MSGQUEUE=[4242, 4242])
        return dataclasses.replace(restrictions, rlimits=rlimits)

    monkeypatch.setattr(sandbox.Worker, "_restrictions", slipped)
    report = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    assert report.score == 0 and report.internal_errors
    assert all("RLIMIT_MSGQUEUE" in error and "no student code ran" in error for error in report.internal_errors)


def test_a_fork_server_whose_limits_changed_is_replaced(notebook, monkeypatch):
    """Changed from outside (prlimit, setpriority, sched_setaffinity by a process of the same user), the server
    forks nothing more: a fresh one serves the next grading, which is whole."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    first = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    assert first.score == first.max_score
    servers = [server for key, server in pool._servers.items() if key[0] == os.getpid() and server.alive()]
    assert servers
    for server in servers:
        hard = resource.prlimit(server.process.pid, resource.RLIMIT_DATA)[1]
        resource.prlimit(server.process.pid, resource.RLIMIT_DATA, (16 * 1024**2, hard))
        os.setpriority(os.PRIO_PROCESS, server.process.pid, 5)
    second = grade_notebook(notebook, units=["numerical_diff"], grading_seed=3)
    # it failed once in a loaded make test (9 of 10, one test "no student code ran in that worker"): say which, and why
    assert second.score == second.max_score and second.internal_errors == [], second.internal_errors
    assert all(server.process.poll() is not None for server in servers), "the changed server still runs"


def test_replacing_a_changed_fork_server_leaves_its_live_workers_alone(monkeypatch):
    """The changed server forks nothing more, but a worker it forked before (of this same submission) still
    answers: stopping the server at once would kill it (its children die with it) and fail an innocent test."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    isolation = sandbox.detect_isolation()
    first = sandbox.Worker(sandbox.Limits(), isolation, [])
    second = sandbox.Worker(sandbox.Limits(), isolation, [])
    try:
        first.start()
        first.load([], "", [])
        old_server, pid = first.process.server, first.process.pid
        os.setpriority(os.PRIO_PROCESS, old_server.process.pid, 7)
        second.start()
        second.load([], "", [])
        assert second.process.server is not old_server, "the changed server forked another worker"
        assert first.load([], "", [])["names"] == second.load([], "", [])["names"]  # both still answer
        assert first.process.pid == pid, "the first worker died with its server and was started again"
    finally:
        first.stop()
        second.stop()
    assert old_server.process.poll() is not None, "the retired server outlived its last worker"


def test_memory_limits_come_last_so_a_child_of_a_large_grader_can_finish_its_set_up(monkeypatch):
    """A child forked from a 1 GB grader is over a 400 MB RLIMIT_AS at once: after that limit any new allocation
    of Python's fails, so the address-space and data limits (and NPROC, after the drop) are the last calls."""
    from grader.untrusted import restrict

    calls: list[str] = []
    monkeypatch.setattr(restrict.resource, "setrlimit", lambda number, value: calls.append(f"rlimit {number}"))
    monkeypatch.setattr(restrict, "set_priority", lambda *args: calls.append("priority"))
    monkeypatch.setattr(restrict, "unshare_ipc", lambda: calls.append("unshare"))
    monkeypatch.setattr(restrict, "drop_privileges", lambda uid: calls.append("drop"))
    monkeypatch.setattr(restrict, "prctl", lambda option, value: calls.append(f"prctl {option}"))
    rlimits = {name: [1, 1] for name in ("RLIMIT_AS", "RLIMIT_NOFILE", "RLIMIT_DATA", "RLIMIT_NPROC", "RLIMIT_CPU")}
    restrict.apply(restrict.Restrictions(rlimits, 0, os.SCHED_OTHER, [0], uid=123456, unshare_ipc=True))
    number = {name: f"rlimit {getattr(resource, name)}" for name in rlimits}
    last = [number["RLIMIT_DATA"], number["RLIMIT_NPROC"], number["RLIMIT_AS"]]
    assert calls[-3:] == [call for call in calls if call in last] and sorted(calls[-3:]) == sorted(last), calls
    assert calls.index("drop") < calls.index(number["RLIMIT_AS"]) and calls.index(
        number["RLIMIT_NOFILE"]
    ) < calls.index("drop")
    assert all(call.startswith("rlimit") for call in calls[-3:]) and calls.count("prctl 38") == 1
