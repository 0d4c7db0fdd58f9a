"""The trusted side's bounds per submission: code size, a deadline on reading and extraction, and what a batch does."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import threading
import time

import nbformat
import pytest

import grader.pipeline.grade
from grader.pipeline import deadline
from grader.pipeline.notebook import MAX_CELL_SOURCE_BYTES, MAX_SOURCE_BYTES, NotebookError, read_notebook
from grader.tests.helpers import grader_command, notebook_from_cells, solution_notebook, write_notebook
from grader.tests.hostile import padding_source


def magics(size: int) -> str:
    """About ``size`` bytes of ``!`` and ``%`` lines: the slowest code to read per byte."""
    source = padding_source("magics", size)
    assert size <= len(source.encode()) < size + 100
    return source


def test_a_code_cell_over_the_bound_is_refused_naming_the_cell(tmp_path):
    path = write_notebook(notebook_from_cells(["x = 1", "# " + "y" * MAX_CELL_SOURCE_BYTES]), tmp_path / "a.ipynb")
    with pytest.raises(NotebookError) as error:
        read_notebook(path)
    assert "셀 2" in str(error.value) and "cell 2" in str(error.value) and "MiB" in str(error.value)


def test_code_cells_over_the_total_bound_are_refused(tmp_path):
    cell = "# " + "z" * (MAX_CELL_SOURCE_BYTES - 10)
    cells = [cell] * (MAX_SOURCE_BYTES // MAX_CELL_SOURCE_BYTES + 1)
    with pytest.raises(NotebookError, match="together"):
        read_notebook(write_notebook(notebook_from_cells(cells), tmp_path / "a.ipynb"))


def test_code_just_under_the_bounds_is_read(tmp_path):
    cells = ["# " + "z" * (MAX_CELL_SOURCE_BYTES - 10)] * (MAX_SOURCE_BYTES // MAX_CELL_SOURCE_BYTES)
    notebook = read_notebook(write_notebook(notebook_from_cells(cells), tmp_path / "a.ipynb"))
    assert len(notebook.cells) == 4


def test_markdown_and_outputs_do_not_count_against_the_code_bounds(tmp_path):
    notebook = notebook_from_cells([("markdown", "m" * (MAX_SOURCE_BYTES + 1)), "x = 1"])
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="o" * (MAX_SOURCE_BYTES + 1))]
    assert read_notebook(write_notebook(notebook, tmp_path / "a.ipynb")).cells[1].source == "x = 1"


def test_the_deadline_interrupts_python_work_an_except_exception_cannot_swallow():
    started = time.monotonic()
    with pytest.raises(deadline.DeadlineExceeded):
        with deadline.time_limit(0.2):
            while True:
                try:
                    sum(range(1000))
                except Exception:  # noqa: BLE001  what a parser's broad handler would do
                    pass
    assert time.monotonic() - started < 20  # it ended at all (the loop is endless)


def test_a_deadline_whose_raise_is_lost_fires_again_and_still_ends_the_body():
    """Raised inside a garbage-collector callback (hypothesis installs one), the exception is only printed and
    the body goes on: the deadline fires again, and a body that lost every raise still ends in it."""
    with pytest.raises(deadline.DeadlineExceeded):
        with deadline.time_limit(0.05):
            try:
                time.sleep(0.3)
            except deadline.DeadlineExceeded:
                pass  # as the interpreter does with an exception raised in a gc callback
            time.sleep(0.3)  # the next firing stops this
    with pytest.raises(deadline.DeadlineExceeded):
        with deadline.time_limit(0.05):
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                try:
                    time.sleep(0.01)
                except deadline.DeadlineExceeded:
                    pass


def test_the_deadline_leaves_an_outer_timer_running_and_its_handler_in_place():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        with deadline.time_limit(5.0):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 100.0
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(0.2)
        assert fired == [True]  # the outer handler, not the deadline's
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_outside_the_main_thread_the_body_runs_unbounded():
    seen = []

    def body() -> None:
        seen.append(deadline.can_interrupt())
        with deadline.time_limit(0.01):
            time.sleep(0.1)
        seen.append("finished")

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [False, "finished"]


def test_reading_over_the_deadline_is_a_result_with_a_bilingual_message(tmp_path):
    path = write_notebook(notebook_from_cells([magics(400_000), magics(400_000)]), tmp_path / "slow.ipynb")
    notebook, extraction, problem = grader.pipeline.grade.read_and_extract(path, seconds=0.3)
    assert extraction is None and notebook is not None
    assert "0.3초" in problem and "over 0.3 s" in problem and "MiB" in problem


def test_grading_over_the_deadline_scores_every_unit_zero(tmp_path, monkeypatch, reference):
    monkeypatch.setattr(grader.pipeline.grade, "TRUSTED_SECONDS", 0.3)
    notebook = solution_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(magics(400_000)))
    notebook.cells.append(nbformat.v4.new_code_cell(magics(400_000)))
    path = write_notebook(notebook, tmp_path / "ch04_learning.ipynb")
    report = grader.pipeline.grade.grade_notebook(
        path, assignment_id="ch04_learning", units=["numerical_diff"], suites=("public",), reference=reference
    )
    assert report.score == 0 and report.max_score > 0
    assert any("over 0.3 s" in error for error in report.errors), report.errors
    assert report.internal_errors == []


def test_a_batch_records_the_too_large_and_the_too_slow_and_writes_the_gradebook(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    write_notebook(solution_notebook(), submissions / "good.ipynb")
    huge = solution_notebook()
    huge.cells.append(nbformat.v4.new_code_cell("# " + "h" * MAX_CELL_SOURCE_BYTES))
    write_notebook(huge, submissions / "huge.ipynb")
    slow = solution_notebook()
    slow.cells += [nbformat.v4.new_code_cell(magics(450_000)), nbformat.v4.new_code_cell(magics(450_000))]
    write_notebook(slow, submissions / "slow.ipynb")
    command = grader_command(
        "batch",
        "--assignment",
        "ch04_learning",
        str(submissions),
        "--out",
        str(out),
        "--public-only",
        "--unit",
        "numerical_diff",
        "--jobs",
        "1",
    )
    env = dict(os.environ, GRADER_TRUSTED_SECONDS="1")
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert set(rows) == {"good", "huge", "slow"}
    assert float(rows["good"]["total"]) > 0
    assert rows["huge"]["total"] == rows["slow"]["total"] == ""  # not graded: blank, never 0
    assert (rows["huge"]["reason"], rows["slow"]["reason"]) == ("too-large", "too-slow")
    huge_errors = json.loads((out / "results" / "huge.json").read_text())["errors"]
    slow_errors = json.loads((out / "results" / "slow.json").read_text())["errors"]
    assert any("cell 28" in error or "MiB, over" in error for error in huge_errors), huge_errors
    assert any("over 1 s" in error for error in slow_errors), slow_errors
