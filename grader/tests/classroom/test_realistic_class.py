"""A ch04 class as a TA meets it (issue 24), graded by ``python -m grader batch``: every student's every unit shows
the diagnosis its mistake calls for and no other, the truncated upload is blank and listed, the endless loop is
charged once under its unit, and the class report counts, groups and draws it as a TA reads it.

Timings are measured and printed (``pytest -s``), never asserted: the machine decides them.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.tests.classroom.realistic_class import (
    CLASS,
    COPY_PAIR,
    GRAD,
    NET,
    RIGHT,
    STUB,
    TRAIN,
    UNITS,
    Student,
    expected,
    load_results,
    write_class,
)
from grader.tests.conftest import browser_path

pytestmark = pytest.mark.timeout(1500)  # the module's first test grades the whole class (about 70 s on an idle machine)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SEED = "24"
# English-only or mixed lines a TA still meets in this class, all made outside the report (issue 24's report names
# each): the piece of text that marks each, and where it is made. A new one fails; these may go.
TRAIN_TOO_SLOW = "ch04_learning.train_too_slow"  # a training run past its limit: on a busy machine, anyone's


@dataclass(frozen=True)
class GradedRealisticClass:
    """The class, where it was graded, and how long the batch took."""

    submissions: Path
    results: Path
    stderr: str
    wall_seconds: float


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> GradedRealisticClass:
    """The class graded once with both suites, every unit, a fixed seed."""
    root = tmp_path_factory.mktemp("realistic")
    write_class(root / "submissions")
    command = [sys.executable, "-m", "grader", "batch", "--assignment", "ch04_learning", str(root / "submissions")]
    command += ["--out", str(root / "results"), "--seed", SEED]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    wall = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    return GradedRealisticClass(root / "submissions", root / "results", done.stderr, wall)


def failing_tests(result: dict, unit: str) -> list[dict]:
    function = next(f for f in result["functions"] if f["name"] == unit)
    return [test for test in function["tests"] if test["outcome"] != "passed"]


def ran_out_of_time_training(result: dict) -> bool:
    """The training run timed out (every failing train_neuralnet test a timeout with the too-slow hint)."""
    failing = failing_tests(result, TRAIN)
    return bool(failing) and all(t["outcome"] == "timeout" and t.get("diagnosis") == TRAIN_TOO_SLOW for t in failing)


def shown(result: dict, unit: str) -> set[str]:
    """The diagnoses a unit's failing tests show (the hint ids and the engine's codes)."""
    return {test.get("diagnosis") or "" for test in failing_tests(result, unit)}


@pytest.mark.parametrize("student", [s for s in CLASS if not s.ungradable], ids=lambda s: s.id)
def test_each_unit_shows_the_diagnosis_of_its_mistake_and_no_other(realistic, student: Student):
    result = load_results(realistic.results)[student.id]
    assert result["status"] == "graded", result.get("reason")
    for function in result["functions"]:
        unit, want = function["name"], expected(student, function["name"])
        if unit == TRAIN and ran_out_of_time_training(result):
            # The 600-step run has 10 s; at a load of 20 on 2 cores even the book's code may not finish (measured).
            # The machine's doing, not a mistake: its hint says so. Not judged here, and printed for the record.
            print(f"{student.id}: train_neuralnet ran out of time (busy machine?); not judged")
            continue
        if want == (RIGHT,):
            assert function["score"] == function["max_score"] and not failing_tests(result, unit), (
                unit,
                shown(result, unit),
            )
        elif want == (STUB,):
            assert function["score"] == 0
            assert all(test.get("not_implemented") is True for test in failing_tests(result, unit)), unit
        else:
            assert function["score"] < function["max_score"], unit
            assert shown(result, unit) and shown(result, unit) <= set(want), (unit, shown(result, unit), want)


def test_the_truncated_upload_is_blank_everywhere_and_listed(realistic, tmp_path):
    cut = next(s for s in CLASS if s.ungradable)
    with (realistic.results / "gradebook.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert set(rows) == {s.id for s in CLASS}  # Korean names and folders found, one row each
    row = rows[cut.id]
    assert row["status"] == "ungradable" and row["reason"] == cut.ungradable
    assert all(row[column] == "" for column in ("total", *UNITS)), row  # blank, never 0
    assert HANGUL.search(row["reason_text"]) and re.search(r"[A-Za-z]{4} [a-z]+", row["reason_text"]), row
    assert all(rows[s.id]["total"] != "" for s in CLASS if not s.ungradable)
    report = (realistic.results / "class-report.md").read_text(encoding="utf-8")
    graded = len(CLASS) - 1
    assert f"{len(CLASS)} students / 학생: {graded} graded / 채점됨, 1 not graded / 채점 안 됨." in report
    assert f"| `{cut.id}` | not graded / 채점 안 됨 |" in report
    for lms in ("canvas", "moodle"):  # the LMS imports: blank (a blank leaves the LMS's grade alone), never 0
        out = tmp_path / f"{lms}.csv"
        command = [sys.executable, "-m", "grader", "export", lms, str(realistic.results), "--out", str(out)]
        done = subprocess.run([*command, "--name", "ch04"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and cut.id in done.stderr and HANGUL.search(done.stderr), done.stderr
        with out.open(encoding="utf-8-sig", newline="") as file:
            rows = [row for row in csv.reader(file) if cut.id in row]
        assert len(rows) == 1 and rows[0][-1] == "", (lms, rows)


def test_every_pass_rate_is_out_of_the_graded_count(realistic):
    graded = sum(1 for s in CLASS if not s.ungradable)
    report = (realistic.results / "class-report.md").read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if re.match(r"^\| \w+ \| `[^`]+` \| (public|hidden) \|", line)]
    assert len(rows) > 50
    assert all(f"/{graded} |" in line for line in rows), [line for line in rows if f"/{graded} |" not in line]
    # Per unit, failing tests first: the pass rates never go down within a unit.
    by_unit: dict[str, list[int]] = {}
    for line in rows:
        unit, passed = line.split(" | ")[0][2:], int(line.split(" | ")[3].split("/")[0])
        by_unit.setdefault(unit, []).append(passed)
    assert list(by_unit) == list(UNITS)
    assert all(rates == sorted(rates) for rates in by_unit.values()), by_unit


def test_the_mistakes_table_names_each_hint_once_and_lists_the_loop(realistic):
    report = (realistic.results / "class-report.md").read_text(encoding="utf-8")
    section = report.split("## Commonest diagnosed mistakes")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]
    hints = [row[2] for row in rows]
    assert len(hints) == len(set(hints)), [h for h in hints if hints.count(h) > 1]
    who = {row[3].strip("` |"): row for row in rows if "," not in row[3]}
    assert who["loop"][1] == GRAD  # the endless loop: listed under its unit, once
    assert who["han"][1] == f"{NET}, {TRAIN}"  # one mistake charged to two units: one row naming both
    # Every student with a diagnosed mistake is in the table, under the unit of the mistake.
    for student in CLASS:
        for unit, want in student.expect.items():
            if want != (STUB,):
                assert any(student.id in row[3] and unit in row[1] for row in rows), (student.id, unit)


def test_every_message_a_student_reads_is_korean_and_english(realistic):
    """Each failing test's first line (what the feedback shows first) carries Hangul and Latin words: none is in
    one language only (the last three such lines, from the sandbox, a public StudentRaised and guarded.py, are gone)."""
    results = load_results(realistic.results)
    found = {}
    for student in CLASS:
        result = results[student.id]
        for function in result.get("functions", []):
            for test in failing_tests(result, function["name"]):
                first = test["message"].splitlines()[0]
                if (
                    not (HANGUL.search(first) and re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", first))
                    or "an exception 예외" in first  # English inside the Korean sentence
                ):
                    found.setdefault((student.id, function["name"]), first)
    assert not found, found


def test_timings_are_measured_and_reported(realistic):
    """How long the class took, and the loop's own time (one time limit, not one per test), printed for the record."""
    results = load_results(realistic.results)
    seconds = {student: result["seconds"] for student, result in results.items()}
    loop_tests = failing_tests(results["loop"], GRAD)
    assert loop_tests and {test["outcome"] for test in loop_tests} == {"timeout"}
    assert {test["diagnosis"] for test in loop_tests} == {"grader.timeout"}
    slow = sorted(s for s, result in results.items() if result.get("functions") and ran_out_of_time_training(result))
    print(f"batch wall time: {realistic.wall_seconds:.1f} s for {len(CLASS)} submissions; training out of time: {slow}")
    print("per student (s):", ", ".join(f"{s} {v:.1f}" for s, v in sorted(seconds.items(), key=lambda i: -i[1])))


