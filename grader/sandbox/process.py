"""One sandboxed worker's life cycle: started with its limits, checked, asked, waited for, killed and reaped.

The only module that starts worker processes. Every protection is applied from outside the worker where
the kernel allows it (rlimits, a new session, a dropped uid, namespaces, a memory cgroup) and the
worker reports what the kernel says is in force before it receives any student code; if that is
less than the grader claims (:mod:`grader.sandbox.attestation`), the worker is refused (fail closed) and
the test is an internal error. The rest of a worker's work is done elsewhere, each by one module:

- :mod:`grader.sandbox.channel`: the two pipes (send, read, decode), each step with a deadline;
- :mod:`grader.sandbox.attestation`: what the worker's report lacks, a pure function;
- :mod:`grader.sandbox.loader`: loading a notebook's definitions, skipping any that ends the worker;
- :mod:`grader.sandbox.failures`: how a call failed, as a reason with its facts and its texts;
- :mod:`grader.sandbox.cpu_clock`: how much later a starved call's deadline may be.

At about 490 lines this module is over the kit's 400: what is left is one class, the life cycle, whose methods
share its state (a worker forked in its submission's shared sandbox, :mod:`grader.sandbox.sandboxed`, added the
choice of where it starts and what happens when that sandbox ends); splitting it further would pass that state
around instead.

A failure on the channel stops the worker here (its process group is killed and reaped) before it is
raised; the next request starts a fresh one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from grader.sandbox import attestation, cpu_clock, launch, loader, pool, sandboxed, standing, uids
from grader.sandbox.channel import Channel, ChannelEnded, Stretch, decode
from grader.sandbox.failures import (
    LOADING_COURSE,
    STARTING,
    BudgetExhausted,
    IsolationFailure,
    ReplyOverBound,
    SandboxEnded,
    What,
    Wording,
    WorkerDied,
    WorkerFailure,
    WorkerTimeout,
)
from grader.sandbox.limits import Limits
from grader.sandbox.loader import snippet_key
from grader.sandbox.probe import Isolation
from grader.sandbox.run import RunState, harden_grader
from grader.sandbox.scratch import (
    OUTPUT_CAP_BYTES,
    OutputFile,
    remove_scratch,
    scratch_prefix,
    server_environment,
    worker_environment,
)
from grader.untrusted import library, protocol, restrict
from grader.untrusted.standing import Standing

# Kept importable from here for the code that imported them before the split (grader.classroom.batch, tests).
__all__ = [
    "OUTPUT_CAP_BYTES",
    "BudgetExhausted",
    "IsolationFailure",
    "ReplyOverBound",
    "RunState",
    "Worker",
    "WorkerDied",
    "WorkerFailure",
    "WorkerTimeout",
    "remove_scratch",
    "scratch_prefix",
    "server_environment",
    "snippet_key",
    "warm_up",
]

BWRAP_SIGNAL_BASE = 128  # bubblewrap reports a child killed by signal N as exit status 128 + N


class WorkerProcess(Protocol):
    """What is used of a worker's process: an exec'd ``subprocess.Popen`` or a forked ``pool.ForkedProcess``."""

    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float | None = None) -> int: ...


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
        self.process: WorkerProcess | None = None
        self.scratch: Path | None = None
        self.uid: int | None = None
        self.channel: Channel | None = None
        self._seq = 0
        self._ready = False
        self._clock: cpu_clock.CpuClock | None = None  # the running worker's CPU clock, made at its first call
        self._clock_pid: int | None = None
        self.output: OutputFile | None = None
        self._first_problems: list[Any] | None = None
        self._leftover = ""
        self._start_failure: IsolationFailure | None = None
        self._cgroup_join: str | None = None
        self._standing: Standing | None = None  # the limits, priority and CPU mask this worker was started with
        # May this worker be forked in one of its submission's sandboxes (under bubblewrap)? In which: one that
        # holds reference code of other units never joins the students' (grader.pipeline.workers.WorkerPool decides).
        self.shares_sandbox = False
        self.holds_reference = False
        self._owns_uid = True  # False in a submission's sandbox, whose uid is that sandbox's
        self._folder: str | None = None  # its folder in that sandbox
        self._sandbox: sandboxed.SubmissionSandbox | None = None  # the submission's sandbox it was forked in, if any

    @property
    def skipped(self) -> dict[str, str]:
        """Definitions known to end or hang a worker of this run (snippet key -> why)."""
        return self.run.skipped

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker process in a fresh scratch folder."""
        harden_grader()
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

    def prepare(self) -> None:
        """Start the submission's sandbox this worker will be forked in, if any, without waiting for its server.

        A server imports numpy before it forks anything; the first fork waits for that. Prepared together, the
        two sandboxes' servers of a submission start side by side instead of one after the other.
        """
        self.run.begin(self.limits.submission_seconds, self.limits, self.isolation)
        if self.run.remaining() > 0:
            self._shared_sandbox()

    def _spawn(self) -> None:
        sandbox = self._shared_sandbox()
        self._folder = sandbox.take_folder() if sandbox is not None else None
        if self._folder is None:
            sandbox = None  # every folder of the sandbox is in use: this worker is exec'd
        try:
            self._spawn_in(sandbox)
        except IsolationFailure:
            if sandbox is None or not sandbox.broken:
                raise
            self.run.sandbox_unavailable = True  # said in the report: its workers were not all forked
            self.stop()  # the sandbox's server died (not the student's doing): this worker is exec'd instead
            self._folder = None
            self._spawn_in(None)

    def _shared_sandbox(self) -> sandboxed.SubmissionSandbox | None:
        """The submission's sandbox to fork this worker in, or None to exec it (or fork it beside the grader)."""
        if not (self.shares_sandbox and self.isolation.fork_server and self.isolation.namespaces):
            return None
        return self.run.sandbox(self.isolation, self.limits, self.hidden, holding_reference=self.holds_reference)

    def _spawn_in(self, sandbox: sandboxed.SubmissionSandbox | None) -> None:
        scratch = self.scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix()))  # in a sandbox: its output only
        self._owns_uid = sandbox is None
        self._sandbox = sandbox
        if sandbox is not None:
            self.uid = sandbox.uid
        else:
            self.uid = self._allocate_uid() if self.isolation.uid_drop else None
        if self.uid is not None:
            os.chown(scratch, self.uid, self.uid)
        output = self.output = OutputFile(scratch, self.uid)
        try:
            self._cgroup_join = self.run.cgroup.join_file() if self.run.cgroup is not None else None
        except OSError as error:
            raise IsolationFailure(
                f"the submission's memory cgroup could not be made ({error})",
                problem_ko=f"제출물의 메모리 cgroup을 만들 수 없었습니다({error})",
            ) from None
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        os.set_blocking(request_write, False)
        self.channel = Channel(request_write, response_read)
        descriptors = (request_read, response_write, output.write_fd)
        try:
            if sandbox is not None:
                self.process = self._fork_in(sandbox, descriptors)
            elif self.isolation.fork_server and not self.isolation.namespaces:
                self.process = self._fork(scratch, descriptors)
            else:
                self.process = self._exec(scratch, descriptors)
        finally:
            output.handed_over()
            for fd in (request_read, response_write):
                os.close(fd)
        self._ready = False

    def _exec(self, scratch: Path, descriptors: tuple[int, int, int]) -> subprocess.Popen[bytes]:
        """A new interpreter, restricted between fork and exec (under bubblewrap when it is in use)."""
        restricted, arguments = self._restrictions(), self._worker_arguments()
        line = launch.command(self.isolation, self.limits, self.hidden, scratch, descriptors[:2], arguments)
        return launch.exec_worker(line, scratch, self._environment(), descriptors, restricted)

    def _fork(self, scratch: Path, descriptors: tuple[int, int, int]) -> pool.ForkedProcess:
        """A fork of this process's warm server, restricted in the child exactly as :meth:`_exec` does."""
        restricted, arguments = self._restrictions(), self._worker_arguments()
        return launch.fork_worker(
            self.isolation, restricted, self._environment(), scratch, arguments, descriptors, self.limits.load_seconds
        )

    def _fork_in(self, sandbox: sandboxed.SubmissionSandbox, descriptors: tuple[int, int, int]) -> pool.ForkedProcess:
        """A fork of the submission's sandboxed server: already its uid and in its cgroup, restricted as the rest."""
        self._standing = standing.for_worker(self.limits, launch.expected_nproc(self.isolation, self.uid, shared=True))
        restricted = launch.restrictions(self.isolation, self._standing, None, None)
        folder = str(self._folder)
        environment = worker_environment(self.isolation.runtime, folder)
        arguments = self._worker_arguments()
        return sandbox.fork(restricted, environment, folder, arguments, descriptors, self.limits.load_seconds)

    def _restrictions(self) -> restrict.Restrictions:
        """What the kernel enforces in the worker from its first instruction on (and is checked against)."""
        self._standing = standing.for_worker(self.limits, launch.expected_nproc(self.isolation, self.uid))
        return launch.restrictions(self.isolation, self._standing, self.uid, self._cgroup_join)

    def _worker_arguments(self) -> list[str]:
        """The worker's options after its two descriptors: the layers it puts on itself."""
        return launch.worker_arguments(self.isolation, self.hidden)

    def _allocate_uid(self) -> int:
        try:
            return uids.POOL.allocate()
        except uids.UidsExhausted as error:
            raise IsolationFailure(str(error), problem_ko=f"워커에 줄 uid가 남지 않았습니다: {error}") from None

    def _environment(self) -> dict[str, str]:
        return worker_environment(self.isolation.runtime, str(self.scratch))

    def stop(self) -> None:
        """Kill the worker's whole process group (and its uid's processes and files) and remove its scratch folder."""
        process, self.process = self.process, None
        folder, self._folder = self._folder, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
                if folder is not None and self._sandbox is not None:
                    self._sandbox.give_back(folder)  # reaped, so emptied by its server
        channel, self.channel = self.channel, None
        if channel is not None:
            channel.close()
        if self.uid is not None and self._owns_uid:
            uids.POOL.release(self.uid)
        self.uid = None
        output, self.output = self.output, None
        if output is not None:
            self._leftover = output.take()  # what a dying worker printed last, for the test that killed it
            output.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        self._ready = False

    # -- requests --------------------------------------------------------------------------
    def load(
        self, snippets: list[loader.Snippet], substitute_source: str, substitute_names: list[str]
    ) -> dict[str, Any]:
        """Send the student's definitions one at a time, then the trusted substitutes; returns the load report.

        See :func:`grader.sandbox.loader.load`. Only the first load of a worker reports problems: a
        restarted worker could otherwise carry out, in an error message, what an earlier (hidden) call saw.
        """
        report = loader.load(self, self.limits.load_seconds, snippets, substitute_source, substitute_names)
        if self._first_problems is None:
            self._first_problems = report["problems"]
        return {"problems": list(self._first_problems), "names": report["names"]}

    def call(self, call_data: dict[str, Any], what: str, seconds: float | None = None) -> dict[str, object]:
        """Run one call within ``seconds`` (default ``limits.call_seconds``); returns the worker's raw reply."""
        self._seq += 1
        seconds = seconds or self.limits.call_seconds
        reply = self.exchange({"op": "call", "seq": self._seq, "call": call_data}, seconds, what)
        if reply.get("seq") != self._seq:
            self.stop()
            raise WorkerFailure(Wording.NOT_THIS_CALL, what=what)
        return reply

    def exchange(self, request: dict[str, object], seconds: float, what: What) -> dict[str, object]:
        """Send ``request`` (starting the worker if none runs) and return its reply, within ``seconds``."""
        remaining = self.run.remaining()
        if remaining <= 0:  # before starting anything: the rest of the run costs no more processes
            raise BudgetExhausted(self.run.budget)
        if self.process is None:
            self.start()
        if self._start_failure is not None:
            failure, self._start_failure = self._start_failure, None
            raise failure
        if not self._ready:
            self._await_ready_or_exec()
        if self._unsolicited(what):
            self.stop()
            raise WorkerFailure(Wording.UNASKED, what=what)
        remaining = self.run.remaining()
        started = time.monotonic()
        deadline = started + min(seconds, remaining)
        wall_end = started + min(seconds * cpu_clock.WALL_FACTOR, remaining)
        stretch = cpu_clock.stretcher(self._cpu_clock(), seconds, wall_end)
        try:
            self._send(protocol.frame(request), deadline, what)
            return self.next_reply(deadline, what, stretch)
        except WorkerTimeout as failure:
            if failure.wording is not Wording.RAN_OUT:
                raise
            if time.monotonic() - started >= remaining:
                raise BudgetExhausted(self.run.budget, what) from None
            raise WorkerTimeout(Wording.RAN_PAST, what=what, seconds=seconds) from None

    def _cpu_clock(self) -> cpu_clock.CpuClock | None:
        """The running worker's CPU clock (its tree of processes is found once per worker)."""
        if self.process is None:
            return None
        if self._clock is None or self._clock_pid != self.process.pid:
            self._clock, self._clock_pid = cpu_clock.CpuClock(self.process.pid), self.process.pid
        return self._clock

    def next_reply(self, deadline: float, what: What, stretch: Stretch | None = None) -> dict[str, object]:
        """The worker's next message, decoded; any failure stops the worker first."""
        body = self._read_body(deadline, what, stretch)
        with self._on_channel(what):
            return decode(body, what)

    def _await_ready_or_exec(self) -> None:
        """:meth:`_await_ready`; a worker whose shared sandbox ended before it was ready is exec'd instead."""
        try:
            self._await_ready()
        except IsolationFailure:
            if not self._lost_its_sandbox():
                raise
            self.start()  # the run's sandbox is unavailable now: exec'd, in a sandbox of its own
            if self.process is None and self._start_failure is None:
                raise BudgetExhausted(self.run.budget) from None
            if self._start_failure is not None:
                failure, self._start_failure = self._start_failure, None
                raise failure from None
            self._await_ready()

    def _lost_its_sandbox(self) -> bool:
        """True when this worker was forked in its submission's sandbox and that sandbox's server has ended.

        Not the student's doing (seccomp keeps workers from signalling it; the memory cgroup's OOM killer picks the
        largest process, a worker): the submission's later workers are exec'd, and the report says so.
        """
        if self._sandbox is None or self._sandbox.usable():
            return False
        self.run.sandbox_unavailable = True
        return True

    def _await_ready(self) -> None:
        """Read the worker's report of what is in force, and refuse it if that is less than claimed."""
        try:
            reply = self.next_reply(time.monotonic() + self.limits.load_seconds, STARTING)
        except WorkerFailure as failure:
            tail = self.take_output()[-600:].strip()
            self.stop()
            shown = f": {tail}" if tail else ""
            raise IsolationFailure(
                f"the worker did not start ({failure}){shown}",
                problem_ko=f"워커가 시작되지 않았습니다({failure.ko or failure}){shown}",
            ) from None
        found = attestation.missing(reply.get("ready"), self._claims())
        if found:
            self.stop()
            raise IsolationFailure(attestation.render(found, "en"), problem_ko=attestation.render(found, "ko"))
        self._ready = True
        if self.course_files:
            self._send_course()

    def _claims(self) -> attestation.Claims:
        """What this grader claims for this worker, and what it sees of it from outside."""
        own_ipc = os.geteuid() == 0 and not self.isolation.namespaces  # bubblewrap gives one otherwise
        kinds = (["ipc"] if own_ipc else []) + (list(attestation.NAMESPACE_KINDS) if self.isolation.namespaces else [])
        cgroup, process = self.run.cgroup, self.process
        return attestation.Claims(
            seccomp=self.isolation.seccomp,
            landlock=self.isolation.landlock,
            audit_hook=self.isolation.audit_hook,
            namespaces=self.isolation.namespaces,
            own_ipc_namespace=own_ipc,
            uid=self.uid,
            standing=self._standing or {},
            grader_namespaces={kind: _own_namespace(kind) for kind in kinds},  # read only where they are compared
            in_memory_cgroup=None if cgroup is None else process is not None and cgroup.holds(process.pid),
        )

    def _send_course(self) -> None:
        """The course's test functions and procedures, as source texts: a worker reads no course file."""
        deadline = time.monotonic() + self.limits.load_seconds
        try:
            self._send(protocol.frame({"op": "course", "files": self.course_files}), deadline, LOADING_COURSE)
            reply = self.next_reply(deadline, LOADING_COURSE)
        except WorkerFailure as failure:
            self.stop()
            raise IsolationFailure(
                f"the course library could not be sent ({failure})",
                problem_ko=f"과목 라이브러리를 보낼 수 없었습니다({failure.ko or failure})",
            ) from None
        if reply.get("course") != "loaded":
            self.stop()
            raise IsolationFailure(str(reply.get("internal", "the course library did not load"))[:500])

    # -- the channel: a failure on it stops the worker before it is raised -----------------
    @contextlib.contextmanager
    def _on_channel(self, what: What) -> Iterator[None]:
        try:
            yield
        except ChannelEnded:
            raise self._died(what) from None
        except WorkerFailure:
            self.stop()
            raise

    def _send(self, data: bytes, deadline: float, what: What) -> None:
        """Write a request without blocking past the deadline (:meth:`grader.sandbox.channel.Channel.send`)."""
        with self._on_channel(what):
            self._open_channel(what).send(data, deadline, what)

    def _read_body(self, deadline: float, what: What, stretch: Stretch | None = None) -> bytearray:
        """The next message's body (:meth:`grader.sandbox.channel.Channel.read_body`)."""
        with self._on_channel(what):
            return self._open_channel(what).read_body(deadline, what, stretch)

    def _unsolicited(self, what: What) -> bool:
        """True when the worker sent something before it was asked (:meth:`~.channel.Channel.unsolicited`)."""
        with self._on_channel(what):
            return self._open_channel(what).unsolicited()

    def _open_channel(self, what: What) -> Channel:
        if self.channel is None:  # stopped while a request was under way: as if it had ended
            raise ChannelEnded
        return self.channel

    def _died(self, what: What) -> WorkerDied:
        """How the worker ended, waited for and told by its signal or exit status; the worker is stopped."""
        status = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self.process.wait(timeout=2)
        self.stop()
        if self._lost_its_sandbox():  # killed with its sandbox, not by what it ran
            raise SandboxEnded(what)
        if status is None:
            return WorkerDied(Wording.STOPPED_ANSWERING, what=what, hidden=Wording.ENDED)
        if (
            self.isolation.namespaces
            and status > BWRAP_SIGNAL_BASE
            and status - BWRAP_SIGNAL_BASE in signal.valid_signals()
        ):
            status = -(status - BWRAP_SIGNAL_BASE)
        if status < 0:
            return WorkerDied(Wording.KILLED, what=what, signal_number=-status, hidden=Wording.ENDED)
        return WorkerDied(Wording.EXITED, what=what, exit_status=status, hidden=Wording.ENDED)

    def take_output(self) -> str:
        """What the worker printed since the last look, capped at OUTPUT_CAP_BYTES."""
        if self.output is None:
            leftover, self._leftover = self._leftover, ""
            return leftover
        return self.output.take()


def warm_up(isolation: Isolation) -> None:
    """Start this process's fork server now, so its imports overlap with reading and collecting."""
    if isolation.fork_server and not isolation.namespaces:  # under bubblewrap each submission has its own
        with contextlib.suppress(pool.ForkServerFailure):  # the first worker then says what went wrong
            pool.server_for(isolation.runtime, server_environment(isolation.runtime))


@cache
def _own_namespace(kind: str) -> str:
    return os.readlink(f"/proc/self/ns/{kind}")
