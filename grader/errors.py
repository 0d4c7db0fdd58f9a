"""The kit's own errors: each says what went wrong and what to do next; the CLI prints it on one line, exit status 2."""

from __future__ import annotations

ACCEPT_UNCONFINED_VARIABLE = "GRADER_ACCEPT_UNCONFINED"  # set by --accept-unconfined


class GraderError(Exception):
    """A problem the person running the grader can fix (misuse, a missing file, an unsafe machine)."""


class UnconfinedRefused(GraderError):
    """Grading would leave student code a way to the kit, other submissions or root: refused before it starts."""
