"""The per-test time limit (pytest-timeout's ``timeout`` from the trusted ini), ending a test with a type of its own.

pytest-timeout's own signal handler ends a test with ``pytest.fail("Timeout >120s")``, which could be told
from any other ``Failed`` only by its text. The grading plugin implements pytest-timeout's
``pytest_timeout_set_timer`` hook instead, with the same SIGALRM timer, so a test that runs past the limit
ends in :class:`TestTimedOut` and the plugin decides by its type. Off the main thread (where no signal can
be delivered) pytest-timeout's own timer stays in charge.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import pytest

CANCEL = pytest.StashKey[bool]()  # set on an item whose timer this module started


class TestTimedOut(BaseException):
    """The whole test ran past the grading run's per-test time limit.

    A BaseException, as pytest's own ``Failed`` is: a test's or a check's ``except Exception`` must not
    swallow the end of its time.
    """

    __test__ = False  # not a test class, whatever pytest's collection rules say

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the test ran past the grader's time limit ({seconds:g} s)")
        self.seconds = seconds


def start(item: pytest.Item, seconds: float) -> bool | None:
    """Arm a SIGALRM timer for ``item``; None (pytest-timeout's own timer then) off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TestTimedOut(seconds)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    item.stash[CANCEL] = True
    return True


def cancel(item: pytest.Item) -> bool | None:
    """Disarm ``item``'s timer if this module armed it; None otherwise (pytest-timeout's own timer's to cancel)."""
    if not item.stash.get(CANCEL, False):
        return None
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    del item.stash[CANCEL]
    return True
