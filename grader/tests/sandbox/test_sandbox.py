"""The sandbox's own promises: a time budget per submission, failing closed, sweeping orphans, honest reports."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import replace

import pytest

from grader import sandbox
from grader.tests.helpers import solution_with
from grader.tests.hostile import CORE_UNITS, is_worker, worker_processes
from grader.untrusted import protocol

SLOW_DIFF = """
import time

def numerical_diff(f, x):
    time.sleep(2.5)  # three public calls (7.5 s) outlast the 6 s budget in this unit, whatever ran before
    h = 1e-4
    return (f(x + h) - f(x - h)) / (2 * h)
"""
FORK_THEN_SETSID = """
import os, time

def numerical_diff(f, x):
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(20)
            os._exit(0)
    except OSError:
        pass
    h = 1e-4
    return (f(x + h) - f(x - h)) / (2 * h)
"""


def outcomes(report) -> list:
    """Every test result of a GradeReport, in report order."""
    return [test for unit in report.units for test in unit.tests]


def test_time_budget_stops_the_rest_of_the_submission(grade):
    limits = sandbox.Limits(call_seconds=3, submission_seconds=6)
    started = time.monotonic()
    report = grade(solution_with([SLOW_DIFF]), units=list(CORE_UNITS), limits=limits)
    elapsed = time.monotonic() - started
    assert elapsed < 6 + 5, f"grading took {elapsed:.1f} s with a 6 s budget"
    tests = outcomes(report)
    stopped = [t for t in tests if "was stopped: the time budget for this submission (6 s) ran out" in t.message]
    skipped = [t for t in tests if "not graded: the time budget for this submission (6 s)" in t.message]
    assert len(stopped) == 1 and stopped[0].unit == "numerical_diff", [t.message for t in tests]
    assert skipped and all(t.outcome == "timeout" and t.score == 0 for t in stopped + skipped)
    assert any(t.outcome == "passed" for t in tests), "tests before the budget ran out keep their results"
    assert report.internal_errors == []


def test_a_call_that_ends_the_worker_fails_only_that_test(grade):
    crash = (
        "import os\n\ndef numerical_diff(f, x):\n    if f.__name__ == 'sin_100':\n        os._exit(0)\n"
        "    h = 1e-4\n    return (f(x + h) - f(x - h)) / (2 * h)\n"
    )
    report = grade(solution_with([crash]), units=["numerical_diff", "cross_entropy_error"])
    diff = next(unit for unit in report.units if unit.name == "numerical_diff")
    failed = [t for t in diff.tests if t.outcome != "passed"]
    assert {t.name for t in failed} == {"sin_100", "random_points[sin_100]", "negative_point"}
    assert all(t.outcome == "error" for t in failed)
    public = next(t for t in failed if t.suite == "public")
    korean, english = public.message.split(" / ")  # the report's default language is both
    assert english == "the process exited with status 0 while running numerical_diff" and "종료 코드 0" in korean
    hidden = [t.message.split(" / ") for t in failed if t.suite == "hidden"]
    assert hidden and all(english == "the process ended while running numerical_diff" for _, english in hidden)
    assert all("종료 코드" not in korean for korean, _ in hidden), "a hidden test shows no exit status"
    cee = next(unit for unit in report.units if unit.name == "cross_entropy_error")
    assert cee.score == cee.max_score


def test_a_worker_without_a_claimed_layer_is_refused(grade, monkeypatch):
    """Fail closed: a worker whose kernel-reported confinement lacks a claimed layer never gets student code."""
    isolation = sandbox.detect_isolation()
    if not isolation.seccomp:
        pytest.skip("seccomp is not available here, so the grader does not claim it")
    original = sandbox.Worker._worker_arguments  # what an exec'd and a forked worker are both told

    def without_seccomp(self):
        arguments = original(self)
        return [
            ("off" if part == "on" and arguments[i - 1] == "--seccomp" else part) for i, part in enumerate(arguments)
        ]

    sent = []
    send = sandbox.Worker._send

    def spy(self, data, deadline, what):
        sent.append(protocol.decode(data[8:])["op"])
        return send(self, data, deadline, what)

    monkeypatch.setattr(sandbox.Worker, "_worker_arguments", without_seccomp)
    monkeypatch.setattr(sandbox.Worker, "_send", spy)
    report = grade(solution_with([]), units=["numerical_diff"])
    assert sent == [], "a request (with student code) was sent to an unconfined worker"
    assert report.units[0].score == 0
    assert all(t.outcome == "error" and "internal error in the grader" in t.message for t in outcomes(report))
    assert report.internal_errors and "seccomp" in report.internal_errors[0]


def test_a_worker_that_cannot_start_is_an_internal_error(grade, monkeypatch):
    """Exec'd or forked, a worker that ends before it reports its confinement is the grader's error, with its output."""
    monkeypatch.setattr(sandbox.Worker, "_worker_arguments", lambda self: ["--no-such-option"])
    report = grade(solution_with([]), units=["numerical_diff"])
    messages = [t.message for t in outcomes(report)]
    assert messages and all(
        "internal error in the grader" in m and "unrecognized arguments: --no-such-option" in m for m in messages
    ), messages
    assert report.internal_errors


@pytest.mark.needs("uid-drop")
@pytest.mark.parametrize("off", [("namespaces",), ("namespaces", "seccomp")], ids=["no-bwrap", "no-bwrap-no-seccomp"])
def test_no_orphan_survives_without_namespaces(grade, monkeypatch, off):
    """Without bubblewrap's PID namespace, seccomp, RLIMIT_NPROC=0 and the uid sweep must still leave nothing."""
    isolation = sandbox.detect_isolation()
    if not isolation.uid_drop:
        pytest.skip("workers cannot be dropped to other uids here")
    limited = replace(isolation, **{layer: False for layer in off}, private_filesystem=False, hidden_files=False)
    monkeypatch.setattr(sandbox, "detect_isolation", lambda: limited)
    report = grade(solution_with([FORK_THEN_SETSID]), units=["numerical_diff"])
    assert report.internal_errors == []
    assert report.units[0].score == report.units[0].max_score
    assert worker_processes([os.getpid()]) == []


