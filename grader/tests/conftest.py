"""Shared fixtures for the kit's own tests."""

from __future__ import annotations

import pytest

from grader import sandbox
from grader.assignment import load_assignment
from grader.pipeline.grade import grade_notebook
from grader.pipeline.reference import load_reference


@pytest.fixture(scope="session")
def assignment():
    """The ch04_learning assignment."""
    return load_assignment("ch04_learning")


@pytest.fixture(scope="session")
def reference(assignment):
    """The instructor's reference, loaded once for the session."""
    return load_reference(assignment)


@pytest.fixture
def grade(reference, tmp_path):
    """Grade a notebook node (or path) in-process; returns the GradeReport."""

    def run(notebook, name: str = "submission.ipynb", **options):
        from grader.tests.helpers import write_notebook

        path = notebook if not hasattr(notebook, "cells") else write_notebook(notebook, tmp_path / name)
        options.setdefault("assignment_id", "ch04_learning")
        options.setdefault("grading_seed", 12345)
        return grade_notebook(path, reference=reference, **options)

    return run


def scores(report) -> dict[str, float]:
    """Unit name -> score."""
    return {unit.name: unit.score for unit in report.units}


def active_layers() -> dict[str, bool]:
    """Layer name -> in force here; "root" too (the uid drop and its sweep need it). For ``needs`` markers."""
    isolation = sandbox.detect_isolation()
    import os

    return {
        "root": os.geteuid() == 0,
        "seccomp": isolation.seccomp,
        "uid-drop": isolation.uid_drop,
        "namespaces": isolation.namespaces,
        "private-filesystem": isolation.private_filesystem,
        "landlock": isolation.landlock,
        "hidden-files": isolation.hidden_files,
        "memory-cgroup": isolation.memory_cgroup,
    }


def available_tools() -> dict[str, bool]:
    """Tool name -> usable here, for ``needs`` markers: "chromium" is the system's browser plus playwright to drive it."""
    import importlib.util

    return {"chromium": bool(browser_path()) and importlib.util.find_spec("playwright") is not None}


def browser_path() -> str | None:
    """The system's Chromium (Debian: chromium; elsewhere chromium-browser or Chrome), or None."""
    import shutil

    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


TOOL_HINTS = {
    "chromium": "apt-get install chromium (.ci/run does, as root) and the dev extra's playwright (make setup)",
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.needs("a", "b")``: skip, saying why, unless one of these layers or tools is in force here."""
    for marker in item.iter_markers(name="needs"):
        tools = [name for name in marker.args if name in TOOL_HINTS]
        if tools:
            have_tools = available_tools()
            if not any(have_tools[name] for name in tools):
                pytest.skip(f"needs {' or '.join(tools)}, which this machine lacks: {TOOL_HINTS[tools[0]]}")
            continue
        have = active_layers()
        unknown = [layer for layer in marker.args if layer not in have]
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid}: unknown layer(s) in needs: {unknown}; known: {sorted(have) + sorted(TOOL_HINTS)}"
            )
        if not any(have[layer] for layer in marker.args):
            pytest.skip(
                f"needs {' or '.join(marker.args)}, which this machine does not offer "
                "(see the isolation line of any report)"
            )
