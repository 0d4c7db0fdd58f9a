"""GitHub Actions, one command per workflow: ``ci feedback`` (student repo), ``ci comment`` (its workflow_run)
and ``ci regrade`` (the course's private grading repository).

Everything a student controls is data here: ``feedback`` prints the student's output
only between ``::stop-commands::<random token>`` lines; ``comment`` reads the
uploaded report with size limits, parses it as JSON, checks every field and writes
Markdown from the checked values, escaped; ``regrade`` fetches each submission's
notebook with ``git`` as a blob, never a working tree, and never runs anything
from a student's repository.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from grader.assignment import load_assignment
from grader.classroom import outputs
from grader.classroom.github import GitHubAPI, workflow_command_value
from grader.errors import GraderError
from grader.pipeline.inert import md_code, md_fit, one_line
from grader.pipeline.scoring import GradeReport

MARKER = "<!-- ch04-grader-feedback -->"
SUMMARY_LIMIT = 1024 * 1024 - 64 * 1024  # GitHub refuses a step summary over 1 MiB; keep a margin
COMMENT_LIMIT = 60_000  # GitHub's comment limit is 65,536 characters
ARTIFACT_LIMIT = 2 * 1024 * 1024
MAX_UNITS, MAX_TESTS = 50, 500
MAX_NAME = 500  # characters of a unit or test name in an uploaded report
MAX_POINTS = 1e6
EXIT_REJECTED = 2  # the uploaded report could not be shown: the comment says so, and so does the exit status
BOT_LOGIN = "github-actions[bot]"
FEEDBACK_BANNER = (
    "> [!NOTE]\n"
    "> **피드백입니다 / This is feedback.** 공개 테스트만 돌린 결과입니다. 성적은 과목의 재채점(숨은 테스트 포함)에서 "
    "정해집니다. / Only the public tests ran here; your grade comes from the course's regrade, which also runs "
    "hidden tests.\n"
)
TRUNCATED = (
    "\n\n… (보고서가 너무 길어 잘렸습니다 / the report was too long and has been cut; run `make check` for all of it)\n"
)


class CIError(GraderError):
    """A CI command cannot do its job (missing environment, a bad artifact); the message says what."""


class ArtifactError(CIError):
    """The uploaded report holds something the comment cannot represent; the message (one line) says what."""


# -- ci feedback ---------------------------------------------------------------------------------


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """Markdown cut to at most ``limit`` UTF-8 bytes at a line end, any open code block closed, with a note."""
    return md_fit(markdown, limit, TRUNCATED)


def feedback(
    *,
    assignment_id: str,
    out: Path,
    notebook: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Grade with the public suite; job summary, artifact folder, log and exit status (1 when points are lost)."""
    # Deliberately lazy: grading imports numpy and pytest, and `ci comment` (this module, in the workflow_run job)
    # must start with the standard library only (grader/tests/classroom/test_ci.py checks).
    from grader.classroom.grading import Outputs, grade_and_write
    from grader.pipeline import report as render

    env = os.environ if env is None else env
    stdout = stdout or sys.stdout
    load_assignment(assignment_id)  # an unknown assignment fails before grading
    notebook = notebook or Path("assignments") / f"{assignment_id}.ipynb"
    token = secrets.token_hex(16)  # unguessable, and never given to the workers

    def summary(report: GradeReport) -> str:
        # GitHub strips data: images from job summaries and comments: the curves go there as text
        return fit_summary(FEEDBACK_BANNER + "\n" + render.render_markdown(report, images=False))

    to = Outputs(
        json=out / "report.json",  # under sudo these belong to the runner user, who uploads them as the artifact
        markdown=out / "report.md",
        text=stdout,
        json_fields={"feedback_only": True},
        markdown_view=summary,
        text_view=lambda report: f"::stop-commands::{token}\n{render.render_text(report)}::{token}::\n",
    )
    # as make check and check() choose the language: the notebook's, then the locale
    report = grade_and_write(notebook, to, assignment_id=assignment_id, suites=("public",), env=env)
    outputs.write_text(out / "pr.json", json.dumps(_pull_request(env)) + "\n")
    if env.get("GITHUB_STEP_SUMMARY"):
        outputs.append_text(Path(env["GITHUB_STEP_SUMMARY"]), summary(report))
    complete = report.score == report.max_score and not report.internal_errors
    level = "notice" if complete else "error"
    stdout.write(
        f"::{level} title=Public tests (feedback only) / 공개 테스트 (피드백용)::"
        + workflow_command_value(
            f"{report.score:g} / {report.max_score:g} points on the public tests; "
            "the grade comes from the course's regrade / 공개 테스트 점수이며, 성적은 과목의 재채점에서 정해집니다"
        )
        + "\n"
    )
    stdout.flush()
    return 0 if complete else 1


