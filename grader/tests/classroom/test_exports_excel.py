"""Exports that import: a BOM for Excel, Korean names intact, blank (not 0) for the ungradable, one id rule."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest

from grader.classroom import exports, regrade, students
from grader.classroom.submissions import find_submissions
from grader.errors import GraderError
from grader.tests.helpers import solution_notebook

UTF8_BOM = b"\xef\xbb\xbf"
HONG = "홍길동"
KIM = "김철수"
PARK = "박영희"


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300)


def rows_of(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(UTF8_BOM), f"{path.name} has no byte-order mark: Excel would show mojibake"
    return list(csv.reader(io.StringIO(data[len(UTF8_BOM) :].decode("utf-8"))))


@pytest.fixture(scope="module")
def korean_batch(tmp_path_factory) -> Path:
    """A batch of three: a Korean name written decomposed as macOS does, one ASCII id, one without a notebook."""
    root = tmp_path_factory.mktemp("korean")
    subs = root / "subs"
    subs.mkdir()
    nbformat.write(solution_notebook(), subs / (unicodedata.normalize("NFD", HONG) + ".ipynb"))
    nbformat.write(solution_notebook(), subs / "20240001.ipynb")
    (subs / KIM).mkdir()
    (subs / KIM / "notes.txt").write_text("노트북을 빠뜨렸습니다")
    out = root / "out"
    done = grader(
        "batch",
        "--assignment",
        "ch04_learning",
        str(subs),
        "--out",
        str(out),
        "--public-only",
        "--unit",
        "numerical_diff",
        "--seed",
        "1",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_gradebook_has_a_bom_korean_names_and_blank_ungradable(korean_batch):
    rows = rows_of(korean_batch / "gradebook.csv")
    assert rows[0] == ["student", "total", "numerical_diff", "status", "reason", "reason_text"]
    by_student = {row[0]: row for row in rows[1:]}
    assert set(by_student) == {"20240001", HONG, KIM}  # NFC: the same bytes a roster typed in Korean has
    assert by_student[HONG][1:] == ["5", "5", "graded", "", ""]  # numerical_diff's public tests: 5 of its 10 points
    assert by_student[KIM][1:4] == ["", "", "ungradable"] and by_student[KIM][4] == "no-notebook"


def test_lms_exports_have_a_bom_blank_ungradable_and_list_the_roster_gaps(korean_batch, tmp_path):
    roster = tmp_path / "people.csv"
    roster.write_text(
        "student,name,sis_user_id,idnumber,email\n"
        f"{HONG},{HONG},S-1,S-1,hong@u.ac.kr\n{KIM},{KIM},S-2,S-2,kim@u.ac.kr\n{PARK},{PARK},S-3,S-3,park@u.ac.kr\n",
        encoding="utf-8-sig",  # as Excel saves "CSV UTF-8"
    )
    canvas = grader(
        "export", "canvas", str(korean_batch), "--out", str(tmp_path / "canvas.csv"), "--roster", str(roster)
    )
    assert canvas.returncode == 0, canvas.stderr
    rows = rows_of(tmp_path / "canvas.csv")
    assert rows[0][0] == "Student" and rows[1][-1] == "5"
    named = {row[0]: row for row in rows[2:]}
    assert named[HONG][2] == "S-1" and named[HONG][-1] == "5"
    assert named[KIM][-1] == ""  # could not be graded: blank, which Canvas leaves alone; never 0
    assert f"blank grade (not 0) / 빈칸(0점 아님): {KIM}: " in canvas.stderr and "no .ipynb" in canvas.stderr
    assert f"no result: {PARK}" in canvas.stderr
    assert "not in the roster: 20240001" in canvas.stderr

    moodle = grader(
        "export", "moodle", str(korean_batch), "--out", str(tmp_path / "moodle.csv"), "--roster", str(roster)
    )
    assert moodle.returncode == 0, moodle.stderr
    rows = rows_of(tmp_path / "moodle.csv")
    assert rows[0] == ["idnumber", "email", "ch04_learning"]
    assert {row[0]: row[2] for row in rows[1:]} == {"S-1": "5", "S-2": "", "20240001": "5"}
    assert f"blank grade (not 0) / 빈칸(0점 아님): {KIM}: " in moodle.stderr and PARK in moodle.stderr


def test_missing_or_empty_results_folders_are_errors(tmp_path):
    (tmp_path / "empty" / "results").mkdir(parents=True)
    (tmp_path / "empty" / "results" / "x.json").write_text("{ damaged")
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        for kind in ("canvas", "moodle"):
            done = grader("export", kind, str(folder), "--out", str(tmp_path / "out.csv"))
            assert done.returncode == 2, done.stderr
            assert done.stderr.startswith("error: ") and str(folder) in done.stderr and "Traceback" not in done.stderr
            assert "wrote" not in done.stdout and not (tmp_path / "out.csv").exists()


def test_two_submissions_with_one_id_are_refused_naming_both(tmp_path):
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    nbformat.write(solution_notebook(), subs / "alice" / "ch04_learning.ipynb")
    nbformat.write(solution_notebook(), subs / "alice.ipynb")
    nbformat.write(solution_notebook(), subs / "bob.ipynb")
    with pytest.raises(students.StudentIdError) as caught:
        find_submissions(subs, "ch04_learning")
    assert str(subs / "alice") in str(caught.value) and str(subs / "alice.ipynb") in str(caught.value)
    done = grader(
        "batch",
        "--assignment",
        "ch04_learning",
        str(subs),
        "--out",
        str(tmp_path / "out"),
        "--public-only",
        "--unit",
        "numerical_diff",
    )
    assert done.returncode == 2 and done.stderr.startswith("error: "), done.stderr
    assert "alice.ipynb" in done.stderr and f"{subs / 'alice'} " in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "results").exists()  # nothing graded, nothing overwritten


def test_the_same_decomposed_korean_name_twice_is_a_duplicate(tmp_path):
    nbformat.write(solution_notebook(), tmp_path / (HONG + ".ipynb"))
    nbformat.write(solution_notebook(), tmp_path / (unicodedata.normalize("NFD", HONG) + ".ipynb"))
    with pytest.raises(students.StudentIdError, match="both student"):
        find_submissions(tmp_path, "ch04_learning")


IDS = {
    "20240001": True,
    HONG: True,
    "kim.minji_2-b": True,
    "Émile": True,
    "hong gildong": False,  # a space
    "-flag": False,
    ".hidden": False,
    "a/b": False,
    "x" * 101: False,
}


@pytest.mark.parametrize("student", list(IDS))
def test_one_id_rule_for_batch_regrade_roster_and_export_roster(student, tmp_path):
    valid = IDS[student]
    outcomes = {}
    (tmp_path / "regrade.csv").write_text(f"student,repository\n{student},org/repo\n", encoding="utf-8")
    try:
        outcomes["regrade roster"] = [e.student for e in regrade.read_roster(tmp_path / "regrade.csv")] == [student]
    except regrade.RegradeError:
        outcomes["regrade roster"] = False
    (tmp_path / "people.csv").write_text(f"student,name\n{student},someone\n", encoding="utf-8")
    try:
        outcomes["export roster"] = list(exports.read_roster(tmp_path / "people.csv")) == [student]
    except GraderError:  # StudentIdError or ExportError
        outcomes["export roster"] = False
    if "/" not in student and not student.startswith("."):  # a file name can hold neither as an id
        subs = tmp_path / "subs"
        subs.mkdir()
        nbformat.write(solution_notebook(), subs / f"{student}.ipynb")
        try:
            outcomes["batch"] = [s.student for s in find_submissions(subs, "ch04_learning")] == [student]
        except students.StudentIdError:
            outcomes["batch"] = False
    assert outcomes == dict.fromkeys(outcomes, valid)


def test_an_older_results_folder_with_an_id_off_the_rule_is_exported_with_a_warning(tmp_path):
    from grader.classroom.gradebook import result_path, write_atomic

    result = {"status": "graded", "score": 4.0, "max_score": 10.0, "functions": []}
    write_atomic(result_path(tmp_path, "hong gildong"), json.dumps(result))
    assert exports.moodle_csv(tmp_path, grade_column="g", roster={}).endswith("hong gildong,,4\n")
    (warning,) = exports.export_warnings(tmp_path, {})
    assert warning.startswith("student id 'hong gildong' breaks the rule")
