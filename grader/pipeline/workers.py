"""The workers of one grading run: one per unit, started early, stopped to make room, kept apart.

The pool decides only which worker processes live; what a worker is asked and what its replies mean is
:mod:`grader.pipeline.session`'s. Two rules shape it: the live workers' memory limits add up to the
submission's budget (:func:`grader.sandbox.memory_plan`), and a worker holding reference code of other
units never lives beside another worker with student code, nor in the sandbox of the submission's other workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from grader import sandbox


@dataclass
class WorkerPool:
    """The live and stopped workers of one grading run, by unit."""

    limits: sandbox.Limits
    isolation: sandbox.Isolation
    make_worker: Callable[[], sandbox.Worker]  # a new, not yet started worker with this run's limits
    holds_reference: Callable[[str], bool]  # does this unit's worker get reference code of other graded units?
    loaded: set[str] = field(default_factory=set)  # units whose worker has the notebook's definitions
    _workers: dict[str, sandbox.Worker] = field(default_factory=dict)
    _recent: list[str] = field(default_factory=list)  # units by last use, oldest first

    def worker(self, unit: str) -> sandbox.Worker:
        """The worker for ``unit``; a new one after a crash or timeout."""
        worker = self._made(unit)
        self._recent = [name for name in self._recent if name != unit] + [unit]
        self._separate_reference_holders(unit)
        if worker.process is None:
            self._make_room()
            self.loaded.discard(unit)
            worker.start()
        return worker

    def _made(self, unit: str) -> sandbox.Worker:
        """The unit's worker object, made (not started) on first use."""
        if unit not in self._workers:
            made = self._workers[unit] = self.make_worker()
            made.shares_sandbox = True  # forked in one of the submission's sandboxes, under bubblewrap
            made.holds_reference = self.holds_reference(unit)  # in the one of the workers holding reference code
        return self._workers[unit]

    def existing(self, unit: str) -> sandbox.Worker | None:
        """The unit's worker if one was made, without starting anything."""
        return self._workers.get(unit)

    def take_output(self, unit: str) -> str:
        """What the unit's worker printed since it was last asked ("" when it has no worker)."""
        worker = self._workers.get(unit)
        return worker.take_output() if worker is not None else ""

    def _separate_reference_holders(self, unit: str) -> None:
        """A worker holding reference code of other units never lives beside another worker with student code.

        Two live workers can talk through whatever they share (locks on a file both read, CPU time, the
        memory cgroup), so the reference numerical_gradient in gradient_descent's worker could reach
        numerical_gradient's own (``lock_channel_reference_relay``). Workers with nothing loaded yet
        (started early) hold no student code and stay.
        """
        holder = self.holds_reference(unit)
        for name, other in self._workers.items():
            if name != unit and other.process is not None and name in self.loaded:
                if holder or self.holds_reference(name):
                    other.stop()

    def _make_room(self) -> None:
        """Stop the least recently used workers so that their memory limits add up to the submission's budget."""
        plan = sandbox.memory_plan(self.limits)
        live = [name for name in self._recent if name in self._workers and self._workers[name].process]
        while len(live) >= plan.live_workers:
            self._workers[live.pop(0)].stop()

    def live_workers(self) -> int:
        """How many of this run's workers are running now."""
        return sum(1 for worker in self._workers.values() if worker.process is not None)

    def prestart(self, units: tuple[str, ...]) -> None:
        """Start the first units' workers at once so their start-up overlaps (as many as memory allows)."""
        room = sandbox.memory_plan(self.limits).live_workers
        first = units[:room]
        for unit in first:  # the sandboxes they are forked in: under bubblewrap both servers start side by side
            self._made(unit).prepare()
        for unit in reversed(first):  # the first unit last: the most recently used
            self.worker(unit)

    def stop_all(self) -> None:
        """Stop every worker and remove their scratch folders."""
        for worker in self._workers.values():
            worker.stop()