def _pull_request(env: Mapping[str, str]) -> dict[str, Any]:
    """The pull request this run is for, from the (trusted) event payload; empty for a push."""
    try:
        event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
    except (KeyError, OSError, ValueError):
        return {}
    pull = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pull, dict):
        return {}
    return {"number": pull.get("number"), "head_sha": (pull.get("head") or {}).get("sha")}


# -- ci comment ----------------------------------------------------------------------------------


@dataclass
class UnitLine:
    """One unit of an untrusted report, checked."""

    name: str
    score: float
    max_score: float
    passed: int
    tests: int
    failing: list[str] = field(default_factory=list)


def read_untrusted_report(path: Path) -> list[UnitLine]:
    """The units of an uploaded report.json: size-limited, parsed as JSON, every field checked (ArtifactError if
    not)."""
    if not path.is_file() or path.is_symlink():
        raise ArtifactError("the run uploaded no report", ko="실행이 보고서를 올리지 않았습니다")
    if path.stat().st_size > ARTIFACT_LIMIT:
        raise ArtifactError("the uploaded report is too large", ko="올린 보고서가 너무 큽니다")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: also an integer past Python's digit limit
        raise ArtifactError(
            "the uploaded report is not valid JSON", ko="올린 보고서가 올바른 JSON이 아닙니다"
        ) from None
    functions = data.get("functions") if isinstance(data, dict) else None
    if not isinstance(functions, list) or len(functions) > MAX_UNITS:
        raise ArtifactError("the uploaded report has no list of units", ko="올린 보고서에 단원 목록이 없습니다")
    return [_unit_line(item) for item in functions]


def _unit_line(item: object) -> UnitLine:
    if not isinstance(item, dict) or not isinstance(item.get("tests"), list) or len(item["tests"]) > MAX_TESTS:
        raise ArtifactError(
            "the uploaded report has a malformed unit", ko="올린 보고서에 형식이 잘못된 단원이 있습니다"
        )
    tests = [t for t in item["tests"] if isinstance(t, dict)]
    failing = [_name(t.get("name", "?"), "test") for t in tests if t.get("outcome") != "passed"]
    return UnitLine(
        _name(item.get("name", "?"), "unit"),
        _number(item.get("score")),
        _number(item.get("max_score")),
        len(tests) - len(failing),
        len(tests),
        failing,
    )


def _name(value: object, what: str) -> str:
    if type(value) is not str or len(value) > MAX_NAME:
        raise ArtifactError(
            f"the uploaded report has a {what} name that is not a string of at most {MAX_NAME} characters",
            ko=f"올린 보고서의 {what} 이름이 {MAX_NAME}자 이하의 문자열이 아닙니다",
        )
    return value


def _number(value: object) -> float:
    # The range is checked first: comparing an int of any size with a float is exact, converting it may overflow.
    if type(value) is int or type(value) is float:  # exactly: a bool is no score
        number: int | float = value
        if 0 <= number <= MAX_POINTS and math.isfinite(number):
            return float(number)
    raise ArtifactError(
        f"the uploaded report has a score that is not a number from 0 to {MAX_POINTS:g}",
        ko=f"올린 보고서의 점수가 0부터 {MAX_POINTS:g} 사이의 수가 아닙니다",
    )


