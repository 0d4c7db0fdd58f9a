"""Ungradable is blank everywhere (issue 24, item 3): a submission that cannot be read gets no score in the
gradebook, Canvas, Moodle or Gradescope, is counted apart in the class report, and says why in both languages."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from grader.classroom import gradebook
from grader.pipeline import reasons
from grader.pipeline.notebook import NotebookError, parse_notebook
from grader.tests.classroom.test_exports import GRADESCOPE_SCHEMA
from grader.tests.helpers import SOLUTION, STUDENT, grader_command

HANGUL = re.compile(r"[\uac00-\ud7a3]")
UNITS = ["--public-only", "--unit", "numerical_diff", "--unit", "cross_entropy_error"]  # small: fast
SOLUTION_BYTES = SOLUTION.read_bytes()
# student -> (the file's bytes, the reason code a reader of those bytes would name)
BROKEN = {
    "cut-ascii": (SOLUTION_BYTES[: SOLUTION_BYTES.index(b'"cells"') + 40], reasons.TRUNCATED),  # cut inside JSON
    "cut-hangul": (SOLUTION_BYTES[: SOLUTION_BYTES.index("과".encode()) + 1], reasons.TRUNCATED),  # half a character
    "empty": (b"", reasons.EMPTY),
    "zip": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xa4\xb0\xff\xfe", reasons.NOT_UTF8),
    "words": (b"my homework is in the other file", reasons.NOT_JSON),
    "other-json": (b'{"answers": [1, 2, 3]}', reasons.NOT_NOTEBOOK),
}
GOOD = {"alice": SOLUTION, "bob": STUDENT}  # full marks, and the stub's honest 0


@dataclass(frozen=True)
class Batch:
    out: Path
    stderr: str


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    root = tmp_path_factory.mktemp("ungradable")
    subs = root / "subs"
    subs.mkdir()
    for student, source in GOOD.items():
        (subs / f"{student}.ipynb").write_bytes(source.read_bytes())
    for student, (data, _) in BROKEN.items():
        (subs / f"{student}.ipynb").write_bytes(data)
    done = subprocess.run(
        grader_command("batch", str(subs), "--assignment", "ch04_learning", "--out", str(root / "out"), *UNITS),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Batch(root / "out", done.stderr)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as stream:  # the BOM Excel needs
        return list(csv.DictReader(stream))


def export(kind: str, batch: Batch, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / f"{kind}.csv"
    done = subprocess.run(
        grader_command("export", kind, str(batch.out), "--out", str(out)), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return out, done.stderr


@pytest.mark.parametrize("student", sorted(BROKEN))
def test_the_reader_names_each_kind_of_broken_file(student):
    data, code = BROKEN[student]
    with pytest.raises(NotebookError) as raised:
        parse_notebook(data, f"{student}.ipynb")
    assert raised.value.reason == code


def test_each_result_has_no_score_and_the_reason_code(batch):
    for student, (_, code) in BROKEN.items():
        result = json.loads((batch.out / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert (result["status"], result["reason"], result["score"]) == ("ungradable", code, None), student
        assert result["functions"] == [] and f"{student}.ipynb" in result["errors"][0]
    feedback = (batch.out / "feedback" / "cut-ascii.md").read_text(encoding="utf-8")
    assert "not graded / 채점되지 않음" in feedback and "cut off" in feedback and "잘렸습니다" in feedback


def test_the_gradebook_leaves_them_blank_with_the_reason_in_both_languages(batch):
    rows = {row["student"]: row for row in read_csv(batch.out / "gradebook.csv")}
    assert set(rows) == set(BROKEN) | set(GOOD)
    assert (rows["alice"]["total"], rows["alice"]["status"], rows["alice"]["reason"]) == ("14", "graded", "")
    assert (rows["bob"]["total"], rows["bob"]["numerical_diff"], rows["bob"]["status"]) == ("0", "0", "graded")
    for student, (_, code) in BROKEN.items():
        row = rows[student]
        assert row["total"] == row["numerical_diff"] == row["cross_entropy_error"] == "", row  # blank, never 0
        assert (row["status"], row["reason"]) == ("ungradable", code), row
        assert HANGUL.search(row["reason_text"]) and re.search(r"[A-Za-z]{4} ", row["reason_text"]), row


@pytest.mark.parametrize("kind", ["canvas", "moodle"])
def test_lms_exports_leave_them_blank_and_list_them_in_both_languages(batch, tmp_path, kind):
    path, stderr = export(kind, batch, tmp_path)
    rows = read_csv(path)
    if kind == "canvas":  # its first row after the header is Points Possible
        grades = {row["SIS User ID"]: row["ch04_learning"] for row in rows[1:]}
    else:
        grades = {row["idnumber"]: row["ch04_learning"] for row in rows}
    assert grades["alice"] == "14" and grades["bob"] == "0"
    assert all(grades[student] == "" for student in BROKEN), grades
    for student in BROKEN:
        line = next(line for line in stderr.splitlines() if f": {student}: " in line)
        assert line.startswith("blank grade (not 0)") and HANGUL.search(line), line


def test_the_class_report_counts_them_apart_and_lists_each_with_its_reason(batch):
    graded, not_graded = len(GOOD), len(BROKEN)
    summary = (batch.out / "class-report.md").read_text(encoding="utf-8")
    page = (batch.out / "class-report.html").read_text(encoding="utf-8")
    counts = f"{graded + not_graded} students / 학생: {graded} graded / 채점됨, {not_graded} not graded / 채점 안 됨."
    assert counts in summary and counts in page
    for student, (_, code) in BROKEN.items():
        row = next(line for line in summary.splitlines() if line.startswith(f"| `{student}` |"))
        assert "| not graded / 채점 안 됨 |" in row and code in row and HANGUL.search(row.split("|")[3]), row
        assert f"<tr><td>{student}</td><td>not graded / 채점 안 됨</td>" in page
    total = next(line for line in summary.splitlines() if line.startswith("| total |"))
    assert total.split("|")[3].strip() == str(graded), total  # the score spread counts graded submissions only


def test_the_batch_says_how_many_it_could_not_grade(batch):
    assert f"{len(GOOD)} graded now, 0 finished earlier (skipped), {len(BROKEN)} ungradable" in batch.stderr


def gradescope_checks(data: dict, code: str) -> None:
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert "score" not in data  # Gradescope's spec: a top-level score only where the tests lack theirs
    assert [(test["score"], test["max_score"]) for test in data["tests"]] == [(0, 0)]  # nothing reads as a grade
    assert data["tests"][0]["visibility"] == "visible" and data["visibility"] == "visible"
    assert HANGUL.search(data["output"]) and "Not graded" in data["output"]
    assert data["extra_data"]["reason"] == code


def test_gradescope_gets_a_visible_bilingual_message_and_no_score(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "ch04_learning.ipynb").write_bytes(BROKEN["cut-ascii"][0])
    results = tmp_path / "results.json"
    done = subprocess.run(
        grader_command("gradescope", str(submission), "--assignment", "ch04_learning", "--results", str(results)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    gradescope_checks(data, reasons.TRUNCATED)
    assert data["output"].startswith("제출한 파일 / Submitted file: ch04_learning.ipynb (")  # read, not "graded"


def test_grade_keeps_the_contracts_report_and_marks_it_ungradable(tmp_path):
    notebook = tmp_path / "ch04_learning.ipynb"
    notebook.write_bytes(BROKEN["words"][0])
    command = ["grade", str(notebook), "--unit", "numerical_diff", "--public-only", "--json", str(tmp_path / "r")]
    done = subprocess.run(
        grader_command(*command, "--gradescope", str(tmp_path / "gs")), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r").read_text(encoding="utf-8"))
    assert report["ungradable"] == reasons.NOT_JSON  # the extension; the fixed part below stays as it was
    assert {test["outcome"] for f in report["functions"] for test in f["tests"]} == {"error"}
    gradescope_checks(json.loads((tmp_path / "gs").read_text(encoding="utf-8")), reasons.NOT_JSON)


def test_a_result_from_an_older_kit_is_blank_too(tmp_path):
    """Before reason codes, an ungradable result held score 0 and no reason: still blank, reason ``unknown``."""
    (tmp_path / "results").mkdir()
    old = {"status": "ungradable", "score": 0.0, "max_score": None, "functions": [], "errors": ["no .ipynb"]}
    (tmp_path / "results" / "old.json").write_text(json.dumps(old), encoding="utf-8")
    text = gradebook.write_gradebook(tmp_path, ["u"]).read_text(encoding="utf-8-sig")
    row = next(csv.DictReader(text.splitlines()))
    assert (row["total"], row["u"], row["status"], row["reason"]) == ("", "", "ungradable", "unknown")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_report_in_one_language_gives_the_reason_in_that_language_only(tmp_path, lang):
    """The reason an upload cannot be graded, and a cell's syntax error, follow ``--lang`` like every other line."""
    from grader.pipeline.grade import grade_notebook  # the trusted entry point, as `grade` calls it

    broken = tmp_path / "ch04_learning.ipynb"
    broken.write_bytes(BROKEN["cut-ascii"][0])
    report = grade_notebook(broken, assignment_id="ch04_learning", units=["numerical_diff"], lang=lang)
    syntax = tmp_path / "syntax" / "ch04_learning.ipynb"
    syntax.parent.mkdir()
    notebook = json.loads(SOLUTION_BYTES)
    cell = next(c for c in notebook["cells"] if "def numerical_diff(f, x):" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("def numerical_diff(f, x):", "def numerical_diff(f, x)")
    syntax.write_text(json.dumps(notebook), encoding="utf-8")
    syntax_report = grade_notebook(syntax, assignment_id="ch04_learning", units=["numerical_diff"], lang=lang)
    lines = report.errors + syntax_report.errors
    assert report.ungradable == reasons.TRUNCATED and len(lines) == 2, lines
    assert any("SyntaxError" in line for line in syntax_report.errors), syntax_report.errors
    for line in lines:
        assert " / " not in line, line  # one language, not "ko / en"
        assert bool(HANGUL.search(line)) == (lang == "ko"), line
