"""Resource limits for one worker process, and the wall-clock budget of a whole submission."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker process, and the wall-clock budget of a whole submission."""

    call_seconds: float = 10.0  # wall clock for one call
    load_seconds: float = 20.0  # wall clock to start and load the definitions
    submission_seconds: float = 300.0  # wall clock for every worker of one grading run together
    cpu_seconds: int = 60  # CPU time over the worker's whole life (soft = hard)
    memory_bytes: int = 2 * 1024**3  # address space
    file_bytes: int = 16 * 1024**2  # largest file the worker may write (its printed output included)
    scratch_bytes: int = 64 * 1024**2  # all it may write together, under bubblewrap (sized tmpfs)
    open_files: int = 64
    submission_memory_bytes: int = 4 * 1024**3  # all of one submission's workers together
