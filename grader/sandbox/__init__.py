"""The trusted side of the worker boundary: what the machine offers, and the worker processes themselves.

- :mod:`grader.sandbox.probe`: which layers work here, why any is missing, and the refusal to grade
  where student code would be unconfined;
- :mod:`grader.sandbox.process`: one worker process (start, limits, confinement check, requests, stop);
- :mod:`grader.sandbox.pool`: the warm fork server workers are forked from (unless bubblewrap execs them);
- :mod:`grader.sandbox.uids`: per-worker uids and the sweep of what a uid leaves behind;
- :mod:`grader.sandbox.bwrap`: bubblewrap's command line (namespaces, the private filesystem);
- :mod:`grader.sandbox.runtime`: the Python a worker runs (this one, or a verified copy others can reach);
- :mod:`grader.sandbox.memory`: one submission's memory (a cgroup, a live-worker cap);
- :mod:`grader.sandbox.limits`, :mod:`grader.sandbox.paths`: limits and where things are.

Nothing here runs student code; everything the worker process imports is in :mod:`grader.untrusted`.
"""

from __future__ import annotations

from grader.sandbox import bwrap, memory, runtime, uids
from grader.sandbox.limits import Limits
from grader.sandbox.paths import KIT_ROOT, SYSTEM_READABLE, WORKER_SCRIPT, default_hidden
from grader.sandbox.probe import (
    ACCEPT_UNCONFINED_VARIABLE,
    DISABLE_VARIABLE,
    KERNEL_LAYERS,
    POOL_VARIABLE,
    SWITCHABLE_LAYERS,
    Isolation,
    accepted_unconfined,
    detect_isolation,
    disabled_layers,
    memory_plan,
    require_confinement,
    unprotected,
)
from grader.sandbox.process import (
    OUTPUT_CAP_BYTES,
    BudgetExhausted,
    IsolationFailure,
    RunState,
    Worker,
    WorkerDied,
    WorkerFailure,
    WorkerTimeout,
    snippet_key,
    warm_up,
)
from grader.sandbox.uids import kill_processes_of, remove_files_of, world_writable_folders

__all__ = [
    "ACCEPT_UNCONFINED_VARIABLE",
    "DISABLE_VARIABLE",
    "POOL_VARIABLE",
    "KERNEL_LAYERS",
    "KIT_ROOT",
    "OUTPUT_CAP_BYTES",
    "SWITCHABLE_LAYERS",
    "SYSTEM_READABLE",
    "WORKER_SCRIPT",
    "BudgetExhausted",
    "Isolation",
    "IsolationFailure",
    "Limits",
    "RunState",
    "Worker",
    "WorkerDied",
    "WorkerFailure",
    "WorkerTimeout",
    "accepted_unconfined",
    "bwrap",
    "default_hidden",
    "detect_isolation",
    "disabled_layers",
    "kill_processes_of",
    "memory",
    "memory_plan",
    "remove_files_of",
    "require_confinement",
    "runtime",
    "snippet_key",
    "uids",
    "unprotected",
    "warm_up",
    "world_writable_folders",
]
