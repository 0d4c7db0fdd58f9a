"""Which notebook each grading process of a batch is on, so that a process's death is blamed on that notebook only.

When one grading process dies, ``ProcessPoolExecutor`` fails every notebook not yet finished, in flight
or still queued, and cannot say which process was on which. Each grading process therefore writes, into
a file named by its pid in a folder private to the batch, how its workers' scratch folders are named and
the student it is grading; after a death the batch reads them: only those notebooks are suspects, and
the scratch folders the dead processes left are removed (a pid may be reused: the names carry a token).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

IDLE = ""


class InFlight:
    """One batch's folder of ``<pid>`` files, each holding the student that grading process is on (or nothing)."""

    def __init__(self, folder: Path, scratch: str = "") -> None:
        self.folder = folder
        self.scratch = scratch  # in a grading process: how its workers' scratch folders begin

    @classmethod
    def create(cls) -> InFlight:
        """A new folder only this user can read (workers run as other uids, or confined to their scratch)."""
        return cls(Path(tempfile.mkdtemp(prefix="grader-batch-")))

    def begin(self, student: str = IDLE) -> None:
        """In a grading process: say it is on ``student`` now (IDLE: on nothing); replaced atomically."""
        path = self.folder / str(os.getpid())
        partial = path.with_name(f".{path.name}")
        partial.write_text(f"{self.scratch}\n{student}", encoding="utf-8")
        os.replace(partial, path)

    def processes(self) -> dict[int, tuple[str, str]]:
        """Every grading process that has started: pid -> (its scratch prefix, the student it was on last)."""
        found = {}
        for entry in self.folder.iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError):
                    scratch, student = entry.read_text(encoding="utf-8").split("\n", 1)
                    found[int(entry.name)] = (scratch, student)
        return found

    def forget(self, pid: int) -> None:
        """Drop a process that has ended and been accounted for."""
        with contextlib.suppress(FileNotFoundError):
            (self.folder / str(pid)).unlink()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
