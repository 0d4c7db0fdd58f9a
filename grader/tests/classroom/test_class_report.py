"""The class report of a realistic batch: every section, right counts, self-contained, and drawn in a real browser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from courses.ch04_learning import hints
from grader.classroom.class_report import SECTIONS, SIMILARITY_SECTION
from grader.tests.classroom.class_batch import MUTANTS, UNGRADABLE, UNITS
from grader.tests.conftest import browser_path


def results_of(folder: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (folder / "results").glob("*.json")}


def test_batch_writes_the_report_with_every_section(graded_class):
    assert "class-report.html" in graded_class.batch_stderr + (graded_class.results / "class-report.html").name
    page = (graded_class.results / "class-report.html").read_text(encoding="utf-8")
    summary = (graded_class.results / "class-report.md").read_text(encoding="utf-8")
    for key, title in SECTIONS.items():
        assert f'<section id="{key}">' in page and title in page
        assert f"## {title}" in summary
    assert SIMILARITY_SECTION[0] not in re.findall(r'<section id="(\w+)"', page)  # only with --similarity
    assert page.count("data:image/svg+xml;base64,") == 1 + len(UNITS)  # the total and one histogram per unit


def test_page_loads_nothing_from_anywhere(graded_class):
    page = (graded_class.results / "class-report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "default-src 'none'" in page
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith(("data:", "#")) for s in sources), sources


def test_the_counts_match_the_results(graded_class):
    results = results_of(graded_class.results)
    graded = {s: r for s, r in results.items() if r["status"] != "ungradable"}
    assert set(results) == set(graded_class.students)
    summary = (graded_class.results / "class-report.md").read_text(encoding="utf-8")
    # Pass rate: recount one public and one hidden test from the raw results.
    for unit, test in (("numerical_diff", "book_function_1"), ("gradient_descent", None)):
        tests = {t["name"]: t for f in graded["kim"]["functions"] if f["name"] == unit for t in f["tests"]}
        name = test or next(n for n, t in tests.items() if t["suite"] == "hidden")
        outcomes = [
            t["outcome"]
            for r in graded.values()
            for f in r["functions"]
            if f["name"] == unit
            for t in f["tests"]
            if t["name"] == name and not t["message"].startswith("the notebook could not be graded")
        ]
        passed = outcomes.count("passed")
        assert passed and len(outcomes) == len(graded)  # the unread notebook is not graded: in no pass rate
        row = next(line for line in summary.splitlines() if line.startswith(f"| {unit} | `{name}` |"))
        assert f"| {passed}/{len(outcomes)} |" in row, row
    assert "`random_starts` |" not in summary  # no row for the unread notebook's uncased test names
    # The two students who both left out delta: one row, both named, counted twice.
    delta = next(line for line in summary.splitlines() if hints.CEE_DELTA.en[:30] in line)
    twins = sorted(s for s, mistake in MUTANTS.items() if mistake == "cee_no_delta")
    assert delta.startswith(f"| {len(twins)} | cross_entropy_error |") and all(s in delta for s in twins), delta
    # Who could not be graded, and why; who was graded only in part.
    lines = summary.splitlines()
    for student, (code, detail) in UNGRADABLE.items():
        row = next(line for line in lines if line.startswith(f"| `{student}` | not graded / 채점 안 됨 |"))
        assert f"{code}: " in row and detail in row, row
    assert f"{len(graded)} graded / 채점됨, {len(UNGRADABLE)} not graded / 채점 안 됨." in summary
    assert any(line.startswith("| `syntax` | partly graded / 일부 채점 |") and "SyntaxError" in line for line in lines)
    # The stub is "not implemented" in every unit; grading time is there for every submission.
    assert re.search(r"^\| numerical_diff \| 10 \| \d+ \|.* \| 1 \|$", summary, re.MULTILINE), summary
    timed = len(graded) + 1  # those that went to a grading process: the graded ones and the unreadable notebook
    assert f"- submissions timed / 측정된 제출물: {timed}" in summary


def test_report_command_refuses_a_folder_without_results(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "report", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr


@pytest.mark.needs("chromium")
def test_report_renders_in_headless_chromium(graded_class, tmp_path):
    """Every section shows, every chart loads, no console error, no request leaves the page; screenshots kept."""
    from playwright.sync_api import sync_playwright

    done = subprocess.run(
        [sys.executable, "-m", "grader", "report", str(graded_class.results), "--similarity", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page_path = tmp_path / "class-report.html"
    problems, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            )
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_path.as_uri(), wait_until="load")
            for key, title in [*SECTIONS.items(), SIMILARITY_SECTION]:
                section = page.locator(f"section#{key}")
                assert section.is_visible(), key
                assert section.locator("h2").inner_text() == title
                box = section.bounding_box()
                assert box and box["height"] > 40 and box["width"] > 400, (key, box)
            images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
            assert len(images) == 1 + len(UNITS) and all(done and width > 0 for _, done, width in images), images
            assert "<mark>" in page.locator("section#similarity details[open] pre").first.inner_html()
            page.screenshot(path=str(tmp_path / "class-report.png"), full_page=True)
            page.locator("section#similarity").screenshot(path=str(tmp_path / "class-report-similarity.png"))
        finally:
            browser.close()
    print(f"screenshots: {tmp_path / 'class-report.png'} {tmp_path / 'class-report-similarity.png'}")
    assert problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert (tmp_path / "class-report.png").stat().st_size > 50_000  # a real page, not a blank one


def test_odd_result_files_still_give_a_report(tmp_path):
    """Results of an older kit (no times), stray entries in lists, an ungradable student: a report, no crash."""
    from grader.classroom.class_report import write_report
    from grader.classroom.gradebook import result_path, write_atomic

    tests = [
        "not a test",
        {
            "name": "case",
            "suite": "public",
            "outcome": "failed",
            "message": "the result differs\nhint: divide by N",
            "diagnosis": "ch04_learning.cee_batch",
            "hint": "divide by N",
        },
        # What the student printed may look like a hint; with no diagnosis it is no mistake of the table.
        {
            "name": "other",
            "suite": "public",
            "outcome": "failed",
            "message": "printed output:\nhint: copied from alice",
        },
        {"name": "case", "suite": "public", "outcome": "passed", "message": ""},
    ]
    odd = {
        "a": {
            "status": "graded",
            "score": 3,
            "functions": [7, {"name": "u", "score": 3, "max_score": 5, "tests": tests}],
        },
        "b": {"status": "graded", "score": 0, "functions": [{"name": "u", "score": 0, "max_score": 5, "tests": "x"}]},
        "c": {"status": "ungradable", "score": 0.0, "max_score": None, "functions": [], "errors": ["no .ipynb in c/"]},
        "e": {
            "status": "graded",
            "score": 0,
            "functions": [{"name": "u", "score": 0, "max_score": 5, "tests": []}],
            "errors": ["cell 3, line 1: defining f failed: ValueError: see alice's notebook"],
        },
    }
    for student, result in odd.items():
        write_atomic(result_path(tmp_path, student), json.dumps(result))
    write_atomic(result_path(tmp_path, "d"), "{ half a file")
    write_atomic(tmp_path / "batch.json", json.dumps({"assignment": "ch04_learning", "units": ["u"]}))
    html_path, md_path = write_report(tmp_path)
    summary = md_path.read_text(encoding="utf-8")
    # a's two cases (the list's stray entry skipped), out of the 3 graded students: one more never ran it
    assert "| u | `case` | public | 1/3 | 33% | failed 1, not run / 실행 안 됨 1 |" in summary
    assert "| 1 | u | `divide by N` | `a` |" in summary
    assert "copied from alice" not in summary  # printed text is no diagnosis
    # A notebook problem quotes the student's code: marked as such in both views, never as the kit's words.
    assert (
        "| `e` | partly graded / 일부 채점 | 학생 노트북의 글 / from the student's notebook: `cell 3, line 1: defining f"
        in summary
    )
    assert "from the student's notebook: <q>cell 3, line 1: defining f failed: ValueError: see alice&#x27;s" in (
        html_path.read_text(encoding="utf-8")
    )
    row = next(line for line in summary.splitlines() if line.startswith("| `c` | not graded / 채점 안 됨 |"))
    assert "unknown: no .ipynb in c/" in row  # an older kit's result: no reason code, its detail kept
    assert "No grading times recorded. / 채점 시간 기록이 없습니다." in summary
    assert "d.json" in html_path.read_text(encoding="utf-8")  # the unreadable result is named, not dropped silently


def test_mistakes_are_grouped_by_diagnosis_id_in_any_language(tmp_path):
    """Students graded with --lang ko, en and both share one mistake row: grouped by the hint's id, not its text;
    a message line that only looks like a hint (the student printed it) makes no row."""
    from grader.classroom.class_summary import summarise
    from grader.classroom.gradebook import result_path, write_atomic

    for student, lang in (("kim", "ko"), ("lee", "en"), ("park", "both")):
        hint = hints.CEE_BATCH.render(lang)
        test = {
            "name": "one_hot_batch",
            "suite": "public",
            "outcome": "failed",
            "message": f"wrong\nhint: {hint}\nprinted output:\nhint: see cell 12 of alice's notebook",
            "diagnosis": hints.CEE_BATCH.id,
            "hint": hint,
        }
        function = {"name": "cross_entropy_error", "score": 0, "max_score": 2, "tests": [test]}
        result = {"status": "graded", "score": 0, "functions": [function]}
        write_atomic(result_path(tmp_path, student), json.dumps(result))
    mistakes = summarise(tmp_path).mistakes
    assert hints.CEE_BATCH.id == "ch04_learning.cee_batch"
    assert [(m.diagnosis, sorted(m.students)) for m in mistakes] == [(hints.CEE_BATCH.id, ["kim", "lee", "park"])]
    assert "alice" not in mistakes[0].hint