@pytest.mark.needs("chromium")
def test_the_page_reads_as_a_ta_reads_it(realistic, tmp_path):
    """In headless Chromium: pass rates collapsed per unit, charts at their natural size (readable labels) with one
    caption each, similarity views that wrap and mark no comment and no starter line."""
    from playwright.sync_api import sync_playwright

    done = subprocess.run(
        [sys.executable, "-m", "grader", "report", str(realistic.results), "--similarity", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((tmp_path / "class-report.html").as_uri(), wait_until="load")
            units = page.locator("section#tests details")
            assert units.count() == len(UNITS)
            assert (
                page.evaluate("Array.from(document.querySelectorAll('section#tests details')).some(d => d.open)")
                is False
            )
            assert page.locator("section#tests table").first.is_visible() is False  # collapsed by default
            figures = page.evaluate(
                "Array.from(document.querySelectorAll('section#scores figure')).map(f => "
                "[f.querySelectorAll('figcaption').length, f.querySelector('img').width, f.querySelector('img').naturalWidth])"
            )
            assert len(figures) == 1 + len(UNITS)
            assert all(captions == 1 and shown == natural > 300 for captions, shown, natural in figures), figures
            pair = page.locator("section#similarity details[open] .pair").first
            marks = pair.locator("mark").all_inner_texts()
            assert marks and not any("#" in mark or mark.startswith(" ") for mark in marks), marks
            assert not any(re.fullmatch(r"def \w+\(f, x\):", mark) for mark in marks), marks  # the starter's line
            sides = page.evaluate(
                "Array.from(document.querySelectorAll('section#similarity .pair pre')).map(p => p.scrollWidth <= p.clientWidth)"
            )
            assert sides and all(sides), sides  # long lines wrap: nothing hidden to the right
            names = page.locator("section#similarity details[open] summary").first.inner_text()
            assert all(name in names for name in COPY_PAIR), names
            page.screenshot(path=str(tmp_path / "realistic-class-report.png"), full_page=True)
        finally:
            browser.close()
    print(f"screenshot: {tmp_path / 'realistic-class-report.png'}")
