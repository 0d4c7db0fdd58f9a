"""A course's calendar: the deadline, extensions and late policies, rehearsed with real repositories.

Students push before and after the deadline (commit dates set with GIT_COMMITTER_DATE, and GitHub's record
of pushes from a fake API where a student's clock lies); the regrade grades the submission the policy
chooses, records its commit and time, and takes the penalty off the total.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from grader.classroom import deadline as deadlines
from grader.classroom.regrade import Deadline, RegradeError, read_roster, regrade
from grader.tests.fake_github import TOKEN, FakeGitHub
from grader.tests.helpers import solution_notebook

DUE = datetime(2026, 12, 14, 23, 59, tzinfo=UTC) + timedelta(hours=-9)  # 23:59 KST
STUB = Path(__file__).resolve().parents[3] / "assignments" / "ch04_learning.ipynb"


# -- the policy, as data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "late_hours", "percent"),
    [
        ("per-day:10:50", 0.0, 0),
        ("per-day:10:50", 0.01, 10),  # a started day counts
        ("per-day:10:50", 25, 20),
        ("per-day:10:50", 24 * 9, 50),  # the cap
        ("per-hour:5:100", 3.5, 20),
        ("cutoff", 30, 0),
        ("none", 30, 0),
    ],
)
def test_the_penalty_is_percent_per_started_unit_up_to_the_cap(text, late_hours, percent):
    assert deadlines.parse_policy(text).penalty(late_hours * 3600) == pytest.approx(percent)


@pytest.mark.parametrize("text", ["per-day", "per-day:10", "per-week:1:2", "cutoff:5", "per-hour:0:10", "x"])
def test_a_policy_that_cannot_be_read_says_the_form(text):
    with pytest.raises(deadlines.DeadlineError, match="per-day:P:C|takes no numbers|between 0 and 100"):
        deadlines.parse_policy(text)


def test_extensions_and_times_need_their_offsets():
    assert deadlines.due_for(DUE, "+48h") == DUE + timedelta(hours=48)
    assert deadlines.due_for(DUE, "+2d") == DUE + timedelta(days=2)
    assert deadlines.due_for(DUE, "2026-12-20T12:00+09:00") == datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
    with pytest.raises(deadlines.DeadlineError, match="offset"):
        deadlines.parse_time("2026-12-14T23:59")
    with pytest.raises(deadlines.DeadlineError, match="before the course's deadline"):
        deadlines.due_for(DUE, "2026-12-01T00:00+09:00")


# -- rosters -----------------------------------------------------------------------------------


def test_a_github_classroom_roster_maps_usernames_to_repositories(tmp_path):
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text(
        "identifier,github_username,github_id,name\n"
        "2024123456,kim-dev,101,김민준\n"
        "lee@univ.ac.kr,lee-s,102,이서연\n"  # an e-mail is no student id: the GitHub username stands in
        "2024000003,,,박지훈\n",  # has not accepted the assignment yet
        encoding="utf-8",
    )
    with pytest.raises(RegradeError, match="--classroom-repos"):
        read_roster(roster)
    entries = read_roster(roster, "dl-course/ch04-learning")
    assert [(e.student, e.repository) for e in entries] == [
        ("2024123456", "dl-course/ch04-learning-kim-dev"),
        ("lee-s", "dl-course/ch04-learning-lee-s"),
        ("2024000003", ""),
    ]


def test_a_roster_extension_that_cannot_be_read_names_its_line(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,repository,extension\nkim,class/kim,+2weeks\n", encoding="utf-8")
    with pytest.raises(RegradeError, match=r"roster.csv:2: extension '\+2weeks'"):
        read_roster(roster)


# -- the rehearsal -----------------------------------------------------------------------------


def push(root: Path, name: str, commits: list[tuple[object, datetime]]) -> str:
    """A bare repository whose main branch has these (notebook, commit date) commits, in order."""
    work = root / f"{name}-work"
    (work / "assignments").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    for number, (notebook, when) in enumerate(commits):
        nbformat.write(notebook, work / "assignments" / "ch04_learning.ipynb")
        stamp = when.isoformat()
        env = {**os.environ, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
        git = ["git", "-c", "user.name=s", "-c", "user.email=s@example.invalid", "-C", str(work)]
        subprocess.run([*git, "add", "."], check=True, env=env)
        subprocess.run([*git, "commit", "-qm", f"work {number}"], check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / f"{name}.git")], check=True)
    return (root / f"{name}.git").as_uri()


def head(url: str) -> str:
    return subprocess.run(["git", "ls-remote", url, "main"], capture_output=True, text=True).stdout.split()[0]


def grade_class(tmp_path: Path, deadline: Deadline, rows: list[list[str]], fake: FakeGitHub | None = None) -> dict:
    roster = tmp_path / "roster.csv"
    with open(roster, "w", newline="") as stream:
        csv.writer(stream).writerows([["student", "repository", "url", "extension"], *rows])
    out = tmp_path / "results"
    if fake is not None:
        os.environ.update(GRADER_TOKEN=TOKEN, GITHUB_API_URL=fake.url)
    try:
        regrade(
            roster=roster, out=out, assignment_id="ch04_learning", units=["numerical_diff"], seed=3, deadline=deadline
        )
    finally:
        os.environ.pop("GITHUB_API_URL", None)
    results = {path.stem: json.loads(path.read_text()) for path in (out / "results").glob("*.json")}
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as stream:
        return {"results": results, "gradebook": {row["student"]: row for row in csv.DictReader(stream)}, "out": out}


def test_a_term_deadline_extension_and_late_pushes(tmp_path):
    """Cutoff: the last push before each student's deadline is graded; later pushes are not looked at."""
    solution, stub = solution_notebook(), nbformat.read(STUB, as_version=4)
    day = timedelta(days=1)
    repos = tmp_path / "repos"
    repos.mkdir()
    rows = [  # student, repository, url, extension
        ["ontime", "class/ontime", push(repos, "ontime", [(solution, DUE - 2 * day), (stub, DUE + day)]), ""],
        ["extended", "class/extended", push(repos, "extended", [(stub, DUE - day), (solution, DUE + day)]), "+48h"],
        ["late", "class/late", push(repos, "late", [(solution, DUE + day)]), ""],
    ]
    graded = grade_class(tmp_path, Deadline(DUE, deadlines.parse_policy("cutoff")), rows)
    results, book = graded["results"], graded["gradebook"]
    assert results["ontime"]["score"] == 10 and results["ontime"]["late"]["submitted_at"] == (DUE - 2 * day).isoformat()
    assert results["ontime"]["commit"] != head(rows[0][2])  # the stub pushed after the deadline is not graded
    assert results["extended"]["score"] == 10 and results["extended"]["late"]["due"] == (DUE + 2 * day).isoformat()
    assert results["late"]["status"] == "ungradable" and book["late"]["total"] == ""  # nothing before the deadline
    assert "before the deadline" in results["late"]["errors"][0]
    assert all(results[s]["late"]["evidence"] == "commit-date" for s in ("ontime", "extended"))
    assert book["ontime"]["commit"] == results["ontime"]["commit"] and book["ontime"]["late_hours"] == "0"
    report = (graded["out"] / "class-report.md").read_text(encoding="utf-8")
    assert "hard cutoff" in report and DUE.isoformat() in report  # the class report names the policy


