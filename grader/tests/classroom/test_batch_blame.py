"""A grading process that dies blames the notebook it was on, and that one only, and leaves no worker scratch.

``ProcessPoolExecutor`` fails every unfinished notebook when one of its processes dies; the batch must
find the notebook that process was on (grader/classroom/inflight.py), grade it again alone, and grade
every other one as if nothing happened. The grading here is a stand-in (``grade_or_die``) so that a
death can be caused on purpose: the sandbox is built so that no notebook can kill its grading process.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path

from grader.classroom import batch, outputs
from grader.pipeline import reasons
from grader.sandbox import process

KILLER = "c-kills-its-process"
BATCH = {"assignment": "ch04_learning", "units": [], "suites": ["public"], "seed": 1, "lang": "en"}


def grade_or_die(student: str, notebook: str, digest: str, settings: dict) -> dict:
    """Grading as far as this test needs: a worker's scratch folder exists meanwhile; the killer's process dies."""
    scratch = Path(tempfile.mkdtemp(prefix=process.scratch_prefix()))
    Path(notebook).with_name(f"{student}.{os.getpid()}.scratch").write_text(str(scratch))
    time.sleep(0.4)  # its neighbours are in flight, or queued, when the killer dies
    if student == KILLER:
        os.kill(os.getpid(), signal.SIGKILL)
    scratch.rmdir()
    return {"student": student, "status": "graded", "score": 1.0, "errors": [], "feedback": "graded\n"}


def run(tmp_path: Path, students: list[str], jobs: int) -> batch.BatchSummary:
    out = tmp_path / "out"
    outputs.make_dirs(out)
    todo = [(batch.Submission(student, tmp_path / f"{student}.ipynb"), "digest") for student in students]
    summary = batch.BatchSummary()
    batch._grade_all(todo, out, BATCH, jobs, summary, batch.ProgressBar(len(todo), None), grade=grade_or_die)
    return summary


def test_a_death_is_blamed_on_the_notebook_it_happened_in_only(tmp_path):
    students = ["a", "b", KILLER, "d", "e"]
    summary = run(tmp_path, students, jobs=2)
    assert sorted(summary.graded) == sorted(students)
    assert list(summary.failed) == [KILLER], summary.failed
    killer = json.loads((tmp_path / "out" / "results" / f"{KILLER}.json").read_text(encoding="utf-8"))
    assert killer["reason"] == reasons.PROCESS_DIED and killer["score"] is None  # ungradable: blank, its code
    assert "alone" in killer["errors"][0]  # the detail: it died when graded by itself
    killer_processes = list(tmp_path.glob(f"{KILLER}.*.scratch"))
    assert len(killer_processes) == 1 + batch.MAX_ATTEMPTS, "the killer was not graded alone, twice"


def test_a_dead_grading_process_leaves_no_worker_scratch(tmp_path):
    run(tmp_path, [KILLER, "z"], jobs=1)
    left = [record.read_text() for record in tmp_path.glob("*.scratch") if Path(record.read_text()).exists()]
    assert left == [], "scratch folders of a killed grading process were left behind"
