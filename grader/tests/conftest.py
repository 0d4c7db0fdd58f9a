"""Shared fixtures for the kit's own tests."""

from __future__ import annotations

import sys

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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Name a failing test the moment it fails (``-q`` names them only at the end of a 30-minute run)."""
    if report.failed:
        sys.stderr.write(f"\nFAILED {report.nodeid} ({report.when})\n")


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


# -- running the suite on several processes (make test: pytest-xdist, --dist loadgroup) ------------------------------
#
# Each file runs whole on one process, so its module- and session-scoped fixtures (a graded class, the mutant
# catalogue, a deployment rehearsal's runner user) are built once, as in a plain run; the few files that take
# minutes on their own are cut into several groups, so that no one file sets the suite's wall time. xdist hands
# groups out in collection order, one at a time to whichever process is free, so the slowest go first.
# Rough serial seconds of the slowest files on a quiet 2-core machine; a file not listed here is short and comes
# after these, in its usual order. Only their order matters: a wrong figure costs minutes, never a check.
SLOW_FILES = {
    "grader/tests/classroom/test_deployment.py": 600,
    "grader/tests/test_hostile.py": 400,
    "grader/tests/mutants/test_mutants.py": 300,
    "grader/tests/classroom/test_similarity.py": 120,
    "grader/tests/test_fuzz.py": 100,
}
# Files cut into this many groups (tests dealt round robin): their tests share no state but module fixtures, which
# each group then builds for itself (a snapshot of the kit, a runner user: seconds against minutes of tests).
SPREAD_FILES = {
    "grader/tests/test_hostile.py": 4,
    "grader/tests/classroom/test_deployment.py": 6,
}
# Files that share one expensive session fixture run in one group, so it is built once (the graded class).
SHARED_GROUPS = {
    "grader/tests/classroom/test_class_report.py": "grader/tests/classroom/test_similarity.py",
}
# Tests that wait long on a process of their own (the hostile subset run as ``nobody``): a group each, so that
# they wait beside the others instead of in front of a group's remaining tests.
OWN_GROUP_TESTS = {"grader/tests/test_hostile.py::test_a_representative_subset_holds_as_an_unprivileged_user"}


def xdist_groups(nodeids: list[str]) -> dict[str, str]:
    """Test id -> the group it runs in, for the ids in collection order (a slow file's tests dealt round robin)."""
    dealt: dict[str, int] = {}
    groups = {}
    for nodeid in nodeids:
        path = nodeid.split("::")[0]
        path = SHARED_GROUPS.get(path, path)
        parts = SPREAD_FILES.get(path, 1)
        index = dealt.get(path, 0)
        dealt[path] = index + 1
        groups[nodeid] = nodeid if nodeid in OWN_GROUP_TESTS else f"{path}#{index % parts}" if parts > 1 else path
    return groups


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup`` (xdist's workers, which collect, see loadgroup True): the slowest groups first."""
    if not getattr(config.option, "loadgroup", False):
        return

    def weight(item: pytest.Item) -> float:
        path = item.nodeid.split("::")[0]
        path = SHARED_GROUPS.get(path, path)
        return SLOW_FILES.get(path, 0) / SPREAD_FILES.get(path, 1)

    items.sort(key=lambda item: -weight(item))  # stable: a file keeps its order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup`` with the groups of :func:`xdist_groups`, handed out in collection order.

    xdist 3.8 marks a group by renaming the test id, which pytest 9 ignores (its ids live elsewhere), so its own
    loadgroup sends every test alone; this scheduler reads the groups from the ids instead.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None and self.collection is not None:
                self.groups = xdist_groups(list(self.collection))
            if self.groups is None:
                return nodeid
            return self.groups.get(nodeid, nodeid)

    return FileGroupScheduling(config, log)
