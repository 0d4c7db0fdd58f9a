"""Starts, limits, talks to and stops worker processes; the only module that knows about processes.

Every protection is applied from outside the worker where the kernel allows it
(rlimits, a new session, a dropped uid, namespaces and a minimal filesystem
through bubblewrap) and is detected at run time: what is missing is listed in
:class:`Isolation` and shown in every report, never skipped silently. A worker
reports what the kernel says is in force before it receives any student code;
if that is less than the grader claims, the worker is refused (fail closed) and
the test is an internal error, not the student's.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import math
import os
import resource
import selectors
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from grader.errors import ACCEPT_UNCONFINED_VARIABLE, UnconfinedRefused
from grader.sandbox import memory, runtime
from grader.untrusted import confine, landlock, protocol

WORKER_SCRIPT = Path(__file__).resolve().parent.parent / "untrusted" / "worker.py"
KIT_ROOT = WORKER_SCRIPT.parent.parent.parent
OUTPUT_CAP_BYTES = 64 * 1024
UID_BASE = 200_000
UIDS_PER_PROCESS = 64  # distinct uids one grading process hands out to concurrent workers
DISABLE_VARIABLE = "GRADER_UNSAFE_DISABLE_LAYERS"  # benchmarks only: "kernel" or e.g. "seccomp,namespaces"
KERNEL_LAYERS = ("seccomp", "uid-drop", "namespaces", "landlock")
SWITCHABLE_LAYERS = (
    *KERNEL_LAYERS,
    "memory-cgroup",
    "audit-hook",
)  # the audit hook only to measure what the kernel layers stop
SANDBOX_NPROC = 16  # processes a dropped uid may have inside bubblewrap (bwrap itself needs two)
MAX_SKIPPED_DEFINITIONS = 4  # definitions that end or hang the worker, skipped before giving up
WORLD_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
# Outside Python and the untrusted package, what Landlock lets a worker read: shared libraries, time zones.
SYSTEM_READABLE = tuple(Path(p) for p in ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/etc/ld.so.cache",
                                          "/etc/localtime", "/dev/urandom", "/dev/zero"))  # fmt: skip
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker process, and the wall-clock budget of a whole submission."""

    call_seconds: float = 10.0  # wall clock for one call
    load_seconds: float = 20.0  # wall clock to start and load the definitions
    submission_seconds: float = 300.0  # wall clock for every worker of one grading run together
    cpu_seconds: int = 60  # CPU time over the worker's whole life (soft = hard)
    memory_bytes: int = 2 * 1024**3  # address space
    file_bytes: int = 16 * 1024**2  # largest file the worker may write (its printed output included)
    scratch_bytes: int = 64 * 1024**2  # all it may write together, under bubblewrap (sized tmpfs)
    open_files: int = 64
    submission_memory_bytes: int = 4 * 1024**3  # all of one submission's workers together


@dataclass(frozen=True)
class Isolation:
    """Which protection layers this machine gives workers, and why any is missing."""

    seccomp: bool
    uid_drop: bool
    namespaces: bool
    audit_hook: bool = True
    landlock: bool = False  # the kernel's allow-list of files: read Python and the untrusted package, write scratch
    missing: dict[str, str] = field(default_factory=dict)
    private_filesystem: bool = False  # bubblewrap mounts only Python, the kit's code and the scratch folder
    runtime: runtime.Runtime = field(default_factory=runtime.direct, compare=False)  # the Python workers run
    memory_cgroup: bool = False  # a submission's workers share one memory cgroup (else fewer live workers)
    hidden_files: bool = False  # solutions, hidden tests, rubrics and .git are out of the worker's reach

    def layers(self) -> list[str]:
        """Names of the active layers, for reports."""
        active = ["process", "rlimits", "scrubbed-env"]
        active += [
            name
            for name, on in (
                ("seccomp", self.seccomp),
                ("uid-drop", self.uid_drop),
                ("namespaces", self.namespaces),
                ("landlock", self.landlock),
                ("memory-cgroup", self.memory_cgroup),
                ("private-filesystem", self.private_filesystem),
                ("hidden-files", self.hidden_files),
                ("audit-hook", self.audit_hook),
            )
            if on
        ]
        return active  # fmt: skip


def unprotected(isolation: Isolation) -> list[str]:
    """What only the audit hook (or nothing) would protect here; empty when a kernel layer covers everything."""
    gaps = []
    if os.geteuid() == 0 and not isolation.uid_drop:
        gaps.append("student code would run as root: " + isolation.missing.get("uid-drop", "the uid drop is off"))
    if not (isolation.landlock or isolation.private_filesystem or (isolation.uid_drop and isolation.hidden_files)):
        gaps.append("no kernel layer keeps student code away from the kit, its Python, the solutions and other "
                    "submissions' files (no Landlock, no bubblewrap, and no uid drop with the hidden folders closed); "
                    "only the audit hook would, and student code can switch it off")  # fmt: skip
    return gaps


