"""The seccomp filter a worker loads on itself: no network, no new programs or processes, no signals to others.

seccomp is a kernel filter and, once loaded, cannot be removed by the process; it is the boundary for
system calls, where the audit hook (:mod:`grader.untrusted.confine`) is only a second layer. The filter is
built inside the worker, after its last fork, so "this process" is a pid the filter can name.
"""

from __future__ import annotations

import ctypes.util
import errno
import os
import socket
from types import ModuleType
from typing import Any

# Pinned names: find_library would spawn ldconfig, which the process limits forbid.
_LIBRARIES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}
_CLONE_THREAD = 0x00010000
# fcntl commands on locks, leases and directory notices: a lock on a file two workers may both read (the standard
# library, the same inode under Landlock, bubblewrap's binds and the uid drop) is a channel between them, and
# F_GETLK reads it without opening anything new (lock_channel_reference_relay). flock is denied outright.
_F_GETLK, _F_SETLK, _F_SETLKW, _F_OFD_GETLK, _F_OFD_SETLK, _F_OFD_SETLKW = 5, 6, 7, 36, 37, 38
_F_SETLEASE, _F_GETLEASE, _F_NOTIFY = 1024, 1025, 1026
DENIED_FCNTL = (
    _F_GETLK,
    _F_SETLK,
    _F_SETLKW,
    _F_OFD_GETLK,
    _F_OFD_SETLK,
    _F_OFD_SETLKW,
    _F_SETLEASE,
    _F_GETLEASE,
    _F_NOTIFY,
)
# Calls that act on the process a pid names: a worker may name itself only (0 or its own pid). Another
# process of its user (the fork server, the grading process, a sibling) would otherwise take limits or a
# priority from it that every later worker inherits (issue 22). (name, index of the pid argument)
_SELF_ONLY = (
    ("prlimit64", 0),
    ("sched_setaffinity", 0),
    ("sched_setscheduler", 0),
    ("sched_setparam", 0),
    ("sched_setattr", 0),
    ("migrate_pages", 0),
    ("move_pages", 0),
)
# setpriority(which, who, nice) and ioprio_set(which, who, ioprio): only "this process", never a group or a user
_PRIO_PROCESS, _IOPRIO_WHO_PROCESS = 0, 1
_SELF_ONLY_WHICH = (("setpriority", _PRIO_PROCESS), ("ioprio_set", _IOPRIO_WHO_PROCESS))
_ARGUMENT_BITS = 64
_DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET)
_DENIED_SYSCALLS = (
    # network (AF_UNIX sockets too: connect reaches docker.sock or a desktop bus)
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "sendmsg",
    "sendmmsg",
    # new programs and processes, escaping the process group
    "execve",
    "execveat",
    "fork",
    "vfork",
    "setsid",
    "setpgid",
    # other processes: signals, memory, file descriptors
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kill",
    "tkill",
    "tgkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "pidfd_open",
    "pidfd_send_signal",
    "pidfd_getfd",
    "kcmp",
    "process_madvise",
    # file locks shared through an inode every worker reads (fcntl's lock commands: DENIED_FCNTL)
    "flock",
    # io_uring runs connect/openat without passing through this filter
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # namespaces, mounts, handles, kernel objects
    "inotify_add_watch",
    "fanotify_init",
    "fanotify_mark",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "chroot",
    "pivot_root",
    "open_by_handle_at",
    "name_to_handle_at",
    "fsopen",
    "fsmount",
    "fsconfig",
    "open_tree",
    "move_mount",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "personality",
    # System V IPC and POSIX message queues: kernel objects outside every filesystem (Landlock never sees them),
    # shared by uid and mode across processes and surviving them; one worker left another its reference code
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
)


class ConfinementError(RuntimeError):
    """A protection the grader claims could not be put in place."""


def seccomp_available() -> str | None:
    """None when seccomp can be used here, otherwise why not."""
    try:
        _import_pyseccomp()
    except Exception as error:  # noqa: BLE001  any failure means "not available"
        return f"{type(error).__name__}: {error}"
    return None


def _import_pyseccomp() -> ModuleType:
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: _LIBRARIES.get(name) or original(name)
    try:
        import pyseccomp  # type: ignore[import-untyped]  # pyseccomp ships no type information
    finally:
        ctypes.util.find_library = original
    module: ModuleType = pyseccomp  # untyped: the module is all that is known of it
    return module


def apply_seccomp() -> None:
    """Deny network, new processes, signals to others and namespace tricks. Raises if it cannot."""
    try:
        sc = _import_pyseccomp()
        policy = sc.SyscallFilter(defaction=sc.ALLOW)
        deny = sc.ERRNO(errno.EPERM)
        for family in _DENIED_FAMILIES:
            policy.add_rule(deny, "socket", sc.Arg(0, sc.EQ, family))
            policy.add_rule(deny, "socketpair", sc.Arg(0, sc.EQ, family))
        for name in _DENIED_SYSCALLS:
            policy.add_rule(deny, name)
        # clone is allowed only for threads; clone3 cannot be filtered by flags, so it reports ENOSYS
        # and glibc falls back to clone.
        policy.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, _CLONE_THREAD, 0))
        for command in DENIED_FCNTL:
            policy.add_rule(deny, "fcntl", sc.Arg(1, sc.EQ, command))
        policy.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        own = os.getpid()  # this filter is built in the worker itself, after its last fork
        for name, index in _SELF_ONLY:
            _deny_other_pids(sc, policy, deny, name, index, own)
        for name, which in _SELF_ONLY_WHICH:
            policy.add_rule(deny, name, sc.Arg(0, sc.NE, which))
            _deny_other_pids(sc, policy, deny, name, 1, own, sc.Arg(0, sc.EQ, which))
        policy.load()
    except Exception as error:
        raise ConfinementError(f"seccomp could not be applied: {error}") from error


def _deny_other_pids(
    sc: ModuleType, policy: Any, deny: Any, name: str, index: int, own: int, *also: Any
) -> None:  # policy, deny and also: pyseccomp's objects, which carry no types
    """Deny ``name`` unless argument ``index`` is 0 or ``own``.

    libseccomp allows one comparison per argument in a rule, so "neither 0 nor own" is written as the
    values above ``own`` (negative ones included: the comparison is unsigned) and [1, own - 1] cut into
    aligned blocks of a power of two, each one masked comparison: at most two per bit.
    """
    policy.add_rule(deny, name, sc.Arg(index, sc.GT, own), *also)
    for start, size in _aligned_blocks(1, own):
        mask = ((1 << _ARGUMENT_BITS) - 1) & ~(size - 1)
        policy.add_rule(deny, name, sc.Arg(index, sc.MASKED_EQ, mask, start), *also)


def _aligned_blocks(start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) as (first, size) blocks, each size a power of two and first a multiple of it."""
    blocks = []
    while start < end:
        size = start & -start if start else 1 << _ARGUMENT_BITS
        while start + size > end:
            size //= 2
        blocks.append((start, size))
        start += size
    return blocks
