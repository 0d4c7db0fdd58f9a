"""grader/sandbox/paths.py: which part of a path other users cannot reach (the uid drop and hidden folders hinge on it)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox.paths import first_closed_to_others


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder every user can traverse (pytest's own open_dir sits below a 0700 folder)."""
    path = Path(tempfile.mkdtemp(prefix="paths-test-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


def test_open_paths_are_reachable(open_dir: Path):
    (open_dir / "open").mkdir(mode=0o755)
    (open_dir / "open" / "file.py").write_text("x = 1\n")
    os.chmod(open_dir / "open" / "file.py", 0o644)
    assert first_closed_to_others([open_dir / "open", open_dir / "open" / "file.py"]) is None


def test_the_first_closed_folder_or_file_is_named(open_dir: Path):
    home = open_dir / "home"
    (home / "python").mkdir(parents=True)
    (home / "python" / "lib.py").write_text("x = 1\n")
    os.chmod(home, 0o700)  # like /root: the folders below are fine, the walk stops here
    assert first_closed_to_others([home / "python" / "lib.py"]) == home
    os.chmod(home, 0o755)
    os.chmod(home / "python" / "lib.py", 0o600)
    assert first_closed_to_others([home / "python", home / "python" / "lib.py"]) == home / "python" / "lib.py"
    os.chmod(home / "python", 0o754)  # readable but not traversable by others
    assert first_closed_to_others([home / "python"]) == home / "python"
