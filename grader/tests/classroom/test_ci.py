"""The CI commands with the GitHub environment faked and the REST API replaced by a local recorded fake."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.classroom.ci import (
    EXIT_REJECTED,
    MARKER,
    SUMMARY_LIMIT,
    ArtifactError,
    CIError,
    comment,
    fit_summary,
    read_untrusted_report,
)
from grader.tests.fake_github import TOKEN, FakeGitHub
from grader.tests.helpers import STUDENT, grader_command, solution_notebook, solution_with
from grader.tests.hostile import control_characters, markdown_outside_code, markdown_problems

REPO = "class/kim-ch04"
PRINTS_COMMANDS = """
def numerical_diff(f, x):
    print("::error::pwned")
    print("::add-mask::nothing")
    return 0.0
"""


def github_env(tmp_path: Path, event: dict, **extra: str) -> dict[str, str]:
    (tmp_path / "event.json").write_text(json.dumps(event))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(
        GITHUB_EVENT_PATH=str(tmp_path / "event.json"),
        GITHUB_REPOSITORY=REPO,
        GITHUB_RUN_ID="42",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_TOKEN=TOKEN,
        **extra,
    )
    return env


def workflow_run_event(pulls: list[dict], head_sha: str = "c0ffee" * 6) -> dict:
    return {
        "workflow_run": {
            "id": 42,
            "event": "pull_request",
            "head_sha": head_sha,
            "pull_requests": pulls,
            "html_url": f"https://github.com/{REPO}/actions/runs/42",
            "conclusion": "failure",
        }
    }


def report_with(name: str, score: float = 1.0, tests: list | None = None) -> dict:
    tests = tests if tests is not None else [{"name": "t1", "outcome": "failed"}, {"name": "t2", "outcome": "passed"}]
    return {"functions": [{"name": name, "score": score, "max_score": 5.0, "tests": tests}]}


def test_feedback_fences_student_output_and_writes_summary_and_artifact(tmp_path):
    notebook = tmp_path / "ch04_learning.ipynb"
    nbformat.write(solution_with([PRINTS_COMMANDS]), notebook)
    env = github_env(tmp_path, {"pull_request": {"number": 7, "head": {"sha": "abc123"}}})
    result = subprocess.run(
        grader_command(
            "ci",
            "feedback",
            "--assignment",
            "ch04_learning",
            "--notebook",
            str(notebook),
            "--out",
            str(tmp_path / "art"),
        ),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr  # points lost: the check fails
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].removeprefix("::stop-commands::")
    assert len(token) == 32 and token not in notebook.read_text()
    end = lines.index(f"::{token}::")
    pwned = [i for i, line in enumerate(lines) if "::error::pwned" in line or "::add-mask::" in line]
    assert pwned and all(start < i < end for i in pwned)  # every student line inside the fence
    assert [line for line in lines[end + 1 :] if line.startswith("::")] == [
        line for line in lines[end + 1 :] if line.startswith("::error title=Public tests")
    ]
    summary = (tmp_path / "summary.md").read_text()
    assert "This is feedback" in summary and "regrade" in summary and "`numerical_diff`" in summary
    report = json.loads((tmp_path / "art" / "report.json").read_text())
    assert report["suites"] == ["public"] and report["feedback_only"] is True
    assert json.loads((tmp_path / "art" / "pr.json").read_text()) == {"number": 7, "head_sha": "abc123"}


def test_summary_is_cut_under_the_step_summary_cap():
    text = fit_summary("```text\n" + "가" * SUMMARY_LIMIT)
    assert len(text.encode()) <= SUMMARY_LIMIT and "too long" in text and text.count("```") % 2 == 0
    assert fit_summary("short") == "short"


def test_comment_is_posted_once_then_updated_in_place_and_escaped(tmp_path):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    evil = "x <img src=x onerror=alert(1)> @everyone [click](http://evil.example) | `code` ### <!-- ch04"
    (artifact / "report.json").write_text(json.dumps(report_with(evil)))
    env = github_env(tmp_path, workflow_run_event([{"number": 7}]))
    with FakeGitHub() as fake:
        env["GITHUB_API_URL"] = fake.url
        fake.comments[f"{REPO}#7"] = [
            {"id": 1, "body": f"{MARKER} planted by the student", "user": {"login": "kim", "type": "User"}}
        ]
        assert comment(artifact=artifact, env=env) == 0
        (artifact / "report.json").write_text(json.dumps(report_with("numerical_diff", 5.0, [])))
        assert comment(artifact=artifact, env=env) == 0
        methods = [(method, path) for method, path, _ in fake.requests if method != "GET"]
    ours = [c for c in fake.comments[f"{REPO}#7"] if c["user"]["login"] == "github-actions[bot]"]
    assert (
        len(ours) == 1
        and methods[0][0] == "POST"
        and methods[1] == ("PATCH", f"/repos/{REPO}/issues/comments/{ours[0]['id']}")
    )
    assert "`numerical_diff`" in ours[0]["body"] and "5 / 5" in ours[0]["body"]
    first = fake.requests[[r[0] for r in fake.requests].index("POST")][2]["body"]
    assert first.startswith(MARKER) and "This is feedback" in first
    run_url = f"https://github.com/{REPO}/actions/runs/42"
    heading = "Public tests / 공개 테스트: 1 / 5"
    assert markdown_problems(first, {heading}, {MARKER}, {run_url}) == []
    prose = markdown_outside_code(first)
    for raw in ("<img", "@everyone", "evil.example", "<!--", "code", "###"):
        assert raw not in prose, raw


@pytest.mark.parametrize("content", [b"{not json", b"[" * 100_000, b"x" * (3 * 1024 * 1024), None])
def test_unreadable_artifact_gives_a_plain_comment_not_a_crash(tmp_path, content):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    if content is not None:
        (artifact / "report.json").write_bytes(content)
    with FakeGitHub() as fake:
        env = github_env(tmp_path, workflow_run_event([{"number": 3}]), GITHUB_API_URL=fake.url)
        assert comment(artifact=artifact, env=env) == EXIT_REJECTED == 2
    (posted,) = fake.comments[f"{REPO}#3"]
    assert "no readable report" in posted["body"]


HUGE = "1" + "0" * 400


def unit_json(name: str = '"numerical_diff"', score: str = "1", max_score: str = "10", tests: str = "[]") -> str:
    return f'{{"functions": [{{"name": {name}, "score": {score}, "max_score": {max_score}, "tests": {tests}}}]}}'


@pytest.mark.parametrize(
    "text, why",
    [
        (unit_json(score=HUGE), "score"),
        (unit_json(max_score=HUGE), "score"),
        (unit_json(score="9" * 5000), "JSON"),  # past Python's digit limit: json refuses it
        (unit_json(score="NaN"), "score"),
        (unit_json(score="-1"), "score"),
        (unit_json(score="true"), "score"),
        (unit_json(name=HUGE), "unit name"),
        (unit_json(name='["a", {"b": 1}]'), "unit name"),
        (unit_json(name=json.dumps("x" * 600)), "unit name"),
        (unit_json(tests='[{"name": 7, "outcome": "failed"}]'), "test name"),
    ],
)
def test_the_comment_parser_refuses_what_it_cannot_show_with_its_own_one_line_error(tmp_path, text, why):
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(ArtifactError, match=why) as raised:
        read_untrusted_report(path)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200


def test_ci_comment_on_a_huge_integer_says_so_in_one_line_with_status_2(tmp_path):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "report.json").write_text(json.dumps(report_with("numerical_diff")).replace("1.0", HUGE))
    with FakeGitHub() as fake:
        env = github_env(tmp_path, workflow_run_event([{"number": 4}]), GITHUB_API_URL=fake.url)
        result = subprocess.run(
            grader_command("ci", "comment", "--artifact", str(artifact)),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "score" in line and "Traceback" not in result.stderr
    (posted,) = fake.comments[f"{REPO}#4"]
    assert "no readable report" in posted["body"] and HUGE not in posted["body"]


def test_comment_names_are_code_spans_that_no_backtick_or_pipe_can_leave(tmp_path):
    names = ["www.example.org/x", "a`b``c```d", "`", "x | y", "<b>@octocat</b>", "line\n## heading", "\x1b[31mred"]
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    report = {"functions": [{"name": name, "score": 1.0, "max_score": 5.0, "tests": []} for name in names]}
    (artifact / "report.json").write_text(json.dumps(report))
    with FakeGitHub() as fake:
        env = github_env(tmp_path, workflow_run_event([{"number": 6}]), GITHUB_API_URL=fake.url)
        assert comment(artifact=artifact, env=env) == 0
    (posted,) = fake.comments[f"{REPO}#6"]
    body = posted["body"]
    heading = f"Public tests / 공개 테스트: {len(names)} / {5 * len(names)}"
    assert markdown_problems(body, {heading}, {MARKER}, {f"https://github.com/{REPO}/actions/runs/42"}) == []
    assert control_characters(body) == []
    rows = [line for line in body.splitlines() if line.startswith("| 🟡")]
    assert len(rows) == len(names) and all(row.count("|") == 5 for row in rows)  # no name added a column
    prose = markdown_outside_code(body)
    for fragment in ("www.example", "@octocat", "heading", "red", "<b>"):
        assert fragment not in prose, fragment


def test_fork_pull_request_number_from_the_artifact_is_verified(tmp_path):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "report.json").write_text(json.dumps(report_with("numerical_diff")))
    (artifact / "pr.json").write_text(json.dumps({"number": 9}))
    with FakeGitHub() as fake:
        fake.pulls[f"{REPO}#9"] = {"number": 9, "head": {"sha": "someone-elses"}}
        env = github_env(tmp_path, workflow_run_event([], head_sha="ours"), GITHUB_API_URL=fake.url)
        with pytest.raises(CIError, match="head is not this run's commit"):
            comment(artifact=artifact, env=env)
        fake.pulls[f"{REPO}#9"]["head"]["sha"] = "ours"
        assert comment(artifact=artifact, env=env) == 0
    assert len(fake.comments[f"{REPO}#9"]) == 1


def test_comment_command_needs_nothing_beyond_the_standard_library(tmp_path):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "report.json").write_text(json.dumps(report_with("numerical_diff")))
    script = (
        "import sys\nfrom grader.cli import main\nstatus = main(['ci', 'comment', '--artifact', sys.argv[1]])\n"
        "heavy = [m for m in ('numpy', 'pytest', 'nbformat') if m in sys.modules]\n"
        "assert not heavy, heavy\nsys.exit(status)"
    )
    with FakeGitHub() as fake:
        env = github_env(tmp_path, workflow_run_event([{"number": 5}]), GITHUB_API_URL=fake.url)
        result = subprocess.run([sys.executable, "-c", script, str(artifact)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "posted the feedback comment on #5" in result.stdout


def make_student_repo(root: Path, name: str, notebook) -> str:
    """A bare repository with the notebook (or none) and files that would do harm if anything ran them."""
    work = root / f"{name}-work"
    (work / "assignments").mkdir(parents=True)
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "evil.yml").write_text("on: push\njobs: {}\n")
    (work / "setup.py").write_text(f"open({str(root / 'RAN')!r}, 'w').write('ran')\n")
    if notebook is not None:
        nbformat.write(notebook, work / "assignments" / "ch04_learning.ipynb")
    git = ["git", "-c", "user.name=s", "-c", "user.email=s@example.invalid", "-C", str(work)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "submit"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / f"{name}.git")], check=True)
    return (root / f"{name}.git").as_uri()


def test_regrade_fetches_as_data_grades_hidden_and_notifies_each_student_once(tmp_path):
    repos = tmp_path / "repos"
    repos.mkdir()
    roster = tmp_path / "roster.csv"
    with open(roster, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "repository", "url"])
        writer.writerow(["alice", "class/alice", make_student_repo(repos, "alice", solution_notebook())])
        writer.writerow(["bob", "class/bob", make_student_repo(repos, "bob", nbformat.read(STUDENT, as_version=4))])
        writer.writerow(["carol", "class/carol", make_student_repo(repos, "carol", None)])
        writer.writerow(["dave", "class/dave", (repos / "missing.git").as_uri()])
    out = tmp_path / "results"
    with FakeGitHub() as fake:
        env = {**os.environ, "GRADER_TOKEN": TOKEN, "GITHUB_API_URL": fake.url}
        command = grader_command(
            "ci",
            "regrade",
            "--assignment",
            "ch04_learning",
            "--roster",
            str(roster),
            "--out",
            str(out),
            "--unit",
            "numerical_diff",
            "--seed",
            "3",
        )
        result = subprocess.run([*command, "--notify"], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        again = subprocess.run([*command, "--stage", "notify"], env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert (rows["alice"]["numerical_diff"], rows["alice"]["status"]) == ("10", "graded")  # public + hidden
    assert (rows["bob"]["total"], rows["bob"]["status"]) == ("0", "graded")
    assert rows["carol"]["status"] == rows["dave"]["status"] == "ungradable"
    assert rows["carol"]["reason"] == rows["dave"]["reason"] == "not-fetched" and rows["carol"]["total"] == ""
    assert (out / "deadline.json").read_text(encoding="utf-8") == "{}\n"  # uploaded with the submissions
    class_report = (out / "class-report.md").read_text(encoding="utf-8")  # written after the fetch failures
    assert "Deadline / 마감" not in class_report  # no deadline was given: none is named
    for student in ("carol", "dave"):
        assert f"| `{student}` | not graded / 채점 안 됨 |" in class_report
    assert sorted(p.name for p in (out / "submissions" / "alice").iterdir()) == ["ch04_learning.ipynb"]
    assert not (tmp_path / "RAN").exists()
    alice = json.loads((out / "results" / "alice.json").read_text())
    assert len(alice["commit"]) == 40 and {t["suite"] for t in alice["functions"][0]["tests"]} == {"public", "hidden"}
    for student in ("alice", "bob", "carol", "dave"):
        (issue,) = fake.issues[f"class/{student}"]  # created once, then updated in place
        assert "random_points" not in issue["body"] and "expected" not in issue["body"]
    assert "10 / 10" in fake.issues["class/alice"][0]["body"]
    carol = fake.issues["class/carol"][0]["body"]
    assert "has no assignments/ch04_learning.ipynb" in carol and "ch04_learning.ipynb" not in markdown_outside_code(
        carol
    )  # in a code span
    assert "cannot clone" in fake.issues["class/dave"][0]["body"]
    assert [m for m, _, _ in fake.requests].count("PATCH") == 4
