"""Build notebooks in code for the kit's own tests."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from grader.assignment import KIT_ROOT

SOLUTION = KIT_ROOT / "solutions" / "ch04_learning.ipynb"
STUDENT = KIT_ROOT / "assignments" / "ch04_learning.ipynb"


def notebook_from_cells(cells: list[str | tuple[str, str]], metadata: dict | None = None):
    """A v4 notebook; a plain string is a code cell, ("markdown", text) a markdown cell."""
    notebook = nbformat.v4.new_notebook(metadata=metadata or {})
    for cell in cells:
        if isinstance(cell, tuple):
            notebook.cells.append(nbformat.v4.new_markdown_cell(cell[1]))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(cell))
    return notebook


def write_notebook(notebook, path: Path) -> Path:
    """Write a notebook node to ``path``."""
    nbformat.write(notebook, str(path))
    return path


def solution_notebook():
    """The instructor notebook as a node (a fresh copy each time)."""
    return nbformat.read(str(SOLUTION), as_version=4)


def solution_with(extra_cells: list[str]):
    """The instructor notebook with code cells appended (later definitions win)."""
    notebook = solution_notebook()
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in extra_cells]
    return notebook


def solution_cell_source(name: str) -> str:
    """The source of the instructor notebook's code cell that defines ``name``."""
    for cell in solution_notebook().cells:
        if cell.cell_type == "code" and (f"def {name}(" in cell.source or f"class {name}" in cell.source):
            return cell.source
    raise KeyError(name)


def grader_command(*args: str) -> list[str]:
    """``python -m grader ARGS...`` with this interpreter: how tests and benchmarks run the kit's CLI."""
    return [sys.executable, "-m", "grader", *args]


def kit_without_assignments(root: Path) -> Path:
    """The grader package (without its tests) and an empty courses package under ``root``: a kit with no
    assignment, in which ``python -m grader new`` makes one."""
    import shutil

    shutil.copytree(KIT_ROOT / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    (root / "courses").mkdir()
    shutil.copy2(KIT_ROOT / "courses" / "__init__.py", root / "courses")
    return root
