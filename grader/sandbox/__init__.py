"""The trusted side of the worker boundary: what the machine offers, and the worker processes themselves.

- :mod:`grader.sandbox.probe`: which layers work here, why any is missing, and the refusal to grade
  where student code would be unconfined;
- :mod:`grader.sandbox.process`: one worker's life cycle (start, confinement check, requests, kill, reap);
- :mod:`grader.sandbox.launch`: a worker's command line and restrictions, exec'd or forked;
- :mod:`grader.sandbox.channel`: the two pipes to a worker (send, read, decode), each with a deadline;
- :mod:`grader.sandbox.attestation`: what a worker's confinement report lacks (a pure function);
- :mod:`grader.sandbox.loader`: loading a notebook's definitions, skipping any that ends the worker;
- :mod:`grader.sandbox.failures`: why a call got no reply, as a reason code with its facts and texts;
- :mod:`grader.sandbox.run`, :mod:`grader.sandbox.scratch`: what a run's workers share; a worker's folder;
- :mod:`grader.sandbox.pool`: the warm fork server workers are forked from (unless bubblewrap execs them);
- :mod:`grader.sandbox.uids`: per-worker uids and the sweep of what a uid leaves behind;
- :mod:`grader.sandbox.bwrap`: bubblewrap's command line (namespaces, the private filesystem);
- :mod:`grader.sandbox.runtime`: the Python a worker runs (this one, or a verified copy others can reach);
- :mod:`grader.sandbox.memory`: one submission's memory (a cgroup, a live-worker cap);
- :mod:`grader.sandbox.limits`, :mod:`grader.sandbox.paths`: limits and where things are.

Nothing here runs student code; everything the worker process imports is in :mod:`grader.untrusted`.
"""

from __future__ import annotations

from grader.errors import ACCEPT_UNCONFINED_VARIABLE
from grader.sandbox import bwrap, memory, runtime, uids
from grader.sandbox.failures import (
    BudgetExhausted,
    FailureReason,
    IsolationFailure,
    ReplyOverBound,
    WorkerDied,
    WorkerFailure,
    WorkerTimeout,
)
from grader.sandbox.limits import Limits
from grader.sandbox.loader import snippet_key
from grader.sandbox.paths import KIT_ROOT, SYSTEM_READABLE, WORKER_SCRIPT, default_hidden
from grader.sandbox.probe import (
    DISABLE_VARIABLE,
    KERNEL_LAYERS,
    POOL_VARIABLE,
    SWITCHABLE_LAYERS,
    Isolation,
    Probes,
    accepted_unconfined,
    adopt_probes,
    detect_isolation,
    disabled_layers,
    memory_plan,
    probed_here,
    require_confinement,
    unprotected,
)
from grader.sandbox.process import Worker, warm_up
from grader.sandbox.run import RunState
from grader.sandbox.scratch import OUTPUT_CAP_BYTES
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
    "FailureReason",
    "Isolation",
    "Probes",
    "IsolationFailure",
    "Limits",
    "ReplyOverBound",
    "RunState",
    "Worker",
    "WorkerDied",
    "WorkerFailure",
    "WorkerTimeout",
    "accepted_unconfined",
    "adopt_probes",
    "bwrap",
    "default_hidden",
    "detect_isolation",
    "disabled_layers",
    "kill_processes_of",
    "memory",
    "memory_plan",
    "probed_here",
    "remove_files_of",
    "require_confinement",
    "runtime",
    "snippet_key",
    "uids",
    "unprotected",
    "warm_up",
    "world_writable_folders",
]
