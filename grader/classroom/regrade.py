"""The authoritative regrade (``ci regrade``): roster -> fetch each notebook as data -> batch -> notify each student.

Runs in the course's private grading repository (or on an instructor's machine),
never in a student's. Stages: ``fetch`` (needs the token for private student
repositories; runs no student code), ``grade`` (needs no token; public and hidden
suites in the sandbox) and ``notify`` (the token again; one issue per student,
updated in place, with scores per unit only). ``all`` runs the three in one process.

Over the kit's 400 lines (about 420): the three stages share the results folder's files, the deadline and the
GitHub API, and read best in one place; the roster, which the stages only read, is :mod:`grader.classroom.roster`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from grader.classroom import deadline as deadlines
from grader.classroom import gradebook, outputs
from grader.classroom.github import GitHubAPI, GitHubError
from grader.classroom.roster import NOT_ACCEPTED, NOT_ACCEPTED_KO, RegradeError, RosterEntry, read_roster
from grader.errors import GraderError
from grader.pipeline import reasons
from grader.pipeline.inert import md_code

STAGES = ("fetch", "grade", "notify", "all")
FETCH_FILE = "fetch.json"
DEADLINE_FILE = "deadline.json"  # the deadline and late policy of the last fetch: the class report names them
CLONE_SECONDS = 180
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
GRADE_MARKER = "<!-- ch04-grader-grade:{assignment} -->"


# -- fetch ---------------------------------------------------------------------------------------


def _git_environment(token: str | None, url: str) -> dict[str, str]:
    """No prompts, no system or user config, and the token only as an HTTP header for github.com."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_LFS_SKIP_SMUDGE": "1",
    }
    if token and url.startswith("https://github.com/"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.https://github.com/.extraheader",
            GIT_CONFIG_VALUE_0=f"AUTHORIZATION: basic {basic}",
        )
    return env


@dataclass(frozen=True)
class Deadline:
    """The course's deadline and late policy for one regrade (``--deadline``, ``--late``)."""

    due: datetime
    policy: deadlines.LatePolicy


def regrade_deadline(due: str | None, late: str | None) -> Deadline | None:
    """The command line's ``--deadline`` and ``--late`` (cutoff by default: the last push before the deadline)."""
    if due is None:
        if late is not None:
            raise deadlines.DeadlineError(
                "--late needs --deadline (the time work is due, with its UTC offset)",
                ko="--late에는 --deadline(UTC 오프셋이 있는 마감 시각)이 필요합니다",
            )
        return None
    return Deadline(deadlines.parse_time(due), deadlines.parse_policy(late or "cutoff"))


Pushes = Callable[[RosterEntry, str], list[deadlines.Push]]  # (entry, branch) -> GitHub's record of its pushes


def fetch_notebook(
    entry: RosterEntry,
    notebook_path: str,
    dest: Path,
    token: str | None,
    server_url: str = "https://github.com",
    *,
    deadline: Deadline | None = None,
    pushes: Pushes | None = None,
) -> dict[str, Any]:
    """Clone without a working tree and copy one blob out; returns what was fetched (RegradeError if not):
    ``commit``, and with a deadline the ``late`` record of :func:`grader.classroom.deadline.late_record`."""
    url = entry.url or f"{server_url.rstrip('/')}/{entry.repository}.git"
    env = _git_environment(token, url)
    with tempfile.TemporaryDirectory(prefix="regrade-") as scratch:
        clone = Path(scratch) / "repo"
        depth = [] if deadline else ["--depth", "1"]  # a deadline looks back in the branch's history
        command = [
            "git",
            "-c",
            "core.hooksPath=/dev/null",
            "clone",
            "--quiet",
            *depth,
            "--no-checkout",
            "--no-tags",
            *(["--branch", entry.ref] if entry.ref else []),
            url,
            str(clone),
        ]
        _git(command, env, (f"cannot clone {entry.repository}", f"{entry.repository}을(를) 복제할 수 없습니다"))
        commit, late = _git(["git", "-C", str(clone), "rev-parse", "HEAD"], env, ("no commit", "커밋이 없습니다")), None
        if deadline is not None:
            commit, late = _submitted_commit(entry, clone, env, deadline, pushes)
        size = _git(
            ["git", "-C", str(clone), "cat-file", "-s", f"{commit}:{notebook_path}"],
            env,
            (
                f"{entry.repository} has no {notebook_path} in commit {commit[:12]}",
                f"{entry.repository}의 커밋 {commit[:12]}에 {notebook_path}이(가) 없습니다",
            ),
        )
        if int(size) > MAX_NOTEBOOK_BYTES:
            mib = int(size) // 2**20
            raise RegradeError(
                f"{notebook_path} in {entry.repository} is {mib} MiB, over the limit",
                ko=f"{entry.repository}의 {notebook_path}이(가) {mib} MiB로 한도를 넘습니다",
            )
        blob = subprocess.run(
            ["git", "-C", str(clone), "cat-file", "blob", f"{commit}:{notebook_path}"],
            env=env,
            capture_output=True,
            timeout=CLONE_SECONDS,
            check=False,
        )
    outputs.write_bytes(dest, blob.stdout)
    return {"commit": commit, "late": late}


