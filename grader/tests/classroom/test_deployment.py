"""Deployment rehearsals: the kit as course staff deploy it, as close to the real thing as this machine allows.

- a GitHub-hosted runner: an unprivileged ``runner-<pid>`` user (one per run, so two suites on one machine
  never share it) owning the workspace, with passwordless sudo; every ``run:`` step of the four shipped
  workflows, parsed from their YAML, runs as that user with the runner's environment (``GITHUB_WORKSPACE``,
  ``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``, ``GITHUB_EVENT_PATH`` with an event payload, ``RUNNER_TEMP``...);
  ``uses:`` steps are skipped, except that for ``actions/upload-artifact`` every path it would upload must
  exist and be readable by the runner user, and ``actions/download-artifact`` is a copy made by the runner user;
- a Gradescope container: ``setup.sh`` then ``run_autograder`` as root on the layout Gradescope uses;
- a TA's laptop: a non-root user without bubblewrap, ``make grade`` and ``make check`` from a fresh clone.

Each rehearsal is skipped, saying why, where the machine cannot host it (not root, no ``sudo``, no
``useradd``). Deviations from the real thing, each because the machine is shared with other work:
``apt-get`` in the workflows is a stub that installs nothing (installing bubblewrap would change the
configuration other tests measure) and setup.sh runs with ``AUTOGRADER_SKIP_APT=1``; the shards of the
matrix run one after another in one workspace instead of on four machines, so only the first runs the install step
(in the same workspace again it would find everything installed: 8-20 s each, no check).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from grader.assignment import KIT_ROOT
from grader.classroom.gradescope_zip import build_autograder_zip
from grader.tests.classroom.test_exports import GRADESCOPE_SCHEMA
from grader.tests.fake_github import TOKEN, FakeGitHub

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SOLUTION = KIT_ROOT / "solutions" / "ch04_learning.ipynb"
STUB = KIT_ROOT / "assignments" / "ch04_learning.ipynb"
HIDDEN = ("solutions", "tests_hidden", "rubrics", ".git")
WORKER_UIDS = (65534, 43219)  # nobody, and a uid no account has (the sandbox hands out such uids)
STEP_SECONDS = 900

IS_ROOT = os.geteuid() == 0
NO_USERADD = (
    "needs root to create users (useradd)" if not IS_ROOT else ("" if shutil.which("useradd") else "no useradd")
)
needs_users = pytest.mark.skipif(bool(NO_USERADD), reason=NO_USERADD or "")
needs_sudo = pytest.mark.skipif(
    not shutil.which("sudo"), reason="no `sudo` binary: .ci/run installs it (apt-get install sudo) for this rehearsal"
)
needs_root = pytest.mark.skipif(not IS_ROOT, reason="Gradescope runs setup.sh and run_autograder as root")
# A rehearsal installs the kit into a new venv as another user and runs whole workflows (the sharded one grades four
# shards in turn): 90 s alone, 300 s in a parallel make test on 2 cores, where the suite's 300 s bound cut it off.
pytestmark = pytest.mark.timeout(STEP_SECONDS)


# -- users and files -----------------------------------------------------------------------------


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", STEP_SECONDS)
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


@dataclass
class User:
    """An account made for a rehearsal (removed afterwards if the rehearsal created it)."""

    name: str
    uid: int
    gid: int
    home: Path

    def run(self, command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
        """``command`` as this user, with exactly ``env`` (no inherited variable), from ``cwd``."""
        wrapped = [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--init-groups",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in env.items()),
            *command,
        ]
        return _run(wrapped, cwd=cwd)

    def can_read(self, path: Path) -> bool:
        """Whether this user can read ``path`` (a folder: list it), asked of the kernel."""
        test = ["test", "-r", str(path), "-a", "(", "!", "-d", str(path), "-o", "-x", str(path), ")"]
        return self.run(test, {"PATH": SYSTEM_PATH}, Path("/")).returncode == 0

    def own(self, path: Path) -> None:
        _run(["chown", "-R", f"{self.uid}:{self.gid}", str(path)])


def make_user(role: str) -> Iterator[User]:
    """A new account for this run (``<role>-<pid>``: two suites on one machine never share one), deleted at the end."""
    name = f"{role}-{os.getpid()}"
    result = _run(["useradd", "--create-home", "--shell", "/bin/bash", name])
    assert result.returncode == 0, result.stderr
    entry = pwd.getpwnam(name)
    try:
        yield User(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))
    finally:
        _run(["pkill", "-KILL", "-u", name])  # only the processes of the account this rehearsal made
        _run(["userdel", "--remove", name])


def readable_by(user: User, root: Path) -> list[str]:
    """Paths under ``root`` that ``user`` cannot read (empty: all readable); the root itself must exist."""
    if not root.exists():
        return [f"{root} does not exist"]
    items = [root, *root.rglob("*")] if root.is_dir() else [root]
    return [str(p) for p in items if not user.can_read(p)]


def copy_checkout(dest: Path, *, with_git: bool = False) -> Path:
    """What actions/checkout leaves: the kit's tracked and new files (uncommitted edits included), no .venv."""
    listing = _run(["git", "-C", str(KIT_ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    for name in filter(None, listing.stdout.split("\0")):
        source = KIT_ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    if with_git:
        _run(["git", "init", "-q", str(dest)])
        _run(["git", "-C", str(dest), "add", "-A"])
        _run(["git", "-C", str(dest), "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", "x"])
    return dest


# -- a GitHub-hosted runner ----------------------------------------------------------------------


@dataclass
class Runner:
    """A runner machine: the ``runner`` user with passwordless sudo, its temp folder and a stub apt-get."""

    user: User
    temp: Path
    shims: Path
    log: list[str] = field(default_factory=list)

    def workspace(self, name: str) -> Path:
        """A fresh ``$GITHUB_WORKSPACE`` (``/home/runner/work/<repo>/<repo>``), owned by the runner user."""
        path = self.user.home / "work" / name / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def artifact_store(self, name: str) -> Path:
        """Where uploaded artifacts are kept between jobs (the runner user writes and reads them)."""
        path = self.user.home / "artifacts" / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self.user.own(self.user.home / "artifacts")
        return path

    def environment(self, workspace: Path, event_name: str, event: dict, extra: dict[str, str]) -> dict[str, str]:
        """The variables a GitHub-hosted runner sets for a step."""
        files = self.temp / "_runner_file_commands"
        files.mkdir(exist_ok=True)
        event_path = self.temp / "_github_workflow" / "event.json"
        event_path.parent.mkdir(exist_ok=True)
        event_path.write_text(json.dumps(event))
        env = {
            "HOME": str(self.user.home),
            "USER": self.user.name,
            "PATH": SYSTEM_PATH,
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_SHA": "a" * 40,
            "GITHUB_REPOSITORY": "course/ch04-kim",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": "https://api.github.com",
            "GITHUB_STEP_SUMMARY": str(files / "step_summary"),
            "GITHUB_OUTPUT": str(files / "set_output"),
            "GITHUB_ENV": str(files / "set_env"),
        }
        for name in ("step_summary", "set_output", "set_env"):
            (files / name).touch()
        env.update(extra)
        self.user.own(self.temp)
        self.user.own(self.user.home / "work")
        return env


def substitute(text: str, values: dict[str, str]) -> str:
    """``${{ expr }}`` replaced by its value; an expression the rehearsal does not know fails the test."""

    def value(match: re.Match) -> str:
        expression = match[1].strip()
        assert expression in values, f"the rehearsal has no value for ${{{{ {expression} }}}}"
        return values[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def load_workflow(relative: str) -> dict:
    return YAML(typ="safe").load((KIT_ROOT / relative).read_text())


@dataclass
class JobRun:
    """What running one job's steps produced."""

    outputs: list[subprocess.CompletedProcess] = field(default_factory=list)
    uploads: dict[str, list[str]] = field(default_factory=dict)  # artifact name -> its paths
    skipped: list[str] = field(default_factory=list)  # uses: steps not run


def run_job(
    runner: Runner,
    job: dict,
    workspace: Path,
    env: dict[str, str],
    values: dict[str, str],
    expect_failure: set[str] = frozenset(),
    already_done: set[str] = frozenset(),
) -> JobRun:
    """Every ``run:`` step as the runner user (bash -e, as GitHub does); upload paths checked as that user.

    ``already_done``: ``run:`` steps (by name) another job already ran in this same workspace, not run again.
    """
    done = JobRun()
    for step in job["steps"]:
        name = step.get("name") or step.get("uses") or step["run"][:40]
        if name in already_done:
            assert "run" in step, f"{name!r} is not a run: step"
            done.skipped.append(name)
            continue
        if "uses" in step:
            done.skipped.append(step["uses"])
            if step["uses"].startswith("actions/upload-artifact"):
                paths = [substitute(p.strip(), values) for p in step["with"]["path"].splitlines() if p.strip()]
                artifact = substitute(step["with"]["name"], values)
                done.uploads[artifact] = paths
                for path in paths:
                    unreadable = readable_by(runner.user, workspace / path)
                    assert not unreadable, f"{artifact}: the runner user cannot upload {unreadable[:5]}"
            continue
        step_env = {**env, **{k: substitute(str(v), values) for k, v in (step.get("env") or {}).items()}}
        script = runner.temp / f"step-{len(done.outputs)}.sh"
        script.write_text(substitute(step["run"], values))
        runner.user.own(script)
        result = runner.user.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], step_env, workspace)
        runner.log.append(f"$ {name}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        done.outputs.append(result)
        if name in expect_failure:
            continue
        assert result.returncode == 0, (
            f"step {name!r} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return done


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    if NO_USERADD:
        pytest.skip(NO_USERADD)
    if not shutil.which("sudo"):
        pytest.skip("no `sudo` binary: .ci/run installs it (apt-get install sudo) for this rehearsal")
    users = make_user("runner")
    user = next(users)
    temp = Path(tempfile.mkdtemp(prefix="runner-temp-", dir=user.home))
    shims = Path(tempfile.mkdtemp(prefix="grader-rehearsal-shims-"))
    os.chmod(shims, 0o755)
    apt_log = shims / "apt-get.log"
    (shims / "apt-get").write_text(
        f'#!/bin/sh\n# rehearsal stub: records the call, installs nothing\necho "apt-get $*" >> {apt_log}\n'
    )
    os.chmod(shims / "apt-get", 0o755)
    sudoers = Path(f"/etc/sudoers.d/grader-rehearsal-{user.name}")
    sudoers.write_text(
        f'Defaults:{user.name} secure_path="{shims}:{SYSTEM_PATH}"\n{user.name} ALL=(ALL) NOPASSWD:ALL\n'
    )
    os.chmod(sudoers, 0o440)
    try:
        check = user.run(["sudo", "-n", "true"], {"PATH": SYSTEM_PATH}, Path("/"))
        assert check.returncode == 0, f"passwordless sudo for the runner user does not work: {check.stderr}"
        yield Runner(user, temp, shims)
    finally:
        sudoers.unlink(missing_ok=True)
        shutil.rmtree(shims, ignore_errors=True)
        next(users, None)


def _notebook_repo(path: Path, notebook: Path) -> str:
    """A student's repository holding ``notebook``, served as file:// (git refuses a local path for --depth)."""
    path.mkdir(parents=True)
    (path / "assignments").mkdir()
    shutil.copy(notebook, path / "assignments" / "ch04_learning.ipynb")
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=s", "-c", "user.email=s@example.com", "commit", "-qm", "ch04"],
    ):
        assert _run(["git", "-C", str(path), *command]).returncode == 0
    return f"file://{path}"


def _download(runner: Runner, source: Path, dest: Path) -> None:
    """actions/download-artifact: the runner user copies what an earlier job uploaded."""
    result = runner.user.run(["mkdir", "-p", str(dest)], {"PATH": SYSTEM_PATH}, Path("/"))
    assert result.returncode == 0, result.stderr
    result = runner.user.run(["cp", "-R", f"{source}/.", str(dest)], {"PATH": SYSTEM_PATH}, Path("/"))
    assert result.returncode == 0, f"the runner user cannot download {source}: {result.stderr}"


def _upload(runner: Runner, workspace: Path, paths: list[str], into: Path) -> None:
    """actions/upload-artifact as the runner user: paths relative to their least common ancestor, as it stores them."""
    full = [workspace / path.rstrip("/") for path in paths]
    base = Path(os.path.commonpath(full)) if len(full) > 1 else full[0] if full[0].is_dir() else full[0].parent
    for item in full:
        source = f"{item}/." if item == base else str(item)
        target = into / item.relative_to(base)
        result = runner.user.run(
            ["mkdir", "-p", str(target if item == base else target.parent)], {"PATH": SYSTEM_PATH}, Path("/")
        )
        assert result.returncode == 0, result.stderr
        result = runner.user.run(["cp", "-R", source, str(target)], {"PATH": SYSTEM_PATH}, Path("/"))
        assert result.returncode == 0, f"the runner user cannot upload {item}: {result.stderr}"


def _python_steps_only(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


@needs_users
@needs_sudo
def test_github_runner_student_repository_feedback_and_comment(runner: Runner, tmp_path: Path):
    """autograde.yml on a pull request, then feedback-comment.yml on its workflow_run: one comment, no student code."""
    workspace = runner.workspace("ch04-kim")
    publish = _run(
        [sys.executable, "-m", "grader", "publish", "--assignment", "ch04_learning", "--out", str(workspace)],
        cwd=KIT_ROOT,
    )
    assert publish.returncode == 0, publish.stderr
    shutil.copy(SOLUTION, workspace / "assignments" / "ch04_learning.ipynb")  # the student's finished work
    runner.user.own(workspace)
    workflows = workspace / ".github" / "workflows"
    autograde = YAML(typ="safe").load((workflows / "autograde.yml").read_text())
    pull = {"number": 7, "head": {"sha": "b" * 40}}
    env = runner.environment(workspace, "pull_request", {"pull_request": pull}, {})
    job = run_job(runner, autograde["jobs"]["feedback"], workspace, env, {})
    graded = job.outputs[-1]
    assert job.uploads == {"grader-feedback": ["grader-feedback/"]}
    assert {"report.json", "report.md", "pr.json"} <= {p.name for p in (workspace / "grader-feedback").iterdir()}
    for produced in (workspace / "grader-feedback").iterdir():
        assert produced.stat().st_uid == runner.user.uid, f"{produced} is not the runner user's"
    report = json.loads((workspace / "grader-feedback" / "report.json").read_text())
    assert report["score"] == report["max_score"] > 0 and report["feedback_only"] is True
    assert "uid-drop" in report["isolation"]["layers"], report["isolation"]  # never student code as root
    print("autograde.yml isolation:", json.dumps(report["isolation"]))
    assert json.loads((workspace / "grader-feedback" / "pr.json").read_text()) == {"number": 7, "head_sha": "b" * 40}
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "cross_entropy_error" in summary and "feedback" in summary.lower()
    assert re.search(r"::stop-commands::([0-9a-f]{32})\n.*::\1::", graded.stdout, re.S), graded.stdout[-2000:]
    assert "apt-get install -y -qq bubblewrap libseccomp2" in (runner.shims / "apt-get.log").read_text()

    # feedback-comment.yml: the default branch's checkout (a new workspace), the artifact as untrusted data
    comment_workflow = YAML(typ="safe").load((workflows / "feedback-comment.yml").read_text())
    comment_job = comment_workflow["jobs"]["comment"]
    assert comment_job["if"] == "github.event.workflow_run.event == 'pull_request'"
    checkout = [s for s in comment_job["steps"] if str(s.get("uses", "")).startswith("actions/checkout")]
    assert checkout and all("ref" not in (s.get("with") or {}) for s in checkout), "the comment job checks out PR code"
    assert _python_steps_only(comment_job) == [
        'python3 -m grader ci comment --artifact "$RUNNER_TEMP/untrusted-feedback"'
    ]
    default_branch = runner.workspace("ch04-kim-default")
    _run(["cp", "-R", f"{workspace}/.", str(default_branch)])
    shutil.rmtree(default_branch / ".venv")
    shutil.rmtree(default_branch / "grader-feedback")
    shutil.copy(STUB, default_branch / "assignments" / "ch04_learning.ipynb")
    canary = tmp_path / "student-code-ran"
    os.chmod(tmp_path, 0o777)
    artifact = runner.temp / "untrusted-feedback"
    _download(runner, workspace / "grader-feedback", artifact)
    # the pull request's code, had it been run: planted where a careless job would pick it up
    for planted in (artifact / "sitecustomize.py", artifact / "usercustomize.py", artifact / "grader" / "__init__.py"):
        planted.parent.mkdir(exist_ok=True)
        planted.write_text(f"open({str(canary)!r}, 'w').write('ran')\n")
    hostile = json.loads((artifact / "report.json").read_text())
    hostile["functions"][0]["name"] = "<img src=x onerror=alert(1)> @everyone"
    (artifact / "report.json").write_text(json.dumps(hostile))
    (artifact / "pr.json").write_text(json.dumps({"number": 7}))  # a fork's run: the number comes from the artifact
    runner.user.own(artifact)
    runner.user.own(default_branch)
    with FakeGitHub() as fake:
        fake.pulls["course/ch04-kim#7"] = {"number": 7, "head": {"sha": "b" * 40}}
        event = {
            "workflow_run": {
                "id": 4242,
                "event": "pull_request",
                "head_sha": "b" * 40,
                "pull_requests": [],
                "html_url": "https://github.com/course/ch04-kim/actions/runs/4242",
            }
        }
        env = runner.environment(default_branch, "workflow_run", event, {"GITHUB_API_URL": fake.url})
        values = {"github.token": TOKEN, "runner.temp": str(runner.temp), "github.event.workflow_run.id": "4242"}
        run_job(runner, comment_job, default_branch, env, values)
        run_job(runner, comment_job, default_branch, env, values)  # a second push: the same comment, updated
        comments = fake.comments["course/ch04-kim#7"]
    assert len(comments) == 1
    body = comments[0]["body"]
    assert "<!-- ch04-grader-feedback -->" in body and f"{report['score']:g} / {report['max_score']:g}" in body
    outside_code = re.sub(r"(`+).*?\1", "", body)  # a code span is inert: no HTML, no mention
    assert not re.search(r"(?<!\\)<img", outside_code) and "@everyone" not in outside_code
    assert "img src=x" in body  # the name is there, inert
    assert not canary.exists(), "the comment job ran code from the pull request"


@needs_users
@needs_sudo
def test_github_runner_private_regrade_fetch_grade_notify(runner: Runner, tmp_path: Path):
    """regrade.yml's three jobs, each on a fresh workspace; the gradebook artifact is readable by the runner."""
    remotes = Path(tempfile.mkdtemp(prefix="student-remotes-"))
    try:
        roster = "student,repository,url\n"
        for student, notebook in (("kim", SOLUTION), ("lee", STUB)):
            url = _notebook_repo(remotes / student, notebook)
            roster += f"{student},course/ch04-{student},{url}\n"
        roster += "park,course/ch04-park,file:///nonexistent/park\n"  # a repository that cannot be cloned
        runner.user.own(remotes)
        workflow = load_workflow("templates/grading-repo/.github/workflows/regrade.yml")
        artifacts = runner.artifact_store("regrade")
        values = {"secrets.GRADER_TOKEN": TOKEN, "inputs.notify": "true"}
        runs: dict[str, JobRun] = {}
        with FakeGitHub() as fake:
            for job_name in ("fetch", "grade", "notify"):
                job = workflow["jobs"][job_name]
                workspace = copy_checkout(runner.workspace("grading"), with_git=True)
                (workspace / "roster.csv").write_text(roster)
                runner.user.own(workspace)
                previous = {"grade": "submissions", "notify": "gradebook"}.get(job_name)
                if previous:
                    download = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/download")]
                    assert download and download[0]["with"]["name"] == previous
                    _download(runner, artifacts / previous, workspace / download[0]["with"]["path"])
                env = runner.environment(
                    workspace, "workflow_dispatch", {"inputs": {"notify": True}}, {"GITHUB_API_URL": fake.url}
                )
                runs[job_name] = run_job(runner, job, workspace, env, values)
                for artifact, paths in runs[job_name].uploads.items():
                    _upload(runner, workspace, paths, artifacts / artifact)
                if job_name == "grade":
                    gradebook = (workspace / "results" / "gradebook.csv").read_text().splitlines()
                    kim = json.loads((workspace / "results" / "results" / "kim.json").read_text())
                    assert "uid-drop" in kim["isolation"]["layers"], kim["isolation"]
                    print("regrade.yml isolation:", json.dumps(kim["isolation"]))
                    grade_log = runs["grade"].outputs[-1]
            issues = {repo: list(items) for repo, items in fake.issues.items()}
        assert set(runs["grade"].uploads) == {"gradebook"} and set(runs["fetch"].uploads) == {"submissions"}
        rows = {row.split(",")[0]: row.split(",") for row in gradebook[1:]}
        status = gradebook[0].split(",").index("status")  # the reason columns after it may hold commas
        assert set(rows) == {"kim", "lee", "park"}, gradebook
        assert rows["kim"][1] == "110" and rows["kim"][status] == "graded", (gradebook, grade_log.stderr[-3000:])
        assert rows["lee"][1] == "0" and rows["park"][status] == "ungradable" and rows["park"][1] == ""
        assert set(issues) == {"course/ch04-kim", "course/ch04-lee", "course/ch04-park"}
        assert "110" in issues["course/ch04-kim"][0]["body"]
    finally:
        shutil.rmtree(remotes, ignore_errors=True)


@needs_users
@needs_sudo
def test_github_runner_sharded_regrade_and_merge(runner: Runner, tmp_path: Path):
    """regrade-sharded.yml: four shards under sudo, each artifact readable by the runner; merge as the runner."""
    workflow = load_workflow("templates/batch-matrix/.github/workflows/regrade-sharded.yml")
    workspace = copy_checkout(runner.workspace("grading-sharded"), with_git=True)
    students = ["20240001", "20240002", "20240003", "20240004", "20240005"]
    (workspace / "submissions").mkdir()
    for index, student in enumerate(students):
        shutil.copy(SOLUTION if index % 2 == 0 else STUB, workspace / "submissions" / f"{student}.ipynb")
    runner.user.own(workspace)
    shard_job = workflow["jobs"]["shard"]
    artifacts = runner.artifact_store("sharded")
    env = runner.environment(workspace, "workflow_dispatch", {"inputs": {"seed": "20240601"}}, {})
    install = "Install the sandbox tools and the grader"
    for index, shard in enumerate(shard_job["strategy"]["matrix"]["shard"]):
        values = {"matrix.shard": str(shard), "inputs.seed": "20240601"}
        # one workspace stands for four machines: the first shard installs, the others find it installed
        job = run_job(runner, shard_job, workspace, env, values, already_done={install} if index else set())
        assert (install in job.skipped) == (index > 0)
        ((name, paths),) = job.uploads.items()
        assert name == f"shard-{shard}"
        _upload(runner, workspace, paths, artifacts / name)
    merge_job = workflow["jobs"]["merge"]
    merged = runner.workspace("grading-merge")
    copy_checkout(merged)
    runner.user.own(merged)
    for shard_dir in sorted(artifacts.iterdir()):  # download-artifact with a pattern: shards/<artifact name>/
        _download(runner, shard_dir, merged / "shards" / shard_dir.name)
    env = runner.environment(merged, "workflow_dispatch", {"inputs": {"seed": "20240601"}}, {})
    job = run_job(runner, merge_job, merged, env, {})
    assert job.uploads == {"gradebook": ["results/"]}
    rows = (merged / "results" / "gradebook.csv").read_text().splitlines()
    scores = {row.split(",")[0]: row.split(",")[1] for row in rows[1:]}
    assert scores == {s: ("110" if i % 2 == 0 else "0") for i, s in enumerate(students)}, rows


# -- a Gradescope container ----------------------------------------------------------------------


@pytest.fixture
def gradescope_root() -> Iterator[Path]:
    top = Path(tempfile.mkdtemp(prefix="gradescope-"))
    os.chmod(top, 0o755)
    root = top / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    # What the instructor uploads: the zip publish --gradescope builds, unpacked as Gradescope does.
    archive = build_autograder_zip("ch04_learning", top / "autograder.zip")
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / script, 0o755)
    yield root
    shutil.rmtree(top, ignore_errors=True)


def _as_uid(uid: int, command: list[str]) -> subprocess.CompletedProcess:
    return _run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *command])


@needs_root
def test_gradescope_setup_then_run_autograder(gradescope_root: Path):
    root = gradescope_root
    env = {
        "PATH": SYSTEM_PATH,
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_SKIP_APT": "1",
    }
    if not any(shutil.which(f"python3.{minor}", path=SYSTEM_PATH) for minor in (11, 12, 13)):
        pytest.skip("setup.sh looks for a system Python >= 3.11 (apt-get installs one on Gradescope), none here")
    setup = _run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=root / "source")
    assert setup.returncode == 0, setup.stderr[-3000:]
    for name in HIDDEN:
        for path in [root / "source" / name, *list((root / "source" / name).rglob("*"))[:50]]:
            for uid in WORKER_UIDS:
                assert _as_uid(uid, ["test", "-r", str(path)]).returncode != 0, f"uid {uid} can read {path}"
    for uid in WORKER_UIDS:  # what a worker needs stays reachable
        probe = [str(root / "venv" / "bin" / "python"), "-I", "-c", "import numpy"]
        assert _as_uid(uid, probe).returncode == 0, f"uid {uid} cannot run the venv's Python"
        assert _as_uid(uid, ["test", "-r", str(root / "source" / "grader" / "untrusted" / "worker.py")]).returncode == 0

    results = root / "results" / "results.json"
    shutil.copy(SOLUTION, root / "submission" / "ch04_learning.ipynb")
    graded = _run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=root)
    assert graded.returncode == 0, graded.stderr[-3000:]
    data = json.loads(results.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 110 == sum(t["max_score"] for t in data["tests"])
    staff = [t for t in data["tests"] if "staff" in t.get("tags", [])]
    missing = staff[0]["output"] if staff else ""
    assert "hidden-files" not in missing and "uid-drop" not in missing, missing
    print("Gradescope staff output:", missing)
    assert all(line in graded.stderr for line in missing.splitlines()), "warnings reach only results.json"

    (root / "submission" / "ch04_learning.ipynb").unlink()
    empty = _run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=root)
    assert empty.returncode == 0
    data = json.loads(results.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert "score" not in data and "노트북" in data["output"]  # not graded: no score that reads as a 0
    assert data["extra_data"]["reason"] == "no-notebook"


# -- a TA's laptop ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def teaching_assistant() -> Iterator[User]:
    if NO_USERADD:
        pytest.skip(NO_USERADD)
    users = make_user("ta")
    yield next(users)
    next(users, None)


def _path_without(program: str, under: Path) -> str:
    """A PATH with everything of SYSTEM_PATH but ``program`` (its folder shadowed by links to the rest)."""
    folders = []
    for folder in SYSTEM_PATH.split(":"):
        if not (Path(folder) / program).exists():
            folders.append(folder)
            continue
        shadow = Path(tempfile.mkdtemp(prefix=f"no-{program}-", dir=under))
        os.chmod(shadow, 0o755)
        for entry in Path(folder).iterdir():
            if entry.name != program:
                (shadow / entry.name).symlink_to(entry)
        folders.append(str(shadow))
    return ":".join(folders)


@needs_users
def test_ta_laptop_make_grade_and_check_from_a_fresh_clone(teaching_assistant: User):
    ta = teaching_assistant
    clone = ta.home / "ch04"
    shutil.rmtree(clone, ignore_errors=True)
    os.chmod(ta.home, 0o755)
    # cloned by root and handed over: git refuses to serve a repository of another user to the TA's account
    result = _run(["git", "clone", "--quiet", "--no-hardlinks", str(KIT_ROOT), str(clone)])
    assert result.returncode == 0, result.stderr
    # what an earlier failed setup left (a venv of an interpreter that is gone, no stamp): must not block
    (clone / ".venv" / "bin").mkdir(parents=True)
    (clone / ".venv" / "bin" / "python").symlink_to("/nonexistent/python3.10")
    ta.own(clone)
    shadows = ta.home / "no-bwrap"  # removed with the account (or here, for an account that existed)
    shutil.rmtree(shadows, ignore_errors=True)
    shadows.mkdir()
    os.chmod(shadows, 0o755)
    env = {"PATH": _path_without("bwrap", shadows), "HOME": str(ta.home), "USER": ta.name, "LANG": "C.UTF-8"}
    assert shutil.which("bwrap", path=env["PATH"]) is None and shutil.which("make", path=env["PATH"])
    grade = ta.run(["make", "grade", "NOTEBOOK=solutions/ch04_learning.ipynb"], env, clone)
    assert grade.returncode == 0, grade.stdout[-3000:] + grade.stderr[-3000:]
    assert "cross_entropy_error" in grade.stdout and "TwoLayerNet" in grade.stdout
    assert re.search(r"\b110(\.0)?\s*/\s*110\b", grade.stdout), grade.stdout[-2000:]
    assert "namespaces" in grade.stdout, "the report should name the layer missing without bubblewrap"
    print("TA laptop report, last lines:", grade.stdout[-1500:])
    check = ta.run(["make", "check"], env, clone)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "cross_entropy_error" in check.stdout


def test_failed_setup_leaves_no_venv_and_says_what_to_do(tmp_path: Path):
    """A setup that fails after creating .venv (here: no package index) removes it and names the next step."""
    for name in ("Makefile", "pyproject.toml", "README.md"):
        shutil.copy(KIT_ROOT / name, tmp_path / name)
    (tmp_path / "grader").symlink_to(KIT_ROOT / "grader")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    python = shutil.which("python3") or sys.executable
    failed = _run(["make", "setup", f"PYTHON={python}"], cwd=tmp_path, env=env)
    assert failed.returncode != 0
    assert not (tmp_path / ".venv").exists(), "a half-made .venv was left behind"
    assert "setup failed: .venv removed" in failed.stderr and "make" in failed.stderr
    too_old = tmp_path / "python3.10"
    too_old.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.10.12' && exit 0\nexit 1\n")
    os.chmod(too_old, 0o755)
    refused = _run(["make", "setup", f"PYTHON={too_old}"], cwd=tmp_path, env=env)
    assert refused.returncode != 0 and not (tmp_path / ".venv").exists()
    assert "Python 3.10.12" in refused.stderr and "3.11" in refused.stderr
