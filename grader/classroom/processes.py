"""The grader's own helper processes (a batch's grading pool): they die with their parent and cannot be dumped.

A batch killed with ``kill -9`` must leave nothing behind: each pool process asks
the kernel for ``SIGKILL`` when its parent dies (``PR_SET_PDEATHSIG``), and the
sandbox's workers already die with the pool process that started them; once all of
them are gone, multiprocessing's resource tracker reads end-of-file and exits too.
Each pool process also makes itself non-dumpable (``PR_SET_DUMPABLE 0``) before it
loads the reference solution, so that a worker running as the same user can
neither read its memory nor its environment through ``/proc``. Once the reference is loaded,
it caps its own address space (:func:`limit_memory`): whatever a notebook makes the
trusted side build, the allocation fails with MemoryError in that notebook's grading
(recorded as its failure) long before the machine runs short.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

from grader import sandbox

PR_SET_PDEATHSIG = 1
PR_GET_PDEATHSIG = 2
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4
# Above what a grading process maps once its reference is loaded (about 260 MB, of which grading both
# instructor notebooks peaks at 120 MB resident): room for the largest reply decoding allows (64 MiB on the
# wire, a few copies of it while it is read) many times over; 2.9 GiB, what 20 million lists cost, is not.
TRUSTED_HEADROOM_BYTES = 1536 * 2**20


def _prctl(option: int, value: int = 0) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result: int = libc.prctl(option, value, 0, 0, 0)
    if result < 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")
    return result


def machine_probes() -> sandbox.Probes:
    """Probe the machine once in the batch's own process, for every grading process it starts."""
    sandbox.detect_isolation()
    return sandbox.probed_here()


def start_pool_process(parent_pid: int, probes: sandbox.Probes) -> None:
    """A grading pool process's first step: harden it, then take the batch's probes (checked once per batch)."""
    harden_pool_process(parent_pid)
    sandbox.adopt_probes(probes)


def harden_pool_process(parent_pid: int) -> None:
    """Run first in every pool process: die with ``parent_pid``, and be non-dumpable (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request above: nobody would send the signal
        os._exit(1)


def death_signal() -> int:
    """The signal this process gets when its parent dies (0: none)."""
    value = ctypes.c_int(0)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0) < 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_GET_PDEATHSIG) failed")
    return value.value


def is_dumpable() -> bool:
    """Whether this process may be dumped or read through ``/proc`` by its own user."""
    return _prctl(PR_GET_DUMPABLE) != 0


def limit_memory(headroom: int = TRUSTED_HEADROOM_BYTES) -> int:
    """Cap this process's address space at what it maps now plus ``headroom``; returns the cap in bytes.

    Only the soft limit: the workers this process starts set their own (lower) limits, and may.
    """
    with open("/proc/self/status") as status:
        mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + headroom
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            cap = min(cap, bound)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap
