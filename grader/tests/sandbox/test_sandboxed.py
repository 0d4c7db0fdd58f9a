"""Forked workers under bubblewrap: one sandbox per submission, its fork server inside, its workers kept apart.

What only the shared sandbox could get wrong: which pid the grader signals (the server lives in another pid
namespace), each worker's folder (a tmpfs of its own, emptied before another worker gets it), a server that
dies in the middle of a submission, a worker holding reference code (in a second sandbox), and what is left when
the submission ends. The hostile suite runs every attack this way too (test_hostile's ``worker_start``).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from grader import sandbox
from grader.pipeline.grade import grade_notebook
from grader.pipeline.workers import WorkerPool
from grader.sandbox import pool, sandboxed
from grader.tests.helpers import solution_notebook

pytestmark = pytest.mark.skipif(
    not (sandbox.detect_isolation().fork_server and sandbox.detect_isolation().namespaces),
    reason="auto forks no worker inside a bubblewrap sandbox here (bubblewrap, seccomp or Landlock is missing)",
)

MARK = "sandboxed-leftover-91c4"


@pytest.fixture
def isolation(monkeypatch):
    monkeypatch.delenv(sandbox.POOL_VARIABLE, raising=False)
    return sandbox.detect_isolation()


def sandboxed_worker(
    isolation, run: sandbox.RunState, first_load: list | None = None, *, holding_reference: bool = False
) -> sandbox.Worker:
    """A started, ready worker (it reported what confines it, and the grader accepted that); only a worker's first
    load reports its definitions' problems, so a test that needs them passes ``first_load``."""
    worker = sandbox.Worker(sandbox.Limits(), isolation, [], run)
    worker.shares_sandbox = True
    worker.holds_reference = holding_reference
    worker.start()
    worker.problems = worker.load(first_load or [], "", [])["problems"]
    return worker


def namespace(pid: int, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def inner_pids(pid: int) -> list[int]:
    """The pids ``pid`` has in every pid namespace it is in, outermost first (``NSpid``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return [int(value) for value in line.split()[1:]]
    raise AssertionError(f"no NSpid for {pid}")


def test_a_submissions_workers_share_one_sandbox_and_the_grader_signals_their_real_pids(isolation):
    run = sandbox.RunState()
    workers = [sandboxed_worker(isolation, run) for _ in range(3)]
    try:
        pids = [worker.process.pid for worker in workers]
        assert len(set(pids)) == 3
        for pid in pids:
            levels = inner_pids(pid)  # the grader's pid first: the one it kills and reads
            assert levels[0] == pid and len(levels) == 2, levels
            assert namespace(pid, "pid") != namespace(os.getpid(), "pid")
            assert namespace(pid, "mnt") != namespace(os.getpid(), "mnt")
        assert len({namespace(pid, "pid") for pid in pids}) == 1, "the workers are not in one sandbox"
        if isolation.uid_drop:
            assert {os.stat(f"/proc/{pid}").st_uid for pid in pids} == {run.shared_sandbox.uid} != {0}
        victim = workers[1]
        victim.stop()  # the grader kills it by the pid it sees: the others keep running
        assert (
            not Path(f"/proc/{pids[1]}").exists() or b"grader-worker" not in Path(f"/proc/{pids[1]}/comm").read_bytes()
        )
        for worker, pid in ((workers[0], pids[0]), (workers[2], pids[2])):
            assert worker.load([], "", [])["problems"] == [] and worker.process.pid == pid  # the same, still there
    finally:
        for worker in workers:
            worker.stop()
        run.close()


def test_a_workers_folder_is_its_own_and_emptied_before_another_worker_gets_it(isolation):
    run = sandbox.RunState()
    # written by the worker's own process (its uid and Landlock, as for student code)
    first = sandboxed_worker(isolation, run, [_writes_a_file()])
    folder = first._folder
    try:
        assert first.problems == []
        second = sandboxed_worker(isolation, run, [_lists_its_folder()])
        assert second._folder not in (folder, None) and second.problems == [], "a sibling's file is in its folder"
        second.stop()
        first.stop()
        third = sandboxed_worker(isolation, run, [_lists_its_folder()])
        assert third._folder == folder  # the folder given back last comes first
        assert third.problems == [], "the folder was not emptied"
        third.stop()
    finally:
        run.close()


def snippet(source: str) -> dict[str, object]:
    return {"cell": 1, "line": 1, "source": source, "kind": "statement", "names": []}


def _writes_a_file():
    return snippet(f"with open('{MARK}', 'w') as _stream:\n    _stream.write('x')\n")


def _lists_its_folder():
    return snippet(f"import os\nassert '{MARK}' not in os.listdir('.'), 'left over'\n")


def test_when_every_folder_is_in_use_the_next_worker_is_execd(isolation, monkeypatch):
    monkeypatch.setattr(sandboxed, "FOLDERS", 1)
    run = sandbox.RunState()
    inside, beside = sandboxed_worker(isolation, run), sandboxed_worker(isolation, run)
    try:
        assert inside._folder is not None and beside._folder is None
        assert namespace(inside.process.pid, "pid") != namespace(beside.process.pid, "pid")
        assert beside.process.pid not in run.shared_sandbox._server.children
    finally:
        inside.stop(), beside.stop()
        run.close()


def test_a_server_that_dies_mid_submission_costs_nothing_the_rest_is_execd(tmp_path, monkeypatch):
    """The memory cgroup's OOM killer may pick the sandbox's server: not the student's doing, so every test is still
    graded (by exec'd workers) and the report says the workers were exec'd."""
    monkeypatch.delenv(sandbox.POOL_VARIABLE, raising=False)
    notebook = tmp_path / "solution.ipynb"
    import nbformat

    nbformat.write(solution_notebook(), str(notebook))
    original = sandboxed.SubmissionSandbox.fork
    forks = []

    def fork_then_kill_the_server(self, *args, **kwargs):
        forked = original(self, *args, **kwargs)
        forks.append(forked.pid)
        if len(forks) == 2:
            os.kill(self._server.process.pid, signal.SIGKILL)  # bubblewrap, and with it the server and its workers
            self._server.process.wait(timeout=10)
        return forked

    monkeypatch.setattr(sandboxed.SubmissionSandbox, "fork", fork_then_kill_the_server)
    units = ["cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent"]
    report = grade_notebook(notebook, units=units, grading_seed=5)
    assert len(forks) == 2
    assert report.internal_errors == [] and report.score == report.max_score
    assert report.workers == "exec"
    clean = grade_notebook(notebook, units=units, grading_seed=5)
    assert clean.workers == "fork-in-sandbox" and clean.score == clean.max_score


def test_a_worker_holding_reference_code_is_forked_in_a_sandbox_of_its_own_never_the_students(isolation):
    """gradient_descent's and TwoLayerNet's workers get the reference numerical_gradient: they are forked in the
    submission's second sandbox (another server, pid and mount namespace and, as root, another uid), and no worker
    with only student code ever is; the two holders share it, one at a time."""
    run = sandbox.RunState()
    holders = {"gradient_descent", "TwoLayerNet"}
    workers = WorkerPool(
        sandbox.Limits(),
        isolation,
        make_worker=lambda: sandbox.Worker(sandbox.Limits(), isolation, [], run),
        holds_reference=lambda unit: unit in holders,
    )
    try:
        student = workers.worker("numerical_diff")
        student.load([], "", [])
        workers.loaded.add("numerical_diff")
        student_pid = student.process.pid
        kinds = ("pid", "mnt", "ipc", "net")
        students_namespaces = [namespace(student_pid, kind) for kind in kinds]
        holder = workers.worker("TwoLayerNet")
        holder.load([], "", [])
        workers.loaded.add("TwoLayerNet")
        assert student.process is None, "a holder lived beside a worker with student code"
        students, references = run.shared_sandbox, run.reference_sandbox
        assert students is not None and references is not None and students is not references
        assert isinstance(holder.process, pool.ForkedProcess) and holder.process.server is references._server
        assert student_pid not in references._server.children
        assert holder.process.pid not in students._server.children
        holders_namespaces = [namespace(holder.process.pid, kind) for kind in kinds]
        graders = [namespace(os.getpid(), kind) for kind in kinds]
        for theirs, ours, grader in zip(holders_namespaces, students_namespaces, graders, strict=True):
            assert theirs not in (ours, grader), theirs
        if isolation.uid_drop:
            assert os.stat(f"/proc/{holder.process.pid}").st_uid == references.uid not in (students.uid, 0)
        other = workers.worker("gradient_descent")
        other.load([], "", [])
        workers.loaded.add("gradient_descent")
        assert holder.process is None and other.process.server is references._server  # one at a time, same sandbox
        assert [namespace(other.process.pid, kind) for kind in kinds] == holders_namespaces
        again = workers.worker("numerical_gradient")
        again.load([], "", [])
        assert other.process is None and again.process.server is students._server
    finally:
        workers.stop_all()
        run.close()


def test_nothing_of_the_sandbox_outlives_its_submission(isolation):
    run = sandbox.RunState()
    worker = sandboxed_worker(isolation, run)
    holder = sandboxed_worker(isolation, run, holding_reference=True)
    started = (run.shared_sandbox, run.reference_sandbox)
    pids = [worker.process.pid, holder.process.pid, *(shared._server.process.pid for shared in started)]
    worker.stop()
    holder.stop()
    run.close()
    assert run.shared_sandbox is None and run.reference_sandbox is None
    for shared in started:
        assert not shared.root.exists()
    for gone in pids:
        assert not _running(Path(f"/proc/{gone}"))
    for uid in {shared.uid for shared in started} - {None}:
        owned = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit() and _owner(entry) == uid]
        assert [entry for entry in owned if _running(entry)] == [], f"processes of the sandbox's uid {uid} remain"


def _owner(entry: Path) -> int | None:
    try:
        return entry.stat().st_uid
    except OSError:
        return None


def _running(entry: Path) -> bool:
    """Neither gone nor a zombie waiting to be reaped (which holds nothing)."""
    try:
        return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_a_running_worker_killed_with_its_sandbox_is_an_internal_error_not_the_students(isolation):
    """Its test must not read as the student's crash ("killed by SIGKILL: CPU time or memory limit"), which would be a
    wrong diagnosis; the run's next worker is exec'd."""
    from grader.sandbox.failures import SandboxEnded

    run = sandbox.RunState()
    worker = sandboxed_worker(isolation, run)
    try:
        server = run.shared_sandbox._server.process
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        with pytest.raises(SandboxEnded) as ended:
            worker.call({"function": "numerical_diff", "args": [], "kwargs": {}}, "numerical_diff", 5)
        assert ended.value.internal and "not your fault" in str(ended.value) and "SIGKILL" not in str(ended.value)
        after = sandboxed_worker(isolation, run)
        assert not isinstance(after.process, pool.ForkedProcess) and run.sandbox_unavailable
        after.stop()
    finally:
        worker.stop()
        run.close()
