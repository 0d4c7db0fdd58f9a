"""What a process runs with that another process of its user could change: its limits, priority and affinity.

A forked child inherits all of it, and so does an exec'd one: a worker that could set the fork server's
(or the grading process's) ``RLIMIT_CPU``, nice value or CPU mask would set the next worker's too. So a
worker's standing is set explicitly (:func:`grader.untrusted.restrict.apply`), reported back
(:func:`grader.untrusted.confine.observe`) and compared with what was asked; the fork server compares its
own before each fork with what it had at its start (:mod:`grader.untrusted.forkserver`).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping
from typing import TypedDict

# Every limit Linux has (RLIMIT_OFILE is RLIMIT_NOFILE's old name), in a fixed order.
RLIMIT_NAMES = (
    "RLIMIT_CPU",
    "RLIMIT_FSIZE",
    "RLIMIT_DATA",
    "RLIMIT_STACK",
    "RLIMIT_CORE",
    "RLIMIT_RSS",
    "RLIMIT_NPROC",
    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK",
    "RLIMIT_AS",
    "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
)
_MISSING_FROM_PYTHON = {"RLIMIT_LOCKS": 10}  # Linux's number; Python's resource module has no name for it
_OOM_SCORE_ADJ = "/proc/self/oom_score_adj"


class Standing(TypedDict):
    """A process's limits (name -> [soft, hard]), nice value, scheduling policy and CPU mask, as plain data."""

    rlimits: dict[str, list[int]]
    nice: int
    scheduler: int
    cpus: list[int]


class Observed(Standing):
    """What a process reports of its own standing: the chosen fields and its OOM score adjustment."""

    oom_score_adj: int | None


def number(name: str) -> int | None:
    """The resource number of limit ``name`` on this system (None: it has no such limit)."""
    return getattr(resource, name, _MISSING_FROM_PYTHON.get(name))


def read() -> Observed:
    """This process's standing, as plain data (lists, not tuples, so it compares equal after JSON)."""
    numbers = {name: number(name) for name in RLIMIT_NAMES}
    return {
        "rlimits": {name: list(resource.getrlimit(value)) for name, value in numbers.items() if value is not None},
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "scheduler": os.sched_getscheduler(0),
        "cpus": sorted(os.sched_getaffinity(0)),
        "oom_score_adj": _oom_score_adj(),
    }


def differences(expected: Mapping[str, object], actual: object) -> list[str]:
    """What in ``actual`` is not as ``expected`` says, one short text each (empty: the same)."""
    if type(actual) is not dict:
        return ["a report of its limits, priority and affinity"]
    problems: list[str] = []
    for key, wanted in expected.items():
        if key == "rlimits" and isinstance(wanted, Mapping):
            reported = actual.get(key)
            found = reported if type(reported) is dict else {}
            problems += [
                f"{name} = {found.get(name)} (set: {value})"
                for name, value in wanted.items()
                if found.get(name) != value
            ]
        elif actual.get(key) != wanted:
            problems.append(f"{key} = {actual.get(key)} (set: {wanted})")
    return problems


def _oom_score_adj() -> int | None:
    try:
        with open(_OOM_SCORE_ADJ, encoding="ascii") as stream:
            return int(stream.read())
    except (OSError, ValueError):
        return None
