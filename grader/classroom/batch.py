"""Grade a whole class: one notebook per student, in parallel, resumable, into a results folder with a gradebook.

Each of ``jobs`` processes loads the reference once and grades many notebooks;
the main process writes every result atomically as it arrives, so a rerun
skips what is finished (same notebook bytes, same batch settings) and ``--force``
redoes everything. A notebook that cannot be graded is recorded as such and the
batch goes on; the failures are listed at the end. Which notebook is a student's is
:mod:`grader.classroom.submissions`' rule; the bar and the closing count are
:mod:`grader.classroom.batch_progress`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import multiprocessing
import os
import secrets
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TextIO

from grader import sandbox
from grader.assignment import AssignmentError, load_assignment
from grader.classroom import gradebook, outputs, processes
from grader.classroom.batch_progress import BatchSummary, ProgressBar
from grader.classroom.inflight import IDLE, InFlight
from grader.classroom.submissions import Submission, file_digest, find_submissions
from grader.pipeline import reasons
from grader.pipeline import report as render
from grader.pipeline.grade import grade_notebook
from grader.pipeline.inert import md_block, one_line
from grader.pipeline.reference import RecordedReference, Reference, load_reference
from grader.sandbox.process import remove_scratch, scratch_prefix

Record = dict[str, Any]  # one student's result as written to results/<student>.json (docs/CONTRACT.md)
Settings = dict[str, Any]  # what a batch grades with (batch_settings), kept in batch.json and every record
Grade = Callable[[str, str, str, Settings], Record]  # (student, notebook, digest, settings) -> record

MAX_ATTEMPTS = 2  # a notebook whose grading process died this often, with no other notebook in it, is ungradable
DIED_ALONE = (
    "the grading process died twice while grading this notebook alone (memory, or a crash in the grader); "
    "grade it by itself with `python -m grader grade` to see why, and tell your instructor / 이 노트북만 채점하던 "
    "채점 프로세스가 두 번 죽었습니다(메모리 또는 채점기 오류): `python -m grader grade`로 따로 채점해 이유를 보고 교수자에게 "
    "알리세요"
)


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N) with 1 <= I <= N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise AssignmentError(
            f"--shard {text!r}: expected I/N, e.g. 1/4", ko=f"--shard {text!r}: I/N 꼴이어야 합니다(예: 1/4)"
        ) from None
    if not 1 <= index <= count:
        raise AssignmentError(
            f"--shard {text!r}: I must be between 1 and N", ko=f"--shard {text!r}: I는 1 이상 N 이하여야 합니다"
        )
    return index, count


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Whether a student belongs to shard I of N: a stable hash of the id, the same on every machine."""
    if shard is None:
        return True
    index, count = shard
    return int(hashlib.sha256(student.encode("utf-8")).hexdigest()[:12], 16) % count == index - 1


# -- the grading processes ---------------------------------------------------------------------

_REFERENCE: Reference | RecordedReference | None = None
_IN_FLIGHT: InFlight | None = None


def _start_process(
    assignment_id: str,
    parent_pid: int | None = None,
    in_flight: str | None = None,
    probes: sandbox.Probes | None = None,
) -> None:
    """Runs once in each grading process: die with the batch, be non-dumpable, take the batch's probes of the
    machine, load the reference a single time."""
    global _REFERENCE, _IN_FLIGHT
    if parent_pid is not None:
        processes.start_pool_process(parent_pid, probes or {})
    if in_flight is not None:
        _IN_FLIGHT = InFlight(Path(in_flight), scratch_prefix())
        _IN_FLIGHT.begin(IDLE)  # known from its start: a death even while loading the reference is found

    _REFERENCE = load_reference(load_assignment(assignment_id))
    if parent_pid is not None and sys.platform.startswith("linux"):
        processes.limit_memory()  # after loading: the cap is measured from what the process holds then


def grade_one(student: str, notebook: str, digest: str, batch: Settings, grade: Grade | None = None) -> Record:
    """Grade one notebook in a grading process (with ``grade``, default :func:`grade_notebook`'s; a module-level
    function, it crosses to the process by name); returns the result record (never raises)."""
    if _IN_FLIGHT is not None:
        _IN_FLIGHT.begin(student)
    try:
        return (grade or _grade)(student, notebook, digest, batch)
    finally:
        if _IN_FLIGHT is not None:
            _IN_FLIGHT.begin(IDLE)


def _grade(student: str, notebook: str, digest: str, batch: Settings) -> Record:
    started = time.monotonic()
    try:
        report = grade_notebook(
            Path(notebook),
            assignment_id=batch["assignment"],
            units=batch["units"],
            suites=tuple(batch["suites"]),
            grading_seed=batch["seed"],
            lang=batch["lang"],
            reference=_REFERENCE,
        )
    except Exception as error:  # noqa: BLE001  recorded; one notebook never stops the batch
        failure = f"{type(error).__name__}: {error}"
        detail = one_line(f"the grader failed on this notebook / 채점기가 이 노트북에서 실패했습니다: {failure}", 1000)
        return ungradable_record(student, reasons.GRADER_FAILED, batch, digest, detail) | timing(started)
    if report.ungradable:  # nothing ran: a record without a score, never the report's zeros
        detail = report.errors[0] if report.errors else ""
        record = ungradable_record(student, report.ungradable, batch, digest, detail) | timing(started)
        return record | {"notebook": one_line(notebook, 500)}
    data = render.to_json_data(report)
    data.update(
        student=student,
        status="internal-error" if report.internal_errors else "graded",
        source_sha256=digest,
        batch=batch,
        feedback=render.render_markdown(report),
        **timing(started),
    )
    return data


