"""Shared fixtures for the kit's own tests."""

from __future__ import annotations

import pytest

from grader.assignment import load_assignment
from grader.grade import grade_notebook
from grader.reference import load_reference


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
