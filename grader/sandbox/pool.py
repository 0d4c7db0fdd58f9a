"""The warm worker pool: one fork server per grading process, so a worker starts warm in milliseconds.

Starting a worker by exec costs an interpreter, numpy and the worker's own imports every time
(about 0.25 s here, times five to ten workers per submission). The fork server
(:mod:`grader.untrusted.forkserver`) pays that once per grading process and forks each worker from
there; the child is restricted and confines itself exactly as an exec'd worker does, and the grader
checks what the kernel says is in force before it sends student code, as for every worker.

The server never receives student code, and every worker is a fresh fork: nothing one submission
does in its workers reaches the server or the next submission's workers. This module's own server
(:func:`server_for`) runs beside the grading process, so its workers have no bubblewrap namespaces;
under bubblewrap each submission gets a server of its own inside its own sandbox instead
(:mod:`grader.sandbox.sandboxed`, started through :class:`ServerStart`). :mod:`grader.sandbox.probe`
decides which (``GRADER_WORKER_POOL``) and says so in every report.

A forked worker answers the fork request itself; the kernel attaches its credentials to that answer
(``SO_PASSCRED``), so its pid is read in the grader's pid namespace even when the server is in another.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from grader.sandbox import standing
from grader.sandbox.runtime import Runtime
from grader.untrusted import restrict
from grader.untrusted import standing as observed

START_SECONDS = 30.0  # the server's own start: an interpreter and numpy, on a loaded machine
_PR_SET_PDEATHSIG = 1


class ForkServerFailure(Exception):
    """The fork server could not be started, or did not answer."""


class ForkServerTampered(ForkServerFailure):
    """The fork server's limits, priority or CPU mask changed since its start: it forks nothing more."""


_CREDENTIALS = struct.Struct("iII")  # struct ucred: pid, uid, gid


@dataclass(frozen=True)
class ServerStart:
    """How a server is started when it is not this module's plain one: inside a submission's sandbox."""

    prefix: list[str]  # the bubblewrap command line before the interpreter's
    cwd: str
    uid: int | None = None  # the submission's unprivileged uid, dropped to before bubblewrap starts (root only)
    cgroup_join: str | None = None  # the submission's memory cgroup, joined before anything else


def _start_server(chosen: observed.Standing, start: ServerStart | None = None) -> None:
    """Between fork and exec of the server: die with the grading process; take the chosen standing, not ours."""
    if start is not None and start.cgroup_join is not None:
        with open(start.cgroup_join, "w") as procs:
            procs.write("0")
    restrict.set_priority(chosen["nice"], chosen["scheduler"], chosen["cpus"])
    restrict.set_rlimits(chosen["rlimits"])
    if start is not None and start.uid is not None:
        restrict.drop_privileges(start.uid)
    restrict.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # after the drop, which clears it


