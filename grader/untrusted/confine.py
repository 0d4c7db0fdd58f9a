"""Layers a worker puts on itself before it loads student code: seccomp, an audit hook, and a report of both.

seccomp is a kernel filter and, once loaded, cannot be removed by the process.
The audit hook is not a boundary (SECURITY.md lists its bypasses); it is a second
layer that turns the common attempts into clear messages. :func:`observe` reads
back, from the kernel, what is actually in force, so the grader can refuse to
send student code to a worker that is less confined than it claims.
"""

from __future__ import annotations

import ctypes.util
import errno
import os
import resource
import socket
import sys
import sysconfig
from pathlib import Path, PosixPath, PurePath, PurePosixPath

# Pinned names: find_library would spawn ldconfig, which the process limits forbid.
_LIBRARIES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}
_CLONE_THREAD = 0x00010000
_DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET)
_DENIED_SYSCALLS = (
    # network (AF_UNIX sockets too: connect reaches docker.sock or a desktop bus)
    "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg", "sendmmsg",
    # new programs and processes, escaping the process group
    "execve", "execveat", "fork", "vfork", "setsid", "setpgid",
    # other processes: signals, memory, file descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "kcmp", "process_madvise",
    # io_uring runs connect/openat without passing through this filter
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # namespaces, mounts, handles, kernel objects
    "inotify_add_watch", "mount", "umount2", "unshare", "setns", "chroot", "pivot_root", "open_by_handle_at",
    "name_to_handle_at", "fsopen", "fsmount", "fsconfig", "open_tree", "move_mount", "mount_setattr", "keyctl",
    "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "personality",
)  # fmt: skip

NOT_ALLOWED = {
    "network": "network access is not allowed / 네트워크 접근은 허용되지 않습니다",
    "program": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
    "process": "creating processes is not allowed / 프로세스 생성은 허용되지 않습니다",
    "signal": "sending signals is not allowed / 시그널 전송은 허용되지 않습니다",
    "native": "native code and raw memory access are not allowed / 네이티브 코드와 메모리 직접 접근은 허용되지 않습니다",
    "inspect": "inspecting the interpreter's objects is not allowed / 인터프리터 객체 검사는 허용되지 않습니다",
    "hook": "installing audit hooks is not allowed / 감사 훅 설치는 허용되지 않습니다",
    "file": "opening files outside your notebook's folder is not allowed / 노트북 폴더 밖의 파일은 열 수 없습니다",
}
_REFUSED = {
    "socket.connect": "network", "socket.bind": "network", "socket.sendto": "network", "socket.sendmsg": "network",
    "socket.getaddrinfo": "network", "socket.gethostbyname": "network", "socket.gethostbyaddr": "network",
    "subprocess.Popen": "program", "os.system": "program", "os.exec": "program", "os.posix_spawn": "program",
    "os.spawn": "program", "pty.spawn": "program", "os.fork": "process", "os.forkpty": "process",
    "os.kill": "signal", "os.killpg": "signal", "signal.pthread_kill": "signal",
    "ctypes.dlopen": "native", "ctypes.dlsym": "native", "ctypes.cdata": "native", "ctypes.addressof": "native",
    "ctypes.string_at": "native", "ctypes.wstring_at": "native", "ctypes.call_function": "native",
    "ctypes.create_string_buffer": "native", "mmap.__new__": "native",
    "gc.get_objects": "inspect", "gc.get_referrers": "inspect", "gc.get_referents": "inspect",
    "sys.addaudithook": "hook",
}  # fmt: skip
# Events whose first argument is a path the call reads, or writes (both paths of a rename or link).
_READ_EVENTS = frozenset({"os.listdir", "os.scandir", "os.fwalk", "glob.glob"})
_WRITE_EVENTS = frozenset({"os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.chown", "os.utime",
                           "os.setxattr", "os.removexattr", "os.chdir", "shutil.rmtree", "os.chflags", "os.lchflags"})  # fmt: skip