def accepted_unconfined() -> bool:
    """True when whoever runs the grader said they accept grading with the gaps :func:`unprotected` lists."""
    return os.environ.get(ACCEPT_UNCONFINED_VARIABLE, "") == "1"


def require_confinement(isolation: Isolation | None = None) -> list[str]:
    """Refuse to grade where a gap is left, unless accepted; returns the accepted gaps (for the report)."""
    gaps = unprotected(isolation or detect_isolation())
    if gaps and not accepted_unconfined():
        raise UnconfinedRefused(
            "refusing to run student code: " + "; ".join(gaps) + ". Install bubblewrap (apt-get install bubblewrap), "
            "use a kernel with Landlock (Linux 5.13+), or grade as root with the hidden folders closed to other users "
            "(chmod -R o-rwx solutions tests_hidden rubrics .git grader/mutants grader/tests). If you know why this is acceptable (your own "
            f"notebook on your own machine), pass --accept-unconfined or set {ACCEPT_UNCONFINED_VARIABLE}=1."
        )
    return gaps


def memory_plan(limits: Limits) -> memory.MemoryPlan:
    """How a submission's memory is bounded with these limits (a cgroup, or fewer live workers)."""
    plan = memory.plan(limits.submission_memory_bytes, limits.memory_bytes)
    if plan.parent is not None and "memory-cgroup" in disabled_layers():
        return memory.MemoryPlan(budget=plan.budget, parent=None,
                                 live_workers=max(1, limits.submission_memory_bytes // limits.memory_bytes))  # fmt: skip
    return plan


def disabled_layers() -> set[str]:
    """Layers turned off through GRADER_UNSAFE_DISABLE_LAYERS (benchmarks and the layer analysis only)."""
    words = {word.strip() for word in os.environ.get(DISABLE_VARIABLE, "").split(",") if word.strip()}
    return (words & set(SWITCHABLE_LAYERS)) | (set(KERNEL_LAYERS) if "kernel" in words else set())


def detect_isolation() -> Isolation:
    """The layers that work here (probed once per process), minus any turned off by GRADER_UNSAFE_DISABLE_LAYERS."""
    off = disabled_layers()
    probed = _probe_isolation(frozenset(off))  # a layer turned off is not probed either: its cost is all gone
    if not off:
        return probed
    missing = dict(probed.missing)
    for layer in sorted(off):
        missing[layer] = f"turned off by {DISABLE_VARIABLE} (for measuring its cost only; never grade like this)"
    uid_drop = probed.uid_drop and "uid-drop" not in off
    namespaces = probed.namespaces and "namespaces" not in off
    isolation = replace(probed, seccomp=probed.seccomp and "seccomp" not in off, uid_drop=uid_drop,
                        landlock=probed.landlock and "landlock" not in off,
                        memory_cgroup=probed.memory_cgroup and "memory-cgroup" not in off,
                        namespaces=namespaces, private_filesystem=probed.private_filesystem and namespaces,
                        audit_hook="audit-hook" not in off, missing=missing)  # fmt: skip
    return _with_hidden_files(isolation)


@cache
def _probe_isolation(skip: frozenset[str] = frozenset()) -> Isolation:
    missing: dict[str, str] = {}
    seccomp_problem = confine.seccomp_available() if "seccomp" not in skip else "not probed"
    if seccomp_problem and "seccomp" not in skip:
        missing["seccomp"] = f"{seccomp_problem} (pip install pyseccomp; apt-get install libseccomp2)"
    root = os.geteuid() == 0
    worker_runtime = runtime.direct()
    unreachable = runtime.unreachable_part(worker_runtime) if root else None
    uid_drop = root and unreachable is None
    bwrap = shutil.which("bwrap") and "namespaces" not in skip
    namespaces = private = False
    if not root:
        missing["uid-drop"] = "the grader is not running as root, so workers keep your user id"
    elif unreachable and bwrap and _bwrap_works(minimal=True, drop=True, worker=worker_runtime):
        uid_drop = namespaces = private = True  # the private filesystem's own folders make Python reachable
    elif unreachable:
        try:
            worker_runtime = runtime.copied()
            uid_drop = True
        except (runtime.RuntimeUnavailable, OSError) as error:
            missing["uid-drop"] = (f"an unprivileged user cannot reach {unreachable}, and copying Python where it "
                                   f"can failed: {error}")  # fmt: skip
    if "namespaces" in skip or namespaces:
        pass
    elif not bwrap:
        missing["namespaces"] = "bubblewrap is not installed (apt-get install bubblewrap)"
    elif _bwrap_works(minimal=True, drop=uid_drop, worker=worker_runtime):
        namespaces = private = True
    elif _bwrap_works(minimal=False, drop=uid_drop, worker=worker_runtime):
        namespaces = True
        missing["private-filesystem"] = "Python does not start with only its own folders mounted; workers see the whole filesystem read-only"  # fmt: skip
    else:
        missing["namespaces"] = "bubblewrap cannot create namespaces here (e.g. unprivileged user namespaces are off)"
    if not private and "private-filesystem" not in missing and "namespaces" not in skip:
        missing["private-filesystem"] = "needs bubblewrap"
    if namespaces and not _bwrap_sizes_tmpfs():
        missing["sized-scratch"] = "bubblewrap older than 0.7 cannot size a tmpfs: writes are limited per file only"
    elif not namespaces and "namespaces" not in skip:
        missing["sized-scratch"] = "needs bubblewrap: without it, writes are limited per file (RLIMIT_FSIZE) only"
    cgroup = memory_plan(Limits()).parent is not None and "memory-cgroup" not in skip
    if not cgroup:
        missing["memory-cgroup"] = (memory_plan(Limits()).describe() + ": no memory cgroup can be made here "
                                    "(root, or a delegated cgroup v2)")  # fmt: skip
    abi = landlock.abi_version() if "landlock" not in skip else 0
    if not abi and "landlock" not in skip:
        missing["landlock"] = "this kernel offers no Landlock (Linux 5.13 or later with landlock in its LSM list)"
    isolation = Isolation(seccomp=not seccomp_problem, uid_drop=uid_drop, namespaces=namespaces,
                          missing=missing, private_filesystem=private, landlock=abi > 0,
                          runtime=worker_runtime, memory_cgroup=cgroup)  # fmt: skip
    return _with_hidden_files(isolation)


def _with_hidden_files(isolation: Isolation) -> Isolation:
    """Hidden folders are out of reach under bubblewrap, or with a dropped uid when others cannot read them."""
    missing = {key: value for key, value in isolation.missing.items() if key != "hidden-files"}
    readable = [path for path in default_hidden() if path.exists() and _first_unreachable([path]) is None]
    hidden = isolation.namespaces or isolation.landlock or (isolation.uid_drop and not readable)
    if not hidden:
        if isolation.uid_drop:
            names = " ".join(str(path.relative_to(KIT_ROOT)) for path in readable)
            missing["hidden-files"] = f"other users can read {names}: chmod -R o-rwx {names}, or install bubblewrap"
        else:
            missing["hidden-files"] = "workers run as your user; only the audit hook keeps them out of solutions/ and tests_hidden/"  # fmt: skip
    return replace(isolation, hidden_files=hidden, missing=missing)


def default_hidden() -> list[Path]:
    """Folders of the checkout no worker may read, whatever the assignment says.

    Besides the hidden material, every folder that holds working units: the mutant catalogue's
    correct styles and the kit's own tests (hostile fixtures that reward success contain them).
    """
    return [KIT_ROOT / name for name in ("solutions", "tests_hidden", "rubrics", ".git", "grader/mutants",
                                         "grader/tests")]  # fmt: skip


def _first_unreachable(paths: list[Path]) -> Path | None:
    """The first folder or file on these paths that other users cannot traverse or read."""
    for path in paths:
        for folder in reversed(path.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
        mode = path.stat().st_mode
        if not mode & stat.S_IROTH or (stat.S_ISDIR(mode) and not mode & stat.S_IXOTH):
            return path
    return None


def _bwrap_works(minimal: bool, drop: bool, worker: runtime.Runtime) -> bool:
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as scratch:
        os.chmod(scratch, 0o777)  # the probe's uid must be able to enter it
        flags = _bwrap_flags(Path(scratch), [], minimal, worker=worker)
        probe = [shutil.which("bwrap") or "bwrap", *flags, str(worker.executable), "-I", "-c", "import encodings"]
        preexec = (lambda: _drop_privileges(UID_BASE - 1)) if drop else None
        env = {"PATH": "/usr/bin:/bin", **worker.environment}
        try:
            return subprocess.run(probe, capture_output=True, timeout=20, preexec_fn=preexec, env=env).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


def _bwrap_flags(scratch: Path, hidden: list[Path], minimal: bool, scratch_bytes: int = 64 * 1024**2,
                 worker: runtime.Runtime | None = None) -> list[str]:  # fmt: skip
    """bubblewrap arguments: new namespaces, a read-only view of what Python needs, the scratch folder."""
    worker = worker or runtime.direct()
    keep = sorted({*worker.code, *worker.roots})
    if minimal:
        flags = ["--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                 "--ro-bind-try", "/etc/localtime", "/etc/localtime"]  # fmt: skip
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            top = Path("/", name)
            if top.is_symlink():
                flags += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                flags += ["--ro-bind", str(top), str(top)]
    else:
        flags = ["--ro-bind", "/", "/"]
    # Every writable place is a tmpfs of at most scratch_bytes (RAM: unsized, it would be half of it);
    # /dev is read-only after its setup, so only /dev/shm, /tmp and the scratch folder take writes.
    sized = ["--size", str(scratch_bytes)] if _bwrap_sizes_tmpfs() else []
    flags += ["--dev", "/dev", *sized, "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--proc", "/proc",
              *sized, "--tmpfs", "/tmp"]  # fmt: skip
    for path in keep:  # after /tmp's tmpfs: the kit and Python may live under /tmp (a CI clone)
        if minimal or path.is_relative_to("/tmp"):
            flags += ["--ro-bind", str(path), str(path)]
    # The scratch folder inside is a fresh tmpfs: the worker never sees the grader's copy of its output.
    flags += [*sized, "--tmpfs", str(scratch), "--chdir", str(scratch)]
    visible = keep if minimal else [Path("/")]
    for path in dict.fromkeys([*hidden, *default_hidden()]):
        if path.is_dir() and any(path.is_relative_to(root) for root in visible):
            flags += ["--size", "4096", "--tmpfs", str(path)] if sized else ["--tmpfs", str(path)]
    if minimal:
        flags += ["--remount-ro", "/"]  # bubblewrap's own root is a writable tmpfs otherwise
    flags += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent", "--new-session", "--cap-drop", "ALL"]  # fmt: skip
    return flags


@cache
def _bwrap_sizes_tmpfs() -> bool:
    """bubblewrap 0.7 and later limit a tmpfs's size (--size)."""
    try:
        text = subprocess.run([shutil.which("bwrap") or "bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in text.stdout + text.stderr


class WorkerFailure(Exception):
    """A call did not produce a reply: the worker hung, died or sent garbage.

    ``str(error)`` is for public tests; :meth:`message_for` gives hidden tests a
    text without anything the student's code chose (an exit status, a parse error).
    """

    kind = "error"
    internal = False

    def __init__(self, message: str, hidden_message: str | None = None) -> None:
        super().__init__(message)
        self.hidden_message = hidden_message or message

    def message_for(self, suite: str) -> str:
        """The message a test of ``suite`` may show."""
        return self.hidden_message if suite == "hidden" else str(self)


class WorkerTimeout(WorkerFailure):
    """The call ran past its wall-clock limit, or the submission's time budget ran out."""

    kind = "timeout"


class WorkerDied(WorkerFailure):
    """The worker process ended while it was answering."""


class IsolationFailure(WorkerFailure):
    """A layer the grader claims is not in force in a worker: no student code was sent to it."""

    internal = True

    def __init__(self, problem: str) -> None:
        super().__init__(f"internal error in the grader, not your fault; tell your instructor: {problem}; "
                         "no student code ran in that worker")  # fmt: skip


@dataclass
class RunState:
    """What the workers of one grading run share: the time budget and definitions known to end a worker."""

    deadline: float | None = None
    budget: float = math.inf
    skipped: dict[str, str] = field(default_factory=dict)  # snippet key -> why it was skipped
    cgroup: memory.SubmissionCgroup | None = None  # the memory cgroup all of this run's workers join

    def begin(self, seconds: float, limits: Limits | None = None, isolation: Isolation | None = None) -> None:
        """Start the clock (and make the memory cgroup) at the first worker of the run."""
        if self.deadline is None:
            self.budget = seconds
            self.deadline = time.monotonic() + seconds
            plan = memory_plan(limits or Limits())
            if isolation is not None and isolation.memory_cgroup and plan.parent is not None:
                self.cgroup = memory.SubmissionCgroup(plan)

    def close(self) -> None:
        """Release what the run holds beyond its workers (the memory cgroup); its workers are stopped first."""
        if self.cgroup is not None:
            self.cgroup.close()

    def remaining(self) -> float:
        """Seconds left for this submission."""
        return math.inf if self.deadline is None else self.deadline - time.monotonic()


_uids_in_use: set[int] = set()
_grader_hardened = False


def _allocate_uid() -> int:
    """A uid no live worker uses: a range per grader process, minus uids that still own processes."""
    base = UID_BASE + (os.getpid() % 100_000) * UIDS_PER_PROCESS
    busy = _uids_with_processes()
    for uid in range(base, base + UIDS_PER_PROCESS):
        if uid not in _uids_in_use and uid not in busy:
            _uids_in_use.add(uid)
            remove_files_of(uid)  # what a grader killed before it could clean up left under this uid
            return uid
    raise IsolationFailure(f"all {UIDS_PER_PROCESS} worker user ids from {base} are in use")


def _uids_with_processes() -> set[int]:
    uids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(entry.stat().st_uid)
    return uids


def _drop_privileges(uid: int) -> None:
    os.setgroups([])  # first: a naive drop keeps root's supplementary groups
    os.setgid(uid)
    os.setuid(uid)


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def _harden_grader() -> None:
    """Make this (trusted) process's memory and environment unreadable to same-user workers."""
    global _grader_hardened
    if not _grader_hardened:
        _prctl(_PR_SET_DUMPABLE, 0)  # /proc/<grader>/mem and environ: same-uid access needs ptrace rights
        _grader_hardened = True


def snippet_key(snippet: dict) -> str:
    """A stable key for one extracted definition."""
    text = f"{snippet.get('cell')}:{snippet.get('line')}:{snippet.get('source')}"
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


class _SkipDefinition(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


class Worker:
    """One sandboxed worker process serving calls for one unit."""

    def __init__(self, limits: Limits, isolation: Isolation, hidden: list[Path], run: RunState | None = None) -> None:
        self.limits = limits
        self.isolation = isolation
        self.hidden = list(hidden)
        self.run = run if run is not None else RunState()
        self.process: subprocess.Popen | None = None
        self.scratch: Path | None = None
        self.uid: int | None = None
        self._seq = 0
        self._ready = False
        self._request_write: int | None = None
        self._response_read: int | None = None
        self._output_fd: int | None = None
        self._output_offset = 0
        self._first_problems: list[dict] | None = None
        self._pending = bytearray()
        self._leftover = ""
        self._start_failure: IsolationFailure | None = None
        self._cgroup_join: str | None = None

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker process in a fresh scratch folder."""
        _harden_grader()
        self.run.begin(self.limits.submission_seconds, self.limits, self.isolation)
        if self.run.remaining() <= 0:
            return  # nothing more runs for this submission; the next request says so
        self.stop()  # never two processes for one worker
        self._leftover = ""
        try:
            self._spawn()
        except IsolationFailure as failure:  # reported by the next request, as that test's internal error
            self.stop()
            self._start_failure = failure

    def _spawn(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        self.uid = _allocate_uid() if self.isolation.uid_drop else None
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        output_path = self.scratch / ".output"
        output = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        if self.uid is not None:
            os.fchown(output, self.uid, self.uid)
        # Read through our own descriptor: the worker may replace the path with a symlink or a FIFO.
        self._output_fd = os.open(output_path, os.O_RDONLY)
        self._output_offset = 0
        self._cgroup_join = self.run.cgroup.join_file() if self.run.cgroup is not None else None
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        os.set_blocking(self._request_write, False)
        try:
            self.process = subprocess.Popen(
                self._command(request_read, response_write), cwd=self.scratch, env=self._environment(),
                stdin=subprocess.DEVNULL, stdout=output, stderr=output, pass_fds=(request_read, response_write),
                start_new_session=True, preexec_fn=self._limit_child,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as error:  # e.g. a limit or the uid drop failed in preexec
            self.stop()
            raise IsolationFailure(f"the worker could not be started with its limits ({error})") from None
        finally:
            for fd in (output, request_read, response_write):
                os.close(fd)
        self._ready = False

    def _command(self, request_read: int, response_write: int) -> list[str]:
        worker = self.isolation.runtime
        command = [str(worker.executable), "-I", str(worker.script), "--request-fd", str(request_read),
                   "--response-fd", str(response_write), "--seccomp", "on" if self.isolation.seccomp else "off",
                   "--audit", "on" if self.isolation.audit_hook else "off"]  # fmt: skip
        if self.isolation.landlock:
            command += ["--landlock", "on", f"--probe-denied={KIT_ROOT}"]
            command += [f"--read={path}" for path in [*worker.code, *SYSTEM_READABLE]]
        command += [f"--deny={path}" for path in dict.fromkeys([*self.hidden, *default_hidden()])]
        if self.isolation.namespaces:
            flags = _bwrap_flags(self.scratch, self.hidden, self.isolation.private_filesystem,
                                 self.limits.scratch_bytes, self.isolation.runtime)  # fmt: skip
            command = [shutil.which("bwrap") or "bwrap", *flags, *command]
        return command

    def _environment(self) -> dict[str, str]:
        scratch = str(self.scratch)
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": scratch,
            "TMPDIR": scratch,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": scratch,
            **self.isolation.runtime.environment,
        }

    def _expected_nproc(self) -> int | None:
        if self.uid is None:
            return None  # the limit would count every process of the grader's own user
        return SANDBOX_NPROC if self.isolation.namespaces else 0

    def _limit_child(self) -> None:
        """Runs in the child between fork and exec: limits the kernel enforces from now on."""
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if self._cgroup_join is not None:  # while still root: the worker's uid could not move itself
            with open(self._cgroup_join, "w") as procs:
                procs.write("0")
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if self.uid is not None:
            _drop_privileges(self.uid)
            nproc = self._expected_nproc()
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)

    def stop(self) -> None:
        """Kill the worker's whole process group (and its uid's processes and files) and remove its scratch folder."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for fd in (self._request_write, self._response_read):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._request_write = self._response_read = None
        self._pending = bytearray()
        if self.uid is not None:
            kill_processes_of(self.uid)
            remove_files_of(self.uid)
            _uids_in_use.discard(self.uid)
            self.uid = None
        if self._output_fd is not None:
            self._leftover = self.take_output()  # what a dying worker printed last, for the test that killed it
            with contextlib.suppress(OSError):
                os.close(self._output_fd)
            self._output_fd = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        self._output_offset = 0
        self._ready = False

    # -- requests --------------------------------------------------------------------------
    def load(self, snippets: list[dict], substitute_source: str, substitute_names: list[str]) -> dict:
        """Send the student's definitions one at a time, then the trusted substitutes; returns the load report.

        A definition that ends or hangs the worker is skipped by every later worker of
        this run, and its names raise NameError when called. Only the first load of a
        worker reports problems: a restarted worker could otherwise carry out, in an
        error message, what an earlier (hidden) call saw.
        """
        for _ in range(MAX_SKIPPED_DEFINITIONS + 1):
            try:
                report = self._load_once(snippets, substitute_source, substitute_names)
                break
            except _SkipDefinition as skip:
                self.run.skipped[skip.key] = skip.reason
        else:
            raise WorkerFailure("loading your definitions kept ending the worker; see the notebook problems")
        if self._first_problems is None:
            self._first_problems = report["problems"]
        return {"problems": list(self._first_problems), "names": report["names"]}

    def _load_once(self, snippets: list[dict], substitute_source: str, substitute_names: list[str]) -> dict:
        deadline = time.monotonic() + self.limits.load_seconds
        problems: dict[int, dict] = {}
        skipped: dict[str, str] = {}
        sent: list[int] = []  # positions in ``snippets`` of what the worker runs, in order
        for position, snippet in enumerate(snippets):
            names = [str(name) for name in snippet.get("names", [])]
            key = snippet_key(snippet)
            if key in self.run.skipped:
                problems[position] = _problem(snippet, "skipped", self.run.skipped[key])
                reason = (f"defining it in cell {snippet.get('cell')} ended or hung the worker process, so it "
                          "was skipped (see the notebook problems)")  # fmt: skip
                skipped.update(dict.fromkeys(names, reason))
            else:
                for name in names:
                    skipped.pop(name, None)  # a later definition wins
                sent.append(position)
        if sent:
            reply = self._define([snippets[p] for p in sent], deadline)
            for item in reply.get("problems", []) if type(reply.get("problems")) is list else []:
                if type(item) is list and len(item) == 2 and type(item[0]) is int and 0 <= item[0] < len(sent):
                    error = item[1].get("error") if type(item[1]) is dict else None
                    error = error if type(error) is dict else {}
                    problems[sent[item[0]]] = _problem(snippets[sent[item[0]]], str(error.get("type", "Exception"))[:100],
                                                       str(error.get("message", ""))[:500])  # fmt: skip
        request = {"op": "finish", "skipped": sorted(skipped.items()), "substitute_source": substitute_source,
                   "substitute_names": substitute_names}  # fmt: skip
        reply = self._exchange(request, max(deadline - time.monotonic(), 1.0), "loading your definitions")
        names = reply.get("names")
        return {"problems": [problems[p] for p in sorted(problems)],
                "names": [str(n) for n in names] if type(names) is list else []}  # fmt: skip

    def _define(self, snippets: list[dict], deadline: float) -> dict:
        """Run the snippets; the worker announces each one, so one that ends or hangs it is known and skipped."""
        running: int | None = None
        what = "loading your definitions"
        try:
            reply = self._exchange({"op": "define", "snippets": snippets}, deadline - time.monotonic(), what)
            while set(reply) == {"progress"}:
                running = reply["progress"] if type(reply["progress"]) is int else None
                if running is not None and 0 <= running < len(snippets):
                    names = ", ".join(str(n) for n in snippets[running].get("names", [])) or "an import"
                    what = f"defining {names}"
                reply = self._decode(self._read_body(deadline, what), what)
            return reply
        except (IsolationFailure, BudgetExhausted):
            raise
        except (WorkerDied, WorkerTimeout) as failure:
            if running is None or not 0 <= running < len(snippets):
                raise
            if isinstance(failure, WorkerTimeout) and str(failure).endswith("ran out of time"):
                failure = WorkerTimeout(f"{what} ran past {self.limits.load_seconds:g} s")
            raise _SkipDefinition(
                snippet_key(snippets[running]), f"{failure}; the grader skipped this definition"
            ) from None

    def call(self, call_data: dict, what: str, seconds: float | None = None) -> dict:
        """Run one call within ``seconds`` (default ``limits.call_seconds``); returns the worker's raw reply."""
        self._seq += 1
        seconds = seconds or self.limits.call_seconds
        reply = self._exchange({"op": "call", "seq": self._seq, "call": call_data}, seconds, what)
        if reply.get("seq") != self._seq:
            self.stop()
            raise WorkerFailure(f"the worker sent an answer that does not belong to this call while running {what}")
        return reply

    def _exchange(self, request: dict, seconds: float, what: str) -> dict:
        remaining = self.run.remaining()
        if remaining <= 0:  # before starting anything: the rest of the run costs no more processes
            raise BudgetExhausted(self.run.budget)
        if self.process is None:
            self.start()
        if self._start_failure is not None:
            failure, self._start_failure = self._start_failure, None
            raise failure
        if not self._ready:
            self._await_ready()
        if self._unsolicited(what):
            self.stop()
            raise WorkerFailure(f"the worker sent an answer nobody asked for before {what}")
        remaining = self.run.remaining()
        cut_by_budget = remaining < seconds
        deadline = time.monotonic() + min(seconds, remaining)
        try:
            self._send(protocol.frame(request), deadline, what)
            body = self._read_body(deadline, what)
        except WorkerTimeout:
            if cut_by_budget:
                raise BudgetExhausted(self.run.budget, what) from None
            raise WorkerTimeout(f"{what} ran past {seconds:.3g} s") from None
        return self._decode(body, what)

    def _await_ready(self) -> None:
        """Read the worker's report of what is in force, and refuse it if that is less than claimed."""
        try:
            body = self._read_body(time.monotonic() + self.limits.load_seconds, "starting the worker")
            reply = self._decode(body, "starting the worker")
        except WorkerFailure as failure:
            tail = self.take_output()[-600:].strip()
            self.stop()
            raise IsolationFailure(f"the worker did not start ({failure}){': ' + tail if tail else ''}") from None
        problems = self._unconfined(reply.get("ready"))
        if self.run.cgroup is not None and not self.run.cgroup.holds(self.process.pid):
            problems.append("its submission's memory cgroup")
        if problems:
            self.stop()
            raise IsolationFailure("the worker started without " + "; ".join(problems))
        self._ready = True

    def _unconfined(self, facts: object) -> list[str]:
        """What the worker's kernel-reported state lacks, compared with what this grader claims."""
        if type(facts) is not dict:
            return ["a report of its confinement"]
        problems = []
        if self.isolation.seccomp and facts.get("seccomp") != "2":
            problems.append(f"seccomp (Seccomp: {facts.get('seccomp')})")
        if facts.get("no_new_privs") != "1":
            problems.append("no_new_privs")
        identity = (facts.get("uid"), facts.get("gid"), facts.get("groups"))
        if self.uid is not None and identity != (self.uid, self.uid, []):
            problems.append(f"the uid drop (uid {facts.get('uid')}, gid {facts.get('gid')}, groups {facts.get('groups')})")  # fmt: skip
        if self.isolation.namespaces:
            for kind in ("net", "pid", "mnt"):
                if facts.get(f"{kind}_ns") in ("", _own_namespace(kind)):
                    problems.append(f"its own {kind} namespace")
        expected = {"RLIMIT_CPU": self.limits.cpu_seconds, "RLIMIT_AS": self.limits.memory_bytes,
                    "RLIMIT_FSIZE": self.limits.file_bytes, "RLIMIT_NOFILE": self.limits.open_files,
                    "RLIMIT_CORE": 0}  # fmt: skip
        if self._expected_nproc() is not None:
            expected["RLIMIT_NPROC"] = self._expected_nproc()
        limits = facts.get("limits") if type(facts.get("limits")) is dict else {}
        problems += [f"{name} = {value}" for name, value in expected.items() if limits.get(name) != value]
        landlock_facts = facts.get("landlock") if type(facts.get("landlock")) is dict else {}
        if self.isolation.landlock and landlock_facts.get("enforced") is not True:
            problems.append(f"Landlock (ABI {landlock_facts.get('abi')}, refusing a path outside its view: "
                            f"{landlock_facts.get('enforced')})")  # fmt: skip
        if self.isolation.audit_hook and facts.get("audit_hook") is not True:
            problems.append("the audit hook")
        return problems

    def _send(self, data: bytes, deadline: float, what: str) -> None:
        """Write a request without blocking past the deadline: a worker that stops reading cannot hang us."""
        view = memoryview(data)
        with selectors.DefaultSelector() as selector:
            selector.register(self._request_write, selectors.EVENT_WRITE)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise WorkerTimeout(f"{what} ran out of time")
                try:
                    view = view[os.write(self._request_write, view[: 1 << 16]) :]
                except BlockingIOError:
                    continue
                except OSError:
                    raise self._died(what) from None

    def _read_body(self, deadline: float, what: str) -> bytes:
        """The next message's body; bytes after it stay in ``_pending`` for the next read."""
        buffer = self._pending
        needed: int | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(self._response_read, selectors.EVENT_READ)
            while True:
                if needed is None and len(buffer) >= 8:
                    needed = 8 + int.from_bytes(buffer[:8], "big")
                    if needed > protocol.MAX_MESSAGE_BYTES:
                        self.stop()
                        raise WorkerFailure(f"the answer while running {what} is too large "
                                            f"(over {protocol.MAX_MESSAGE_BYTES // 2**20} MiB)")  # fmt: skip
                if needed is not None and len(buffer) >= needed:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise WorkerTimeout(f"{what} ran out of time")
                chunk = os.read(self._response_read, 1 << 20)
                if not chunk:
                    raise self._died(what)
                buffer += chunk
        body = bytes(buffer[8:needed])
        del buffer[:needed]
        return body

    def _unsolicited(self, what: str) -> bool:
        """True when the worker sent something before it was asked: the channel can no longer be trusted.

        A channel that is readable because the worker is gone (end of file) is a dead worker, not a forgery.
        """
        if self._pending:
            return True
        with selectors.DefaultSelector() as selector:
            selector.register(self._response_read, selectors.EVENT_READ)
            if not selector.select(0):
                return False
        chunk = os.read(self._response_read, 1 << 16)
        if not chunk:
            raise self._died(what)
        self._pending += chunk
        return True

    def _decode(self, body: bytes, what: str) -> dict:
        try:
            reply = protocol.decode(body)
        except protocol.ProtocolError as error:
            self.stop()
            raise WorkerFailure(f"unreadable answer while running {what}: {error}",
                                f"unreadable answer while running {what}") from None  # fmt: skip
        if type(reply) is not dict:
            self.stop()
            raise WorkerFailure(f"unreadable answer while running {what}")
        return reply

    def _died(self, what: str) -> WorkerDied:
        status = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self.process.wait(timeout=2)
        self.stop()
        hidden = f"the process ended while running {what}"
        if status is None:
            return WorkerDied(f"the process stopped answering while running {what}", hidden)
        if self.isolation.namespaces and status > 128 and status - 128 in signal.valid_signals():
            status = -(status - 128)  # bubblewrap reports a signal as 128 + its number
        if status < 0:
            name = signal.Signals(-status).name if -status in signal.valid_signals() else f"signal {-status}"
            cause = {"SIGKILL": " (CPU time or memory limit)", "SIGXFSZ": " (file size limit)",
                     "SIGSEGV": " (crash)"}.get(name, "")  # fmt: skip
            return WorkerDied(f"the process was killed by {name}{cause} while running {what}", hidden)
        return WorkerDied(f"the process exited with status {status} while running {what}", hidden)

    def take_output(self) -> str:
        """What the worker printed since the last look, capped at OUTPUT_CAP_BYTES."""
        if self._output_fd is None:
            leftover, self._leftover = self._leftover, ""
            return leftover
        try:
            size = os.fstat(self._output_fd).st_size
            start = min(self._output_offset, size)
            data = os.pread(self._output_fd, min(size - start, OUTPUT_CAP_BYTES + 1), start)
        except OSError:
            return ""
        self._output_offset = size
        text = data[:OUTPUT_CAP_BYTES].decode("utf-8", "replace")
        return text + ("\n… [output truncated]" if size - start > OUTPUT_CAP_BYTES else "")


class BudgetExhausted(WorkerTimeout):
    """The submission's wall-clock budget is used up: the rest of its tests are not graded."""

    def __init__(self, budget: float, what: str | None = None) -> None:
        if what is None:
            message = f"not graded: the time budget for this submission ({budget:g} s) is used up"
        else:
            message = f"{what} was stopped: the time budget for this submission ({budget:g} s) ran out"
        super().__init__(message)


def _problem(snippet: dict, kind: str, message: str) -> dict:
    """A load problem built from the trusted snippet; only the error text comes from the worker."""
    return {"cell": snippet.get("cell"), "line": snippet.get("line"), "kind": snippet.get("kind"),
            "names": [str(name) for name in snippet.get("names", [])],
            "error": {"type": kind, "message": message, "where": []}}  # fmt: skip


@cache
def _own_namespace(kind: str) -> str:
    return os.readlink(f"/proc/self/ns/{kind}")


def kill_processes_of(uid: int) -> None:
    """SIGKILL every live process owned by ``uid`` (orphans that escaped the process group), until none is left."""
    for _ in range(5):
        killed = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid and _alive(entry):
                    os.kill(int(entry.name), signal.SIGKILL)
                    killed = True
        if not killed:
            return
        time.sleep(0.005)  # a fork in flight shows up on the next pass


def _alive(entry: Path) -> bool:
    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


@cache
def world_writable_folders() -> tuple[Path, ...]:
    """Every folder any uid may write into, found once per process: /tmp and its kind, /run/lock, /dev/mqueue, …

    Walks the filesystem three levels deep (not /proc or /sys) for folders writable by others; a worker's
    uid can leave files in exactly these.
    """
    found = {path for path in WORLD_WRITABLE if path.is_dir()}
    level = [Path("/")]
    for _ in range(3):
        deeper = []
        for folder in level:
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    path = Path(entry.path)
                    if path in (Path("/proc"), Path("/sys")) or not entry.is_dir(follow_symlinks=False):
                        continue
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mode & stat.S_IWOTH:
                            found.add(path)
                    deeper.append(path)
        level = deeper
    return tuple(sorted(found))


def remove_files_of(uid: int) -> None:
    """Remove what ``uid`` left in every world-writable folder (/tmp, /var/tmp, /dev/shm, /run/lock, …)."""
    for folder in world_writable_folders():
        with contextlib.suppress(OSError):
            for entry in folder.iterdir():
                with contextlib.suppress(OSError):
                    if entry.lstat().st_uid != uid:
                        continue
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
