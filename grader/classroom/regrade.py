"""The authoritative regrade (``ci regrade``): roster -> fetch each notebook as data -> batch -> notify each student.

Runs in the course's private grading repository (or on an instructor's machine),
never in a student's. Stages: ``fetch`` (needs the token for private student
repositories; runs no student code), ``grade`` (needs no token; public and hidden
suites in the sandbox) and ``notify`` (the token again; one issue per student,
updated in place, with scores per unit only). ``all`` runs the three in one process.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.classroom import gradebook, outputs, students
from grader.classroom.github import GitHubAPI, GitHubError
from grader.errors import GraderError
from grader.pipeline import reasons
from grader.pipeline.inert import md_code

STAGES = ("fetch", "grade", "notify", "all")
FETCH_FILE = "fetch.json"
CLONE_SECONDS = 180
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
GRADE_MARKER = "<!-- ch04-grader-grade:{assignment} -->"
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class RegradeError(GraderError):
    """The roster or a stage's input is wrong; the message names the line or file."""


@dataclass(frozen=True)
class RosterEntry:
    """One student: id, GitHub repository (owner/name), and optionally where to clone from and which ref."""

    student: str
    repository: str
    url: str = ""
    ref: str = ""


def read_roster(path: Path) -> list[RosterEntry]:
    """``student,repository[,url][,ref]`` rows; every id and name checked."""
    try:
        return _roster_entries(path)
    except (UnicodeDecodeError, csv.Error) as error:  # found by fuzzing: bytes that are not UTF-8, a huge field
        raise RegradeError(f"{path}: not a UTF-8 CSV roster ({type(error).__name__}: {str(error)[:200]})") from None


def _roster_entries(path: Path) -> list[RosterEntry]:
    entries, seen = [], set()
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for line, row in enumerate(csv.DictReader(stream), start=2):
            student, repository = (row.get("student") or "").strip(), (row.get("repository") or "").strip()
            try:
                student = students.checked(student, f"{path}:{line}")
            except students.StudentIdError as error:
                raise RegradeError(str(error)) from None
            if not _REPOSITORY.match(repository):
                raise RegradeError(f"{path}:{line}: repository {repository!r} must be owner/name")
            if student in seen:
                raise RegradeError(f"{path}:{line}: student {student} is listed twice")
            seen.add(student)
            entries.append(
                RosterEntry(student, repository, (row.get("url") or "").strip(), (row.get("ref") or "").strip())
            )
    return entries


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


def fetch_notebook(
    entry: RosterEntry, notebook_path: str, dest: Path, token: str | None, server_url: str = "https://github.com"
) -> str:
    """Clone shallowly without a working tree and copy one blob out; returns the commit (RegradeError if not)."""
    url = entry.url or f"{server_url.rstrip('/')}/{entry.repository}.git"
    env = _git_environment(token, url)
    with tempfile.TemporaryDirectory(prefix="regrade-") as scratch:
        clone = Path(scratch) / "repo"
        command = [
            "git",
            "-c",
            "core.hooksPath=/dev/null",
            "clone",
            "--quiet",
            "--depth",
            "1",
            "--no-checkout",
            "--no-tags",
            *(["--branch", entry.ref] if entry.ref else []),
            url,
            str(clone),
        ]
        _git(command, env, f"cannot clone {entry.repository}")
        size = _git(
            ["git", "-C", str(clone), "cat-file", "-s", f"HEAD:{notebook_path}"],
            env,
            f"{entry.repository} has no {notebook_path} on its default branch",
        )
        if int(size) > MAX_NOTEBOOK_BYTES:
            raise RegradeError(f"{notebook_path} in {entry.repository} is {int(size) // 2**20} MiB, over the limit")
        blob = subprocess.run(
            ["git", "-C", str(clone), "cat-file", "blob", f"HEAD:{notebook_path}"],
            env=env,
            capture_output=True,
            timeout=CLONE_SECONDS,
            check=False,
        )
        commit = _git(["git", "-C", str(clone), "rev-parse", "HEAD"], env, "no commit")
    outputs.write_bytes(dest, blob.stdout)
    return commit


