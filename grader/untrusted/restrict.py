"""What a new worker process puts in place before any worker code runs: limits, priority, its uid, no new privileges.

One code path for both ways a worker is born. The trusted grader calls :func:`apply` between fork
and exec (:mod:`grader.sandbox.process`), and the warm fork server calls it in every child it forks
(:mod:`grader.untrusted.forkserver`). Everything here is enforced by the kernel from then on, and the
worker reports it back (:func:`grader.untrusted.confine.observe`) before it receives student code.

Every limit, the nice value, the scheduling policy and the CPU mask are set to the values the grader
chose (:mod:`grader.sandbox.standing`), never left as inherited: what the parent runs with may have been
changed by another process of the same user, and would then reach this worker (issue 22).
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
from dataclasses import asdict, dataclass
from typing import Any

from grader.untrusted import standing

_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWIPC = 0x08000000


@dataclass(frozen=True)
class Restrictions:
    """The limits, priority, identity and namespace one worker gets; sent as plain data to the fork server."""

    rlimits: dict[str, list[int]]  # every RLIMIT_* name -> [soft, hard]; RLIMIT_NPROC is set after the uid drop
    nice: int
    scheduler: int  # os.SCHED_OTHER, SCHED_BATCH or SCHED_IDLE, with priority 0
    cpus: list[int]
    uid: int | None = None  # the unprivileged uid to become (root only), else keep the grader's
    cgroup_join: str | None = None  # the submission's memory cgroup's procs file, joined first
    unshare_ipc: bool = False  # a new IPC namespace (root, without bubblewrap, which gives one)

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Restrictions:
        return cls(**data)


# Set last, after the uid drop: RLIMIT_NPROC counts the processes of the uid the process has by then (and root
# would not be held to it); the address-space and data limits because a process forked from a large grader (a
# pytest or Jupyter process of 1 GB) is already over them, so from then on every new allocation of Python's own
# fails ("Exception occurred in preexec_fn", seen under pytest-xdist). Lowering a limit needs no privilege, and
# every value is within this process's hard limits (grader.sandbox.standing), so the drop does not stand in the way.
LAST = ("RLIMIT_NPROC", "RLIMIT_AS", "RLIMIT_DATA")


def apply(restrictions: Restrictions) -> None:
    """Apply every restriction to this process, in the only order that works; raises when one fails."""
    last = {name: value for name, value in restrictions.rlimits.items() if name in LAST}  # built before the limits
    if restrictions.cgroup_join is not None:  # first: root may still move it, and RLIMIT_NOFILE may leave no fd
        with open(restrictions.cgroup_join, "w") as procs:
            procs.write("0")
    set_priority(restrictions.nice, restrictions.scheduler, restrictions.cpus)  # before RLIMIT_NICE is lowered
    set_rlimits({name: value for name, value in restrictions.rlimits.items() if name not in LAST})
    if restrictions.unshare_ipc:
        unshare_ipc()  # System V IPC and POSIX queues are per namespace
    if restrictions.uid is not None:
        drop_privileges(restrictions.uid)
    elif os.geteuid() == 0:
        drop_capabilities()  # root without a uid drop (accepted explicitly): at least no capabilities
    # after the drop: the kernel clears the parent-death signal when the uid changes (a root grader's workers
    # outlived it, unless bubblewrap's --die-with-parent held them)
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(_PR_SET_NO_NEW_PRIVS, 1)
    set_rlimits(last)  # see LAST


def set_rlimits(rlimits: dict[str, list[int]]) -> None:
    """Set each named limit to exactly [soft, hard]; raises (naming the limit) when the kernel refuses."""
    for name, (soft, hard) in rlimits.items():
        number = standing.number(name)
        if number is None:
            raise OSError(f"{name} is not a limit this system has")
        try:
            resource.setrlimit(number, (soft, hard))
        except (ValueError, OSError) as error:
            raise OSError(f"{name} could not be set to {soft}, {hard} ({error})") from None


def set_priority(nice: int, scheduler: int, cpus: list[int]) -> None:
    """This process's scheduling policy, nice value and CPU mask, whatever it inherited."""
    os.sched_setscheduler(0, scheduler, os.sched_param(0))
    os.setpriority(os.PRIO_PROCESS, 0, nice)
    os.sched_setaffinity(0, cpus)


def drop_privileges(uid: int) -> None:
    """Become ``uid``: supplementary groups first, a naive drop keeps root's."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def unshare_ipc() -> None:
    """A new IPC namespace (root only): no message queue, semaphore or shared memory of another worker is visible."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.unshare(_CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWIPC) failed")


def drop_capabilities() -> None:
    """Empty the bounding set and every capability set, so that uid 0 regains none on exec."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    for capability in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
            raise OSError(ctypes.get_errno(), f"could not drop capability {capability} from the bounding set")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (twice: 64 bits) all empty
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def prctl(option: int, value: int) -> None:
    """prctl(2) with one argument; raises OSError when the kernel refuses."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")