def _submitted_commit(
    entry: RosterEntry, clone: Path, env: dict[str, str], deadline: Deadline, pushes: Pushes | None
) -> tuple[str, dict[str, Any]]:
    """The commit that is the submission under the deadline, and its late record.

    GitHub's record of the branch's pushes (server time) is used where it can be read; otherwise the dates of
    the branch's commits, which the student's clock sets: the record says which.
    """
    due = deadlines.due_for(deadline.due, entry.extension)
    branch = _git(
        ["git", "-C", str(clone), "rev-parse", "--abbrev-ref", "HEAD"], env, ("no branch", "브랜치가 없습니다")
    )
    recorded = []
    if pushes is not None:
        try:
            recorded = pushes(entry, branch)
        except GraderError:  # no activity to read (a token without access, another server): the commit dates
            recorded = []
    if not recorded:
        log = _git(
            ["git", "-C", str(clone), "log", "--first-parent", "--format=%H %cI", "HEAD"],
            env,
            ("no history", "기록이 없습니다"),
        )
        recorded = [
            deadlines.Push(sha, deadlines.parse_time(when, "commit date"), "commit-date")
            for sha, when in (line.split(" ", 1) for line in log.splitlines() if " " in line)
        ]
    chosen = deadlines.submission(recorded, due, deadline.policy)
    if chosen is None:
        raise RegradeError(
            f"nothing was pushed to {branch} before the deadline {due.isoformat()}",
            ko=f"마감 {due.isoformat()} 전에 {branch}에 push된 것이 없습니다",
        )
    if subprocess.run(
        ["git", "-C", str(clone), "cat-file", "-e", f"{chosen.commit}^{{commit}}"], env=env, check=False
    ).returncode:
        gone = ("the commit is gone", "그 커밋이 없어졌습니다")
        _git(["git", "-C", str(clone), "fetch", "--quiet", "origin", chosen.commit], env, gone)
    return chosen.commit, deadlines.late_record(chosen, due, deadline.policy)


def github_pushes(api: GitHubAPI) -> Pushes:
    """Pushes to a branch as GitHub recorded them (the repository's activity: server times, unforgeable)."""

    def pushes(entry: RosterEntry, branch: str) -> list[deadlines.Push]:
        # Newest first (GitHub pages this list by cursor, so only the first page is certain): the 100 latest
        # pushes, which hold the last one before any deadline a regrade looks at.
        activity = api.request("GET", f"/repos/{entry.repository}/activity?ref=refs/heads/{branch}&per_page=100")
        if not isinstance(activity, list):
            raise GitHubError(
                f"GET /repos/{entry.repository}/activity: expected a list", ko="GitHub의 push 기록이 목록이 아닙니다"
            )
        return [
            deadlines.Push(str(item["after"]), deadlines.parse_time(str(item["timestamp"]), "push time"), "push")
            for item in activity
            if isinstance(item, dict)
            and item.get("activity_type") in ("push", "force_push", "merge", "pr_merge", "branch_creation")
            and isinstance(item.get("after"), str)
            and isinstance(item.get("timestamp"), str)
        ]

    return pushes


def _git(command: list[str], env: dict[str, str], problem: tuple[str, str]) -> str:
    """git's output, or RegradeError with ``problem`` (English, Korean) when git fails or takes too long."""
    en, ko = problem
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLONE_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RegradeError(
            f"{en} (git took over {CLONE_SECONDS} s)", ko=f"{ko} (git이 {CLONE_SECONDS}초를 넘겼습니다)"
        ) from None
    if result.returncode != 0:
        raise RegradeError(en, ko=ko)
    return result.stdout.strip()


