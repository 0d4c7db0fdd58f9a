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
import stat
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
    readable = (scratch, *_python_roots(), Path(__file__).resolve().parent)
    sys.addaudithook(
        _make_hook(
            scratch=str(scratch.resolve()),
            readable=tuple(str(path.resolve()) for path in readable),
            denied=tuple(str(path.resolve()) for path in denied),
        )
    )


def _make_hook(scratch: str, readable: tuple[str, ...], denied: tuple[str, ...]):  # noqa: C901
    """The audit hook, holding everything it uses in its own closure.

    Student code can rebind any module global, builtin or Python-level method, so the
    hook captures here, once, the built-in functions it calls and immutable copies of
    its tables; it never looks a name up at run time. (Its frame can still be seen in a
    traceback, but only immutable values are there.) It remains a second layer: the
    kernel's (Landlock, bubblewrap, the uid drop, seccomp) are the boundary.
    """
    refused_events = frozenset(_REFUSED)
    refusals = tuple((event, NOT_ALLOWED[kind]) for event, kind in _REFUSED.items())
    file_message = NOT_ALLOWED["file"]
    read_events, write_events, two_path_events = _READ_EVENTS, _WRITE_EVENTS, _TWO_PATH_EVENTS
    write_flags = _WRITE_FLAGS
    path_types = _PATH_TYPES
    original_fspath = tuple(kind.__fspath__ for kind in path_types)
    fspath, fsdecode_codec = os.fspath, sys.getfilesystemencoding()
    lstat, readlink = os.lstat, os.readlink
    is_link = stat.S_ISLNK
    permission_error, type_, isinstance_, len_, bool_ = PermissionError, type, isinstance, len, bool
    str_, bytes_, int_ = str, bytes, int

    def refuse(message: str) -> None:
        raise permission_error(message)

    def text(raw: object) -> str | None:
        """The path as a str; None for a file descriptor (checked when it was opened)."""
        kind = type_(raw)
        if kind in path_types:
            if type_(raw).__fspath__ not in original_fspath:
                refuse(file_message + " (pass the path as a str)")
            raw = fspath(raw)
            kind = type_(raw)
        if kind is bytes_:
            raw = raw.decode(fsdecode_codec, "surrogateescape")
            kind = str_
        if kind is int_:
            return None
        if kind is not str_:
            # Another os.PathLike could name one file when the call converts it and another when asked here.
            refuse(file_message + " (pass the path as a str)")
        return raw

    def real(path: str) -> str:
        """The absolute path with every symbolic link followed, using only built-in functions captured above."""
        if not path.startswith("/"):
            path = scratch + "/" + path
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
            except OSError:
                is_symlink = False
            if is_symlink and hops < 40:
                hops += 1
                target = readlink(candidate)
                if target.startswith("/"):
                    done = []
                parts = [p for p in target.split("/") if p and p != "."] + parts
                continue
            done.append(part)
        return "/" + "/".join(done)

    def inside(path: str, roots: tuple[str, ...]) -> bool:
        for root in roots:
            if path == root or path.startswith(root + "/") or root == "/":
                return True
        return False

    def check(raw: object, writing: bool) -> None:
        path = text(raw)
        if path is None:
            return
        path = real(path)
        if inside(path, denied) or not inside(path, (scratch,) if writing else readable):
            refuse(file_message)

    def hook(event: str, args: tuple) -> None:
        if event in refused_events:
            for name, message in refusals:
                if name == event:
                    refuse(message)
        if event == "open" and args:
            padded = args + (None, 0)
            mode, flags = padded[1], padded[2]
            raw = text(args[0])
            if mode is None and raw is not None:
                # os.open: a dir_fd would make a relative path mean another folder, so only absolute scratch paths
                if not raw.startswith("/"):
                    refuse(file_message)
                check(raw, writing=True)
                return
            writing = type_(mode) is str_ and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)
            check(args[0], writing or bool_(isinstance_(flags, int_) and flags & write_flags))
        elif event in read_events and args:
            check(args[0], writing=False)
        elif event in write_events and args:
            check(args[0], writing=True)
        elif event in two_path_events and len_(args) >= 2:
            check(args[0], writing=event != "os.symlink")  # a symlink's target is checked when it is opened
            check(args[1], writing=True)

    return hook


def _python_roots() -> list[Path]:
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    return sorted(roots | {Path("/dev/null"), Path("/dev/urandom")})


# What a worker may import from site-packages: numpy and the seccomp wrapper, nothing else installed there
# (a kit installed as a wheel would otherwise show its whole trusted side, mutant styles included).
WORKER_DISTRIBUTIONS = ("numpy", "numpy.libs", "pyseccomp")


def python_folders() -> list[Path]:
    """Folders whose names (not contents) a worker may list: where Python looks for modules."""
    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return sorted({Path(sysconfig.get_path(name)) for name in names if sysconfig.get_path(name)})


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
