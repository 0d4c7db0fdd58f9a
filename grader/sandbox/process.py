"""One sandboxed worker process: started with its limits, confined, talked to over two pipes, stopped.

The only module that starts processes. Every protection is applied from outside the worker where
the kernel allows it (rlimits, a new session, a dropped uid, namespaces, a memory cgroup) and the
worker reports what the kernel says is in force before it receives any student code; if that is
less than the grader claims, the worker is refused (fail closed) and the test is an internal error.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader.sandbox import bwrap, memory, pool, standing, uids
from grader.sandbox.limits import Limits
from grader.sandbox.paths import KIT_ROOT, SYSTEM_READABLE, default_hidden
from grader.sandbox.probe import Isolation, memory_plan
from grader.sandbox.runtime import Runtime
from grader.untrusted import library, protocol, restrict
from grader.untrusted.standing import differences

OUTPUT_CAP_BYTES = 64 * 1024
SCRATCH_PREFIX = "grader-worker-"
SANDBOX_NPROC = 16  # processes a dropped uid may have inside bubblewrap (bwrap itself needs two)
MAX_SKIPPED_DEFINITIONS = 4  # definitions that end or hang the worker, skipped before giving up
_PR_SET_DUMPABLE = 4


_grader_hardened = False


class WorkerFailure(Exception):
    """A call did not produce a reply: the worker hung, died or sent garbage.

    ``str(error)`` is for public tests; :meth:`message_for` gives hidden tests a
    text without anything the student's code chose (an exit status, a parse error).
    """

    kind = "error"
    internal = False
    hint = None  # a Text a test or the plugin attaches: the usual cause (grader.pipeline.plugin.timeout_hint)

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


class ReplyOverBound(WorkerFailure):
    """The worker's answer was well framed but asked for more than decoding may build: that test fails.

    ``reason`` is closed ("protocol"); the message names the bound, never a count the worker chose.
    """

    reason = "protocol"


class IsolationFailure(WorkerFailure):
    """A layer the grader claims is not in force in a worker: no student code was sent to it."""

    internal = True

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"internal error in the grader, not your fault; tell your instructor: {problem}; "
            "no student code ran in that worker"
        )


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


def _harden_grader() -> None:
    """Make this (trusted) process's memory and environment unreadable to same-user workers."""
    global _grader_hardened
    if not _grader_hardened:
        restrict.prctl(_PR_SET_DUMPABLE, 0)  # /proc/<grader>/mem and environ: same-uid access needs ptrace rights
        standing.pin()  # this process's own limits and priority, before any worker could have touched them
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

    def __init__(
        self,
        limits: Limits,
        isolation: Isolation,
        hidden: list[Path],
        run: RunState | None = None,
        course_code: Path | None = None,
    ) -> None:
        self.limits = limits
        self.course_files = library.read_sources(course_code) if course_code is not None else {}
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
        self._standing: dict = {}  # the limits, priority and CPU mask this worker was started with

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
        self.scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix()))
        self.uid = self._allocate_uid() if self.isolation.uid_drop else None
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        output_path = self.scratch / ".output"
        output = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        if self.uid is not None:
            os.fchown(output, self.uid, self.uid)
        # Read through our own descriptor: the worker may replace the path with a symlink or a FIFO.
        self._output_fd = os.open(output_path, os.O_RDONLY)
        self._output_offset = 0
        try:
            self._cgroup_join = self.run.cgroup.join_file() if self.run.cgroup is not None else None
        except OSError as error:
            raise IsolationFailure(f"the submission's memory cgroup could not be made ({error})") from None
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        os.set_blocking(self._request_write, False)
        try:
            if self.isolation.fork_server:
                self.process = self._fork(request_read, response_write, output)
            else:
                self.process = self._exec(request_read, response_write, output)
        finally:
            for fd in (output, request_read, response_write):
                os.close(fd)
        self._ready = False

    def _exec(self, request_read: int, response_write: int, output: int) -> subprocess.Popen:
        """A new interpreter, restricted between fork and exec (under bubblewrap when it is in use)."""
        restrictions = self._restrictions()
        try:
            return subprocess.Popen(
                self._command(request_read, response_write),
                cwd=self.scratch,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                pass_fds=(request_read, response_write),
                start_new_session=True,
                preexec_fn=lambda: restrict.apply(restrictions),
            )
        except (OSError, subprocess.SubprocessError) as error:  # e.g. a limit or the uid drop failed in preexec
            self.stop()
            raise IsolationFailure(f"the worker could not be started with its limits ({error})") from None

    def _fork(self, request_read: int, response_write: int, output: int) -> pool.ForkedProcess:
        """A fork of this process's warm server, restricted in the child exactly as :meth:`_exec` does."""
        descriptors = (request_read, response_write, output)
        try:
            try:
                return self._fork_from_server(descriptors)
            except pool.ForkServerTampered:  # that server stopped; a fresh one, started now, forks this worker
                return self._fork_from_server(descriptors)
        except pool.ForkServerFailure as error:
            self.stop()
            raise IsolationFailure(str(error)) from None

    def _fork_from_server(self, descriptors: tuple[int, int, int]) -> pool.ForkedProcess:
        server = pool.server_for(self.isolation.runtime, server_environment(self.isolation.runtime))
        return server.fork(
            self._restrictions(),
            self._environment(),
            str(self.scratch),
            self._worker_arguments(),
            descriptors,
            self.limits.load_seconds,
        )

    def _restrictions(self) -> restrict.Restrictions:
        """What the kernel enforces in the worker from its first instruction on."""
        self._standing = standing.for_worker(self.limits, self._expected_nproc())
        return restrict.Restrictions(
            **self._standing,
            uid=self.uid,
            cgroup_join=self._cgroup_join,
            unshare_ipc=os.geteuid() == 0 and not self.isolation.namespaces,  # bubblewrap gives one
        )

    def _allocate_uid(self) -> int:
        try:
            return uids.POOL.allocate()
        except uids.UidsExhausted as error:
            raise IsolationFailure(str(error)) from None

    def _command(self, request_read: int, response_write: int) -> list[str]:
        worker = self.isolation.runtime
        command = [str(worker.executable), "-I", str(worker.script)]
        command += ["--request-fd", str(request_read), "--response-fd", str(response_write)]
        command += self._worker_arguments()
        if self.isolation.namespaces:
            flags = bwrap.flags(
                self.scratch,
                self.hidden,
                self.isolation.private_filesystem,
                self.limits.scratch_bytes,
                self.isolation.runtime,
            )
            command = [shutil.which("bwrap") or "bwrap", *flags, *command]
        return command

    def _worker_arguments(self) -> list[str]:
        """The worker's options after its two descriptors: the layers it puts on itself."""
        arguments = [
            "--seccomp",
            "on" if self.isolation.seccomp else "off",
            "--audit",
            "on" if self.isolation.audit_hook else "off",
        ]
        if self.isolation.landlock:
            arguments += ["--landlock", "on", f"--probe-denied={KIT_ROOT}"]
            arguments += [f"--read={path}" for path in [*self.isolation.runtime.code, *SYSTEM_READABLE]]
        arguments += [f"--deny={path}" for path in dict.fromkeys([*self.hidden, *default_hidden()])]
        return arguments

    def _environment(self) -> dict[str, str]:
        return worker_environment(self.isolation.runtime, str(self.scratch))

    def _expected_nproc(self) -> int | None:
        if self.uid is None:
            return None  # the limit would count every process of the grader's own user
        return SANDBOX_NPROC if self.isolation.namespaces else 0

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
            uids.POOL.release(self.uid)
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
                reason = (
                    f"defining it in cell {snippet.get('cell')} ended or hung the worker process, so it "
                    "was skipped (see the notebook problems)"
                )
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
                    problems[sent[item[0]]] = _problem(
                        snippets[sent[item[0]]],
                        str(error.get("type", "Exception"))[:100],
                        str(error.get("message", ""))[:500],
                    )
        request = {
            "op": "finish",
            "skipped": sorted(skipped.items()),
            "substitute_source": substitute_source,
            "substitute_names": substitute_names,
        }
        reply = self._exchange(request, max(deadline - time.monotonic(), 1.0), "loading your definitions")
        names = reply.get("names")
        return {
            "problems": [problems[p] for p in sorted(problems)],
            "names": [str(n) for n in names] if type(names) is list else [],
        }

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
        if self.course_files:
            self._send_course()

    def _send_course(self) -> None:
        """The course's test functions and procedures, as source texts: a worker reads no course file."""
        deadline = time.monotonic() + self.limits.load_seconds
        try:
            self._send(protocol.frame({"op": "course", "files": self.course_files}), deadline, "loading the course")
            reply = self._decode(self._read_body(deadline, "loading the course"), "loading the course")
        except WorkerFailure as failure:
            self.stop()
            raise IsolationFailure(f"the course library could not be sent ({failure})") from None
        if reply.get("course") != "loaded":
            self.stop()
            raise IsolationFailure(str(reply.get("internal", "the course library did not load"))[:500])

    def _unconfined(self, facts: object) -> list[str]:
        """What the worker's kernel-reported state lacks, compared with what this grader claims."""
        if type(facts) is not dict:
            return ["a report of its confinement"]
        problems = []
        if self.isolation.seccomp and facts.get("seccomp") != "2":
            problems.append(f"seccomp (Seccomp: {facts.get('seccomp')})")
        if facts.get("no_new_privs") != "1":
            problems.append("no_new_privs")
        capabilities = facts.get("capabilities")
        if type(capabilities) is not str or capabilities.strip("0") != "":
            problems.append(f"dropping every capability (CapEff {capabilities})")
        identity = (facts.get("uid"), facts.get("gid"), facts.get("groups"))
        if self.uid is not None and identity != (self.uid, self.uid, []):
            problems.append(
                f"the uid drop (uid {facts.get('uid')}, gid {facts.get('gid')}, groups {facts.get('groups')})"
            )
        if os.geteuid() == 0 and not self.isolation.namespaces and facts.get("ipc_ns") in ("", _own_namespace("ipc")):
            problems.append("its own IPC namespace")
        if self.isolation.namespaces:
            for kind in ("net", "pid", "mnt"):
                if facts.get(f"{kind}_ns") in ("", _own_namespace(kind)):
                    problems.append(f"its own {kind} namespace")
        # every limit, the priority and the CPU mask exactly as set: anything else came from outside the worker
        problems += differences(self._standing, facts.get("standing"))
        landlock_facts = facts.get("landlock") if type(facts.get("landlock")) is dict else {}
        if self.isolation.landlock and landlock_facts.get("enforced") is not True:
            problems.append(
                f"Landlock (ABI {landlock_facts.get('abi')}, refusing a path outside its view: "
                f"{landlock_facts.get('enforced')})"
            )
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

    def _read_body(self, deadline: float, what: str) -> bytearray:
        """The next message's body; bytes after it stay in ``_pending`` for the next read.

        The body is read into one buffer of its announced size: a 64 MiB reply costs 64 MiB,
        not the several copies a growing buffer and its slices would make.
        """
        length = bytearray(8)
        self._fill(memoryview(length), deadline, what)
        size = int.from_bytes(length, "big")
        if 8 + size > protocol.MAX_MESSAGE_BYTES:
            self.stop()
            raise WorkerFailure(
                f"the answer while running {what} is too large (over {protocol.MAX_MESSAGE_BYTES // 2**20} MiB)"
            )
        body = bytearray(size)
        self._fill(memoryview(body), deadline, what)
        return body

    def _fill(self, target: memoryview, deadline: float, what: str) -> None:
        """Fill ``target`` from what is pending, then from the channel, without blocking past the deadline."""
        filled = min(len(self._pending), len(target))
        target[:filled] = self._pending[:filled]
        del self._pending[:filled]
        with selectors.DefaultSelector() as selector:
            selector.register(self._response_read, selectors.EVENT_READ)
            while filled < len(target):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise WorkerTimeout(f"{what} ran out of time")
                count = os.readv(self._response_read, [target[filled : filled + (1 << 20)]])
                if not count:
                    raise self._died(what)
                filled += count

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

    def _decode(self, body: bytes | bytearray, what: str) -> dict:
        """The reply in ``body`` (which is emptied: a failure's traceback holds its frames, and so the body)."""
        problem = None
        try:
            reply = protocol.decode(body)  # bounded in objects and time (grader.untrusted.bounds)
        except protocol.ProtocolError as error:
            problem = (type(error), str(error))  # raised below, outside this block: no context holds the message
        finally:
            if type(body) is bytearray:
                body.clear()
        if problem is not None:
            self.stop()
            kind, text = problem
            if kind is protocol.MessageOverBound:
                raise ReplyOverBound(
                    f"the answer while running {what} is over a bound of the grader: {text}; return a smaller value"
                )
            raise WorkerFailure(
                f"unreadable answer while running {what}: {text}", f"unreadable answer while running {what}"
            )
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
            cause = {
                "SIGKILL": " (CPU time or memory limit)",
                "SIGXFSZ": " (file size limit)",
                "SIGSEGV": " (crash)",
            }.get(name, "")
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