def test_a_late_penalty_from_githubs_push_times_not_the_students_clock(tmp_path):
    """per-day:10:50: the commit claims to be on time, but GitHub recorded its push 30 h late: 20 % off."""
    repos = tmp_path / "repos"
    repos.mkdir()
    url = push(repos, "liar", [(solution_notebook(), DUE - timedelta(hours=1))])
    honest = push(repos, "honest", [(solution_notebook(), DUE + timedelta(hours=2))])
    with FakeGitHub() as fake:
        pushed = (DUE + timedelta(hours=30)).isoformat().replace("+00:00", "Z")
        fake.activities["class/liar"] = [
            {"activity_type": "push", "after": head(url), "ref": "refs/heads/main", "timestamp": pushed}
        ]
        rows = [["liar", "class/liar", url, ""], ["honest", "class/honest", honest, ""]]
        graded = grade_class(tmp_path, Deadline(DUE, deadlines.parse_policy("per-day:10:50")), rows, fake)
    liar, honest_result = graded["results"]["liar"], graded["results"]["honest"]
    assert liar["late"]["evidence"] == "push" and liar["late"]["penalty_percent"] == 20
    assert (liar["score_before_late"], liar["score"]) == (10, 8)
    # no record of pushes for this one (the fake answers 404): its commit date, said to be the student's clock
    assert honest_result["late"]["evidence"] == "commit-date" and honest_result["score"] == 9
    assert graded["gradebook"]["liar"]["total"] == "8" and graded["gradebook"]["liar"]["penalty_percent"] == "20"