def _git(command: list[str], env: dict[str, str], problem: str) -> str:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLONE_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RegradeError(f"{problem} (git took over {CLONE_SECONDS} s)") from None
    if result.returncode != 0:
        raise RegradeError(problem)
    return result.stdout.strip()


def fetch_all(entries: list[RosterEntry], out: Path, assignment_id: str, token: str | None) -> dict[str, dict]:
    """Fetch every notebook into ``out/submissions/<student>/``; the outcome per student in ``fetch.json``."""
    shutil.rmtree(out / "submissions", ignore_errors=True)
    outcomes = {}
    for entry in entries:
        dest = out / "submissions" / entry.student / f"{assignment_id}.ipynb"
        try:
            commit = fetch_notebook(entry, f"assignments/{assignment_id}.ipynb", dest, token)
            outcomes[entry.student] = {"repository": entry.repository, "commit": commit, "problem": ""}
        except RegradeError as error:
            outputs.make_dirs(dest.parent)
            outcomes[entry.student] = {"repository": entry.repository, "commit": "", "problem": str(error)}
    gradebook.write_atomic(out / FETCH_FILE, json.dumps(outcomes, indent=2, sort_keys=True) + "\n")
    return outcomes


# -- grade ---------------------------------------------------------------------------------------


def grade_all(
    out: Path, assignment_id: str, units: list[str] | None, seed: int | None, jobs: int | None, progress=None
) -> Path:
    """Batch-grade the fetched notebooks (public and hidden suites); fetch problems are recorded as ungradable."""
    from grader.classroom.batch import record, run_batch, ungradable_record

    outcomes = json.loads((out / FETCH_FILE).read_text(encoding="utf-8"))
    run_batch(
        out / "submissions",
        out,
        assignment_id=assignment_id,
        units=units,
        seed=seed,
        jobs=jobs,
        progress=progress,
        class_report=False,  # written below, once the students whose fetch failed are recorded too
    )
    batch = gradebook.read_batch(out)
    for student, outcome in outcomes.items():
        if outcome["problem"]:
            record(out, ungradable_record(student, reasons.NOT_FETCHED, batch, detail=outcome["problem"]))
        else:
            result = gradebook.read_result(gradebook.result_path(out, student))
            if result is not None:
                result["commit"] = outcome["commit"]
                gradebook.write_atomic(
                    gradebook.result_path(out, student), json.dumps(result, ensure_ascii=False, indent=2) + "\n"
                )
    path = gradebook.write_gradebook(out, batch["units"], set(outcomes))
    if outcomes:
        from grader.classroom.class_report import write_report

        write_report(out)
    return path


# -- notify --------------------------------------------------------------------------------------


def student_message(result: dict, assignment_id: str) -> str:
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
    progress=None,
) -> Path:
    """Run the chosen stages; the token comes from ``GRADER_TOKEN`` and is removed from the environment first."""
    token = os.environ.pop("GRADER_TOKEN", None)  # never inherited by anything started from here on
    entries = read_roster(roster)
    outputs.make_dirs(out)
    if stage in ("fetch", "all"):
        fetch_all(entries, out, assignment_id, token)
    if stage in ("grade", "all"):
        if not (out / FETCH_FILE).is_file():
            raise RegradeError(f"{out / FETCH_FILE} is missing: run the fetch stage first")
        grade_all(out, assignment_id, units, seed, jobs, progress)
    if stage == "notify" or (stage == "all" and notify):
        if not token:
            raise RegradeError(
                "notifying students needs GRADER_TOKEN (a token with issues: write on their repositories)"
            )
        notify_all(out, entries, assignment_id, GitHubAPI(token, os.environ.get("GITHUB_API_URL")))
    # what the stage wrote last (the CLI says "wrote ..."): the fetch stage writes no gradebook
    return out / {"fetch": FETCH_FILE, "notify": "notify.json"}.get(stage, gradebook.GRADEBOOK_FILE)
