"""Layers a worker puts on itself before it loads student code: seccomp, an audit hook, and a report of both.

seccomp is a kernel filter and, once loaded, cannot be removed by the process (its rules are in
:mod:`grader.untrusted.syscall_filter`; :func:`apply_seccomp` is kept importable from here).
The audit hook is not a boundary (SECURITY.md lists its bypasses); it is a second
layer that turns the common attempts into clear messages. :func:`observe` reads
back, from the kernel, what is actually in force, so the grader can refuse to
send student code to a worker that is less confined than it claims.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path, PosixPath, PurePath, PurePosixPath
from typing import Any

from grader.untrusted import standing
from grader.untrusted.syscall_filter import DENIED_FCNTL
from grader.untrusted.syscall_filter import ConfinementError as ConfinementError  # kept importable from here
from grader.untrusted.syscall_filter import apply_seccomp as apply_seccomp
from grader.untrusted.syscall_filter import seccomp_available as seccomp_available

NOT_ALLOWED = {
    "network": "network access is not allowed / 네트워크 접근은 허용되지 않습니다",
    "program": "starting programs is not allowed / 프로그램 실행은 허용되지 않습니다",
    "process": "creating processes is not allowed / 프로세스 생성은 허용되지 않습니다",
    "signal": "sending signals is not allowed / 시그널 전송은 허용되지 않습니다",
    "native": "native code and raw memory access are not allowed / 네이티브 코드와 메모리 직접 접근은 허용되지 않습니다",
    "inspect": "inspecting the interpreter's objects is not allowed / 인터프리터 객체 검사는 허용되지 않습니다",
    "hook": "installing audit hooks is not allowed / 감사 훅 설치는 허용되지 않습니다",
    "lock": "file locks are not allowed / 파일 잠금은 허용되지 않습니다",
    "file": "opening files outside your notebook's folder is not allowed / 노트북 폴더 밖의 파일은 열 수 없습니다",
}
_REFUSED = {
    "socket.connect": "network",
    "socket.bind": "network",
    "socket.sendto": "network",
    "socket.sendmsg": "network",
    "socket.getaddrinfo": "network",
    "socket.gethostbyname": "network",
    "socket.gethostbyaddr": "network",
    "subprocess.Popen": "program",
    "os.system": "program",
    "os.exec": "program",
    "os.posix_spawn": "program",
    "os.spawn": "program",
    "pty.spawn": "program",
    "os.fork": "process",
    "os.forkpty": "process",
    "os.kill": "signal",
    "os.killpg": "signal",
    "signal.pthread_kill": "signal",
    "ctypes.dlopen": "native",
    "ctypes.dlsym": "native",
    "ctypes.cdata": "native",
    "ctypes.addressof": "native",
    "ctypes.string_at": "native",
    "ctypes.wstring_at": "native",
    "ctypes.call_function": "native",
    "ctypes.create_string_buffer": "native",
    "mmap.__new__": "native",
    "gc.get_objects": "inspect",
    "gc.get_referrers": "inspect",
    "gc.get_referents": "inspect",
    "sys.addaudithook": "hook",
    "fcntl.flock": "lock",
    "fcntl.lockf": "lock",
}
# Events whose first argument is a path the call reads, or writes (both paths of a rename or link).
_READ_EVENTS = frozenset({"os.listdir", "os.scandir", "os.fwalk", "glob.glob"})
_WRITE_EVENTS = frozenset(
    {
        "os.mkdir",
        "os.remove",
        "os.rmdir",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.utime",
        "os.setxattr",
        "os.removexattr",
        "os.chdir",
        "shutil.rmtree",
        "os.chflags",
        "os.lchflags",
    }
)
_TWO_PATH_EVENTS = frozenset({"os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.move"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_TYPES = (PurePath, PurePosixPath, Path, PosixPath)


def observe() -> dict[str, object]:
    """What the kernel says is in force for this process: read before any student code runs."""
    status: dict[str, str] = {}
    with open("/proc/self/status", encoding="ascii", errors="replace") as stream:
        for line in stream:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    return {
        "seccomp": status.get("Seccomp", "0"),
        "no_new_privs": status.get("NoNewPrivs", "0"),
        "capabilities": status.get("CapEff", "?"),  # effective capabilities: none may reach student code
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": sorted(os.getgroups()),
        "net_ns": _namespace("net"),
        "pid_ns": _namespace("pid"),
        "mnt_ns": _namespace("mnt"),
        "ipc_ns": _namespace("ipc"),
        "standing": standing.read(),  # every rlimit, the nice value, scheduler and CPU mask
    }


def _namespace(kind: str) -> str:
    try:
        return os.readlink(f"/proc/self/ns/{kind}")
    except OSError:
        return ""


def install_audit_hook(scratch: Path, denied: list[Path]) -> None:
    """Refuse file access outside the scratch folder and Python itself, sockets, processes and raw memory."""
    readable = (scratch, *_python_roots(), Path(__file__).resolve().parent)
    sys.addaudithook(
        _make_hook(
            scratch=str(scratch.resolve()),
            readable=tuple(str(path.resolve()) for path in readable),
            denied=tuple(str(path.resolve()) for path in denied),
        )
    )


def _make_hook(
    scratch: str, readable: tuple[str, ...], denied: tuple[str, ...]
) -> Callable[[str, tuple[Any, ...]], None]:
    """The audit hook, holding everything it uses in its own closure, and nothing mutable.

    Student code can rebind any module global, builtin or Python-level method, so the
    hook captures here, once, the built-in functions it calls and immutable copies of
    its tables; it never looks a name up at run time. Its frame is visible in the
    traceback of every refusal, and a frame shows its free variables: so the hook is one
    function with no helper functions in its closure (a helper's ``__code__`` and closure
    cells can be replaced through that frame: ``sysv_ipc_reference_relay`` did it), only
    strings, tuples, frozensets and built-ins. It remains a second layer: the kernel's
    (Landlock, bubblewrap, the uid drop, seccomp) are the boundary.
    """
    refused_events = frozenset(_REFUSED)
    refusals = tuple((event, NOT_ALLOWED[kind]) for event, kind in _REFUSED.items())
    file_message = NOT_ALLOWED["file"]
    str_message = file_message + " (pass the path as a str)"
    read_events, write_events, two_path_events = _READ_EVENTS, _WRITE_EVENTS, _TWO_PATH_EVENTS
    write_flags = _WRITE_FLAGS
    path_types = _PATH_TYPES
    # pathlib's conversion is Python code: its functions and their code objects must be the originals.
    original_fspath = tuple(kind.__fspath__ for kind in path_types)
    original_str = tuple(kind.__str__ for kind in path_types)
    original_code = tuple(function.__code__ for function in (*original_fspath, *original_str))
    fspath, fsdecode_codec = os.fspath, sys.getfilesystemencoding()
    lstat, readlink = os.lstat, os.readlink
    is_link = stat.S_ISLNK
    permission_error, os_error, type_, isinstance_, len_ = PermissionError, OSError, type, isinstance, len
    str_, bytes_, int_ = str, bytes, int
    scratch_only = (scratch,)
    denied_fcntl, lock_message = frozenset(DENIED_FCNTL), NOT_ALLOWED["lock"]

    def hook(event: str, args: tuple[Any, ...]) -> None:  # an event's arguments may be anything
        if event in refused_events:
            for name, message in refusals:
                if name == event:
                    raise permission_error(message)
        if event == "fcntl.fcntl" and len_(args) >= 2 and args[1] in denied_fcntl:
            raise permission_error(lock_message)
        checks: tuple[tuple[Any, bool], ...] = ()  # (raw path, writing)
        if event == "open" and args:
            padded = args + (None, 0)
            mode, flags = padded[1], padded[2]
            if mode is None and type_(args[0]) is not int_:
                # os.open: a dir_fd would make a relative path mean another folder, so only absolute scratch paths
                checks = ((args[0], True),)
                absolute_only = True
            else:
                writing = type_(mode) is str_ and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)
                checks = ((args[0], writing or (isinstance_(flags, int_) and flags & write_flags != 0)),)
                absolute_only = False
        elif event in read_events and args:
            checks, absolute_only = ((args[0], False),), False
        elif event in write_events and args:
            checks, absolute_only = ((args[0], True),), False
        elif event in two_path_events and len_(args) >= 2:
            # a symlink's target is checked when it is opened
            checks, absolute_only = ((args[0], event != "os.symlink"), (args[1], True)), False
        for raw, writing in checks:
            # The path as a str; a file descriptor was checked when it was opened.
            kind: Any = type_(raw)  # compared with the path types by identity, then looked into
            if kind in path_types:
                if (
                    kind.__fspath__ not in original_fspath
                    or kind.__str__ not in original_str
                    or kind.__fspath__.__code__ not in original_code
                    or kind.__str__.__code__ not in original_code
                ):
                    raise permission_error(str_message)
                raw = fspath(raw)
                kind = type_(raw)
            if kind is bytes_:
                raw = raw.decode(fsdecode_codec, "surrogateescape")
                kind = str_
            if kind is int_:
                continue
            if kind is not str_:
                # Another os.PathLike could name one file when the call converts it and another when asked here.
                raise permission_error(str_message)
            if absolute_only and not raw.startswith("/"):
                raise permission_error(file_message)
            # The absolute path with every symbolic link followed, using only the built-ins captured above.
            path = raw if raw.startswith("/") else scratch + "/" + raw
            parts = [part for part in path.split("/") if part and part != "."]
            done: list[str] = []
            hops = 0
            while parts:
                part = parts.pop(0)
                if part == "..":
                    if done:
                        done.pop()
                    continue
                candidate = "/" + "/".join([*done, part])
                try:
                    is_symlink = is_link(lstat(candidate).st_mode)
                except os_error:
                    is_symlink = False
                if is_symlink and hops < 40:
                    hops += 1
                    target = readlink(candidate)
                    if target.startswith("/"):
                        done = []
                    parts = [p for p in target.split("/") if p and p != "."] + parts
                    continue
                done.append(part)
            path = "/" + "/".join(done)
            for roots, wanted in ((denied, False), (scratch_only if writing else readable, True)):
                found = False
                for root in roots:
                    if path == root or path.startswith(root + "/") or root == "/":
                        found = True
                        break
                if found != wanted:
                    raise permission_error(file_message)

    return hook


def _python_roots() -> list[Path]:
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    return sorted(roots | {Path("/dev/null"), Path("/dev/urandom")})


# What a worker may import from site-packages: numpy and the seccomp wrapper, nothing else installed there
# (a kit installed as a wheel would otherwise show its whole trusted side, mutant styles included).
WORKER_DISTRIBUTIONS = ("numpy", "numpy.libs", "pyseccomp")


@functools.cache
def python_folders() -> tuple[Path, ...]:
    """Folders whose names (not contents) a worker may list: where Python looks for modules."""
    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple(sorted({Path(sysconfig.get_path(name)) for name in names if sysconfig.get_path(name)}))


@functools.cache  # the fork server computes it once for every worker it forks (5 ms of a worker's start)
def python_view() -> tuple[Path, ...]:
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
                view.update(
                    Path(entry.path)
                    for entry in entries
                    if entry.name.split("-")[0].removesuffix(".py").lower() in WORKER_DISTRIBUTIONS
                )
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        view.update(Path(prefix, "lib").glob("libpython*"))
    return tuple(sorted(view))
