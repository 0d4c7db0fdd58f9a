"""Starts, limits, talks to and stops worker processes; the only module that knows about processes.

Every protection is applied from outside the worker where the kernel allows it
(rlimits, a new session, a dropped uid, namespaces through bubblewrap) and is
detected at run time: what is missing is listed in :class:`Isolation` and shown
in every report, never skipped silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from grader import confine, protocol

WORKER_SCRIPT = Path(__file__).resolve().parent / "worker.py"
KIT_ROOT = WORKER_SCRIPT.parent.parent
OUTPUT_CAP_BYTES = 64 * 1024
UID_BASE = 200_000
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker process."""

    call_seconds: float = 10.0  # wall clock for one call
    load_seconds: float = 20.0  # wall clock to start and load the definitions
    cpu_seconds: int = 60  # CPU time over the worker's whole life (soft = hard)
    memory_bytes: int = 2 * 1024**3  # address space
    file_bytes: int = 16 * 1024**2  # largest file the worker may write
    open_files: int = 64


@dataclass(frozen=True)
class Isolation:
    """Which protection layers this machine gives workers, and why any is missing."""

    seccomp: bool
    uid_drop: bool
    namespaces: bool
    audit_hook: bool = True
    missing: dict[str, str] = field(default_factory=dict)

    def layers(self) -> list[str]:
        """Names of the active layers, for reports."""
        active = ["process", "rlimits", "scrubbed-env"]
        active += [
            name
            for name, on in (
                ("seccomp", self.seccomp),
                ("uid-drop", self.uid_drop),
                ("namespaces", self.namespaces),
                ("audit-hook", self.audit_hook),
            )
            if on
        ]
        return active  # fmt: skip


@cache
def detect_isolation() -> Isolation:
    """Probe once per process which kernel layers work here."""
    missing: dict[str, str] = {}
    seccomp_problem = confine.seccomp_available()
    if seccomp_problem:
        missing["seccomp"] = f"{seccomp_problem} (pip install pyseccomp; apt-get install libseccomp2)"
    root = os.geteuid() == 0
    unreachable = _first_unreachable([Path(os.path.realpath(sys.executable)), Path(np.__file__), WORKER_SCRIPT])
    if not root:
        missing["uid-drop"] = "the grader is not running as root, so workers keep your user id"
    elif unreachable:
        missing["uid-drop"] = f"an unprivileged user cannot reach {unreachable} (e.g. chmod o+x on its folders)"
    root = root and not unreachable
    namespaces = _bwrap_works()
    if not namespaces:
        missing["namespaces"] = "bubblewrap is not installed or cannot create namespaces (apt-get install bubblewrap)"
    return Isolation(seccomp=not seccomp_problem, uid_drop=root, namespaces=namespaces, missing=missing)


def _first_unreachable(paths: list[Path]) -> Path | None:
    """The first folder or file on these paths that other users cannot traverse or read."""
    for path in paths:
        for folder in reversed(path.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
        if not path.stat().st_mode & stat.S_IROTH:
            return path
    return None


def _bwrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, *_bwrap_flags(Path("/tmp"), []), "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10, preexec_fn=_probe_identity).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _probe_identity() -> None:
    if os.geteuid() == 0:
        _drop_privileges(UID_BASE - 1)


def _bwrap_flags(scratch: Path, hidden: list[Path]) -> list[str]:
    flags = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    # The kit and Python may themselves live under /tmp (a CI clone): bind them back over the tmpfs.
    for keep in sorted({KIT_ROOT, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}):
        if keep.is_relative_to("/tmp"):
            flags += ["--ro-bind", str(keep), str(keep)]
    flags += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    for path in hidden:
        if path.is_dir():
            flags += ["--tmpfs", str(path)]
    flags += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]
    return flags


class WorkerFailure(Exception):
    """A call did not produce a reply: the worker hung, died or sent garbage."""

    kind = "error"


class WorkerTimeout(WorkerFailure):
    """The call ran past its wall-clock limit."""

    kind = "timeout"


class WorkerDied(WorkerFailure):
    """The worker process ended while it was answering."""


_uid_counter = 0


def _next_uid() -> int:
    """A uid no concurrent worker uses: distinct per process id and per worker in it."""
    global _uid_counter
    _uid_counter += 1
    return UID_BASE + (os.getpid() % 100_000) * 16 + _uid_counter % 16


def _drop_privileges(uid: int) -> None:
    os.setgroups([])  # first: a naive drop keeps root's supplementary groups
    os.setgid(uid)
    os.setuid(uid)


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


