"""Files the grader writes under sudo belong to the invoking user, are never world-writable, and stay out of the
workers' reach; files that are not the grader's keep their own protection."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from grader.assignment import KIT_ROOT
from grader.classroom import outputs
from grader.tests.helpers import grader_command

INVOKER, WORKER = 43210, 43211  # uids no account uses: the "runner" of sudo and a worker's uid
SETPRIV = shutil.which("setpriv")
as_root = pytest.mark.skipif(os.geteuid() != 0 or not SETPRIV, reason="needs root (chown) and setpriv (util-linux)")


def can_read(path: Path, uid: int) -> bool:
    """Whether ``uid`` (no groups) can read ``path``, asked of the kernel."""
    command = [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "cat", str(path)]
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


def owned_files(folder: Path) -> list[Path]:
    return [folder, *folder.rglob("*")]


@pytest.fixture
def open_tmp():
    """A folder every uid can traverse (pytest's own tmp_path sits in a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="grader-outputs-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@as_root
def test_a_file_written_under_sudo_belongs_to_the_invoking_user(open_tmp, monkeypatch):
    tmp_path = open_tmp
    monkeypatch.setenv("SUDO_UID", str(INVOKER))
    monkeypatch.setenv("SUDO_GID", str(INVOKER))
    path = outputs.write_text(tmp_path / "results" / "deep" / "a.json", "{}\n")
    for item in (path, path.parent, path.parent.parent):
        info = item.stat()
        assert (info.st_uid, info.st_gid) == (INVOKER, INVOKER), item
        assert not info.st_mode & stat.S_IWOTH
    assert can_read(path, INVOKER) and not can_read(path, WORKER)
    assert tmp_path.stat().st_uid == 0  # a folder that existed before is not the grader's to give away
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]  # no temporary file left


@as_root
def test_without_sudo_the_files_stay_roots_and_private(open_tmp, monkeypatch):
    tmp_path = open_tmp
    monkeypatch.delenv("SUDO_UID", raising=False)
    path = outputs.write_text(tmp_path / "gradebook.csv", "student,total\n")
    assert path.stat().st_uid == 0 and stat.S_IMODE(path.stat().st_mode) & 0o007 == 0
    assert not can_read(path, WORKER)


def test_replacing_a_file_never_shows_a_part_and_writes_through_a_device(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")
    outputs.write_text(path, "new")
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o640
    outputs.write_text(Path(os.devnull), "discarded")  # --json /dev/null: not replaced by a regular file
    assert Path(os.devnull).is_char_device()


@as_root
def test_a_batch_and_a_gradescope_export_under_sudo_are_readable_by_the_invoker_only(open_tmp):
    """The real commands, as ``sudo .venv/bin/python -m grader ...`` runs them (sudo sets SUDO_UID/SUDO_GID)."""
    tmp_path = open_tmp
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(KIT_ROOT / "solutions" / "ch04_learning.ipynb", submissions / "kim.ipynb")
    (submissions / "empty").mkdir()  # ungradable: recorded too
    hidden = KIT_ROOT / "tests_hidden"
    hidden_mode = stat.S_IMODE(hidden.stat().st_mode)
    env = {
        **os.environ,
        "SUDO_UID": str(INVOKER),
        "SUDO_GID": str(INVOKER),
        "SUDO_USER": "runner",
        "GRADER_ACCEPT_UNCONFINED": "1",
    }  # this test is about the files, not the sandbox
    out = tmp_path / "shard-1"
    command = grader_command(
        "batch",
        "--assignment",
        "ch04_learning",
        str(submissions),
        "--out",
        str(out),
        "--unit",
        "numerical_diff",
        "--seed",
        "3",
        "--jobs",
        "1",
    )
    result = subprocess.run(command, cwd=KIT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = tmp_path / "gradescope.json"
    command = grader_command(
        "grade",
        str(submissions / "kim.ipynb"),
        "--unit",
        "numerical_diff",
        "--json",
        str(tmp_path / "report.json"),
        "--gradescope",
        str(report),
    )
    result = subprocess.run(command, cwd=KIT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    written = [*owned_files(out), tmp_path / "report.json", report]
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {
        "shard-1/gradebook.csv",
        "shard-1/batch.json",
        "shard-1/results/kim.json",
        "shard-1/feedback/kim.md",
        "shard-1/results/empty.json",
    } <= names
    for path in written:
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (INVOKER, INVOKER), path
        assert not info.st_mode & stat.S_IWOTH, path
        if path.is_file():
            assert can_read(path, INVOKER) and not can_read(path, WORKER), path
    assert json.loads(report.read_text())["score"] == 10
    assert stat.S_IMODE(hidden.stat().st_mode) == hidden_mode and hidden.stat().st_uid != INVOKER
