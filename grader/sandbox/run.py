"""What the workers of one grading run share: the submission's time budget, its memory cgroup, and the
definitions known to end or hang a worker (skipped by every later worker of the run).

One :class:`RunState` lives as long as one submission's grading; its clock starts at the first worker, so
reading and collecting the notebook cost none of the budget. Before the first worker of the grading
process, :func:`harden_grader` makes the process itself unreadable to its workers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from grader.sandbox import memory, standing
from grader.sandbox.limits import Limits
from grader.sandbox.probe import Isolation, memory_plan
from grader.untrusted import restrict

_PR_SET_DUMPABLE = 4

_grader_hardened = False


@dataclass
class RunState:
    """What the workers of one grading run share: the time budget and definitions known to end a worker."""

    deadline: float | None = None
    budget: float = math.inf
    skipped: dict[str, str] = field(default_factory=dict)  # snippet key -> why it was skipped
    cgroup: memory.SubmissionCgroup | None = None  # the memory cgroup all of this run's workers join

    def begin(self, seconds: float, limits: Limits | None = None, isolation: Isolation | None = None) -> None:
        """Start the clock (and make the memory cgroup) at the first worker of the run."""
        if self.deadline is None:
            self.budget = seconds
            self.deadline = time.monotonic() + seconds
            plan = memory_plan(limits or Limits())
            if isolation is not None and isolation.memory_cgroup and plan.parent is not None:
                self.cgroup = memory.SubmissionCgroup(plan)

    def close(self) -> None:
        """Release what the run holds beyond its workers (the memory cgroup); its workers are stopped first."""
        if self.cgroup is not None:
            self.cgroup.close()

    def remaining(self) -> float:
        """Seconds left for this submission."""
        return math.inf if self.deadline is None else self.deadline - time.monotonic()


def harden_grader() -> None:
    """Make this (trusted) process's memory and environment unreadable to same-user workers."""
    global _grader_hardened
    if not _grader_hardened:
        restrict.prctl(_PR_SET_DUMPABLE, 0)  # /proc/<grader>/mem and environ: same-uid access needs ptrace rights
        standing.pin()  # this process's own limits and priority, before any worker could have touched them
        _grader_hardened = True