def scratch_prefix() -> str:
    """How this grading process's workers' scratch folders begin: its pid and a token (a pid is reused)."""
    pid = os.getpid()
    if pid not in _scratch_tokens:
        _scratch_tokens[pid] = secrets.token_hex(4)
    return f"{SCRATCH_PREFIX}{pid}-{_scratch_tokens[pid]}-"


_scratch_tokens: dict[int, str] = {}


def remove_scratch(prefix: str) -> int:
    """Remove the scratch folders named ``prefix``... that a dead grading process left (it never stopped its
    workers); how many."""
    if not prefix.startswith(SCRATCH_PREFIX) or "/" in prefix or prefix == SCRATCH_PREFIX:
        return 0
    found = list(Path(tempfile.gettempdir()).glob(prefix + "*"))
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return len(found)


def worker_environment(runtime: Runtime, scratch: str) -> dict[str, str]:
    """The only variables a worker has: fixed ones, and its scratch folder as home and for temporary files."""
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
        **runtime.environment,
    }


def server_environment(runtime: Runtime) -> dict[str, str]:
    """The fork server's: a worker's, naming no scratch folder (each child sets its own)."""
    return worker_environment(runtime, "/nonexistent")


def warm_up(isolation: Isolation) -> None:
    """Start this process's fork server now, so its imports overlap with reading and collecting."""
    if isolation.fork_server:
        with contextlib.suppress(pool.ForkServerFailure):  # the first worker then says what went wrong
            pool.server_for(isolation.runtime, server_environment(isolation.runtime))


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
    return {
        "cell": snippet.get("cell"),
        "line": snippet.get("line"),
        "kind": snippet.get("kind"),
        "names": [str(name) for name in snippet.get("names", [])],
        "error": {"type": kind, "message": message, "where": []},
    }


@cache
def _own_namespace(kind: str) -> str:
    return os.readlink(f"/proc/self/ns/{kind}")
