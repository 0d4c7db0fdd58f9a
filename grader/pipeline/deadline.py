"""A wall-clock bound on the grader's own work on one submission (reading and extracting the notebook).

That work runs in the trusted process before any worker or time limit exists, so a
notebook built to be slow to read must not stall it (or a whole batch). A watchdog
thread cannot interrupt the parsers; a ``SIGALRM`` timer can, between two Python
bytecodes: the pure-Python parts (IPython's tokenizer, the selection) stop at once,
and each C call (``json.loads``, ``ast.parse``) is short because the notebook's size
and its code's size are bounded first (``grader.pipeline.notebook``). Setting and clearing the
timer costs a few microseconds (``bench/extraction.py`` prints it). The timer works only in the main thread of a process
(the CLI, and each grading process of a batch); elsewhere the size bounds alone hold.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

RETRY_SECONDS = 0.05  # after the deadline, how often the timer fires again until the body is stopped


class DeadlineExceeded(BaseException):
    """The bounded work took too long.

    A ``BaseException``, like ``KeyboardInterrupt``, so that the ``except Exception`` of a
    parser it interrupts (nbformat, IPython) cannot swallow it and go on working.
    """


def can_interrupt() -> bool:
    """Whether :func:`time_limit` can stop work here (a main thread of a platform with ``setitimer``)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`DeadlineExceeded` in the body once ``seconds`` of wall time have passed.

    Without :func:`can_interrupt` the body runs unbounded. A timer already running (pytest-timeout's,
    in the kit's tests) that would fire first is left alone; one that would fire later is suspended
    and set again, for the time it has left, when the body ends.
    """
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL) if can_interrupt() else (0.0, 0.0)
    if not can_interrupt() or 0 < outer_left <= seconds:
        yield
        return
    armed, fired = True, False

    def expire(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        if armed:  # a signal delivered while the body was ending changes nothing
            fired = True
            raise DeadlineExceeded(f"over {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    # Raised inside a garbage-collector callback or a __del__, the exception is only printed and the body goes
    # on: the timer repeats every RETRY_SECONDS until one reaches the body, and a body that ends with the
    # deadline passed and every raise lost still ends in DeadlineExceeded.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield
        if fired:
            raise DeadlineExceeded(f"over {seconds:g} s")
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-3), outer_interval)
