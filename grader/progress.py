"""A progress line on standard error while one grading runs longer than a second, on a terminal only.

Written here rather than with tqdm or rich: the line is a thread and a carriage return, and a
dependency would reach every student repository that ``publish`` writes (their pyproject lists the
kit's dependencies) for a line most gradings never show.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from grader.pipeline.checks import Text

DELAY = 1.0  # seconds of silence before the line appears: a quick grading shows nothing
TICK = 0.25  # seconds between redraws
GRADING = Text("채점 중", "grading")
TESTS = Text("테스트 {done}/{total}", "{done}/{total} tests")


class ProgressLine:
    """``with ProgressLine(sys.stderr, lang) as progress:`` then ``progress.update(done, total, unit)``."""

    def __init__(self, stream: TextIO, lang: str = "both", delay: float = DELAY) -> None:
        self.stream, self.lang, self.delay = stream, lang, delay
        self.active = _is_terminal(stream)
        self.done, self.total, self.unit = 0, 0, ""
        self.shown = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grader-progress", daemon=True)
        self._started = 0.0

    def __enter__(self) -> ProgressLine:
        self._started = time.monotonic()
        if self.active:
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.shown:  # leave the terminal as it was: the report starts on a clean line
            self.stream.write("\r\x1b[K")
            self.stream.flush()

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
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
            self.shown = True
            self._stop.wait(TICK)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: no line
        return False
