"""A progress line on standard error while one grading runs longer than a second, on a terminal only.

Written here rather than with tqdm or rich: the line is a thread and a carriage return, and a
dependency would reach every student repository that ``publish`` writes (their pyproject lists the
kit's dependencies) for a line most gradings never show.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TextIO

from grader.pipeline.checks import Text

DELAY = 1.0  # seconds of silence before the line appears: a quick grading shows nothing
DELAY_VARIABLE = "GRADER_PROGRESS_DELAY"  # another delay in seconds (0: at once), e.g. to see the line in a test
TICK = 0.25  # seconds between redraws
GRADING = Text("채점 중", "grading")
TESTS = Text("테스트 {done}/{total}", "{done}/{total} tests")


class ProgressLine:
    """``with ProgressLine(sys.stderr, lang) as progress:`` then ``progress.update(done, total, unit)``."""

    def __init__(self, stream: TextIO, lang: str = "both", delay: float | None = None) -> None:
        self.stream, self.lang = stream, lang
        self.delay = delay if delay is not None else _delay_from_environment()
        self.active = _is_terminal(stream)
        self.done, self.total, self.unit = 0, 0, ""
        self.shown = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grader-progress", daemon=True)
        self._started = 0.0
        self._terminal: int | None = None  # a copy of the stream's descriptor, made before pytest captures fd 2

    def __enter__(self) -> ProgressLine:
        self._started = time.monotonic()
        if self.active:
            try:
                self._terminal = os.dup(self.stream.fileno())
            except (OSError, ValueError):  # a stream without a descriptor: write through the stream itself
                self._terminal = None
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.shown:  # leave the terminal as it was: the report starts on a clean line
            self._write("\r\x1b[K")
        if self._terminal is not None:
            os.close(self._terminal)
            self._terminal = None

    def update(self, done: int, total: int, unit: str) -> None:
        """A test finished: ``done`` of ``total``, in ``unit``."""
        self.done, self.total, self.unit = done, total, unit

    def line(self) -> str:
        """The text shown now."""
        seconds = time.monotonic() - self._started
        tests = f" · {TESTS.render(self.lang).format(done=self.done, total=self.total)}" if self.total else ""
        unit = f" · {self.unit}" if self.unit else ""
        return f"{GRADING.render(self.lang)}…{tests}{unit} · {seconds:.0f} s"

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self._write("\r\x1b[K" + self.line())
            self.shown = True
            self._stop.wait(TICK)

    def _write(self, text: str) -> None:
        """Straight to the terminal: the grading runs pytest, which captures fd 2 while tests run."""
        try:
            if self._terminal is None:
                self.stream.write(text)
                self.stream.flush()
                return
            self.stream.flush()
            os.write(self._terminal, text.encode(getattr(self.stream, "encoding", None) or "utf-8", "replace"))
        except (OSError, ValueError):  # the terminal went away: no line, never a failed grading
            pass


def _delay_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_VARIABLE, DELAY)))
    except ValueError:
        return DELAY


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: no line
        return False
