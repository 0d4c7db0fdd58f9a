"""What decoding one message may build: counted from the header's bytes before json.loads, and while it is walked.

The byte cap (64 MiB) bounds what a message weighs on the wire, not what it costs to
decode: 57 MiB of ``[],`` are 20 million lists, 2.9 GiB in the grader and a minute of
work. So the header's structural bytes are counted first (``bytes.count`` runs at
memory speed and allocates nothing): every JSON value but the first follows a ``,``, a
``:`` or a ``[``, and every container opens with ``[`` or ``{``, so their sum bounds the
objects json.loads would build. It also counts those bytes inside strings, which only
makes the bound stricter. The walk that turns JSON into values then counts nodes, depth,
items per container, characters, arrays and their elements, and checks a deadline.

The bounds are far above the largest legitimate message, measured by grading both
instructor notebooks (ch03, ch04: 455 replies): 643,489 bytes, 54 structural bytes,
38 nodes, depth 11, 27 items in one container, 310 characters, 12 arrays (most of the 643 KB).
Requests (course sources, notebook snippets) are decoded with the same
bounds by the worker: they hold at most a few MiB of text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for an annotation only: protocol imports this module
    from grader.untrusted.protocol import NpyHeader

STRUCTURAL = (b"[", b"{", b",", b":")


class OverBound(Exception):
    """A message asks for more than a bound allows (a ProtocolError for the caller)."""


@dataclass(frozen=True)
class Bounds:
    """The most one decoded message may hold; each is checked before the thing it counts is built."""

    structural_bytes: int = 250_000  # ``[ { , :`` in the header: bounds json.loads's objects (about 100 B each)
    nodes: int = 250_000  # values in the decoded tree
    depth: int = 100  # nesting of JSON containers (a tuple or dict costs two levels, a list one)
    items: int = 100_000  # items of one list, tuple or dict
    characters: int = 32 * 2**20  # in every string and key together (a 16 MiB string still comes back, failed)
    arrays: int = 2_000  # NumPy arrays and scalars (each costs 0.1-0.2 ms to check and load); a history of 100 fits
    array_elements: int = 16 * 2**20  # elements of every array together (the byte cap bounds their size too)
    seconds: float = 5.0  # for the walk and the arrays: what the bounds above allow takes under 0.5 s unloaded


MESSAGE = Bounds()


def check_header(header: bytes, bounds: Bounds) -> None:
    """Refuse a header whose structural bytes promise more objects than the bounds allow, before parsing it."""
    count = 0
    for token in STRUCTURAL:
        count += header.count(token)
        if count > bounds.structural_bytes:
            raise OverBound(f"the answer holds more than {bounds.structural_bytes:,} values")


class Budget:
    """What the walk of one message has used so far; each ``take_*`` raises OverBound past its bound."""

    def __init__(self, bounds: Bounds, deadline: float | None = None) -> None:
        self.bounds = bounds
        self.deadline = time.monotonic() + bounds.seconds if deadline is None else deadline
        self.nodes = 0
        self.characters = 0
        self.arrays = 0
        self.array_elements = 0
        self.npy_headers: dict[
            bytes, NpyHeader
        ] = {}  # .npy headers already parsed in this message (a list of scalars shares one)

    def take_node(self, depth: int) -> None:
        """One more value at ``depth`` levels of nesting."""
        self.nodes += 1
        if self.nodes > self.bounds.nodes:
            raise OverBound(f"the answer holds more than {self.bounds.nodes:,} values")
        if depth > self.bounds.depth:
            raise OverBound(f"the answer is nested more than {self.bounds.depth} levels deep")
        if self.nodes % 1024 == 0:
            self.check_time()

    def take_items(self, count: int) -> None:
        """A container of ``count`` items."""
        if count > self.bounds.items:
            raise OverBound(f"a list, tuple or dict in the answer holds more than {self.bounds.items:,} items")

    def take_characters(self, count: int) -> None:
        """A string or key of ``count`` characters."""
        self.characters += count
        if self.characters > self.bounds.characters:
            raise OverBound(f"the strings in the answer hold more than {self.bounds.characters // 2**20} Mi characters")

    def take_arrays(self, count: int) -> None:
        """The message carries ``count`` arrays (from its framing, before any is read; then each reference)."""
        if count > self.bounds.arrays:
            raise OverBound(
                f"the answer holds more than {self.bounds.arrays:,} NumPy arrays or scalars "
                "(return one array instead of a list of NumPy values)"
            )

    def take_elements(self, count: int) -> None:
        """One array of ``count`` elements (read from its .npy header, before it is loaded)."""
        self.arrays += 1  # a blob referred to twice is loaded twice: each reference counts
        self.take_arrays(self.arrays)
        self.array_elements += count
        if self.array_elements > self.bounds.array_elements:
            raise OverBound(f"the arrays in the answer hold more than {self.bounds.array_elements:,} values")
        self.check_time()

    def check_time(self) -> None:
        """Past the deadline, stop: decoding must end within it whatever the message holds."""
        if time.monotonic() > self.deadline:
            raise OverBound(f"the answer took longer than {self.bounds.seconds:g} s to read")