class ForkServer:
    """One fork server process and its control socket; used by one grading process, one request at a time."""

    def __init__(self, runtime: Runtime, environment: dict[str, str], start: ServerStart | None = None) -> None:
        self.owner = os.getpid()
        self.sandboxed = start is not None  # in a pid namespace of its own: its pids are not ours
        self._log = tempfile.TemporaryFile(prefix="grader-forkserver-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # every answer carries its sender's pid
        self._control = ours
        script = runtime.script.with_name("forkserver.py")
        self.standing = standing.for_server()
        line = [str(runtime.executable), "-I", str(script), "--control-fd", str(theirs.fileno())]
        try:
            self.process = subprocess.Popen(
                [*start.prefix, *line] if start is not None else line,
                cwd=start.cwd if start is not None else "/",
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
                preexec_fn=lambda: _start_server(self.standing, start),
            )
        except (OSError, subprocess.SubprocessError) as error:
            ours.close()
            raise ForkServerFailure(f"the fork server could not be started ({error})") from None
        finally:
            theirs.close()
        self._started = False  # its imports overlap with the grader's own work until the first fork
        self.retired = False  # forks nothing more; stopped once its last worker has ended
        self.children: set[int] = set()

    def _await_start(self) -> None:
        if not self._started:
            ready, sender = self._receive(START_SECONDS, "starting")
            said = ready.get("ready")  # its pid where it lives: in a sandbox, not the pid we see (bubblewrap's)
            if type(said) is not int or sender is None or (not self.sandboxed and said != self.process.pid):
                raise ForkServerFailure(f"the fork server did not start: {self._tail()}")
            unlike = observed.differences(self.standing, ready.get("standing"))
            if unlike:
                self._fail("the fork server did not start with the limits it was given: " + "; ".join(unlike))
            self._started = True

    def fork(
        self,
        restrictions: restrict.Restrictions,
        environment: dict[str, str],
        cwd: str,
        arguments: list[str],
        fds: tuple[int, int, int],
        seconds: float,
        empty_cwd: bool = False,
    ) -> ForkedProcess:
        """A new worker: ``fds`` are its request reader, answer writer and output file; ``empty_cwd``: the server
        empties its folder once it is reaped (inside a sandbox, where the grader cannot reach it)."""
        self._await_start()
        request: dict[str, object] = {
            "op": "fork",
            "restrictions": restrictions.to_data(),
            "environment": environment,
            "cwd": cwd,
            "arguments": arguments,
            "empty_cwd": empty_cwd,
        }
        answer, sender = self._ask_from(request, seconds, "forking a worker", fds)
        if "tampered" in answer:  # retired, not stopped: the workers it forked would die with it
            self.retired = True
            self._close_when_idle()
            raise ForkServerTampered(f"the fork server's own standing changed: {answer['tampered']}")
        inner = answer.get("pid")  # the child's pid where it lives; ``sender``: the same process, in ours
        if type(inner) is not int or inner <= 0 or sender is None or sender <= 0:
            raise ForkServerFailure(f"the fork server could not fork a worker: {answer.get('error', answer)}")
        if not self.sandboxed and inner != sender:
            self._fail(f"a forked worker's pid {inner} is not the one its answer came from ({sender})")
        self.children.add(inner)
        return ForkedProcess(self, sender, inner)

    def wait(self, pid: int, seconds: float) -> int | None:
        """``pid``'s exit code once it ended (reaped then), or None if it still runs after ``seconds``."""
        answer = self._ask({"op": "wait", "pid": pid, "seconds": seconds}, seconds + START_SECONDS, "waiting")
        status = answer.get("status")
        return status if type(status) is int else None

    def alive(self) -> bool:
        return self.process.poll() is None and self.owner == os.getpid() and not self.retired

    def ended(self, pid: int) -> None:
        """``pid``, forked by this server, has ended and been reaped."""
        self.children.discard(pid)
        self._close_when_idle()

    def _close_when_idle(self) -> None:
        if self.retired and not self.children:
            self.close()

    def close(self) -> None:
        """Stop the server; the workers it forked die with it."""
        with contextlib.suppress(OSError):
            self._control.close()
        # once reaped, its pid (and process group id) may be another process's: never signal it twice
        if self.owner == os.getpid() and self.process.returncode is None:  # nor a parent's server, after a fork
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self._log.close()

    def _ask(
        self, request: dict[str, object], seconds: float, what: str, fds: tuple[int, ...] = ()
    ) -> dict[str, object]:
        return self._ask_from(request, seconds, what, fds)[0]

    def _ask_from(
        self, request: dict[str, object], seconds: float, what: str, fds: tuple[int, ...] = ()
    ) -> tuple[dict[str, object], int | None]:
        """The answer to ``request``, and the pid (in our namespace) of the process that sent it."""
        try:
            socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
        except OSError as error:
            self._fail(f"the fork server stopped answering ({error}) while {what}")
        return self._receive(seconds, what)

    def _receive(self, seconds: float, what: str) -> tuple[dict[str, object], int | None]:
        self._control.settimeout(seconds)
        try:
            data, ancillary, _, _ = self._control.recvmsg(1 << 20, socket.CMSG_SPACE(_CREDENTIALS.size))
        except (OSError, TimeoutError) as error:
            self._fail(f"the fork server did not answer ({error or 'timeout'}) while {what}")
        if not data:
            self._fail(f"the fork server ended while {what}: {self._tail()}")
        try:
            answer = json.loads(data)
        except ValueError:
            self._fail(f"the fork server sent an unreadable answer while {what}")
        sender = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(value) >= _CREDENTIALS.size:
                sender = _CREDENTIALS.unpack_from(value)[0]
        return (answer if type(answer) is dict else {}), sender

    def _fail(self, problem: str) -> NoReturn:
        """Stop the server (a late answer must never be read as the next one's) and say why."""
        self.close()
        raise ForkServerFailure(problem)

    def _tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):  # ValueError: the log is closed (the server was stopped)
            self._log.seek(0)
            return self._log.read()[-600:].decode("utf-8", "replace").strip() or "no output"
        return "no output"


@dataclass
class ForkedProcess:
    """A worker forked by the server: what the grader uses of :class:`subprocess.Popen`."""

    server: ForkServer
    pid: int  # in the grader's pid namespace: what it signals and reads in /proc
    inner: int  # in the server's: what the server waits for
    returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, like ``Popen.wait``; raises ``subprocess.TimeoutExpired`` while it runs."""
        if self.returncode is None:
            try:
                self.returncode = self.server.wait(self.inner, timeout if timeout is not None else 3600.0)
            except ForkServerFailure:
                self.returncode = -signal.SIGKILL  # the server is gone, and its children with it
            if self.returncode is None:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
            self.server.ended(self.inner)
        return self.returncode

    def poll(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.wait(0)
        return None


_servers: dict[tuple[int, Path, tuple[tuple[str, str], ...]], ForkServer] = {}
_retired: list[ForkServer] = []


def server_for(runtime: Runtime, environment: dict[str, str]) -> ForkServer:
    """This process's fork server for ``runtime`` (started on first use, restarted if it ended)."""
    key = (os.getpid(), runtime.executable, tuple(sorted(environment.items())))
    server = _servers.get(key)
    if server is None or not server.alive():
        if server is not None and not server.retired:
            server.close()
        if server is not None and server.retired:
            _retired.append(server)  # stopped when its last worker ends, or at exit
        _retired[:] = [old for old in _retired if old.process.returncode is None]
        server = _servers[key] = ForkServer(runtime, environment)
    return server


@atexit.register
def close_all() -> None:
    """Stop every fork server this process started."""
    for key, server in list(_servers.items()):
        if key[0] == os.getpid():
            server.close()
        _servers.pop(key, None)
    for server in _retired:
        if server.owner == os.getpid():
            server.close()
    _retired.clear()
