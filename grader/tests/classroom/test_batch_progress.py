"""The batch's progress: the time left from the run's own pace, and a final count that adds up."""

from __future__ import annotations

import io

from grader.classroom import batch_progress
from grader.classroom.batch_progress import BatchSummary, ProgressBar


def result(student: str, status: str = "graded", score: float = 10.0) -> dict:
    return {"student": student, "status": status, "score": score}


def test_the_time_left_is_the_pace_so_far_times_the_notebooks_left(monkeypatch):
    clock = iter([100.0, 130.0, 130.0])  # started at 100 s; 30 s later two notebooks are done
    monkeypatch.setattr(batch_progress.time, "monotonic", lambda: next(clock))
    log = io.StringIO()
    bar = ProgressBar(8, log, done=2)  # two finished in an earlier run: they do not count in the pace
    bar.now, bar.done = 1, 3
    bar.advance(result("bob"))  # 2 graded in 30 s: 15 s each, 4 left
    assert "4/8 bob 10 (graded) · ~1:00 left" in log.getvalue()


def test_the_final_count_adds_up_to_the_notebooks_found():
    log = io.StringIO()
    summary = BatchSummary(skipped=["carol"], failed={"dave": "no .ipynb notebook in dave/"})
    bar = ProgressBar(5, log, done=2)  # carol finished earlier, dave had no notebook
    for student, status in [("alice", "graded"), ("bob", "internal-error"), ("erin", "ungradable")]:
        summary.graded.append(student)
        if status != "graded":
            summary.failed[student] = status
        bar.advance(result(student, status))
    bar.finish(summary)
    final = log.getvalue().splitlines()[3]
    assert final.startswith("5/5 done: 2 graded now, 1 finished earlier (skipped), 2 ungradable;"), final
    assert sum(int(part.split()[0]) for part in final.split(": ")[1].split(";")[0].split(", ")) == 5