def timing(started: float) -> dict[str, object]:
    """``seconds`` this grading took and when it ended (``graded_at``, UTC): the class report's grading time."""
    ended = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return {"seconds": round(time.monotonic() - started, 3), "graded_at": ended}


def ungradable_record(student: str, reason: str, batch: Settings, digest: str = "", detail: str = "") -> Record:
    """The result of a submission that could not be graded: no score at all (None, never 0), the reason's code
    (one of grader.pipeline.reasons) and the detail found (a file name, a parser's message) in ``errors``."""
    text = reasons.render(reason)
    return {
        "assignment": batch["assignment"],
        "notebook": "",
        "score": None,
        "max_score": None,
        "functions": [],
        "errors": [detail or text],
        "internal_errors": [],
        "student": student,
        "status": "ungradable",
        "reason": reasons.known(reason),
        "source_sha256": digest,
        "batch": batch,
        "feedback": ungradable_feedback(batch["assignment"], reason, detail),
    }


def ungradable_feedback(assignment_id: str, reason: str, detail: str) -> str:
    """The student's Markdown for a submission that was not graded: the reason in both languages, then the detail."""
    lines = [
        f"## {assignment_id}: not graded / 채점되지 않음",
        "",
        reasons.render(reason, "ko"),
        "",
        reasons.render(reason, "en"),
    ]
    if detail:
        lines += ["", md_block(detail, 2000)]
    return "\n".join(lines) + "\n"


# -- the batch ---------------------------------------------------------------------------------


def batch_settings(
    out: Path,
    *,
    assignment_id: str,
    units: list[str] | None,
    suites: tuple[str, ...] | None,
    seed: int | None,
    lang: str,
) -> Settings:
    """What this batch grades with; the seed is kept from an earlier run into ``out`` unless given."""
    assignment = load_assignment(assignment_id)
    selected = [assignment.unit(name).name for name in units] if units else [u.name for u in assignment.units]
    earlier = gradebook.read_batch(out) or {}
    if seed is None:
        seed = earlier.get("seed") if isinstance(earlier.get("seed"), int) else secrets.randbits(31)
    return {
        "assignment": assignment_id,
        "units": list(dict.fromkeys(selected)),
        "suites": list(suites or assignment.available_suites()),
        "seed": seed,
        "lang": lang,
    }


def is_finished(out: Path, submission: Submission, batch: Settings, digest: str) -> bool:
    """A result exists for the same notebook bytes and the same batch settings."""
    result = gradebook.read_result(gradebook.result_path(out, submission.student))
    return result is not None and result.get("batch") == batch and result.get("source_sha256") == digest


def record(out: Path, result: Record) -> None:
    """Write one student's JSON result and Markdown feedback, each atomically."""
    student = result["student"]
    gradebook.write_atomic(gradebook.feedback_path(out, student), result.pop("feedback"))
    gradebook.write_atomic(gradebook.result_path(out, student), json.dumps(result, ensure_ascii=False, indent=2) + "\n")


def run_batch(
    submissions_dir: Path,
    out: Path,
    *,
    assignment_id: str,
    units: list[str] | None = None,
    suites: tuple[str, ...] | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    force: bool = False,
    shard: tuple[int, int] | None = None,
    lang: str = "both",
    progress: TextIO | None = None,
    class_report: bool = True,
) -> BatchSummary:
    """Grade every submission of ``submissions_dir`` (those of one shard) into ``out``; then, unless sharded or
    ``class_report`` is false, write the class report."""
    batch = batch_settings(out, assignment_id=assignment_id, units=units, suites=suites, seed=seed, lang=lang)
    submissions = [s for s in find_submissions(submissions_dir, assignment_id) if in_shard(s.student, shard)]
    outputs.make_dirs(out)
    gradebook.write_batch(out, batch)
    summary, todo = BatchSummary(settings=batch), list[tuple[Submission, str]]()
    for submission in submissions:
        if submission.notebook is None:
            record(out, ungradable_record(submission.student, submission.reason, batch, detail=submission.problem))
            summary.failed[submission.student] = submission.problem
            continue
        digest = file_digest(submission.notebook)
        if not force and is_finished(out, submission, batch, digest):
            summary.skipped.append(submission.student)
        else:
            todo.append((submission, digest))
    bar = ProgressBar(len(submissions), progress, done=len(submissions) - len(todo))
    _grade_all(todo, out, batch, jobs or min(2, os.cpu_count() or 1), summary, bar)
    bar.finish(summary)
    summary.gradebook = gradebook.write_gradebook(out, batch["units"], {s.student for s in submissions})
    if class_report and submissions and shard is None:  # a shard is part of a class: `merge` writes its report
        # Deliberately lazy: the class report imports matplotlib, wanted only once grading is done and never in the
        # grading processes (spawned, they import this module).
        from grader.classroom.class_report import write_report

        summary.reports = write_report(out)
    return summary