def fetch_all(
    entries: list[RosterEntry],
    out: Path,
    assignment_id: str,
    token: str | None,
    *,
    deadline: Deadline | None = None,
    pushes: Pushes | None = None,
) -> dict[str, dict[str, Any]]:
    """Fetch every notebook into ``out/submissions/<student>/``; the outcome per student in ``fetch.json``."""
    shutil.rmtree(out / "submissions", ignore_errors=True)
    outcomes = {}
    for entry in entries:
        dest = out / "submissions" / entry.student / f"{assignment_id}.ipynb"
        outcome = {"repository": entry.repository, "commit": "", "problem": "", "late": None}
        try:
            if not entry.repository:
                raise RegradeError(NOT_ACCEPTED, ko=NOT_ACCEPTED_KO)
            path = f"assignments/{assignment_id}.ipynb"
            outcome.update(fetch_notebook(entry, path, dest, token, deadline=deadline, pushes=pushes))
        except (RegradeError, deadlines.DeadlineError) as error:
            outputs.make_dirs(dest.parent)
            outcome["problem"] = str(error)
        outcomes[entry.student] = outcome
    gradebook.write_atomic(out / FETCH_FILE, json.dumps(outcomes, indent=2, sort_keys=True) + "\n")
    # Written on every fetch ({} without a deadline): the workflow uploads it with the submissions, and a run
    # without a deadline must not leave an earlier run's policy behind for the class report to name.
    policy = {}
    if deadline is not None:
        policy = {"due": deadline.due.isoformat(), "policy": deadline.policy.kind, "percent": deadline.policy.percent}
        policy |= {"cap": deadline.policy.cap, "describe": deadline.policy.describe()}
    gradebook.write_atomic(out / DEADLINE_FILE, json.dumps(policy, ensure_ascii=False, indent=2) + "\n")
    return outcomes


# -- grade ---------------------------------------------------------------------------------------


def grade_all(
    out: Path,
    assignment_id: str,
    units: list[str] | None,
    seed: int | None,
    jobs: int | None,
    progress: TextIO | None = None,
) -> Path:
    """Batch-grade the fetched notebooks (public and hidden suites); fetch problems are recorded as ungradable."""
    # Deliberately lazy: grading loads numpy and pytest, which the fetch and notify stages (and the command line's
    # start, which imports this module for RegradeError) do without.
    from grader.classroom.batch import record, run_batch, ungradable_record

    outcomes = json.loads((out / FETCH_FILE).read_text(encoding="utf-8"))
    summary = run_batch(
        out / "submissions",
        out,
        assignment_id=assignment_id,
        units=units,
        seed=seed,
        jobs=jobs,
        progress=progress,
        class_report=False,  # written below, once the students whose fetch failed are recorded too
    )
    batch = summary.settings
    for student, outcome in outcomes.items():
        if outcome["problem"]:
            record(out, ungradable_record(student, reasons.NOT_FETCHED, batch, detail=outcome["problem"]))
        else:
            result = gradebook.read_result(gradebook.result_path(out, student))
            if result is not None:
                result["commit"] = outcome["commit"]
                _apply_late(result, outcome.get("late"))
                gradebook.write_atomic(
                    gradebook.result_path(out, student), json.dumps(result, ensure_ascii=False, indent=2) + "\n"
                )
    path = gradebook.write_gradebook(out, batch["units"], set(outcomes))
    if outcomes:
        from grader.classroom.class_report import write_report  # deliberately lazy: matplotlib, once grading is done

        write_report(out)
    return path


def _apply_late(result: dict[str, Any], late: object) -> None:
    """Record the submission's time and take its late penalty off the total (the units keep what they earned)."""
    if not isinstance(late, dict) or result.get("status") == "ungradable":
        return
    result["late"] = late
    percent = float(late.get("penalty_percent") or 0.0)
    if percent:
        result["score_before_late"] = result["score"]
        result["score"] = deadlines.penalised(float(result["score"]), percent)


# -- notify --------------------------------------------------------------------------------------


