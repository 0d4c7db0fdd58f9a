"""What the workers of one grading run share: the submission's time budget, its memory cgroup, its
bubblewrap sandbox when workers are forked inside one (:mod:`grader.sandbox.sandboxed`), and the
definitions known to end or hang a worker (skipped by every later worker of the run).

One :class:`RunState` lives as long as one submission's grading; its clock starts at the first worker, so
reading and collecting the notebook cost none of the budget. Before the first worker of the grading
process, :func:`harden_grader` makes the process itself unreadable to its workers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import memory, standing
from grader.sandbox.failures import IsolationFailure
from grader.sandbox.limits import Limits
from grader.sandbox.probe import Isolation, memory_plan
from grader.sandbox.sandboxed import SubmissionSandbox
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
    shared_sandbox: SubmissionSandbox | None = None  # where this run's workers are forked, under bubblewrap
    sandbox_unavailable: bool = False  # it could not be started, or its server died: later workers are exec'd

    def begin(self, seconds: float, limits: Limits | None = None, isolation: Isolation | None = None) -> None:
        """Start the clock (and make the memory cgroup) at the first worker of the run."""
        if self.deadline is None:
            self.budget = seconds
            self.deadline = time.monotonic() + seconds
            plan = memory_plan(limits or Limits())
            if isolation is not None and isolation.memory_cgroup and plan.parent is not None:
                self.cgroup = memory.SubmissionCgroup(plan)

    def sandbox(self, isolation: Isolation, limits: Limits, hidden: list[Path]) -> SubmissionSandbox | None:
        """The run's shared sandbox (started on first use), or None once it failed: workers are exec'd then."""
        if self.shared_sandbox is None and not self.sandbox_unavailable:
            try:
                join = self.cgroup.join_file() if self.cgroup is not None else None
                self.shared_sandbox = SubmissionSandbox(isolation, limits, hidden, join)
            except (IsolationFailure, OSError):
                self.sandbox_unavailable = True  # each exec'd worker then says what fails, if anything does
        if self.shared_sandbox is not None and not self.shared_sandbox.usable():
            self.sandbox_unavailable = True
            return None
        return self.shared_sandbox

    def close(self) -> None:
        """Release what the run holds beyond its workers (its sandbox, the memory cgroup); workers are stopped first."""
        if self.shared_sandbox is not None:
            self.shared_sandbox.close()
            self.shared_sandbox = None
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
