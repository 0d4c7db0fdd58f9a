"""The limits, priority and CPU mask every worker and fork server starts with, chosen here, never inherited.

A process inherits all of them from its parent, and a process of the same user may change a parent's
(``prlimit``, ``setpriority``, ``sched_setaffinity``): a hard ``RLIMIT_CPU`` of 59 s once reached every
later worker through the fork server. So each one is set to a value chosen here. Where the kit has no
reason for a value it asks for no limit, except as high as this grading process may go itself: its
own hard limits, priority and CPU mask as they were before its first worker (:func:`pin`), which
nothing untrusted can have touched yet.
"""

from __future__ import annotations

import functools
import resource

from grader.sandbox.limits import Limits
from grader.untrusted import standing

UNLIMITED = resource.RLIM_INFINITY
STACK_BYTES = 8 * 1024**2  # Linux's default soft stack: Python's recursion limit is sized for it
LOCKED_BYTES = 64 * 1024  # no worker needs locked memory
SIGNALS_PENDING = 1024


@functools.cache
def pin() -> standing.Observed:
    """This grading process's own standing, read once, before its first worker (and then kept)."""
    return standing.read()


def for_worker(limits: Limits, nproc: int | None) -> standing.Standing:
    """What one worker runs with: ``nproc`` processes for a uid of its own, else as many as this process may."""
    memory = limits.memory_bytes
    wanted = {
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_FSIZE": limits.file_bytes,
        "RLIMIT_DATA": memory,
        "RLIMIT_STACK": STACK_BYTES,
        "RLIMIT_CORE": 0,
        "RLIMIT_RSS": memory,
        "RLIMIT_NPROC": UNLIMITED if nproc is None else nproc,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_MEMLOCK": LOCKED_BYTES,
        "RLIMIT_AS": memory,
        "RLIMIT_LOCKS": 0,  # file locks are denied by seccomp; this says so once more
        "RLIMIT_SIGPENDING": SIGNALS_PENDING,
        "RLIMIT_MSGQUEUE": 0,  # POSIX message queues: a channel between workers (denied by seccomp too)
        "RLIMIT_NICE": 0,  # may not raise its own priority
        "RLIMIT_RTPRIO": 0,
        "RLIMIT_RTTIME": 0,  # no real-time scheduling at all
    }
    return _within_reach(wanted)


def for_server() -> standing.Standing:
    """What the fork server runs with: no limit of its own (it runs only the kit's code) but what we may give."""
    return _within_reach(dict.fromkeys(standing.RLIMIT_NAMES, UNLIMITED))


def _within_reach(wanted: dict[str, int]) -> standing.Standing:
    """Soft = hard = the wanted value, lowered to this process's own hard limit where it is lower."""
    ceiling, rlimits = pin()["rlimits"], dict[str, list[int]]()
    for name, value in wanted.items():
        if name not in ceiling:
            continue
        value = _lower(value, ceiling[name][1])  # root too: RLIMIT_NOFILE cannot pass the kernel's nr_open
        rlimits[name] = [value, value]
    own = pin()
    return {"rlimits": rlimits, "nice": own["nice"], "scheduler": own["scheduler"], "cpus": own["cpus"]}


def _lower(value: int, hard: int) -> int:
    """The lower of two limits, where RLIM_INFINITY is the highest."""
    if value == UNLIMITED:
        return hard
    return value if hard == UNLIMITED else min(value, hard)