def student_message(result: dict[str, Any], assignment_id: str) -> str:
    """The short result a student gets: total and scores per unit, the commit graded, no test messages."""
    lines = [
        GRADE_MARKER.format(assignment=assignment_id),
        f"## {md_code(assignment_id)} — 채점 결과 / grade",
        "",
    ]
    if result.get("status") == "ungradable":
        reason = gradebook.reason_of(result)
        lines += [f"채점할 수 없었습니다 / could not be graded: {reasons.render(reason)}"]
        lines += ["", md_code((result.get("errors") or ["?"])[0], 300)]
    else:
        lines += [
            f"**{result['score']:g} / {result['max_score']:g}**",
            "",
            "| unit / 단위 | score / 점수 |",
            "|---|---:|",
        ]
        lines += [
            f"| {md_code(f['name'], 60, table=True)} | {f['score']:g} / {f['max_score']:g} |"
            for f in result["functions"]
        ]
    lines += [
        "",
        f"commit {md_code(str(result.get('commit', ''))[:12], 12)} · "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "숨은 테스트의 입력은 공개하지 않습니다. / Hidden tests' inputs are not shown.",
    ]
    return "\n".join(lines) + "\n"


def notify_all(out: Path, entries: list[RosterEntry], assignment_id: str, api: GitHubAPI) -> dict[str, str]:
    """One issue per student repository, created once and updated in place; student -> what happened."""
    marker = GRADE_MARKER.format(assignment=assignment_id)
    done = {}
    for entry in entries:
        result = gradebook.read_result(gradebook.result_path(out, entry.student))
        if result is None or result.get("status") == "internal-error":
            done[entry.student] = "skipped (no result, or an internal error for the staff to look at)"
            continue
        body = student_message(result, assignment_id)
        try:
            issues = [
                i for i in api.list(f"/repos/{entry.repository}/issues?state=all") if marker in str(i.get("body"))
            ]
            if issues:
                api.request("PATCH", f"/repos/{entry.repository}/issues/{issues[0]['number']}", {"body": body})
                done[entry.student] = "updated"
            else:
                api.request(
                    "POST",
                    f"/repos/{entry.repository}/issues",
                    {"title": f"채점 결과 / Grade: {assignment_id}", "body": body},
                )
                done[entry.student] = "created"
        except GitHubError as error:
            done[entry.student] = f"failed: {error}"
    gradebook.write_atomic(out / "notify.json", json.dumps(done, indent=2, sort_keys=True) + "\n")
    return done


def regrade(
    *,
    roster: Path,
    out: Path,
    assignment_id: str,
    stage: str = "all",
    notify: bool = False,
    units: list[str] | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    progress: TextIO | None = None,
    deadline: Deadline | None = None,
    classroom_repos: str | None = None,
) -> Path:
    """Run the chosen stages; the token comes from ``GRADER_TOKEN`` and is removed from the environment first.

    With ``deadline``, each student's submission is chosen by the late policy from GitHub's record of their
    pushes (with a token), else from their commits' dates; its commit, time and penalty are recorded.
    """
    token = os.environ.pop("GRADER_TOKEN", None)  # never inherited by anything started from here on
    entries = read_roster(roster, classroom_repos)
    outputs.make_dirs(out)
    if stage in ("fetch", "all"):
        api = GitHubAPI(token, os.environ.get("GITHUB_API_URL")) if token and deadline else None
        fetch_all(entries, out, assignment_id, token, deadline=deadline, pushes=github_pushes(api) if api else None)
    if stage in ("grade", "all"):
        if not (out / FETCH_FILE).is_file():
            raise RegradeError(
                f"{out / FETCH_FILE} is missing: run the fetch stage first",
                ko=f"{out / FETCH_FILE}이(가) 없습니다: fetch 단계를 먼저 실행하세요",
            )
        grade_all(out, assignment_id, units, seed, jobs, progress)
    if stage == "notify" or (stage == "all" and notify):
        if not token:
            raise RegradeError(
                "notifying students needs GRADER_TOKEN (a token with issues: write on their repositories)",
                ko="학생에게 알리려면 GRADER_TOKEN(학생 저장소에 issues: write 권한이 있는 토큰)이 필요합니다",
            )
        notify_all(out, entries, assignment_id, GitHubAPI(token, os.environ.get("GITHUB_API_URL")))
    # what the stage wrote last (the CLI says "wrote ..."): the fetch stage writes no gradebook
    return out / {"fetch": FETCH_FILE, "notify": "notify.json"}.get(stage, gradebook.GRADEBOOK_FILE)
