"""What one batch run did (:class:`BatchSummary`) and how it shows it to the TA watching (:class:`ProgressBar`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from grader.pipeline.inert import one_line


@dataclass
class BatchSummary:
    """What one batch run did."""

    graded: list[str] = field(default_factory=list)  # graded in this run
    skipped: list[str] = field(default_factory=list)  # finished in an earlier run
    failed: dict[str, str] = field(default_factory=dict)  # student -> why it could not be graded
    gradebook: Path | None = None
    reports: list[Path] = field(default_factory=list)  # the class report (HTML and Markdown)
    settings: dict[str, Any] = field(default_factory=dict)  # what the batch graded with (batch.json)


class ProgressBar:
    """A one-line bar on a terminal; one line per notebook elsewhere (CI logs); both say the time left."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None, done: int = 0) -> None:
        self.total, self.done, self.stream = total, done, stream
        self.tty = bool(stream is not None and stream.isatty())
        self.started = time.monotonic()
        self.now = 0  # notebooks finished in this run (graded or found ungradable while grading)
        self.ungradable = 0  # of those, the ones that could not be graded

    def advance(self, result: dict[str, Any]) -> None:
        """One more notebook finished."""
        self.done += 1
        self.now += 1
        self.ungradable += result["status"] == "ungradable"
        if self.stream is None:
            return
        score = f"{result['score']:g}" if result["status"] != "ungradable" else "-"
        label = f"{self.done}/{self.total} {one_line(result['student'], 40)} {score} ({result['status']})"
        label += f" · {self.time_left()}"
        if self.tty:
            filled = self.WIDTH * self.done // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {label[:80]:<80}")
        else:
            self.stream.write(f"[{label}]\n")
        self.stream.flush()

    def time_left(self) -> str:
        """An estimate from this run's pace: the seconds per notebook so far times the notebooks left."""
        left = (time.monotonic() - self.started) / max(self.now, 1) * (self.total - self.done)
        minutes, seconds = divmod(round(left), 60)
        return f"~{minutes}:{seconds:02d} left / 남은 시간"

    def finish(self, summary: BatchSummary) -> None:
        """The closing lines: counts that add up to the notebooks found, then every notebook not fully graded."""
        if self.stream is None:
            return
        if self.tty:
            self.stream.write("\n")
        never_graded = len([student for student in summary.failed if student not in summary.graded])
        graded, skipped, ungradable = self.now - self.ungradable, len(summary.skipped), self.ungradable + never_graded
        self.stream.write(
            f"{self.done}/{self.total} done: {graded} graded now, {skipped} finished earlier (skipped), "
            f"{ungradable} ungradable; {time.monotonic() - self.started:.0f} s / 완료: 이번에 채점 {graded}, "
            f"이전 실행에서 끝남(건너뜀) {skipped}, 채점 불가 {ungradable}\n"
        )
        for student, reason in sorted(summary.failed.items()):
            self.stream.write(f"  not fully graded / 채점 미완료: {student}: {reason}\n")
        self.stream.flush()
