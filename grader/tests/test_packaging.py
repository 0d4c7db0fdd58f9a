"""A built wheel carries every package the CLI and the workers use: pyproject's package list is complete."""

from __future__ import annotations

import tomllib

from grader.assignment import KIT_ROOT


def package_folders() -> set[str]:
    """Every importable package of the kit (a folder with __init__.py), the kit's own tests aside."""
    found = set()
    for top in ("grader", "courses"):
        for init in (KIT_ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(KIT_ROOT).parts
            if "tests" not in parts and "__pycache__" not in parts:
                found.add(".".join(parts))
    return found


def test_pyproject_lists_every_package():
    declared = set(tomllib.loads((KIT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = package_folders()
    assert {"grader.untrusted", "grader.sandbox", "grader.pipeline", "grader.classroom"} <= folders
    assert folders - declared == set(), "packages a wheel would leave out"
    assert declared - folders == set(), "listed packages that do not exist"


def test_the_trusted_ini_is_package_data():
    data = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert (
        data == {"grader.pipeline": ["*.ini"]} and (KIT_ROOT / "grader" / "pipeline" / "pytest-grading.ini").is_file()
    )
