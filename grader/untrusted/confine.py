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
import functools
import os
import socket
import stat
import sys
import sysconfig
from pathlib import Path, PosixPath, PurePath, PurePosixPath

from grader.untrusted import standing

# Pinned names: find_library would spawn ldconfig, which the process limits forbid.
_LIBRARIES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}
_CLONE_THREAD = 0x00010000
# fcntl commands on locks, leases and directory notices: a lock on a file two workers may both read (the standard
# library, the same inode under Landlock, bubblewrap's binds and the uid drop) is a channel between them, and
# F_GETLK reads it without opening anything new (lock_channel_reference_relay). flock is denied outright.
_F_GETLK, _F_SETLK, _F_SETLKW, _F_OFD_GETLK, _F_OFD_SETLK, _F_OFD_SETLKW = 5, 6, 7, 36, 37, 38
_F_SETLEASE, _F_GETLEASE, _F_NOTIFY = 1024, 1025, 1026
_DENIED_FCNTL = (
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
    # file locks shared through an inode every worker reads (fcntl's lock commands: _DENIED_FCNTL)
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
        for command in _DENIED_FCNTL:
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


def _deny_other_pids(sc, policy, deny, name: str, index: int, own: int, *also) -> None:
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


def observe() -> dict:
    """What the kernel says is in force for this process: read before any student code runs."""
    status = {}
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


def _make_hook(scratch: str, readable: tuple[str, ...], denied: tuple[str, ...]):
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
    denied_fcntl, lock_message = frozenset(_DENIED_FCNTL), NOT_ALLOWED["lock"]

    def hook(event: str, args: tuple) -> None:
        if event in refused_events:
            for name, message in refusals:
                if name == event:
                    raise permission_error(message)
        if event == "fcntl.fcntl" and len_(args) >= 2 and args[1] in denied_fcntl:
            raise permission_error(lock_message)
        checks = ()  # (raw path, writing)
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
            kind = type_(raw)
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
