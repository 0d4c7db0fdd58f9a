"""Layers a worker puts on itself before it loads student code: seccomp and an audit hook.

seccomp is a kernel filter and, once loaded, cannot be removed by the process.
The audit hook is not a boundary (THREATS.md lists its bypasses); it is a second
layer that turns the common attempts into clear messages.
"""

from __future__ import annotations

import ctypes.util
import errno
import socket
import sys
from pathlib import Path

# Pinned names: find_library would spawn ldconfig, which the process limits forbid.
_LIBRARIES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}
_CLONE_THREAD = 0x00010000
_DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET)
_DENIED_SYSCALLS = (
    "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg", "sendmmsg",
    "execve", "execveat", "fork", "vfork", "setsid", "setpgid", "ptrace", "process_vm_readv",
    "process_vm_writev", "kill", "tkill", "tgkill", "inotify_add_watch", "mount", "umount2",
    "unshare", "setns", "chroot", "pivot_root", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "userfaultfd", "personality",
)  # fmt: skip


class ConfinementError(RuntimeError):
    """A protection the grader claims could not be put in place."""


def seccomp_available() -> str | None:
    """None when seccomp can be used here, otherwise why not."""
    try:
        _import_pyseccomp()
    except Exception as error:  # noqa: BLE001  any failure means "not available"
        return f"{type(error).__name__}: {error}"
    return None


def _import_pyseccomp():
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: _LIBRARIES.get(name) or original(name)
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = original
    return pyseccomp


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
        policy.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        policy.load()
    except Exception as error:  # noqa: BLE001
        raise ConfinementError(f"seccomp could not be applied: {error}") from error


def install_audit_hook(scratch: Path, denied: list[Path]) -> None:
    """Refuse file access outside the scratch folder and Python itself, sockets and processes."""
    scratch = scratch.resolve()
    readable = [scratch, *_python_roots(), Path(__file__).resolve().parent]
    denied = [path.resolve() for path in denied]
    refused = {
        "socket.connect": "network access is not allowed / 네트워크 접근은 허용되지 않습니다",
        "socket.bind": "network access is not allowed / 네트워크 접근은 허용되지 않습니다",
        "subprocess.Popen": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
        "os.system": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
        "os.exec": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
        "os.posix_spawn": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
        "os.spawn": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
        "os.fork": "creating processes is not allowed / 프로세스 생성은 허용되지 않습니다",
        "os.forkpty": "creating processes is not allowed / 프로세스 생성은 허용되지 않습니다",
        "os.kill": "sending signals is not allowed / 시그널 전송은 허용되지 않습니다",
        "os.killpg": "sending signals is not allowed / 시그널 전송은 허용되지 않습니다",
        "ctypes.dlopen": "loading native libraries is not allowed / 네이티브 라이브러리 로드는 허용되지 않습니다",
        "ctypes.cdata": "raw memory access is not allowed / 메모리 직접 접근은 허용되지 않습니다",
        "sys.addaudithook": "installing audit hooks is not allowed",
        "sys.setprofile": None,
    }

    def outside(path: Path, roots: list[Path]) -> bool:
        return not any(path == root or root in path.parents for root in roots)

    def hook(event: str, args: tuple) -> None:
        if event in refused and refused[event]:
            raise PermissionError(refused[event])
        if event == "open" and args and isinstance(args[0], (str, bytes)):
            path = Path(args[0].decode() if isinstance(args[0], bytes) else args[0])
            path = (scratch / path).resolve() if not path.is_absolute() else path.resolve()
            writing = len(args) > 1 and isinstance(args[1], str) and any(c in args[1] for c in "wax+")
            if not outside(path, denied) or outside(path, [scratch] if writing else readable):
                raise PermissionError(
                    "opening files outside your notebook's folder is not allowed / "
                    "노트북 폴더 밖의 파일은 열 수 없습니다"
                )

    sys.addaudithook(hook)


def _python_roots() -> list[Path]:
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    return sorted(roots | {Path("/dev/null"), Path("/dev/urandom")})