def render_comment(units: list[UnitLine] | None, problem: str, run_url: str, head_sha: str) -> str:
    """The PR comment: the marker, the banner, a table built from checked values only, and a link to the run."""
    lines = [MARKER, FEEDBACK_BANNER]
    if units is None:
        lines.append(f"⚠️ {md_code(problem, 300)}")
    else:
        score, maximum = sum(u.score for u in units), sum(u.max_score for u in units)
        lines += [
            f"### Public tests / 공개 테스트: {score:g} / {maximum:g}",
            "",
            "| unit / 단위 | score / 점수 | tests / 테스트 | failing / 실패 |",
            "|---|---:|---:|---|",
        ]
        for unit in units:
            icon = "✅" if unit.score == unit.max_score else ("❌" if unit.score == 0 else "🟡")
            failing = ", ".join(md_code(name, 60, table=True) for name in unit.failing[:8])
            failing += " …" if len(unit.failing) > 8 else ""
            lines.append(
                f"| {icon} {md_code(unit.name, 60, table=True)} | {unit.score:g} / {unit.max_score:g} | "
                f"{unit.passed} / {unit.tests} | {failing} |"
            )
    lines += ["", f"Commit {md_code(head_sha[:12], 12)} · [full report / 전체 보고서]({run_url})"]
    body = "\n".join(lines) + "\n"
    return body if len(body) <= COMMENT_LIMIT else body[:COMMENT_LIMIT] + "\n…\n"


def comment(
    *, artifact: Path, env: Mapping[str, str] | None = None, api: GitHubAPI | None = None, bot_login: str = BOT_LOGIN
) -> int:
    """Keep one feedback comment on the pull request of the finished autograde run up to date.

    Exit status 0, or EXIT_REJECTED when the uploaded report could not be shown (the comment then says why).
    """
    env = os.environ if env is None else env
    try:
        event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
        run, repository = event["workflow_run"], env["GITHUB_REPOSITORY"]
    except (KeyError, OSError, ValueError, TypeError) as error:
        raise CIError(
            f"not a workflow_run event ({error!r}); this command runs in the feedback-comment workflow",
            ko="workflow_run 이벤트가 아닙니다: 이 명령은 feedback-comment 워크플로에서 실행합니다",
        ) from None
    api = api or GitHubAPI(env.get("GITHUB_TOKEN", ""), env.get("GITHUB_API_URL"))
    head_sha = str(run.get("head_sha", ""))
    number = _pull_number(run, artifact, repository, head_sha, api)
    if number is None:
        print(
            "no pull request belongs to this run: nothing to post / 이 실행에 딸린 풀 리퀘스트가 없어 올릴 것이 없습니다"
        )
        return 0
    try:
        units, problem = read_untrusted_report(artifact / "report.json"), ""
    except ArtifactError as error:
        units, problem = (
            None,
            one_line(
                f"the autograde run left no readable report / 채점 실행이 읽을 수 있는 보고서를 남기지 않았습니다: {error}",
                400,
            ),
        )
    body = render_comment(units, problem, str(run.get("html_url", "")), head_sha)
    existing = [
        c
        for c in api.list(f"/repos/{repository}/issues/{number}/comments")
        if MARKER in str(c.get("body", "")) and (c.get("user") or {}).get("login") == bot_login
    ]
    if existing:
        api.request("PATCH", f"/repos/{repository}/issues/comments/{existing[0]['id']}", {"body": body})
        print(f"updated the feedback comment on #{number} / #{number}의 피드백 댓글을 고쳤습니다")
    else:
        api.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
        print(f"posted the feedback comment on #{number} / #{number}에 피드백 댓글을 올렸습니다")
    if units is None:
        print(f"error: {problem} (said so on #{number} / #{number}에 그렇게 적었습니다)", file=sys.stderr)
        return EXIT_REJECTED
    return 0


def _pull_number(run: dict[str, Any], artifact: Path, repository: str, head_sha: str, api: GitHubAPI) -> int | None:
    """The PR number from the event; for forks (empty list) from the artifact, verified against the API."""
    for pull in run.get("pull_requests") or []:
        number = pull.get("number") if isinstance(pull, dict) else None
        if type(number) is int:
            return number
    try:
        claimed = json.loads((artifact / "pr.json").read_text(encoding="utf-8")[:1000]).get("number")
    except (OSError, ValueError, AttributeError):
        return None
    if type(claimed) is not int or claimed <= 0:
        return None
    pull = api.request("GET", f"/repos/{repository}/pulls/{claimed}")
    if not isinstance(pull, dict) or (pull.get("head") or {}).get("sha") != head_sha:
        raise CIError(
            f"the artifact names pull request #{claimed}, whose head is not this run's commit",
            ko=f"아티팩트가 가리키는 풀 리퀘스트 #{claimed}의 head가 이 실행의 커밋이 아닙니다",
        )
    return claimed
