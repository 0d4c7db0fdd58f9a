"""What a new worker process puts in place before any worker code runs: limits, its uid, no new privileges.

One code path for both ways a worker is born. The trusted grader calls :func:`apply` between fork
and exec (:mod:`grader.sandbox.process`), and the warm fork server calls it in every child it forks
(:mod:`grader.untrusted.forkserver`). Everything here is enforced by the kernel from then on, and the
worker reports it back (:func:`grader.untrusted.confine.observe`) before it receives student code.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
from dataclasses import asdict, dataclass

_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWIPC = 0x08000000


@dataclass(frozen=True)
class Restrictions:
    """The limits, identity and namespace one worker gets; sent as plain data to the fork server."""

    cpu_seconds: int
    memory_bytes: int
    file_bytes: int
    open_files: int
    uid: int | None = None  # the unprivileged uid to become (root only), else keep the grader's
    nproc: int | None = None  # processes that uid may have; None when there is no uid of its own
    cgroup_join: str | None = None  # the submission's memory cgroup's procs file, joined first
    unshare_ipc: bool = False  # a new IPC namespace (root, without bubblewrap, which gives one)

    def to_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> Restrictions:
        return cls(**data)


def apply(restrictions: Restrictions) -> None:
    """Apply every restriction to this process, in the only order that works; raises when one fails."""
    if restrictions.cgroup_join is not None:  # first: root may still move it, and RLIMIT_NOFILE may leave no fd
        with open(restrictions.cgroup_join, "w") as procs:
            procs.write("0")
    resource.setrlimit(resource.RLIMIT_CPU, (restrictions.cpu_seconds, restrictions.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (restrictions.memory_bytes, restrictions.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (restrictions.file_bytes, restrictions.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (restrictions.open_files, restrictions.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if restrictions.unshare_ipc:
        unshare_ipc()  # System V IPC and POSIX queues are per namespace
    if restrictions.uid is not None:
        drop_privileges(restrictions.uid)
        if restrictions.nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (restrictions.nproc, restrictions.nproc))
    elif os.geteuid() == 0:
        drop_capabilities()  # root without a uid drop (accepted explicitly): at least no capabilities
    prctl(_PR_SET_NO_NEW_PRIVS, 1)


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
