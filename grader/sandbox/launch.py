"""How a worker process is made: its command line, what the kernel enforces in it, and exec or a warm fork.

A worker is either exec'd (a new interpreter, under bubblewrap when namespaces are in use, restricted
between fork and exec) or forked by this grading process's warm server (:mod:`grader.sandbox.pool`),
which restricts the child exactly the same way. Either way it is told the same options (the layers it
puts on itself), so what the grader later checks (:mod:`grader.sandbox.attestation`) does not depend
on how it was started. A worker that cannot be made is an :class:`IsolationFailure`: no student code ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from grader.sandbox import bwrap, pool
from grader.sandbox.failures import IsolationFailure
from grader.sandbox.limits import Limits
from grader.sandbox.paths import KIT_ROOT, SYSTEM_READABLE, default_hidden
from grader.sandbox.probe import Isolation
from grader.sandbox.scratch import server_environment
from grader.untrusted import restrict

SANDBOX_NPROC = 16  # processes a dropped uid may have inside bubblewrap (bwrap itself needs two)
SHARED_SANDBOX_NPROC = 64  # a submission's shared sandbox: bubblewrap's two, the server, each unit's worker


def worker_arguments(isolation: Isolation, hidden: list[Path]) -> list[str]:
    """The worker's options after its two descriptors: the layers it puts on itself."""
    arguments = [
        "--seccomp",
        "on" if isolation.seccomp else "off",
        "--audit",
        "on" if isolation.audit_hook else "off",
    ]
    if isolation.landlock:
        arguments += ["--landlock", "on", f"--probe-denied={KIT_ROOT}"]
        arguments += [f"--read={path}" for path in [*isolation.runtime.code, *SYSTEM_READABLE]]
    arguments += [f"--deny={path}" for path in dict.fromkeys([*hidden, *default_hidden()])]
    return arguments


def expected_nproc(isolation: Isolation, uid: int | None, shared: bool = False) -> int | None:
    """RLIMIT_NPROC for a worker running as ``uid`` (None: not set); ``shared``: in its submission's sandbox."""
    if uid is None:
        return None  # the limit would count every process of the grader's own user
    if shared:
        return SHARED_SANDBOX_NPROC  # the uid is the submission's: its server and sibling workers count too
    return SANDBOX_NPROC if isolation.namespaces else 0


def restrictions(
    isolation: Isolation, standing: Mapping[str, object], uid: int | None, cgroup_join: str | None
) -> restrict.Restrictions:
    """What the kernel enforces in the worker from its first instruction on."""
    return restrict.Restrictions(
        **standing,  # type: ignore[arg-type]  # standing.for_worker's keys are exactly the standing fields
        uid=uid,
        cgroup_join=cgroup_join,
        unshare_ipc=os.geteuid() == 0 and not isolation.namespaces,  # bubblewrap gives one
    )


def command(
    isolation: Isolation,
    limits: Limits,
    hidden: list[Path],
    scratch: Path,
    descriptors: tuple[int, int],
    arguments: list[str],
) -> list[str]:
    """An exec'd worker's command line: the worker script and its options, under bubblewrap if it is in use."""
    request_read, response_write = descriptors
    runtime = isolation.runtime
    line = [str(runtime.executable), "-I", str(runtime.script)]
    line += ["--request-fd", str(request_read), "--response-fd", str(response_write), *arguments]
    if isolation.namespaces:
        flags = bwrap.flags(scratch, hidden, isolation.private_filesystem, limits.scratch_bytes, runtime)
        line = [shutil.which("bwrap") or "bwrap", *flags, *line]
    return line


def exec_worker(
    line: list[str],
    scratch: Path,
    environment: dict[str, str],
    descriptors: tuple[int, int, int],
    restricted: restrict.Restrictions,
) -> subprocess.Popen[bytes]:
    """A new interpreter, restricted between fork and exec; ``descriptors``: request, response, output."""
    request_read, response_write, output = descriptors
    try:
        return subprocess.Popen(
            line,
            cwd=scratch,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            pass_fds=(request_read, response_write),
            start_new_session=True,
            preexec_fn=lambda: restrict.apply(restricted),
        )
    except (OSError, subprocess.SubprocessError) as error:  # e.g. a limit or the uid drop failed in preexec
        raise IsolationFailure(
            f"the worker could not be started with its limits ({error})",
            problem_ko=f"워커를 한도를 건 채로 시작할 수 없었습니다({error})",
        ) from None


def fork_worker(
    isolation: Isolation,
    restricted: restrict.Restrictions,
    environment: dict[str, str],
    scratch: Path,
    arguments: list[str],
    descriptors: tuple[int, int, int],
    seconds: float,
) -> pool.ForkedProcess:
    """A fork of this process's warm server, restricted in the child exactly as :func:`exec_worker` does.

    A server that stopped serving while asked (its standing changed from outside, or it ended or missed its answer:
    a limit lowered from outside can make it fail to read a request) is replaced once, and the fresh one forks this
    worker; a server that answered that it could not fork, or a fresh one that fails too, is an internal error.
    """
    server = None
    try:
        try:
            server = pool.server_for(isolation.runtime, server_environment(isolation.runtime))
            return server.fork(restricted, environment, str(scratch), arguments, descriptors, seconds)
        except pool.ForkServerFailure:
            if server is None or server.alive():
                raise
            server = pool.server_for(isolation.runtime, server_environment(isolation.runtime))
            return server.fork(restricted, environment, str(scratch), arguments, descriptors, seconds)
    except pool.ForkServerFailure as error:
        raise IsolationFailure(str(error), problem_ko=f"포크 서버가 워커를 만들지 못했습니다: {error}") from None
