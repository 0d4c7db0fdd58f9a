"""Where a worker lives: its scratch folder, the only environment it has, and the file its output goes to.

Each worker gets a fresh folder under the system's temporary folder, named after the grading process
(its pid and a token), so a batch can remove what a grading process that died left behind
(:func:`remove_scratch`). The worker's printed output goes to a file in that folder and is read through
the grader's own descriptor, capped: the worker may replace the path with a symlink or a FIFO.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from grader.sandbox.runtime import Runtime

SCRATCH_PREFIX = "grader-worker-"
OUTPUT_CAP_BYTES = 64 * 1024
TRUNCATED = "\n… [output truncated]"

_scratch_tokens: dict[int, str] = {}


def scratch_prefix() -> str:
    """How this grading process's workers' scratch folders begin: its pid and a token (a pid is reused)."""
    pid = os.getpid()
    if pid not in _scratch_tokens:
        _scratch_tokens[pid] = secrets.token_hex(4)
    return f"{SCRATCH_PREFIX}{pid}-{_scratch_tokens[pid]}-"


def remove_scratch(prefix: str) -> int:
    """Remove the scratch folders named ``prefix``... that a dead grading process left (it never stopped its
    workers); how many."""
    if not prefix.startswith(SCRATCH_PREFIX) or "/" in prefix or prefix == SCRATCH_PREFIX:
        return 0
    found = list(Path(tempfile.gettempdir()).glob(prefix + "*"))
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return len(found)


def worker_environment(runtime: Runtime, scratch: str) -> dict[str, str]:
    """The only variables a worker has: fixed ones, and its scratch folder as home and for temporary files."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": scratch,
        "TMPDIR": scratch,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": scratch,
        **runtime.environment,
    }


def server_environment(runtime: Runtime) -> dict[str, str]:
    """The fork server's: a worker's, naming no scratch folder (each child sets its own)."""
    return worker_environment(runtime, "/nonexistent")


class OutputFile:
    """The file a worker's stdout and stderr go to, and the grader's own descriptor to read it."""

    def __init__(self, scratch: Path, uid: int | None) -> None:
        path = scratch / ".output"
        self.write_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the worker's stdout and stderr
        self._write_open = True
        if uid is not None:
            os.fchown(self.write_fd, uid, uid)
        # Read through our own descriptor: the worker may replace the path with a symlink or a FIFO.
        self._read_fd = os.open(path, os.O_RDONLY)
        self._offset = 0

    def handed_over(self) -> None:
        """The worker holds its end now: close the grader's copy of it."""
        if self._write_open:
            self._write_open = False
            with contextlib.suppress(OSError):
                os.close(self.write_fd)

    def take(self) -> str:
        """What the worker printed since the last look, capped at OUTPUT_CAP_BYTES."""
        try:
            size = os.fstat(self._read_fd).st_size
            start = min(self._offset, size)
            data = os.pread(self._read_fd, min(size - start, OUTPUT_CAP_BYTES + 1), start)
        except OSError:
            return ""
        self._offset = size
        text = data[:OUTPUT_CAP_BYTES].decode("utf-8", "replace")
        return text + (TRUNCATED if size - start > OUTPUT_CAP_BYTES else "")

    def close(self) -> None:
        """Close both descriptors (the file goes with the scratch folder)."""
        self.handed_over()
        with contextlib.suppress(OSError):
            os.close(self._read_fd)
