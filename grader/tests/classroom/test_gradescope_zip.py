"""Gradescope's autograder zip holds one assignment and only what grading it needs; setup.sh finds a Python
>= 3.11 by its version on any image (Ubuntu 22.04 has none by default, 24.04's python3 is 3.12)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.assignment import KIT_ROOT, load_assignment
from grader.classroom.gradescope_zip import build_autograder_zip

SETUP = KIT_ROOT / "templates" / "gradescope" / "setup.sh"


def tracked(prefix: str) -> set[str]:
    """The kit's files under ``prefix`` as git knows them (an independent listing of what must be packed)."""
    listing = subprocess.run(["git", "-C", str(KIT_ROOT), "ls-files", prefix], capture_output=True, text=True)
    return {line for line in listing.stdout.splitlines() if "__pycache__" not in line}


@pytest.mark.parametrize(("mine", "other"), [("ch03_networks", "ch04_learning"), ("ch04_learning", "ch03_networks")])
def test_the_zip_holds_one_assignment_and_what_grading_it_needs(tmp_path, mine, other):
    archive = build_autograder_zip(mine, tmp_path / "autograder.zip")
    with zipfile.ZipFile(archive) as unpacked:
        names = set(unpacked.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in unpacked.infolist()}
        config = json.loads(unpacked.read("gradescope.json"))
        pyproject = tomllib.loads(unpacked.read("pyproject.toml").decode())
    project, packages = pyproject["project"], pyproject["tool"]["setuptools"]["packages"]
    print(f"{mine}: {len(names)} files")
    assert config == {"assignment": mine}
    assert all(modes[script] & stat.S_IXUSR for script in ("setup.sh", "run_autograder"))
    needed = tracked(f"tests_hidden/{mine}") | tracked(f"tests_public/{mine}") | tracked("grader/untrusted")
    needed |= {f"solutions/{mine}.ipynb", f"rubrics/{mine}.toml", f"courses/{mine}/checks.py", "grader/cli.py"}
    for data in load_assignment(mine).data:
        needed |= tracked(data)
    assert needed <= names, sorted(needed - names)[:10]
    assert not [n for n in names if other in n or n.startswith((".git", "results", "assignments/"))]
    assert not [n for n in names if "/tests/" in n or "/mutants/" in n or "__pycache__" in n or n.endswith(".pyc")]
    # pip install of the unpacked zip: every package it names is there, and no staff or developer library
    for package in packages:
        assert f"{package.replace('.', '/')}/__init__.py" in names, package
    assert f"courses.{mine}" in packages and "grader.untrusted" in packages
    wanted = " ".join(project["dependencies"])
    assert "numpy" in wanted and not any(lib in wanted for lib in ("matplotlib", "copydetect", "ruff", "hypothesis"))
    assert "optional-dependencies" not in project


def find_python(tmp_path: Path, programs: dict[str, str]) -> subprocess.CompletedProcess:
    """setup.sh's discovery with only ``programs`` on PATH (name -> a script body, or "REAL" for this Python)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in programs.items():
        path = folder / name
        if body == "REAL":
            path.symlink_to(sys.executable)
        else:
            path.write_text(f"#!/bin/sh\n{body}\n")
            path.chmod(0o755)
    for tool in ("sh", "bash", "env", "rm"):  # what the script itself runs before Python
        (folder / tool).symlink_to(Path(subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()))
    env = {"PATH": str(folder), "AUTOGRADER_ROOT": str(tmp_path), "AUTOGRADER_SKIP_APT": "1"}
    env["AUTOGRADER_FIND_PYTHON_ONLY"] = "1"
    return subprocess.run([str(folder / "bash"), str(SETUP)], env=env, capture_output=True, text=True, timeout=60)


def test_setup_finds_a_python_of_311_or_newer_by_its_version_not_its_name(tmp_path):
    # Ubuntu 22.04-like: python3 is 3.10 (it fails the version check); a python3.12 was installed beside it
    result = find_python(tmp_path, {"python3": "exit 1", "python3.12": "REAL"})
    assert result.returncode == 0, result.stderr
    assert f"using {tmp_path / 'bin' / 'python3.12'}" in result.stdout


def test_setup_without_any_python_311_says_so_and_stops(tmp_path):
    result = find_python(tmp_path, {"python3": "exit 1"})
    assert result.returncode == 1 and "no Python >= 3.11" in result.stderr and "3.11 이상" in result.stderr
    assert not os.path.exists(tmp_path / "venv")
