"""Bubblewrap sandboxes per submission, each holding a warm fork server: forked workers under bubblewrap.

bubblewrap starts a sandbox by exec, so under it every worker used to be a new interpreter (a new
sandbox, Python and numpy: about half of a grading). Here one sandbox is started per submission (and a
second for its workers holding reference code, below), with the fork server
(:mod:`grader.untrusted.forkserver`) inside it as the submission's uid, and each of the submission's
workers is forked there, restricted and checked exactly like an exec'd one.

The workers of one submission then share what the sandbox has: its uid, its pid, network and IPC
namespaces, its ``/tmp`` and ``/dev/shm``. That is only safe with the layers that keep them apart
anyway, so :mod:`grader.sandbox.probe` uses it only where seccomp and Landlock both work:

- seccomp denies every call that reaches another process (signals, ptrace, process memory, pidfds,
  ``fork``, ``setsid``), sockets that connect or listen, file locks and System V IPC;
- Landlock lets each worker write only its own folder and read only Python and the kit's code: not
  ``/tmp``, ``/dev/shm``, ``/proc`` or a sibling's folder. Each folder is a tmpfs of its own, of the
  worker's scratch size (bubblewrap mounts ``FOLDERS`` of them), emptied by the server when its worker
  is reaped and only then given to another; a worker finding none free is exec'd;
- a worker holding reference code of other units never joins the sandbox of the submission's other
  workers: each submission has a second sandbox for those (its own uid, namespaces and folders, a
  server of its own), where only they are forked, one at a time (:class:`grader.pipeline.workers.WorkerPool`
  never lets one live beside another worker with student code). So what the students' sandbox holds is
  one student's code, and the reference sandbox's workers can leave nothing there.

The sandbox ends with its submission (:meth:`grader.sandbox.run.RunState.close`): the server and every
process in it are killed, the uid's processes and files swept, the folder removed. A server that dies
during a submission (a memory cgroup's OOM killer may pick it) is not the student's doing: the rest of
that submission's workers are exec'd, each in a sandbox of its own.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader.sandbox import bwrap, pool, uids
from grader.sandbox.failures import IsolationFailure
from grader.sandbox.limits import Limits
from grader.sandbox.probe import Isolation
from grader.sandbox.scratch import scratch_prefix, server_environment
from grader.untrusted import restrict

FOLDERS = 16  # workers' folders per sandbox, each a tmpfs of the worker's scratch size; more live workers are exec'd


class SubmissionSandbox:
    """One submission's bubblewrap sandbox and the fork server inside it."""

    def __init__(self, isolation: Isolation, limits: Limits, hidden: list[Path], cgroup_join: str | None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=scratch_prefix() + "sandbox-"))  # inside: a tmpfs over it
        self.uid: int | None = None
        self._free = [str(self.root / f"worker-{number}") for number in reversed(range(FOLDERS))]  # taken from the end
        self._server: pool.ForkServer | None = None
        self.broken = False  # the server died or failed: the submission's later workers are exec'd
        try:
            if isolation.uid_drop:
                self.uid = uids.POOL.allocate()
                shutil.chown(self.root, self.uid, self.uid)
            flags = bwrap.flags(
                self.root, hidden, isolation.private_filesystem, limits.scratch_bytes, isolation.runtime
            )
            sized = ["--size", str(limits.scratch_bytes)] if bwrap.sizes_tmpfs() else []
            folders = [flag for folder in sorted(self._free) for flag in (*sized, "--tmpfs", folder)]
            start = pool.ServerStart(
                prefix=[shutil.which("bwrap") or "bwrap", *flags, *folders],
                cwd=str(self.root),
                uid=self.uid,
                cgroup_join=cgroup_join,
            )
            self._server = pool.ForkServer(isolation.runtime, server_environment(isolation.runtime), start)
        except (OSError, uids.UidsExhausted, pool.ForkServerFailure) as error:
            self.close()
            raise IsolationFailure(
                f"the submission's sandbox could not be started ({error})",
                problem_ko=f"제출물의 샌드박스를 시작할 수 없었습니다({error})",
            ) from None

    def usable(self) -> bool:
        """True while its server can fork workers."""
        return not self.broken and self._server is not None and self._server.alive()

    def take_folder(self) -> str | None:
        """An empty folder for a new worker, or None when every one is in use (that worker is exec'd)."""
        return self._free.pop() if self._free else None  # the one given back last: its pages are warm

    def give_back(self, folder: str) -> None:
        """``folder``'s worker was reaped, so the server emptied it: another worker may have it."""
        self._free.append(folder)

    def fork(
        self,
        restricted: restrict.Restrictions,
        environment: dict[str, str],
        folder: str,
        arguments: list[str],
        descriptors: tuple[int, int, int],
        seconds: float,
    ) -> pool.ForkedProcess:
        """A worker forked inside the sandbox; a failure marks the sandbox broken and is an IsolationFailure."""
        if self._server is None or not self.usable():
            self.broken = True
            raise IsolationFailure("the submission's sandbox has ended", problem_ko="제출물의 샌드박스가 끝났습니다")
        try:
            return self._server.fork(restricted, environment, folder, arguments, descriptors, seconds, empty_cwd=True)
        except pool.ForkServerFailure as error:
            self.broken = True
            raise IsolationFailure(
                str(error), problem_ko=f"샌드박스의 포크 서버가 워커를 만들지 못했습니다: {error}"
            ) from None

    def close(self) -> None:
        """Kill the sandbox and everything in it, sweep its uid, remove its folder."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        if self.uid is not None:
            uids.POOL.release(self.uid)
            self.uid = None
        shutil.rmtree(self.root, ignore_errors=True)