class Worker:
    """One sandboxed worker process serving calls for one unit."""

    def __init__(self, limits: Limits, isolation: Isolation, hidden: list[Path]) -> None:
        self.limits = limits
        self.isolation = isolation
        self.hidden = hidden
        self.process: subprocess.Popen | None = None
        self.scratch: Path | None = None
        self.uid: int | None = None
        self._seq = 0
        self._output_offset = 0

    def start(self) -> None:
        """Start the worker process in a fresh scratch folder."""
        self.scratch = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        self.uid = _next_uid() if self.isolation.uid_drop else None
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        output = open(self.scratch / ".output", "wb")  # noqa: SIM115  handed to the child
        command = [
            sys.executable,
            "-I",
            str(WORKER_SCRIPT),
            "--request-fd",
            str(request_read),
            "--response-fd",
            str(response_write),
            "--seccomp",
            "on" if self.isolation.seccomp else "off",
        ]
        command += [f"--deny={path}" for path in self.hidden]
        if self.isolation.namespaces:
            command = [shutil.which("bwrap") or "bwrap", *_bwrap_flags(self.scratch, self.hidden), *command]  # fmt: skip
        try:
            self.process = subprocess.Popen(
                command, cwd=self.scratch, env=self._environment(), stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, pass_fds=(request_read, response_write), start_new_session=True,
                preexec_fn=self._limit_child,
            )  # fmt: skip
        finally:
            output.close()
            os.close(request_read)
            os.close(response_write)

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
        }

    def _limit_child(self) -> None:
        """Runs in the child between fork and exec: limits the kernel enforces from now on."""
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if self.uid is not None:
            _drop_privileges(self.uid)
            if not self.isolation.namespaces:  # bubblewrap needs to fork; it has its own PID namespace
                resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)

    def load(self, snippets: list[dict], substitute_source: str, substitute_names: list[str]) -> dict:
        """Send the student's definitions and the trusted substitutes; returns the load report."""
        request = {"op": "load", "snippets": snippets, "substitute_source": substitute_source,
                   "substitute_names": substitute_names}  # fmt: skip
        return self._exchange(request, self.limits.load_seconds, "loading your definitions")

    def call(self, call_data: dict, what: str, seconds: float | None = None) -> dict:
        """Run one call within ``seconds`` (default ``limits.call_seconds``); returns the worker's raw reply."""
        self._seq += 1
        seconds = seconds or self.limits.call_seconds
        reply = self._exchange({"op": "call", "seq": self._seq, "call": call_data}, seconds, what)
        if type(reply) is not dict or reply.get("seq") != self._seq:
            self.stop()
            raise WorkerFailure(f"the worker sent an answer that does not belong to this call while running {what}")
        return reply

    def _exchange(self, request: dict, seconds: float, what: str) -> dict:
        if self.process is None:
            self.start()
        try:
            protocol.write_message(self._request_write, request)
        except OSError:
            raise self._died(what) from None
        body = self._read_reply(time.monotonic() + seconds, seconds, what)
        try:
            reply = protocol.decode(body)
        except protocol.ProtocolError as error:
            self.stop()
            raise WorkerFailure(f"unreadable answer while running {what}: {error}") from None
        if type(reply) is not dict:
            self.stop()
            raise WorkerFailure(f"unreadable answer while running {what}")
        return reply

    def _read_reply(self, deadline: float, seconds: float, what: str) -> bytes:
        buffer = bytearray()
        needed: int | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(self._response_read, selectors.EVENT_READ)
            while needed is None or len(buffer) < needed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise WorkerTimeout(f"{what} ran past {seconds:g} s")
                chunk = os.read(self._response_read, 1 << 20)
                if not chunk:
                    raise self._died(what)
                buffer += chunk
                if needed is None and len(buffer) >= 8:
                    needed = 8 + int.from_bytes(buffer[:8], "big")
                    if needed > protocol.MAX_MESSAGE_BYTES:
                        self.stop()
                        raise WorkerFailure(f"the answer while running {what} is too large")
        return bytes(buffer[8:needed])

    def _died(self, what: str) -> WorkerDied:
        status = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self.process.wait(timeout=2)
        self.stop()
        if status is None:
            return WorkerDied(f"the process stopped answering while running {what}")
        if status < 0:
            name = signal.Signals(-status).name
            cause = {"SIGKILL": " (CPU time or memory limit)", "SIGXFSZ": " (file size limit)",
                     "SIGSEGV": " (crash)"}.get(name, "")  # fmt: skip
            return WorkerDied(f"the process was killed by {name}{cause} while running {what}")
        return WorkerDied(f"the process exited with status {status} while running {what}")

    def take_output(self) -> str:
        """What the worker printed since the last look, capped at OUTPUT_CAP_BYTES."""
        if self.scratch is None:
            return ""
        try:
            with open(self.scratch / ".output", "rb") as stream:
                stream.seek(self._output_offset)
                data = stream.read(OUTPUT_CAP_BYTES + 1)
                self._output_offset = stream.seek(0, os.SEEK_END)
        except OSError:
            return ""
        text = data[:OUTPUT_CAP_BYTES].decode("utf-8", "replace")
        return text + ("\n… [output truncated]" if len(data) > OUTPUT_CAP_BYTES else "")

    def stop(self) -> None:
        """Kill the worker's whole process group (and its uid's processes) and remove its scratch folder."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            for fd in (self._request_write, self._response_read):
                with contextlib.suppress(OSError):
                    os.close(fd)
        if self.uid is not None:
            kill_processes_of(self.uid)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        self._output_offset = 0


def kill_processes_of(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (orphans that escaped the process group)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
