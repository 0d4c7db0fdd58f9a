"""Memory for a submission as a whole: one cgroup for all its workers where the kernel lets us make one.

``RLIMIT_AS`` bounds each worker; a submission has one worker per unit, so without a
shared bound six workers could hold six times that. Where the grader may create a
memory cgroup (root with cgroup v2, or v1's memory controller; a delegated v2
subtree for a user), every worker of a submission joins the same one, sized to the
submission's budget (a worker that goes over is the one the kernel stops). Elsewhere the
grading session keeps at most ``budget // per-worker limit`` workers alive at once, so that
the rlimits alone add up to the budget.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_counter = itertools.count()
UNBOUNDED = 1_000  # live workers when a cgroup bounds their memory together


@dataclass(frozen=True)
class MemoryPlan:
    """How one submission's memory is bounded here."""

    budget: int  # bytes for all of a submission's workers together
    parent: Path | None  # where submission cgroups are made; None: live workers are limited instead
    version: int = 0  # 1 or 2 with a cgroup
    live_workers: int = 1  # workers alive at once

    def describe(self) -> str:
        """One line for the isolation report."""
        gib = self.budget / 2**30
        if self.parent is not None:
            return f"memory: one cgroup v{self.version} of {gib:g} GiB for all of a submission's workers"
        return f"memory: at most {self.live_workers} live worker(s) per submission ({gib:g} GiB in all)"


def plan(budget: int, per_worker: int) -> MemoryPlan:
    """The strongest bound this machine offers for ``budget`` bytes per submission."""
    found = _cgroup_parent()
    if found is not None:  # the cgroup bounds them all together: as many live workers as there are units
        parent, version = found
        return MemoryPlan(budget=budget, parent=parent, version=version, live_workers=UNBOUNDED)
    return MemoryPlan(budget=budget, parent=None, live_workers=max(1, budget // per_worker))


@cache
def _cgroup_parent() -> tuple[Path, int] | None:
    """A cgroup of ours under which we can create a child with a memory limit, and its version."""
    for parent, version, limit_file in _candidates():
        probe = parent / f"grader-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            (probe / limit_file).write_text(str(64 * 2**20))
            return parent, version
        except OSError:
            continue
        finally:
            with contextlib.suppress(OSError):
                probe.rmdir()
    return None


def _candidates() -> list[tuple[Path, int, str]]:
    """(our cgroup folder, version, the limit file) for each hierarchy with a memory controller."""
    try:
        membership = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in mounts:
        fields = line.split()
        if " - " not in line:
            continue
        mount_point, kind = fields[4], line.split(" - ", 1)[1].split()
        if kind[0] == "cgroup2":
            own = next((m.split(":", 2)[2] for m in membership if m.startswith("0::")), None)
            folder = Path(mount_point + (own or "/"))
            if own is not None and "memory" in _read(folder / "cgroup.controllers").split():
                found.append((folder, 2, "memory.max"))
        elif kind[0] == "cgroup" and "memory" in kind[-1].split(","):
            own = next((m.split(":", 2)[2] for m in membership if "memory" in m.split(":", 2)[1].split(",")), None)
            if own is not None:
                found.append((Path(mount_point + own), 1, "memory.limit_in_bytes"))
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


_pruned: set[Path] = set()


def _remove_stale(parent: Path) -> None:
    """Once per process: remove submission cgroups a dead grader left (only empty ones can be removed)."""
    if parent in _pruned:
        return
    _pruned.add(parent)
    for stale in parent.glob("grader-*"):
        owner = stale.name.split("-")[1]
        if owner.isdigit() and Path(f"/proc/{owner}").exists():
            continue  # its grader is alive (a freshly made cgroup is empty until its first worker joins)
        if not _read(stale / "cgroup.procs").strip():
            with contextlib.suppress(OSError):
                stale.rmdir()


class SubmissionCgroup:
    """The cgroup every worker of one submission joins; made at the first worker, removed at the end."""

    def __init__(self, memory: MemoryPlan) -> None:
        self.memory = memory
        self.path: Path | None = None

    def ensure(self) -> Path:
        """The cgroup's folder, created and sized on first use (raises OSError if the kernel refuses)."""
        if self.path is None:
            assert self.memory.parent is not None
            _remove_stale(self.memory.parent)
            path = self.memory.parent / f"grader-{os.getpid()}-{next(_counter)}-{secrets.token_hex(4)}"
            path.mkdir()
            limit = "memory.max" if self.memory.version == 2 else "memory.limit_in_bytes"
            (path / limit).write_text(str(self.memory.budget))
            if self.memory.version == 2:
                with contextlib.suppress(OSError):
                    (path / "memory.swap.max").write_text("0")
            self.path = path
        return self.path

    def join_file(self) -> str:
        """The file a new worker writes "0" into, between fork and exec, to join."""
        return str(self.ensure() / "cgroup.procs")

    def holds(self, pid: int) -> bool:
        """True when process ``pid`` is in this cgroup (checked from outside, before student code runs)."""
        if self.path is None:
            return False
        try:
            lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
        except OSError:
            return False
        return any(line.rsplit("/", 1)[-1] == self.path.name for line in lines)

    def close(self) -> None:
        """Remove the cgroup once its processes are gone (they are killed before this is called)."""
        path, self.path = self.path, None
        if path is None:
            return
        for _ in range(50):
            try:
                path.rmdir()
                return
            except OSError:
                time.sleep(0.01)
