"""A call's time limit that a busy machine cannot spend for the student: wall time, stretched by CPU time still due.

A call has ``seconds`` of wall time. On a machine graded at load 20 (a class batch beside other jobs, a shared CI
runner), a correct training run that needs 1 s of CPU can get less than 10 s of CPU in 10 s of wall time, and
correct code then lost its points with a message telling the student to change it (issue 24's realistic class).
So when a call's wall time is up, the grader looks at its worker: if the worker is *runnable* (running or waiting
for a CPU, state ``R``) and has used less than ``seconds`` of CPU since the call began, the machine was busy, and
the call gets the CPU time still due, up to :data:`WALL_FACTOR` times ``seconds`` of wall time. A worker that is
asleep or blocked when its time is up (``time.sleep``, waiting on a pipe) is not starved: it stops at ``seconds``,
as before. An endless loop uses its CPU and stops after ``seconds`` of CPU time.

The kernel keeps the counts (``/proc/<pid>/stat``: state, utime, stime, and the children's cutime, cstime), so
the worker cannot make itself look starved; it can only use CPU, which ends its call sooner. Under bubblewrap the
worker is a descendant of the process the grader started, so the clock follows the whole tree of processes, found
once when the clock is made. Where ``/proc`` cannot be read the clock says so (``None``) and the limit is plain
wall time, as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

WALL_FACTOR = 6.0  # a starved call may take up to 6x its seconds of wall time (60 s for a 10 s call)
SMALLEST_GRANT = 0.05  # less CPU than this still due: the call is done, not starved
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields after ``(comm)`` of a process's stat line (comm may hold spaces and parentheses), or None."""
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return line.rsplit(")", 1)[-1].split()


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (bubblewrap's processes and the worker under them).

    Read from each process's ``/proc/<pid>/task/<tid>/children`` (a few files: 0.1 ms), or, on a kernel without
    them, from every process's stat line (all of ``/proc``: about 5 ms on a quiet machine, once per worker).
    """
    found = _descendants_from_children_files(root)
    return found if found is not None else _descendants_from_every_process(root)


def _descendants_from_children_files(root: int) -> list[int] | None:
    """The tree below ``root`` read from its processes' children files; None where the kernel has none."""
    if not Path(f"/proc/{root}/task/{root}/children").exists():
        return None
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # gone since its parent listed it
        for task in tasks:
            try:
                stack.extend(int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
            except OSError:
                continue
    return found


def _descendants_from_every_process(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and len(fields) > 1:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


class CpuClock:
    """The CPU time and run state of one worker's tree of processes."""

    def __init__(self, pid: int) -> None:
        self.pids = descendants(pid)

    def read(self) -> tuple[float, bool] | None:
        """(CPU seconds used by the tree, whether any of it is runnable), or None where /proc says nothing."""
        ticks, runnable, seen = 0, False, False
        for pid in self.pids:
            fields = _stat_fields(pid)
            if fields is None or len(fields) < 15:
                continue
            seen = True
            runnable = runnable or fields[0] == "R"
            ticks += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
        return (ticks / TICKS, runnable) if seen else None


def stretcher(clock: CpuClock | None, seconds: float, wall_end: float) -> Callable[[float], float]:
    """For a call with ``seconds`` that starts now: a passed deadline -> the deadline the call may have.

    The new deadline is later only while the worker is runnable and owed CPU time, and never past ``wall_end``.
    """
    first = clock.read() if clock is not None else None

    def stretch(deadline: float) -> float:
        if clock is None or first is None:
            return deadline
        now = clock.read()
        if now is None or not now[1]:
            return deadline  # asleep or blocked when its time was up: not the machine's fault
        owed = seconds - (now[0] - first[0])
        if owed < SMALLEST_GRANT:
            return deadline  # it had its CPU time
        return max(deadline, min(wall_end, time.monotonic() + owed))

    return stretch
