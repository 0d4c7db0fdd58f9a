"""A busy machine cannot spend a call's time limit for the student; a sleeping or looping worker still stops."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from grader.sandbox import cpu_clock


def spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@pytest.fixture
def child():
    """A child process running the code given, killed afterwards with every process it started (a forked child
    left spinning would take a core from the rest of the suite for its 60 s)."""
    started = []

    def start(code: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
        started.append(process)
        time.sleep(0.3)
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_clock_counts_the_cpu_time_of_a_process_and_its_children(child):
    process = child(
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    end = time.process_time() + 60\n"
        "    while time.process_time() < end: pass\n"
        "time.sleep(60)\n"
    )
    clock, deadline = cpu_clock.CpuClock(process.pid), time.monotonic() + 30
    while len(clock.pids) < 2 and time.monotonic() < deadline:  # the child is not forked yet
        time.sleep(0.1)
        clock = cpu_clock.CpuClock(process.pid)
    assert process.pid in clock.pids and len(clock.pids) == 2  # the parent asleep, its child spinning
    first = clock.read()
    time.sleep(0.5)
    second = clock.read()
    assert first is not None and second is not None
    assert second[0] > first[0], "the spinning child's CPU time is counted"
    assert second[1], "the spinning child is runnable"


def test_a_runnable_worker_owed_cpu_time_gets_a_later_deadline(child):
    process = child("while True: pass")
    clock = cpu_clock.CpuClock(process.pid)
    now = time.monotonic()
    stretch = cpu_clock.stretcher(clock, seconds=30.0, wall_end=now + 100)
    later = stretch(now)
    assert now + 25 < later <= now + 100  # it used well under 1 s of its 30 s of CPU


def test_the_later_deadline_never_passes_the_wall_end(child):
    process = child("while True: pass")
    now = time.monotonic()
    stretch = cpu_clock.stretcher(cpu_clock.CpuClock(process.pid), seconds=30.0, wall_end=now + 2)
    assert stretch(now) <= now + 2


def test_a_sleeping_worker_is_not_starved(child):
    process = child("import time; time.sleep(60)")
    time.sleep(1.0)  # past its start-up, however busy the machine
    now = time.monotonic()
    stretch = cpu_clock.stretcher(cpu_clock.CpuClock(process.pid), seconds=30.0, wall_end=now + 100)
    assert stretch(now) == now


def test_a_worker_that_had_its_cpu_time_is_not_given_more(child):
    process = child("while True: pass")
    clock = cpu_clock.CpuClock(process.pid)
    stretch = cpu_clock.stretcher(clock, seconds=0.2, wall_end=time.monotonic() + 100)
    deadline = time.monotonic() + 30
    while (clock.read() or (0.0, False))[0] < 0.5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stretch(5.0) == 5.0


def test_without_a_process_the_limit_is_plain_wall_time():
    stretch = cpu_clock.stretcher(None, seconds=10.0, wall_end=1e9)
    assert stretch(3.0) == 3.0
    gone = cpu_clock.CpuClock(2**22 + os.getpid())  # no such process
    assert gone.read() is None


def test_a_process_name_with_parentheses_and_spaces_is_read_right(child, tmp_path):
    program = tmp_path / "a) R 1 (b"
    program.symlink_to(sys.executable)
    process = subprocess.Popen([str(program), "-c", "import time; time.sleep(60)"])
    try:
        clock, deadline = cpu_clock.CpuClock(process.pid), time.monotonic() + 30
        reading = clock.read()
        while reading is not None and reading[1] and time.monotonic() < deadline:  # still starting up
            time.sleep(0.1)
            reading = clock.read()
        assert reading is not None and reading[1] is False  # asleep, whatever its name claims
    finally:
        process.kill()
        process.wait()


def test_the_tree_read_from_children_files_is_the_tree_read_from_every_process(child):
    """Both ways of finding a worker's processes agree, grandchildren and a thread's children included."""
    process = child(
        "import os, subprocess, threading, time\n"
        "subprocess.Popen(['sh', '-c', 'sleep 60 & sleep 60; wait'])\n"
        "threading.Thread(target=lambda: subprocess.run(['sleep', '60'])).start()\n"
        "time.sleep(60)\n"
    )
    deadline = time.monotonic() + 30
    from_every_process = cpu_clock._descendants_from_every_process(process.pid)
    while len(from_every_process) < 5 and time.monotonic() < deadline:  # python, sh, two sleeps, the thread's sleep
        time.sleep(0.1)
        from_every_process = cpu_clock._descendants_from_every_process(process.pid)
    assert len(from_every_process) == 5, from_every_process
    from_children = cpu_clock._descendants_from_children_files(process.pid)
    if from_children is None:
        pytest.skip("this kernel has no /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN)")
    assert sorted(from_children) == sorted(from_every_process)
    assert sorted(cpu_clock.descendants(process.pid)) == sorted(from_every_process)