def _grade_all(
    todo: list[tuple[Submission, str]],
    out: Path,
    batch: Settings,
    jobs: int,
    summary: BatchSummary,
    bar: ProgressBar,
    grade: Grade | None = None,
) -> None:
    """Grade ``todo`` in ``jobs`` processes; when one dies, only the notebooks it was on are graded again, alone."""
    in_flight = InFlight.create()

    def done(result: Record) -> None:
        record(out, result)
        _count(summary, result)
        bar.advance(result)

    idle_deaths = 0
    try:
        while todo:
            before = len(todo)
            todo, suspects = _grade_together(todo, batch, jobs, in_flight, done, grade)
            for submission, digest in suspects:  # alone in a fresh process: a death then is this notebook's own
                done(_grade_alone(submission, digest, batch, in_flight, grade))
            idle_deaths += len(todo) == before  # the pool broke before any notebook of it began or ended
            if todo and idle_deaths >= MAX_ATTEMPTS:
                for submission, digest in todo:
                    done(ungradable_record(submission.student, reasons.GRADER_FAILED, batch, digest, POOL_DIED))
                todo = []
    finally:
        in_flight.remove()


POOL_DIED = (
    "the batch's grading processes died twice before grading any notebook (loading the reference solution?); "
    "run `python -m grader grade` on one notebook to see why / 배치의 채점 프로세스가 노트북을 하나도 채점하기 전에 두 번 "
    "죽었습니다(모범 답안을 불러오다가?): 노트북 하나를 `python -m grader grade`로 채점해 이유를 보세요"
)


def _pool(jobs: int, batch: Settings, in_flight: InFlight) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads or state
    initargs = (batch["assignment"], os.getpid(), str(in_flight.folder), processes.machine_probes())
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_process, initargs=initargs)


def _grade_together(
    todo: list[tuple[Submission, str]],
    batch: Settings,
    jobs: int,
    in_flight: InFlight,
    done: Callable[[Record], None],
    grade: Grade | None,
) -> tuple[list[tuple[Submission, str]], list[tuple[Submission, str]]]:
    """Grade in one pool until it ends or breaks; then (notebooks never started, notebooks in flight at the death)."""
    pool = _pool(jobs, batch, in_flight)
    broken = False
    try:
        pending: dict[Future[Record], tuple[Submission, str]] = {
            pool.submit(grade_one, s.student, str(s.notebook), digest, batch, grade): (s, digest) for s, digest in todo
        }
        while pending and not broken:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True  # every unfinished notebook fails so: which were in flight is read below
                    continue
                pending.pop(future)
                done(result)
    except BaseException:  # Ctrl-C, SIGTERM: stop the pool now; what was recorded stays, a rerun resumes
        _stop_pool(pool)
        _bury(in_flight)
        raise
    pool.shutdown(wait=True, cancel_futures=True)
    for future in [f for f in pending if not f.cancelled() and f.exception() is None]:  # finished as it broke
        done(future.result())
        pending.pop(future)
    on = set(_bury(in_flight).values()) - {IDLE}
    left = list(pending.values())
    return [entry for entry in left if entry[0].student not in on], [entry for entry in left if entry[0].student in on]


def _grade_alone(
    submission: Submission, digest: str, batch: Settings, in_flight: InFlight, grade: Grade | None
) -> Record:
    """Grade one notebook in a process of its own, up to MAX_ATTEMPTS times if that process dies."""
    for _ in range(MAX_ATTEMPTS):
        pool = _pool(1, batch, in_flight)
        try:
            return pool.submit(grade_one, submission.student, str(submission.notebook), digest, batch, grade).result()
        except BrokenProcessPool:
            continue
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _bury(in_flight)
    return ungradable_record(submission.student, reasons.PROCESS_DIED, batch, digest, DIED_ALONE)


def _bury(in_flight: InFlight) -> dict[int, str]:
    """After a pool has ended: remove what its processes' workers left, forget them; pid -> student each was on."""
    ended = in_flight.processes()
    for pid, (scratch, _) in ended.items():
        remove_scratch(scratch)  # a killed grading process never stopped its workers (they died with it)
        in_flight.forget(pid)
    return {pid: student for pid, (_, student) in ended.items()}


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's processes instead of waiting for the notebooks in flight (``shutdown`` would)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _count(summary: BatchSummary, result: Record) -> None:
    summary.graded.append(result["student"])
    if result["status"] == "ungradable":
        summary.failed[result["student"]] = reasons.render(result.get("reason"))
    elif result["status"] != "graded":
        problems = result.get("internal_errors") or result.get("errors") or [result["status"]]
        summary.failed[result["student"]] = str(problems[0]).splitlines()[0]
