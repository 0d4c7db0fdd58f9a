"""What the workers of one grading run share: the submission's time budget, its memory cgroup, its two
bubblewrap sandboxes when workers are forked inside them (:mod:`grader.sandbox.sandboxed`: one for the
workers with only student code, one for those holding reference code of other units), and the
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
    reference_sandbox: SubmissionSandbox | None = None  # where its workers holding reference code are forked
    sandbox_unavailable: bool = False  # one could not be started, or its server died: later workers are exec'd

    def begin(self, seconds: float, limits: Limits | None = None, isolation: Isolation | None = None) -> None:
        """Start the clock (and make the memory cgroup) at the first worker of the run."""
        if self.deadline is None:
            self.budget = seconds
            self.deadline = time.monotonic() + seconds
            plan = memory_plan(limits or Limits())
            if isolation is not None and isolation.memory_cgroup and plan.parent is not None:
                self.cgroup = memory.SubmissionCgroup(plan)

    def sandbox(
        self, isolation: Isolation, limits: Limits, hidden: list[Path], *, holding_reference: bool = False
    ) -> SubmissionSandbox | None:
        """The run's sandbox for workers with student code only, or for those ``holding_reference`` code of other
        units (each started on first use); None once either failed: workers are exec'd then."""
        current = self.reference_sandbox if holding_reference else self.shared_sandbox
        if current is None and not self.sandbox_unavailable:
            try:
                join = self.cgroup.join_file() if self.cgroup is not None else None
                current = SubmissionSandbox(isolation, limits, hidden, join)
            except (IsolationFailure, OSError):
                self.sandbox_unavailable = True  # each exec'd worker then says what fails, if anything does
                return None
            if holding_reference:
                self.reference_sandbox = current
            else:
                self.shared_sandbox = current
        if current is not None and not current.usable():
            self.sandbox_unavailable = True
            return None
        return current

    def close(self) -> None:
        """Release what the run holds beyond its workers (its sandboxes, the memory cgroup); workers are stopped first."""
        for started in (self.shared_sandbox, self.reference_sandbox):
            if started is not None:
                started.close()
        self.shared_sandbox = self.reference_sandbox = None
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
