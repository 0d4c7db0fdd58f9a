"""A batch killed by SIGKILL, SIGTERM or SIGINT leaves no process behind, and a rerun finishes what it had not."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from grader import sandbox
from grader.assignment import KIT_ROOT
from grader.classroom import batch, processes
from grader.classroom.gradebook import read_results
from grader.tests.helpers import grader_command

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

STUDENTS = [f"s{i:02d}" for i in range(6)]
LEFTOVER_SECONDS = 10  # "after a few seconds": generous on a loaded 2-core machine; not a timing assertion


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie holds nothing; its parent only has not reaped it yet
        return None
    return int(fields[1]), fields[19]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root: int) -> set[tuple[int, str]]:
    """Every live process below ``root``, as (pid, start time) so that a reused pid is not mistaken for it."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _stat(int(entry))):
            children.setdefault(info[0], []).append((int(entry), info[1]))
    found, queue = set(), [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.add(child)
            queue.append(child[0])
    return found


def alive(processes_seen: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of ``processes_seen`` that still run (same pid, same start time)."""
    return {(pid, start) for pid, start in processes_seen if (_stat(pid) or (0, ""))[1] == start}


def _batch_command(submissions: Path, out: Path) -> list[str]:
    return grader_command(
        "batch",
        "--assignment",
        "ch04_learning",
        str(submissions),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--public-only",
        "--unit",
        "numerical_gradient",
        "--unit",
        "gradient_descent",
        "--seed",
        "7",
    )


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    for student in STUDENTS:
        shutil.copy(KIT_ROOT / "solutions" / "ch04_learning.ipynb", folder / f"{student}.ipynb")
    return folder


@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGKILL, False), (signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGKILL", "SIGTERM", "SIGINT", "Ctrl-C"],  # Ctrl-C: the terminal signals the whole process group
)
def test_killed_batch_leaves_no_process_and_resumes(submissions: Path, tmp_path: Path, signum: int, whole_group: bool):
    out = tmp_path / "out"
    batch = subprocess.Popen(
        _batch_command(submissions, out),
        cwd=KIT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen: set[tuple[int, str]] = set()
    deadline = time.monotonic() + 240
    # kill once the pool is grading: the first result is written and more are in flight
    while time.monotonic() < deadline and batch.poll() is None:
        seen |= descendants(batch.pid)
        if len(list((out / "results").glob("*.json"))) >= 1:
            break
        time.sleep(0.05)
    seen |= descendants(batch.pid)
    commands = " ".join(_command_line(pid) for pid, _ in seen)
    assert "resource_tracker" in commands and commands.count("spawn_main") >= 2, commands
    assert batch.poll() is None, "the batch ended before it could be killed: " + batch.stderr.read().decode()[-2000:]
    assert len(seen) >= 3, f"expected the pool (2 processes) and the resource tracker under the batch, saw {seen}"
    if whole_group:
        os.killpg(batch.pid, signum)
    else:
        os.kill(batch.pid, signum)
    batch.wait(timeout=120)
    stop = time.monotonic() + LEFTOVER_SECONDS
    while alive(seen) and time.monotonic() < stop:
        time.sleep(0.1)
    left = alive(seen)
    for pid, _ in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} process(es) outlived a {signal.Signals(signum).name} of the batch: {left}"
    finished_before = set(read_results(out))
    assert 1 <= len(finished_before) < len(STUDENTS)
    if signum != signal.SIGKILL:
        assert batch.returncode == 130 and "resume" in batch.stderr.read().decode()

    resumed = subprocess.run(
        _batch_command(submissions, out), cwd=KIT_ROOT, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    results = read_results(out)
    assert set(results) == set(STUDENTS)
    assert all(r["status"] == "graded" and r["score"] == r["max_score"] > 0 for r in results.values())
    assert f"{len(finished_before)} finished earlier (skipped)" in resumed.stderr
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == STUDENTS


def _report() -> tuple[bool, int, int]:
    return processes.is_dumpable(), processes.death_signal(), os.getppid()


def test_pool_processes_are_not_dumpable_and_die_with_the_batch():
    context = multiprocessing.get_context("spawn")
    before = processes.is_dumpable()  # False once this process graded in-process (the grader hardens itself)
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=processes.harden_pool_process, initargs=(os.getpid(),)
    ) as pool:
        dumpable, death, parent = pool.submit(_report).result(timeout=60)
    assert (dumpable, death, parent) == (False, signal.SIGKILL, os.getpid())
    assert processes.is_dumpable() == before  # the test process itself is untouched: the request is per process


def _allocate(size: int) -> tuple[str, int]:
    """What allocating ``size`` bytes in a grading process gives, and that process's pid."""
    try:
        block = bytearray(size)
    except MemoryError:
        return "MemoryError", os.getpid()
    return f"{len(block)} bytes", os.getpid()


def test_a_grading_process_caps_its_own_memory_and_an_allocation_over_it_fails_only_there():
    """A notebook that made the trusted side build 2.9 GiB (issue 22) fails in its own grading process."""
    before = resource.getrlimit(resource.RLIMIT_AS)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=batch._start_process, initargs=("ch04_learning", os.getpid())
    ) as pool:
        over, first = pool.submit(_allocate, 3 * 2**30).result(timeout=120)
        fits, second = pool.submit(_allocate, 256 * 2**20).result(timeout=60)
    assert over == "MemoryError"
    assert fits == f"{256 * 2**20} bytes" and second == first  # the same process goes on grading
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the cap is the grading process's, not the batch's


def _probe_again_refused() -> tuple[list[str], str]:
    """In a grading process: the isolation it grades with, with probing the machine made impossible."""
    from grader.sandbox import probe

    def refuse(skip):
        raise AssertionError("this grading process probed the machine again")

    probe._probe = refuse
    isolation = sandbox.detect_isolation()
    return isolation.layers(), str(isolation.runtime.executable)


def test_a_batch_probes_the_machine_once_and_its_grading_processes_take_that():
    """bubblewrap's trial runs and the verified Python copy are checked once per batch, not once per process."""
    probes = processes.machine_probes()
    parent = sandbox.detect_isolation()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=processes.start_pool_process, initargs=(os.getpid(), probes)
    ) as pool:
        layers, executable = pool.submit(_probe_again_refused).result(timeout=120)
    assert (layers, executable) == (parent.layers(), str(parent.runtime.executable))
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as unadopted:
        with pytest.raises(AssertionError, match="probed the machine again"):
            unadopted.submit(_probe_again_refused).result(timeout=120)
    in_flight = batch.InFlight(Path(tempfile.mkdtemp(prefix="grader-test-inflight-")), "grader-test-")
    started = batch._pool(1, {"assignment": "ch04_learning"}, in_flight)
    try:
        assert started._initializer is batch._start_process
        assert started._initargs[-1] == probes, "the batch hands its probes to every grading process"
    finally:
        started.shutdown()
        shutil.rmtree(in_flight.folder, ignore_errors=True)
