"""The warm fork server: imports what a worker needs once, then forks each worker already warm.

Started by :mod:`grader.sandbox.pool` as ``python -I grader/untrusted/forkserver.py --control-fd N``,
one per grading process, from the same Python and with the same environment a worker gets. It
never receives student code and never runs any: it only answers the grader on its control socket.

- ``fork`` (with the worker's three descriptors attached): fork a child, which takes those
  descriptors as 3 (requests), 4 (answers), 1 and 2 (its output), closes every other one, starts a
  new session in its scratch folder (inside a submission's bubblewrap sandbox, :mod:`grader.sandbox.sandboxed`,
  one of the sandbox's own sized folders, emptied when the child is reaped: ``empty_cwd``), applies
  :mod:`grader.untrusted.restrict` exactly as an exec'd worker does between fork and exec, and then runs
  :func:`grader.untrusted.worker.main`, which confines itself and reports what is in force before it
  receives anything. The child answers, with its own pid: the kernel attaches its credentials, so the
  grader reads the pid it has in the grader's own pid namespace, whatever namespace this server is in.
- ``wait``: the exit status of a child (the server is its parent), which is reaped only then, so
  its pid cannot be reused while the grader may still signal its process group; the folder of an
  ``empty_cwd`` child is emptied then, before the grader hands it to another worker.
- ``exit``, or the control socket closing: stop (children die with it: PR_SET_PDEATHSIG).

Before each fork the server compares its own limits, priority and CPU mask with what it had at its
start (:mod:`grader.untrusted.standing`); a child inherits them, and a process of the same user could
have changed them from outside. If anything changed it forks nothing more (answering ``tampered``), and
the grader starts a fresh server; this one still answers ``wait`` for the workers it forked, which would
die with it, until the grader stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import socket
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # started by path under ``python -I``: make the kit importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np

from grader.untrusted import confine, restrict, standing, worker

REQUEST_FD, RESPONSE_FD = 3, 4
MAX_CONTROL_BYTES = 1 << 20
WORKER_NAME = b"grader-worker"  # a forked worker's /proc/<pid>/comm: its command line is the server's
_PR_SET_DUMPABLE = 4
_PR_SET_NAME = 15


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--control-fd", type=int, required=True)
    options = parser.parse_args(argv)
    restrict.prctl(_PR_SET_DUMPABLE, 0)  # its children inherit this: /proc/<server>/mem needs ptrace rights
    confine.python_view(), confine.python_folders()  # computed once here, inherited by every child (cached)
    control = socket.socket(fileno=options.control_fd)
    started_with = standing.read()  # what its parent set (grader.sandbox.pool), checked there
    reply(control, {"ready": os.getpid(), "standing": started_with})
    serve(control, started_with)


def serve(control: socket.socket, started_with: Mapping[str, object]) -> None:
    """Answer the grader until it says exit, goes away, or this server's standing changed."""
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MAX_CONTROL_BYTES, 3)
        except OSError:
            return
        if not data:
            return
        answer: dict[str, object]
        try:
            request = json.loads(data)  # the grader's own JSON (grader.sandbox.pool): plain values
            op = request["op"]
            if op == "exit":
                return
            changed = standing.differences(started_with, standing.read()) if op == "fork" else []
            if changed:  # every child would inherit it: fork none, and let the grader start a fresh server
                answer = {"tampered": changed}
            elif op == "fork":
                fork_worker(control, request, fds)
                continue  # the child answered (finally: the descriptors are closed)
            elif op == "wait":
                answer = {"status": wait_for(int(request["pid"]), float(request["seconds"]))}
            else:
                answer = {"error": f"unknown request {op!r}"}
        except Exception as error:  # noqa: BLE001  a kit bug, reported to the grader as such
            answer = {"error": f"{type(error).__name__}: {error}"}
        finally:
            for fd in fds:
                os.close(fd)
        reply(control, answer)


def reply(control: socket.socket, answer: Mapping[str, object]) -> None:
    control.sendall(json.dumps(answer).encode())


_folders_to_empty: dict[int, str] = {}  # child pid -> its folder, emptied when it is reaped


def fork_worker(control: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """Fork one worker, which answers the grader itself; in the child this never returns."""
    if len(fds) != 3:
        raise ValueError(f"a fork needs 3 descriptors, got {len(fds)}")
    pid = os.fork()
    if pid:
        if request.get("empty_cwd"):
            _folders_to_empty[pid] = request["cwd"]
        return
    status = worker.CONFINEMENT_FAILED
    try:
        reply(control, {"pid": os.getpid()})  # first: the grader waits for it, and nothing else can fail before
        become_worker(control, request, fds)
        status = 0
    except SystemExit as stop:  # e.g. argparse, which said why on the worker's output
        status = stop.code if type(stop.code) is int else worker.CONFINEMENT_FAILED
    except BaseException:  # noqa: BLE001  fail closed: say why on the worker's output, no student code ran
        traceback.print_exc()
        worker.flush_output()
    finally:
        os._exit(status)


def become_worker(control: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """The child: the exec'd worker's start (descriptors, session, folder, environment, limits), then its main."""
    control.close()
    ctypes.CDLL("libc.so.6").prctl(_PR_SET_NAME, ctypes.c_char_p(WORKER_NAME), 0, 0, 0)
    request_fd, response_fd, output_fd = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    null = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((null, 0), (output_fd, 1), (output_fd, 2), (request_fd, REQUEST_FD)):
        os.dup2(source, target)
    os.dup2(response_fd, RESPONSE_FD)
    os.closerange(RESPONSE_FD + 1, os.sysconf("SC_OPEN_MAX"))
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environment"])
    # The server's generator state is every child's: a fresh one from 128 bits of entropy (``random`` reseeds
    # itself after a fork); np.random.seed() without a seed spends 15 ms on its first call.
    np.random.seed(np.frombuffer(os.urandom(16), dtype=np.uint32))
    restrict.apply(restrict.Restrictions.from_data(request["restrictions"]))
    worker.main(["--request-fd", str(REQUEST_FD), "--response-fd", str(RESPONSE_FD), *request["arguments"]])


def wait_for(pid: int, seconds: float) -> int | None:
    """The child's exit code (negative: the signal that ended it), or None if it still runs after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None  # not ours, or reaped already
        if done:
            folder = _folders_to_empty.pop(pid, None)
            if folder is not None:
                empty(folder)
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.002)


def empty(folder: str) -> None:
    """Remove everything in ``folder`` (a worker's, now ended), keeping the folder: it is a mount point."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


if __name__ == "__main__":
    main()
