"""The grader's end of a worker's two pipes: send a request, read a reply, decode it, never past a deadline.

The worker is untrusted, so its channel is read as an adversary writes it: every read and write waits
with a deadline (a worker that stops reading or writing cannot hang the grader), a reply's announced size
is checked before a buffer is made, bytes nobody asked for mean the channel can no longer be trusted, and
decoding is bounded (:mod:`grader.untrusted.bounds`). A failure is raised as a
:class:`~grader.sandbox.failures.WorkerFailure` with its reason; the end of the worker's pipe is
:class:`ChannelEnded`, which the worker's life cycle (:mod:`grader.sandbox.process`) turns into how the
process ended, since only it can wait for the process. The channel stops nothing itself.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import time
from collections.abc import Callable

from grader.sandbox.failures import ReplyOverBound, What, Wording, WorkerFailure, WorkerTimeout
from grader.untrusted import protocol

CHUNK_BYTES = 1 << 16  # one write to the request pipe
READ_BYTES = 1 << 20  # one read from the response pipe


Stretch = Callable[[float], float]  # a passed deadline -> the deadline it may have (never earlier)


class ChannelEnded(Exception):
    """The worker's end of a pipe is closed: the worker is gone (how it ended is for its life cycle to say)."""


class Channel:
    """A request pipe (written without blocking) and a response pipe, with what was read ahead."""

    def __init__(self, request_write: int, response_read: int) -> None:
        self.request_write = request_write
        self.response_read = response_read
        self.pending = bytearray()  # bytes read past the last message: the next message's

    def close(self) -> None:
        """Close both descriptors; what was pending is dropped."""
        for fd in (self.request_write, self.response_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pending = bytearray()

    def send(self, data: bytes, deadline: float, what: What) -> None:
        """Write a request without blocking past the deadline: a worker that stops reading cannot hang us."""
        view = memoryview(data)
        with selectors.DefaultSelector() as selector:
            selector.register(self.request_write, selectors.EVENT_WRITE)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise WorkerTimeout(Wording.RAN_OUT, what=what)
                try:
                    view = view[os.write(self.request_write, view[:CHUNK_BYTES]) :]
                except BlockingIOError:
                    continue
                except OSError:
                    raise ChannelEnded from None

    def read_body(self, deadline: float, what: What, stretch: Stretch | None = None) -> bytearray:
        """The next message's body; bytes after it stay in ``pending`` for the next read.

        The body is read into one buffer of its announced size: a 64 MiB reply costs 64 MiB,
        not the several copies a growing buffer and its slices would make. When the deadline passes,
        ``stretch`` (if given) may move it later (:mod:`grader.sandbox.cpu_clock`: a starved worker's CPU time).
        """
        length = bytearray(8)
        deadline = self._fill(memoryview(length), deadline, what, stretch)
        size = int.from_bytes(length, "big")
        if 8 + size > protocol.MAX_MESSAGE_BYTES:
            raise WorkerFailure(Wording.REPLY_TOO_LARGE, what=what, detail=str(protocol.MAX_MESSAGE_BYTES // 2**20))
        body = bytearray(size)
        self._fill(memoryview(body), deadline, what, stretch)
        return body

    def _fill(self, target: memoryview, deadline: float, what: What, stretch: Stretch | None = None) -> float:
        """Fill ``target`` from what is pending, then from the pipe, without blocking past the deadline.

        Returns the deadline, later than given when ``stretch`` moved it.
        """
        filled = min(len(self.pending), len(target))
        target[:filled] = self.pending[:filled]
        del self.pending[:filled]
        with selectors.DefaultSelector() as selector:
            selector.register(self.response_read, selectors.EVENT_READ)
            while filled < len(target):
                remaining = deadline - time.monotonic()
                if remaining <= 0 and stretch is not None:
                    deadline = stretch(deadline)
                    remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerTimeout(Wording.RAN_OUT, what=what)
                if not selector.select(remaining):
                    continue
                count = os.readv(self.response_read, [target[filled : filled + READ_BYTES]])
                if not count:
                    raise ChannelEnded
                filled += count
        return deadline

    def unsolicited(self) -> bool:
        """True when the worker sent something before it was asked: the channel can no longer be trusted.

        A pipe that is readable because the worker is gone (end of file) is a dead worker, not a forgery:
        :class:`ChannelEnded`.
        """
        if self.pending:
            return True
        with selectors.DefaultSelector() as selector:
            selector.register(self.response_read, selectors.EVENT_READ)
            if not selector.select(0):
                return False
        chunk = os.read(self.response_read, CHUNK_BYTES)
        if not chunk:
            raise ChannelEnded
        self.pending += chunk
        return True


def decode(body: bytes | bytearray, what: What) -> dict[str, object]:
    """The reply in ``body`` (which is emptied: a failure's traceback holds its frames, and so the body)."""
    problem: tuple[bool, str] | None = None
    try:
        reply = protocol.decode(body)  # bounded in objects and time (grader.untrusted.bounds)
    except protocol.ProtocolError as error:
        problem = (type(error) is protocol.MessageOverBound, str(error))  # raised below: no context holds it
    finally:
        if type(body) is bytearray:
            body.clear()
    if problem is not None:
        over_bound, text = problem
        if over_bound:
            raise ReplyOverBound(Wording.REPLY_OVER_BOUND, what=what, detail=text)
        raise WorkerFailure(Wording.UNREADABLE, what=what, detail=text)
    if type(reply) is not dict:
        raise WorkerFailure(Wording.UNREADABLE, what=what)
    return reply
