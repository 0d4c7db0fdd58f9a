"""The verified Python copy: shared by checkouts of one version, made once when graders race, and bounded.

These need root (only root copies Python); as another user they are skipped.

    .venv/bin/python -m pytest -q grader/tests/sandbox/test_runtime_cache.py
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox import runtime, runtime_cache

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root copies Python for workers (runtime.copied)")
VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture
def cache(monkeypatch):
    """An empty cache other users can traverse (pytest's own temporary folders are closed to them)."""
    folder = Path(tempfile.mkdtemp(prefix="runtime-cache-test-"))
    os.chmod(folder, 0o755)
    monkeypatch.setenv(runtime.CACHE_VARIABLE, str(folder / "cache"))
    yield folder / "cache"
    shutil.rmtree(folder, ignore_errors=True)


def checkout(where: Path, worker_text: str = "print('worker')\n") -> Path:
    """A clone's ``grader/untrusted``: the kit's files, freshly written (so with their own mtimes and inodes)."""
    shutil.copytree(runtime.UNTRUSTED, where / "grader" / "untrusted", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(runtime.UNTRUSTED.parent / "__init__.py", where / "grader" / "__init__.py")
    (where / "grader" / "untrusted" / "worker.py").write_text(worker_text)
    return where / "grader" / "untrusted"


def small_sources(folder: Path, text: str) -> list[tuple[str, Path]]:
    """A stand-in for Python and the kit, a few bytes each: enough for a copy's layout, fast to copy."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"bin/{VERSION}": "interpreter", "grader/__init__.py": "", "grader/untrusted/worker.py": text}
    sources = []
    for dest, content in files.items():
        path = folder / dest.replace("/", "_")
        path.write_text(content)
        sources.append((dest, path))
    return sources


def copies_in(cache: Path) -> list[str]:
    return sorted(path.name for path in cache.iterdir() if path.name.startswith(("python-", ".python-")))


def test_two_clones_of_one_version_share_one_copy_and_a_changed_file_makes_another(cache, tmp_path, monkeypatch):
    clones = [checkout(tmp_path / "a"), checkout(tmp_path / "b")]
    os.utime(clones[1] / "protocol.py", (1, 1))  # a clone's files carry their own times
    made = []
    for untrusted in clones:
        monkeypatch.setattr(runtime, "UNTRUSTED", untrusted)
        made.append(runtime.copied().copied_to)
    assert made[0] == made[1] and len(copies_in(cache)) == 1, copies_in(cache)
    monkeypatch.setattr(runtime, "UNTRUSTED", checkout(tmp_path / "c", "print('another version')\n"))
    assert runtime.copied().copied_to != made[0]
    assert len(copies_in(cache)) == 2


def _copy_and_report(queue, sources) -> None:
    runtime._sources = lambda: sources  # a forked child: the parent's monkeypatch is not inherited by name
    queue.put(str(runtime.copied().copied_to))


def test_graders_that_race_make_one_copy(cache, tmp_path, monkeypatch):
    sources = small_sources(tmp_path / "src", "print('race')\n")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    racers = [context.Process(target=_copy_and_report, args=(queue, sources)) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert [racer.exitcode for racer in racers] == [0] * 4
    assert len({queue.get(timeout=5) for _ in racers}) == 1
    assert len(copies_in(cache)) == 1, copies_in(cache)  # no second copy, no half-made one left behind


def _use_and_wait(sources, ready, release) -> None:
    runtime._sources = lambda: sources
    runtime.copied()
    ready.set()
    release.wait(60)


def let_go_of_copies() -> None:
    """Release this process's marks on the copies it used, as its exit would."""
    for fd in runtime_cache._held.values():
        os.close(fd)
    runtime_cache._held.clear()


def test_the_cache_keeps_its_bound_and_never_removes_a_copy_in_use(cache, tmp_path, monkeypatch):
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    user = context.Process(target=_use_and_wait, args=(small_sources(tmp_path / "v0", "v0"), ready, release))
    user.start()
    try:
        assert ready.wait(60)
        (in_use,) = copies_in(cache)
        two_hours_ago = time.time() - 7200  # older than the grace for unlocked copies, younger than a day
        os.utime(cache / in_use, (two_hours_ago, two_hours_ago))
        for version in range(1, 7):
            monkeypatch.setattr(runtime, "_sources", lambda v=version: small_sources(tmp_path / f"v{v}", f"v{v}"))
            let_go_of_copies()  # this process stands for a grader that used only the newest copy
            runtime.copied()
            for name in copies_in(cache):
                if name != in_use:
                    os.utime(cache / name, (two_hours_ago + version, two_hours_ago + version))
        left = copies_in(cache)
        assert len(left) <= runtime_cache.MAX_COPIES, left
        assert in_use in left, "a copy a live grader holds was removed"
    finally:
        release.set()
        user.join(30)