@pytest.mark.needs("root")
def test_the_uid_sweep_kills_a_setsid_orphan():
    pool = sandbox.uids.UidPool()
    uid = pool.allocate()
    try:
        shell = subprocess.Popen(
            ["/bin/sh", "-c", "setsid sleep 30 & echo started"],
            preexec_fn=lambda: sandbox.uids.drop_privileges(uid),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert shell.stdout.readline().strip() == "started"
        shell.wait(timeout=5)
        time.sleep(0.1)
        assert worker_processes([os.getpid()]), "the orphan should be running before the sweep"
        pool.release(uid)
        time.sleep(0.1)
        assert worker_processes([os.getpid()]) == []
        assert uid not in pool.in_use()
    finally:
        sandbox.kill_processes_of(uid)


@pytest.mark.needs("uid-drop")
def test_concurrent_workers_get_distinct_uids():
    pool = sandbox.uids.UidPool()
    uids = [pool.allocate() for _ in range(20)]
    try:
        assert len(set(uids)) == 20 and pool.in_use() == frozenset(uids)
    finally:
        for uid in uids:
            pool.release(uid)
    assert pool.in_use() == frozenset()


def test_a_full_pool_says_so():
    pool = sandbox.uids.UidPool(base=sandbox.uids.UID_BASE - 100, size=0)
    with pytest.raises(sandbox.uids.UidsExhausted, match="in use"):
        pool.allocate()


def test_the_benchmark_switch_turns_kernel_layers_off_and_says_so(monkeypatch):
    monkeypatch.setenv(sandbox.DISABLE_VARIABLE, "kernel")
    isolation = sandbox.detect_isolation()
    assert not (isolation.seccomp or isolation.uid_drop or isolation.namespaces or isolation.private_filesystem)
    assert {"seccomp", "uid-drop", "namespaces"} <= set(isolation.missing)
    assert all(sandbox.DISABLE_VARIABLE in isolation.missing[layer] for layer in ("seccomp", "namespaces"))
    assert isolation.layers()[:3] == ["process", "rlimits", "scrubbed-env"] and "audit-hook" in isolation.layers()
    monkeypatch.setenv(sandbox.DISABLE_VARIABLE, "seccomp")
    partial = sandbox.detect_isolation()
    monkeypatch.delenv(sandbox.DISABLE_VARIABLE)
    assert not partial.seccomp and partial.namespaces == sandbox.detect_isolation().namespaces
    assert "private-filesystem" not in isolation.missing  # not probed when turned off


def test_a_lying_npy_header_is_refused_before_it_is_loaded():
    body = protocol.encode({"result": __import__("numpy").zeros(4)})
    tampered = body.replace(b"(4,)", b"(9999999999,)")
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(tampered)
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(body[:-5])
    assert protocol.decode(body)["result"].shape == (4,)


def test_a_worker_killed_from_outside_is_reported_by_its_signal():
    worker = sandbox.Worker(sandbox.Limits(), sandbox.detect_isolation(), [])
    worker.start()
    try:
        worker.load([], "", [])
        os.killpg(worker.process.pid, signal.SIGKILL)
        with pytest.raises(sandbox.WorkerDied) as died:
            worker.call({"target": "x"}, "numerical_diff")
        assert "killed by SIGKILL" in str(died.value) or "stopped answering" in str(died.value)
        assert died.value.message_for("hidden") == "the process ended while running numerical_diff"
    finally:
        worker.stop()


HOG = """
import numpy as np

def _hog(_held=np.ones(50_000_000)):  # 400 MB, touched, in every worker that loads the notebook
    return _held
"""


def _worker_memory() -> int:
    """Memory of every worker process on this machine right now, shared pages counted once (Pss, as the kernel's
    memory cgroup counts them; summing RSS would count numpy's shared libraries once per worker)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as stream:
                if not is_worker(entry.name, stream.read()):
                    continue
            with open(f"/proc/{entry.name}/smaps_rollup") as stream:
                total += next(int(line.split()[1]) * 1024 for line in stream if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total


def _peak_worker_memory(action) -> int:
    """The most resident memory all worker processes held at once while ``action`` ran."""
    import threading

    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _worker_memory())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    return peak[0]


LIMITS_FOR_HOG = sandbox.Limits(memory_bytes=768 * 2**20, submission_memory_bytes=3 * 512 * 2**20)


def test_without_a_cgroup_a_submission_keeps_few_enough_workers_alive(grade, monkeypatch):
    """Each worker holds 400 MB; five units' workers alive at once would hold 2 GB. The budget is 1.5 GiB."""
    monkeypatch.setenv(sandbox.DISABLE_VARIABLE, "memory-cgroup")
    assert sandbox.memory_plan(LIMITS_FOR_HOG).live_workers == 2
    reports = []
    peak = _peak_worker_memory(
        lambda: reports.append(grade(solution_with([HOG]), units=list(CORE_UNITS), limits=LIMITS_FOR_HOG))
    )
    assert peak > 400 * 10**6, "the sampler never saw a worker holding its memory"
    assert peak <= LIMITS_FOR_HOG.submission_memory_bytes, f"workers held {peak / 2**20:.0f} MiB at once"
    assert reports[0].internal_errors == []
    assert all(unit.score == unit.max_score for unit in reports[0].units), {u.name: u.score for u in reports[0].units}


@pytest.mark.needs("memory-cgroup")
def test_with_a_cgroup_the_kernel_holds_a_submission_to_its_budget(grade):
    """All five workers may live; together they never hold more than the budget (the kernel stops the excess)."""
    reports = []
    peak = _peak_worker_memory(
        lambda: reports.append(grade(solution_with([HOG]), units=list(CORE_UNITS), limits=LIMITS_FOR_HOG))
    )
    assert peak > 400 * 10**6, "the sampler never saw a worker holding its memory"
    assert peak <= LIMITS_FOR_HOG.submission_memory_bytes + 64 * 2**20, f"workers held {peak / 2**20:.0f} MiB"
    assert reports[0].internal_errors == []