_TWO_PATH_EVENTS = frozenset({"os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.move"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_TYPES = (PurePath, PurePosixPath, Path, PosixPath)


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


def observe() -> dict:
    """What the kernel says is in force for this process: read before any student code runs."""
    status = {}
    with open("/proc/self/status", encoding="ascii", errors="replace") as stream:
        for line in stream:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    limits = {name: resource.getrlimit(getattr(resource, name))[1] for name in
              ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE")}  # fmt: skip
    return {
        "seccomp": status.get("Seccomp", "0"),
        "no_new_privs": status.get("NoNewPrivs", "0"),
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": sorted(os.getgroups()),
        "net_ns": _namespace("net"),
        "pid_ns": _namespace("pid"),
        "mnt_ns": _namespace("mnt"),
        "limits": limits,
    }


def _namespace(kind: str) -> str:
    try:
        return os.readlink(f"/proc/self/ns/{kind}")
    except OSError:
        return ""


def install_audit_hook(scratch: Path, denied: list[Path]) -> None:
    """Refuse file access outside the scratch folder and Python itself, sockets, processes and raw memory."""
    scratch = scratch.resolve()
    readable = (scratch, *_python_roots(), Path(__file__).resolve().parent)
    denied = tuple(path.resolve() for path in denied)

    def inside(path: Path, roots: tuple[Path, ...]) -> bool:
        return any(path == root or root in path.parents for root in roots)

    def text(raw: object) -> str | None:
        """The path as a str; None for a file descriptor (checked when it was opened)."""
        if type(raw) in _PATH_TYPES:
            raw = os.fspath(raw)  # pathlib's own __fspath__ answers the same every time
        if isinstance(raw, bytes):
            raw = os.fsdecode(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return None
        if type(raw) is not str:
            # Another os.PathLike could name one file when the call converts it and another when asked here.
            raise PermissionError(NOT_ALLOWED["file"] + " (pass the path as a str)")
        return raw

    def resolve(raw: object) -> Path | None:
        raw = text(raw)
        if raw is None:
            return None
        path = Path(raw)
        return (scratch / path).resolve() if not path.is_absolute() else path.resolve()

    def check(raw: object, writing: bool) -> None:
        path = resolve(raw)
        if path is not None and (inside(path, denied) or not inside(path, (scratch,) if writing else readable)):
            raise PermissionError(NOT_ALLOWED["file"])

    def hook(event: str, args: tuple) -> None:
        if event in _REFUSED:
            raise PermissionError(NOT_ALLOWED[_REFUSED[event]])
        if event == "open" and args:
            mode, flags = (args + (None, 0))[1:3]
            raw = text(args[0])
            if mode is None and raw is not None:
                # os.open: a dir_fd would make a relative path mean another folder, so only absolute scratch paths
                if not os.path.isabs(raw):
                    raise PermissionError(NOT_ALLOWED["file"])
                check(raw, writing=True)
                return
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            check(args[0], writing or bool(isinstance(flags, int) and flags & _WRITE_FLAGS))
        elif event in _READ_EVENTS and args:
            check(args[0], writing=False)
        elif event in _WRITE_EVENTS and args:
            check(args[0], writing=True)
        elif event in _TWO_PATH_EVENTS and len(args) >= 2:
            check(args[0], writing=event != "os.symlink")  # a symlink's target is checked when it is opened
            check(args[1], writing=True)

    sys.addaudithook(hook)


def _python_roots() -> list[Path]:
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    return sorted(roots | {Path("/dev/null"), Path("/dev/urandom")})


# What a worker may import from site-packages: numpy and the seccomp wrapper, nothing else installed there
# (a kit installed as a wheel would otherwise show its whole trusted side, mutant styles included).
WORKER_DISTRIBUTIONS = ("numpy", "numpy.libs", "pyseccomp")


def python_view() -> list[Path]:
    """The parts of this Python a worker may read: the standard library, numpy, pyseccomp and the interpreter."""
    view = {Path(os.path.realpath(sys.executable))}
    libraries = {Path(sysconfig.get_path(name)) for name in ("stdlib", "platstdlib") if sysconfig.get_path(name)}
    packages = {Path(sysconfig.get_path(name)) for name in ("purelib", "platlib") if sysconfig.get_path(name)}
    packages |= {Path(entry) for entry in sys.path if entry.endswith("-packages")}
    for library in libraries:
        with os.scandir(library) as entries:
            view.update(Path(entry.path) for entry in entries if entry.name not in ("site-packages", "dist-packages"))
    for folder in packages:
        if folder.is_dir():
            with os.scandir(folder) as entries:
                view.update(Path(entry.path) for entry in entries
                            if entry.name.split("-")[0].removesuffix(".py").lower() in WORKER_DISTRIBUTIONS)  # fmt: skip
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        view.update(Path(prefix, "lib").glob("libpython*"))
    return sorted(view)
