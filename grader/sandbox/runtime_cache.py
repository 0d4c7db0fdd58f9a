"""The cache of verified Python copies: one lock for making them, a mark on each copy in use, and a bound.

Copies are named by the hash of their manifest, so every checkout of one kit version on one
Python shares one. Making a copy and evicting one happen under the cache's lock (``flock``),
so two graders never copy 188 MB twice nor remove what the other is about to use. A grader
that uses a copy holds a shared lock on its manifest until it exits; eviction takes that lock
exclusively without waiting, so a copy in use is never removed. Graders of older kits hold no
such lock: a copy that a live process runs (``/proc/PID/exe``) or that was used within
``GRACE_SECONDS`` counts as in use too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

MAX_COPIES = 3  # kit versions graded side by side on one machine (a release, its successor, a test run)
MAX_BYTES = 1024 * 2**20  # a copy is about 190 MB
GRACE_SECONDS = 3600  # a copy used this recently is kept even without a lock (graders of older kits)
LOCK_NAME = ".lock"
_held: dict[Path, int] = {}  # copy -> descriptor of its manifest, locked shared for this process's life


@contextlib.contextmanager
def locked(cache: Path) -> Iterator[None]:
    """Hold the cache's lock: nobody else makes, marks or evicts a copy meanwhile."""
    fd = os.open(cache / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def mark_in_use(copy: Path, manifest: str) -> None:
    """Hold a shared lock on ``copy``'s manifest until this process exits; its use time is now (for LRU)."""
    if copy not in _held:
        fd = os.open(copy / manifest, os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_SH)
        _held[copy] = fd
    os.utime(copy)


def copies(cache: Path) -> list[Path]:
    """The finished copies in ``cache``, least recently used first."""
    found = [path for path in cache.glob("python-*") if path.is_dir()]
    return sorted(found, key=lambda path: path.stat().st_mtime)


def size_of(folder: Path) -> int:
    """Bytes of the files under ``folder``."""
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file() and not entry.is_symlink())


def evict(cache: Path, manifest: str, keep: Path, max_copies: int = MAX_COPIES, max_bytes: int = MAX_BYTES) -> None:
    """Remove least recently used copies not in use until at most ``max_copies`` and ``max_bytes`` remain.

    Called under :func:`locked`. Copies in use stay even past the bound: removing one would break a grader.
    """
    _remove_abandoned_builds(cache)
    present = copies(cache)
    sizes = {copy: size_of(copy) for copy in present}
    running = _running_executables()
    for copy in present:
        if len(present) <= max_copies and sum(sizes[c] for c in present) <= max_bytes:
            return
        if copy == keep or _in_use(copy, manifest, running):
            continue
        shutil.rmtree(copy, ignore_errors=True)
        present.remove(copy)


def _in_use(copy: Path, manifest: str, running: set[Path]) -> bool:
    if copy in _held or time.time() - copy.stat().st_mtime < GRACE_SECONDS:
        return True
    if any(copy in executable.parents for executable in running):
        return True
    try:
        fd = os.open(copy / manifest, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # no manifest: an unfinished or damaged copy
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases the exclusive lock taken only to test
    return False


def _running_executables() -> set[Path]:
    """The executable of every process this user can see (root: all)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found.add(Path(os.readlink(entry / "exe")))
    return found


def _remove_abandoned_builds(cache: Path) -> None:
    """Half-made copies (``.python-KEY.PID``) whose maker is gone: it was killed while copying."""
    for building in cache.glob(".python-*.*"):
        pid = building.name.rsplit(".", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(building, ignore_errors=True)
