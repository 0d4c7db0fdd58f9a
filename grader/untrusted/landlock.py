"""Landlock: the kernel's own allow-list of what this process may read and write.

A worker restricts itself, after numpy is imported and before any student code:
it may read Python, numpy and the untrusted package; it may write only its
scratch folder. Unlike the audit hook this holds against any code the process
runs (ctypes, ``_posixsubprocess``, rebinding module globals), and unlike
bubblewrap it needs neither root nor user namespaces (Linux 5.13 and later).
Newer kernels also take away TCP (ABI 4), and signals and abstract UNIX sockets
to processes outside the sandbox (ABI 6).
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Sequence
from pathlib import Path

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same numbers on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ALL_ABI1 = (1 << 13) - 1  # execute ... make_sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV  # the rights a rule on a file may carry
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
READ = EXECUTE | READ_FILE | READ_DIR


class LandlockError(OSError):
    """Landlock is missing here, or the ruleset could not be put in place."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6", use_errno=True)


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when it has none (old kernel, not enabled, or filtered)."""
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except OSError:
        return 0
    return max(int(version), 0)


def fs_rights(abi: int) -> int:
    """Every filesystem right this ABI knows (all of them are denied unless a rule allows them)."""
    rights = _ALL_ABI1
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


def restrict(read: Sequence[Path], write: Sequence[Path], listable: Sequence[Path] = ()) -> int:
    """Allow reading ``read``, listing (names only) ``listable``, and everything on ``write``; deny the rest, for good.

    Returns the ABI in force. The caller must have set no_new_privs. Paths that do not
    exist are left out (nothing to allow). Raises :class:`LandlockError` if it cannot.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError("Landlock is not available on this kernel")
    libc = _libc()
    handled = fs_rights(abi)
    attr = _RulesetAttr(
        handled_access_fs=handled,
        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
        scoped=(_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise LandlockError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((read, READ & handled), (listable, READ_DIR), (write, handled)):
            for path in paths:
                _allow(libc, ruleset, path, rights)
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise LandlockError(ctypes.get_errno(), "landlock_restrict_self failed (is no_new_privs set?)")
    finally:
        os.close(ruleset)
    return abi


def _allow(libc: ctypes.CDLL, ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_ONLY
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        if (
            libc.syscall(
                _ADD_RULE,
                ctypes.c_int(ruleset),
                ctypes.c_int(_RULE_PATH_BENEATH),
                ctypes.byref(rule),
                ctypes.c_uint32(0),
            )
            != 0
        ):
            raise LandlockError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)


def enforced(denied_read: Path, denied_write: Path) -> bool:
    """Check from inside that the restriction holds: reading and writing outside the allow-list both fail."""
    for attempt in (lambda: os.open(denied_read, os.O_RDONLY | os.O_CLOEXEC), lambda: os.mkfifo(denied_write)):
        try:
            result = attempt()
        except PermissionError:
            continue
        except FileNotFoundError:
            continue  # not in this filesystem view (bubblewrap): nothing to refuse
        except OSError:
            return False
        if isinstance(result, int):
            os.close(result)
        else:
            os.unlink(denied_write)
        return False
    return True
