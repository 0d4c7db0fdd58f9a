"""Unprivileged uids for workers when the grader is root, and the sweep of what a uid leaves behind.

Each live worker gets its own uid from a range per grader process (never shared, never
handed out while it still owns a process); when the worker stops, every process of
that uid is killed and its files removed from every world-writable folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import time
from functools import cache
from pathlib import Path

from grader.untrusted.restrict import drop_privileges as drop_privileges  # the probe's and tests' uid drop

UID_BASE = 200_000
UIDS_PER_PROCESS = 64  # distinct uids one grading process hands out to concurrent workers
WORLD_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
PROBE_UID = UID_BASE - 1  # the uid the layer probe runs as


class UidsExhausted(Exception):
    """Every uid of this process's range owns a process."""


class UidPool:
    """The uids one grading process hands to its workers."""

    def __init__(self, base: int | None = None, size: int = UIDS_PER_PROCESS) -> None:
        self.base = base if base is not None else UID_BASE + (os.getpid() % 100_000) * size
        self.size = size
        self._in_use: set[int] = set()
        self._swept: set[int] = set()  # released by this pool: swept then, and nothing of theirs ran since

    def allocate(self) -> int:
        """A uid no live worker uses; what a killed grader left under it is removed first."""
        busy = uids_with_processes()
        for uid in range(self.base, self.base + self.size):
            if uid not in self._in_use and uid not in busy:
                self._in_use.add(uid)
                if uid not in self._swept:
                    remove_files_of(uid)
                self._swept.discard(uid)
                return uid
        raise UidsExhausted(f"all {self.size} worker user ids from {self.base} are in use")

    def release(self, uid: int) -> None:
        """Kill what ``uid`` still runs, remove its files, and make it available again."""
        kill_processes_of(uid)
        remove_files_of(uid)
        self._in_use.discard(uid)
        self._swept.add(uid)

    def in_use(self) -> frozenset[int]:
        """The uids handed out and not released."""
        return frozenset(self._in_use)


POOL = UidPool()


def uids_with_processes() -> set[int]:
    """Every uid that owns a process on this machine."""
    uids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(entry.stat().st_uid)
    return uids


def kill_processes_of(uid: int) -> None:
    """SIGKILL every live process owned by ``uid`` (orphans that escaped the process group), until none is left."""
    for _ in range(5):
        killed = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid and _alive(entry):
                    os.kill(int(entry.name), signal.SIGKILL)
                    killed = True
        if not killed:
            return
        time.sleep(0.005)  # a fork in flight shows up on the next pass


def _alive(entry: Path) -> bool:
    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


@cache
def world_writable_folders() -> tuple[Path, ...]:
    """Every folder any uid may write into, found once per process: /tmp and its kind, /run/lock, /dev/mqueue, …

    Walks the filesystem three levels deep (not /proc or /sys) for folders writable by others; a worker's
    uid can leave files in exactly these.
    """
    found = {path for path in WORLD_WRITABLE if path.is_dir()}
    level = [Path("/")]
    for _ in range(3):
        deeper = []
        for folder in level:
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    path = Path(entry.path)
                    if path in (Path("/proc"), Path("/sys")) or not entry.is_dir(follow_symlinks=False):
                        continue
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mode & stat.S_IWOTH:
                            found.add(path)
                    deeper.append(path)
        level = deeper
    return tuple(sorted(found))


def remove_files_of(uid: int) -> None:
    """Remove what ``uid`` left in every world-writable folder (/tmp, /var/tmp, /dev/shm, /run/lock, …)."""
    for folder in world_writable_folders():
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid != uid:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
